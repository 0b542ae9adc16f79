"""The console summary at the end of ``python -m eq_assets.run``: what a person reads."""

from __future__ import annotations

from eq_assets import settings
from eq_assets.logs import log_path
from eq_assets.reports.outputs import read_manifest


def summary_lines(report, *, elapsed: float) -> list[str]:
    out = settings.output_dir()
    lines = [f"\nsummary ({elapsed / 60:.1f} min)"]
    run = (read_manifest(out) or {}).get("run")
    if run and run.get("status") == "current":
        n_tables = len([f for f in run.get("files", {}) if f.endswith(".md")])
        lines.append(f"  outputs: {n_tables} tables, results.csv, report.html, manifest.json in {out}")
    elif run:
        lines.append(f"  outputs in {out} are STALE: {run.get('stale_reason')}")
    n_failed = len(report.failed_checks)
    lines.append(f"  checks: {report.n_checks:,} evaluated, " + ("all passed" if not n_failed else f"{n_failed} FAILED"))
    for failed in report.failed_checks:  # which, with the start of its metadata (the log has all of it)
        text = " ".join(str(failed).split())
        lines.append(f"    FAILED {text[:160]}{' ...' if len(text) > 160 else ''}")
    if report.drops:
        lines.append("  rows dropped (and rows flagged but kept), by table and reason:")
        for asset in sorted(report.drops):
            parts = ", ".join(f"{r} {n:,}" for r, n in sorted(report.drops[asset].items(), key=lambda kv: -kv[1]))
            lines.append(f"    {asset:<24} {parts}")
    lines.append(f"  full log: {log_path()}")
    return lines


def print_summary(report, *, elapsed: float) -> None:
    print("\n".join(summary_lines(report, elapsed=elapsed)), flush=True)
