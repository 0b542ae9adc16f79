"""Materialize the whole graph: reference tables, every year partition, then the tables.

``python -m eq_assets.run [--years 2004 2009] [--only-yearly]`` is what ``make run`` calls. Runs
are recorded in the Dagster instance under ``$DAGSTER_HOME`` (default ``data/dagster_home``), so
the UI shows them. Partitions run one after another (DuckDB allows one writer). The exit code is
1 if any step fails or any asset check (blocking or not) fails, and the failing checks are
listed: ``dagster asset materialize`` exits 0 when a non-blocking check fails, this does not.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from eq_assets import settings

DAGSTER_YAML = """\
# Written by eq_assets.run: one run at a time (DuckDB allows a single writer).
run_queue:
  max_concurrent_runs: 1
telemetry:
  enabled: false
"""


def ensure_dagster_home() -> Path:
    """Use $DAGSTER_HOME, or data/dagster_home with a one-run-at-a-time dagster.yaml."""
    home = Path(os.environ.get("DAGSTER_HOME", settings.data_dir() / "dagster_home")).resolve()
    home.mkdir(parents=True, exist_ok=True)
    cfg = home / "dagster.yaml"
    if not cfg.exists():
        cfg.write_text(DAGSTER_YAML)
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def _split_assets(all_assets):
    reference, yearly, final = [], [], []
    for a in all_assets:
        if a.partitions_def is not None:
            yearly.append(a)
        else:
            (final if set(a.dependency_keys) else reference).append(a)
    return reference, yearly, final


def _failed_checks(result) -> list[str]:
    out = []
    for ev in result.get_asset_check_evaluations():
        if not ev.passed:
            out.append(f"{ev.asset_key.to_user_string()}:{ev.check_name} {dict(ev.metadata)}")
    return out


def materialize_all(
    years: list[int] | None = None, *, include_final: bool = True, select: list[str] | None = None, log=print
) -> list[str]:
    """Materialize everything (or only the assets named in ``select``); returns failed checks."""
    import dagster as dg

    from eq_assets.definitions import ALL_ASSETS, resources

    ensure_dagster_home()
    instance = dg.DagsterInstance.get()
    reference, yearly, final = _split_assets(ALL_ASSETS)
    if select:
        unknown = set(select) - {a.key.to_user_string() for a in ALL_ASSETS}
        if unknown:
            raise SystemExit(f"unknown asset(s): {sorted(unknown)}")
        keep = lambda group: [a for a in group if a.key.to_user_string() in select]  # noqa: E731
        reference, yearly, final = keep(reference), keep(yearly), keep(final)
    years = years or list(settings.YEARS)
    failed: list[str] = []

    def step(label, selection, partition_key=None):
        t0 = time.perf_counter()
        result = dg.materialize(
            ALL_ASSETS,
            selection=selection,
            partition_key=partition_key,
            instance=instance,
            resources=resources(),
            raise_on_error=True,
        )
        bad = _failed_checks(result)
        failed.extend(bad)
        log(f"{label}: {len(selection)} assets in {time.perf_counter() - t0:.1f}s" + (f"; FAILED CHECKS: {bad}" if bad else ""))

    if reference:
        step("reference tables", reference)
    for y in years if yearly else []:
        step(f"year {y}", yearly, str(y))
    if include_final and final:
        step("tables and reports", final)
    return failed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--years", type=int, nargs="*", help="year partitions to (re)materialize (default: all)")
    ap.add_argument("--select", nargs="*", help="only these assets (by name)")
    ap.add_argument("--only-yearly", action="store_true", help="skip the unpartitioned tables and reports")
    args = ap.parse_args(argv)
    raw = settings.raw_dir()
    if not raw.exists() or not any(raw.iterdir()):
        print(f"no raw data in {raw}: run `make synth` (synthetic world) or set EQ_RAW_DIR", file=sys.stderr)
        return 2
    failed = materialize_all(args.years, include_final=not args.only_yearly, select=args.select)
    if failed:
        print("asset checks failed:\n  " + "\n  ".join(failed), file=sys.stderr)
        return 1
    print(f"all assets materialized and all checks passed; outputs in {settings.output_dir()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
