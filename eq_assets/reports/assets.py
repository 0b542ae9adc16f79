"""Report asset: results.csv and every paper table as Markdown and LaTeX in data/outputs/."""


from pathlib import Path

import dagster as dg
import pandas as pd

from eq_assets.core.resources import Outputs, RawFiles
from eq_assets.mechanisms.p1 import production_function_results
from eq_assets.regressions.assets import ASSETS as TABLE_ASSETS
from eq_assets.regressions.results import atomic_write_text, write_results_csv
from eq_assets.reports import descriptive
from eq_assets.reports.manifest import build_manifest
from eq_assets.reports.outputs import publish_output_set
from eq_assets.reports.report import report_for_run
from eq_assets.reports.tables import render_latex, render_markdown

GROUP = "reports"
#: Descriptive-statistics table assets -> output file stem (written by eq_assets.reports.descriptive).
DESCRIPTIVE_TABLES: dict[str, str] = {"p2_table1": "P2_table1"}


def write_outputs(results: pd.DataFrame, out_dir: Path, descriptives: dict[str, pd.DataFrame] | None = None,
                  unrendered: pd.DataFrame | None = None) -> list[Path]:
    """Write results.csv and one .md and .tex per (paper, table) into ``out_dir`` (the staging
    folder of the output set); returns the paths written.

    ``unrendered``: more results.csv rows that have no paper table (the production function, table
    "TFP": :func:`eq_assets.mechanisms.p1.production_function_results`).

    ``descriptives`` ({"P2_table1": stats}) are descriptive-statistics tables: written as .md, .tex
    and .csv (:mod:`eq_assets.reports.descriptive`), not as rows of results.csv (one row per
    coefficient).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [out_dir / "results.csv"]
    write_results_csv(results if unrendered is None else pd.concat([results, unrendered], ignore_index=True), written[0])
    for stem, stats in sorted((descriptives or {}).items()):
        atomic_write_text(out_dir / f"{stem}.md", descriptive.render_markdown(stats))
        atomic_write_text(out_dir / f"{stem}.tex", descriptive.render_latex(stats, label=f"tab:{stem.lower()}"))
        atomic_write_text(out_dir / f"{stem}.csv", stats.to_csv(index=False, float_format="%.10g", lineterminator="\n"))
        written += [out_dir / f"{stem}.md", out_dir / f"{stem}.tex"]
    for (paper, table), _ in results.groupby(["paper", "table"], sort=True):
        stem = f"{paper}_table{table}"
        atomic_write_text(out_dir / f"{stem}.md", render_markdown(results, paper, table))
        atomic_write_text(out_dir / f"{stem}.tex", render_latex(results, paper, table))
        written += [out_dir / f"{stem}.md", out_dir / f"{stem}.tex"]
    return written


@dg.asset(
    group_name=GROUP,
    ins={**{a.key.path[-1]: dg.AssetIn(key=a.key) for a in TABLE_ASSETS},
         # descriptive-statistics tables (not coefficients): key -> output file stem
         **{k: dg.AssetIn(key=k) for k in DESCRIPTIVE_TABLES},
         "p1_production_function": dg.AssetIn()},  # results.csv rows of table TFP
    kinds={"csv", "latex", "markdown"},
)
def paper_outputs(context: dg.AssetExecutionContext, outputs: Outputs, raw_files: RawFiles,
                  **tables: pd.DataFrame) -> dg.MaterializeResult:
    """results.csv (one row per coefficient), P1_table1.md/.tex etc., report.html (every table, plots,
    truth comparison, drops, manifest; :mod:`eq_assets.reports.report`) and figures/ in data/outputs/."""
    desc = {stem: tables.pop(k) for k, stem in DESCRIPTIVE_TABLES.items()}
    tfp = production_function_results(tables.pop("p1_production_function"))
    results = pd.concat([tables[k] for k in sorted(tables)], ignore_index=True)
    manifest = build_manifest(context.instance, raw_files.path)
    report_md: dict = {}

    def write(stage: Path) -> None:
        write_outputs(results, stage, desc, unrendered=tfp)
        report_md.update(report_for_run(context.instance, stage, raw_files.path, results, desc, manifest=manifest)[1])

    paths = publish_output_set(outputs.path, write, run_id=context.run_id, manifest=manifest)
    return dg.MaterializeResult(
        metadata={
            "files": dg.MetadataValue.md("\n".join(f"- `{p}`" for p in paths)),
            "coefficients": len(results) + len(tfp),
            "tables": len([p for p in paths if p.suffix == ".md"]),
            **report_md,
        }
    )


ASSETS = [paper_outputs]
