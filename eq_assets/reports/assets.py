"""Report asset: results.csv and every paper table as Markdown and LaTeX in data/outputs/."""


from pathlib import Path

import dagster as dg
import pandas as pd

from eq_assets.core.resources import Outputs, RawFiles
from eq_assets.regressions.assets import ASSETS as TABLE_ASSETS
from eq_assets.regressions.results import results_csv_text
from eq_assets.reports.manifest import publish_outputs
from eq_assets.reports import descriptive
from eq_assets.reports.tables import render_latex, render_markdown

GROUP = "reports"
#: Descriptive-statistics table assets -> output file stem (written by eq_assets.reports.descriptive).
DESCRIPTIVE_TABLES: dict[str, str] = {"p2_table1": "P2_table1"}


def output_files(results: pd.DataFrame, descriptives: dict[str, pd.DataFrame] | None = None) -> dict[str, str]:
    """The output set: results.csv and one .md and .tex per (paper, table), name -> text.

    ``descriptives`` ({"P2_table1": stats}) are descriptive-statistics tables: written as .md, .tex
    and .csv (:mod:`eq_assets.reports.descriptive`), not as rows of results.csv (one row per
    coefficient).
    """
    files = {"results.csv": results_csv_text(results)}
    for stem, stats in sorted((descriptives or {}).items()):
        files[f"{stem}.md"] = descriptive.render_markdown(stats)
        files[f"{stem}.tex"] = descriptive.render_latex(stats, label=f"tab:{stem.lower()}")
        files[f"{stem}.csv"] = stats.to_csv(index=False, float_format="%.10g", lineterminator="\n")
    for (paper, table), _ in results.groupby(["paper", "table"], sort=True):
        stem = f"{paper}_table{table}"
        files[f"{stem}.md"] = render_markdown(results, paper, table)
        files[f"{stem}.tex"] = render_latex(results, paper, table)
    return files


def write_outputs(results: pd.DataFrame, out_dir: Path, descriptives: dict[str, pd.DataFrame] | None = None,
                  *, run_id: str = "manual", raw_dir: Path | None = None) -> list[Path]:
    """Publish the output set in ``out_dir`` as one set with its manifest (see reports.manifest)."""
    from eq_assets import settings

    return publish_outputs(out_dir, output_files(results, descriptives), run_id=run_id,
                           raw_dir=raw_dir or settings.raw_dir())


@dg.asset(
    group_name=GROUP,
    ins={**{a.key.path[-1]: dg.AssetIn(key=a.key) for a in TABLE_ASSETS},
         # descriptive-statistics tables (not coefficients): key -> output file stem
         **{k: dg.AssetIn(key=k) for k in DESCRIPTIVE_TABLES}},
    kinds={"csv", "latex", "markdown"},
)
def paper_outputs(context: dg.AssetExecutionContext, outputs: Outputs, raw_files: RawFiles, **tables: pd.DataFrame) -> dg.MaterializeResult:
    """results.csv (one row per coefficient) and P1_table1.md/.tex etc. in data/outputs/,
    published as one set with manifest.json (run, code version, raw file hashes)."""
    desc = {stem: tables.pop(k) for k, stem in DESCRIPTIVE_TABLES.items()}
    results = pd.concat([tables[k] for k in sorted(tables)], ignore_index=True)
    paths = write_outputs(results, outputs.path, desc, run_id=context.run_id, raw_dir=raw_files.path)
    return dg.MaterializeResult(
        metadata={
            "files": dg.MetadataValue.md("\n".join(f"- `{p}`" for p in paths)),
            "coefficients": len(results),
            "tables": len([p for p in paths if p.suffix == ".md"]),
        }
    )


ASSETS = [paper_outputs]
