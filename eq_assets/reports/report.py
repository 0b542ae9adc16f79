"""``data/outputs/report.html``: one self-contained replication report.

One HTML page with inline CSS, every image a ``data:`` URI and no script, font or link to
anything outside the file (it opens offline and can be attached to a replication package):

1. every regression table (the paper's layout, great-tables HTML) with its coefficient plot, and
   P2 Table 1;
2. the truth comparison: every estimate with a true value in ``truth.csv`` (synthetic world),
   its z = (estimate - truth) / SE and whether it lies within 3 SE;
3. first-stage strength of each instrument;
4. the data: quality and distance distributions by year, match rates and rows dropped by reason
   by year, and the row accounting of every asset (from the Dagster instance's materialization
   metadata, :mod:`eq_assets.reports.accounting`);
5. the run manifest (:mod:`eq_assets.reports.manifest`): code version, raw file hashes, parameters.

:func:`write_report` also writes the figures as PNG files under ``figures/`` and the manifest as
``manifest.json`` next to the report. No timestamp is written anywhere: the same inputs,
parameters and code give byte-identical files.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from eq_assets.regressions.results import atomic_write_bytes, atomic_write_text
from eq_assets.regressions.truth import compare_to_truth
from eq_assets.reports import accounting as acct
from eq_assets.reports import descriptive, figures
from eq_assets.reports.tables import render_html, table_file_stem, tables_in

CSS = """
body { font-family: -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Noto Sans CJK SC', sans-serif;
       margin: 0 auto; max-width: 1100px; padding: 1.5em 2em 4em; color: #222; line-height: 1.45; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; } h2 { border-bottom: 2px solid #1f4e79; padding-bottom: 0.2em; margin-top: 2.2em; }
h3 { margin-top: 1.8em; } nav ol { columns: 2; } .muted { color: #666; font-size: 0.9em; }
table.plain { border-collapse: collapse; font-size: 0.85em; margin: 0.6em 0; }
table.plain th, table.plain td { border-bottom: 1px solid #ddd; padding: 3px 8px; text-align: right; }
table.plain th:first-child, table.plain td:first-child, table.plain td.text { text-align: left; }
table.plain th { background: #f2f5f9; } .bad { color: #c0392b; font-weight: bold; } .good { color: #2e7d32; }
figure { margin: 0.8em 0; } figure img { max-width: 100%; border: 1px solid #eee; }
code, .mono { font-family: 'DejaVu Sans Mono', Menlo, Consolas, monospace; font-size: 0.85em; }
section.table-block { margin-bottom: 2.5em; }
"""


@dataclass
class ReportInputs:
    """What the report shows; every field comes from the paper_outputs asset (see :func:`write_report`)."""

    results: pd.DataFrame
    descriptives: dict[str, pd.DataFrame] = field(default_factory=dict)
    truth: pd.DataFrame | None = None
    metadata: acct.Metadata = field(default_factory=dict)
    manifest: dict = field(default_factory=dict)


def _esc(x) -> str:
    return html.escape(str(x), quote=True)


def _img(png: bytes, alt: str) -> str:
    return f'<figure><img alt="{_esc(alt)}" src="{figures.data_uri(png)}"></figure>'


def _plain_table(df: pd.DataFrame, cls: dict | None = None, floatfmt: str = "{:.4g}") -> str:
    def fmt(v):
        if isinstance(v, (bool, np.bool_)):
            return "yes" if v else "no"
        if isinstance(v, (int, np.integer)):
            return f"{int(v):,}"
        if isinstance(v, float):
            return "" if pd.isna(v) else floatfmt.format(v)
        return _esc(v)

    head = "".join(f"<th>{_esc(c)}</th>" for c in df.columns)
    body = []
    for _, r in df.iterrows():
        tds = []
        for c in df.columns:
            klass = (cls or {}).get(c, lambda v: "")(r[c])
            tds.append(f'<td class="{klass}">{fmt(r[c])}</td>' if klass else f"<td>{fmt(r[c])}</td>")
        body.append("<tr>" + "".join(tds) + "</tr>")
    return f'<table class="plain"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def render_figures(inputs: ReportInputs) -> dict[str, bytes]:
    """Every figure of the report: file stem -> PNG bytes."""
    out: dict[str, bytes] = {}
    for paper, table in tables_in(inputs.results):
        out[f"{table_file_stem(paper, table)}_coefficients"] = figures.coefficient_plot(inputs.results, paper, table, inputs.truth)
    out["first_stage_strength"] = figures.first_stage_plot(inputs.results)
    meta = inputs.metadata
    out["P1_quality_distance_by_year"] = figures.distribution_plot(
        acct.distributions(meta, "quality_distance"), "P1: export quality and Distance by year (quality_distance)")
    out["P2_quality_by_year"] = figures.distribution_plot(
        acct.distributions(meta, "export_quality_p2"), "P2: firm-year export quality by year (export_quality_p2)")
    out["match_rates_by_year"] = figures.match_rate_plot(acct.match_rates(meta))
    out["drops_by_reason_by_year"] = figures.drops_plot(acct.drops_by_reason(meta), acct.JOURNEY_ASSETS)
    return out


def render_report(inputs: ReportInputs, figs: dict[str, bytes] | None = None) -> str:
    """The HTML text of the report."""
    figs = figs if figs is not None else render_figures(inputs)
    res = inputs.results
    pairs = tables_in(res)
    nav = ['<li><a href="#tables">Tables</a><ol>']
    nav += [f'<li><a href="#{p.lower()}-table{t}">{p} Table {t}</a></li>' for p, t in
            sorted(pairs + [tuple(s.split("_table")) for s in inputs.descriptives], key=lambda pt: (pt[0], int(pt[1]) if pt[1].isdigit() else 99))]
    nav += ["</ol></li>", '<li><a href="#truth">Truth comparison</a></li>', '<li><a href="#iv">First-stage strength</a></li>',
            '<li><a href="#data">The data: distributions, matching, drops</a></li>', '<li><a href="#manifest">Run manifest</a></li>']
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>eq_assets replication report</title>", f"<style>{CSS}</style></head><body>",
        "<h1>eq_assets replication report</h1>",
        f'<p class="muted">P1: Song &amp; Hu (2024), digital patents and the export quality distance to the frontier; '
        f"P2: Ma, Wang &amp; Gong, city e-government and firm export quality. {len(pairs)} regression tables, "
        f"{len(res)} results rows (results.csv). Code version {_esc(inputs.manifest.get('code', {}).get('commit', 'unknown'))}.</p>",
        "<nav><ol>" + "".join(nav) + "</ol></nav>",
        '<h2 id="tables">Tables</h2>',
    ]
    blocks: list[tuple[tuple[str, int], str]] = []
    for stem, stats in inputs.descriptives.items():
        p, t = stem.split("_table")
        md = descriptive.render_markdown(stats)
        df = stats.sort_values("order")[["variable", "n", "mean", "sd", "min", "max"]]
        blocks.append(((p, int(t)), f'<section class="table-block" id="{p.lower()}-table{t}"><h3>{_esc(md.splitlines()[0].strip("*"))}</h3>'
                      + _plain_table(df, floatfmt="{:.3f}") + "</section>"))
    for p, t in pairs:
        stem = table_file_stem(p, t)
        blocks.append(((p, int(t) if t.isdigit() else 99),
                       f'<section class="table-block" id="{p.lower()}-table{t}">{render_html(res, p, t)}'
                       + _img(figs[f"{stem}_coefficients"], f"{p} Table {t} coefficient plot") + "</section>"))
    parts += [b for _, b in sorted(blocks, key=lambda kb: kb[0])]

    parts.append('<h2 id="truth">Truth comparison</h2>')
    if inputs.truth is None or inputs.truth.empty:
        parts.append("<p>No truth.csv in the raw directory (real data): nothing to compare.</p>")
    else:
        cmp_ = compare_to_truth(res, inputs.truth)
        n_in = int(cmp_["within"].sum())
        parts.append(f"<p>{len(cmp_)} estimates have a true value in truth.csv (synthetic world); {n_in} lie within 3 standard "
                     f"errors of it, {len(cmp_) - n_in} do not. basis: structural = the parameter itself; oracle = the same "
                     "specification run on the latent (true) variables of the same draw.</p>")
        shown = cmp_[["paper", "table", "column"] + (["variant"] if "variant" in cmp_ else [])
                     + ["term", "estimate", "std_error", "true_value", "z", "within"] + (["basis"] if "basis" in cmp_ else [])]
        parts.append(_plain_table(shown, cls={"within": lambda v: "good" if v else "bad"}))

    parts += ['<h2 id="iv">First-stage strength</h2>',
              "<p>Kleibergen-Paap rk Wald F of every 2SLS column (green: above the Stock-Yogo 10% maximal-size critical "
              "value), with the Olea-Pflueger critical value for a 10% worst-case bias (one instrument).</p>",
              _img(figs["first_stage_strength"], "first-stage strength")]

    meta = inputs.metadata
    accounting = acct.accounting_table(meta)
    parts += ['<h2 id="data">The data: distributions, matching, drops</h2>',
              "<h3>Export quality and distance by year</h3>", _img(figs["P1_quality_distance_by_year"], "P1 quality by year"),
              _img(figs["P2_quality_by_year"], "P2 quality by year"),
              "<h3>Match rates by year</h3>", _img(figs["match_rates_by_year"], "match rates"),
              _plain_table(acct.match_rates(meta), floatfmt="{:.3f}"),
              "<h3>Rows dropped by reason and year</h3>", _img(figs["drops_by_reason_by_year"], "drops by reason"),
              "<h3>Row accounting of every asset</h3>",
              "<p>Summed over partitions: rows in = rows out + rows dropped by reason (the row_accounting check).</p>"]
    if not accounting.empty:
        summ = accounting.groupby("asset", sort=True).agg(partitions=("partition", "size"), rows_in=("rows_in", "sum"),
                                                          rows_out=("rows_out", "sum"), dropped=("dropped", "sum"),
                                                          balanced=("balanced", "all")).reset_index()
        reasons = acct.drops_by_reason(meta)
        reasons = reasons[reasons["rows"] > 0].groupby(["asset", "reason"])["rows"].sum().reset_index()
        words = reasons.groupby("asset").apply(
            lambda g: "; ".join(f"{r}: {n:,}" for r, n in zip(g["reason"], g["rows"])), include_groups=False)
        summ["dropped by reason"] = summ["asset"].map(words).fillna("")
        parts.append(_plain_table(summ, cls={"balanced": lambda v: "good" if v else "bad"}))
    else:
        parts.append("<p>No materialization metadata found in the Dagster instance.</p>")

    parts += ['<h2 id="manifest">Run manifest</h2>', _manifest_html(inputs.manifest), "</body></html>", ""]
    return "\n".join(parts)


def _manifest_html(m: dict) -> str:
    code = m.get("code", {})
    out = [f"<p>Code version: <span class=\"mono\">{_esc(code.get('commit', 'unknown'))}</span>"
           + (" (with uncommitted changes)" if code.get("uncommitted_changes") else "") + ". Packages: "
           + ", ".join(f"{_esc(k)} {_esc(v)}" for k, v in code.get("packages", {}).items()) + ".</p>"]
    files = m.get("raw_dir_files", [])
    out.append(f"<h3>Raw files ({len(files)})</h3>")
    if files:
        out.append(_plain_table(pd.DataFrame(files)[["path", "bytes", "sha256"]], floatfmt="{}"))
    params = m.get("parameters", [])
    out.append("<h3>Parameters (effective run configuration of each configurable asset)</h3>")
    if params:
        out.append(_plain_table(pd.DataFrame([{"asset": p["asset"], "partitions": p["partitions"],
                                               "config": json.dumps(p["config"], ensure_ascii=False, sort_keys=True)}
                                              for p in params])))
    if m.get("estimation_settings"):
        out += ["<h3>Estimation settings (every regression)</h3>",
                f'<p class="mono">{_esc(json.dumps(m["estimation_settings"], sort_keys=True))}</p>']
    return "\n".join(out)


def write_report(out_dir: Path, inputs: ReportInputs) -> list[Path]:
    """Write report.html and figures/*.png into ``out_dir``; return the paths."""
    out_dir = Path(out_dir)
    figs = render_figures(inputs)
    written = [atomic_write_bytes(out_dir / "figures" / f"{stem}.png", png) for stem, png in sorted(figs.items())]
    # manifest.json is written last by the output set (eq_assets.reports.outputs), with the run's status
    written.append(atomic_write_text(out_dir / "report.html", render_report(inputs, figs)))
    return written


def report_for_run(instance, out_dir: Path, raw_dir: Path, results: pd.DataFrame,
                   descriptives: dict[str, pd.DataFrame] | None = None, *, manifest: dict | None = None) -> tuple[list[Path], dict]:
    """Gather the report's inputs (truth.csv, the instance's materialization metadata, the
    manifest), write it, and return (paths, materialization metadata with the main figures)."""
    from eq_assets.regressions.truth import load_truth
    from eq_assets.reports.manifest import build_manifest

    inputs = ReportInputs(results=results, descriptives=dict(descriptives or {}), truth=load_truth(raw_dir),
                          metadata=acct.instance_metadata(instance) if instance is not None else {},
                          manifest=manifest if manifest is not None else build_manifest(instance, raw_dir))
    paths = write_report(out_dir, inputs)
    figdir = Path(out_dir) / "figures"
    md = {"report": str(Path(out_dir) / "report.html")}
    for stem, alt in (("first_stage_strength", "first-stage strength"), ("match_rates_by_year", "match rates by year"),
                      ("drops_by_reason_by_year", "rows dropped by reason and year"),
                      ("P1_quality_distance_by_year", "P1 quality and Distance by year"),
                      ("P2_quality_by_year", "P2 quality by year")):
        md[stem] = figures.image_metadata((figdir / f"{stem}.png").read_bytes(), alt)
    return paths, md
