"""Regression assets: one asset per published table, built from its specifications.

``regression_table("P1", "1")`` makes asset ``p1_table1``: it loads from the warehouse only the panel
columns its specifications need, fits each column with the one engine, stores the coefficient
rows (the results.csv layout), shows the paper-style table in the UI, and checks every
estimate that has a truth in ``truth.csv`` (non-blocking ``truth`` check: within 3 SE).
"""


import dagster as dg
import pandas as pd

from eq_assets.core.accounting import RowAccount
from eq_assets.core.publish import publish, table_asset
from eq_assets.core.resources import RawFiles
from eq_assets.regressions.engine import run_specs
from eq_assets.regressions.schemas import RegressionResults
from eq_assets.regressions.specs import specs_for, tables
from eq_assets.regressions.truth import compare_to_truth, load_truth
from eq_assets.reports.figures import coefficient_plot, image_metadata
from eq_assets.reports.tables import table_markdown_for_metadata

GROUP = "regressions"
RESULT_KEY = ("paper", "table", "column", "term", "variant")


def regression_table(paper: str, table: str) -> dg.AssetsDefinition:
    specs = specs_for(paper, table)
    panels = sorted({s.panel for s in specs})
    columns = {p: sorted({c for s in specs if s.panel == p for c in s.columns_needed}) for p in panels}
    name = f"{paper.lower()}_table{table}"
    truth_spec = dg.AssetCheckSpec(
        "truth", asset=name, blocking=False,
        description="Each estimate with a true value in truth.csv lies within 3 SE of it.",
    )

    @table_asset(
        name,
        RegressionResults,
        group=GROUP,
        yearly=False,
        ins={p: dg.AssetIn(key=p, metadata={"columns": columns[p]}) for p in panels},
        extra_checks=[truth_spec],
        kinds=("pyfixest", "pandas"),
        description=f"{paper} Table {table}: {len(specs)} columns fitted from "
        + "; ".join(f"{p} (columns: {', '.join(c)})" for p, c in columns.items()) + ".",
    )
    def _table(context: dg.AssetExecutionContext, raw_files: RawFiles, **loaded: pd.DataFrame):
        # one loader per panel asset: each spec reads only its own panel's needed columns
        skipped: list[str] = []
        results = run_specs(specs, {p: (lambda cols, f=f: f[list(cols)]) for p, f in loaded.items()}, skipped=skipped)
        acc = RowAccount(rows_in=len(results), unit="coefficients")
        md = {"table": dg.MetadataValue.md(table_markdown_for_metadata(results, paper, table)),
              **{f"{p}_rows": len(f) for p, f in loaded.items()},
              "columns_not_estimable": dg.MetadataValue.md("\n".join(f"- {m}" for m in skipped) or "none")}
        truth = load_truth(raw_files.path)
        md["coefficient_plot"] = image_metadata(coefficient_plot(results, paper, table, truth), f"{paper} Table {table} coefficients")
        checked = compare_to_truth(results, truth) if truth is not None else None
        for out in publish(results, model=RegressionResults, key=RESULT_KEY, account=acc, asset_name=name, metadata=md):
            yield out
        if checked is None or checked.empty:
            yield dg.AssetCheckResult(check_name="truth", passed=True, metadata={"compared": 0, "note": "no truth.csv rows for this table"})
        else:
            shown = checked[["column", "term", "estimate", "std_error", "true_value", "z", "within"]]
            yield dg.AssetCheckResult(
                check_name="truth",
                passed=bool(checked["within"].all()),
                severity=dg.AssetCheckSeverity.ERROR,
                metadata={
                    "compared": len(checked),
                    "outside_3se": int((~checked["within"]).sum()),
                    "max_abs_z": float(checked["z"].abs().max()),
                    "comparison": dg.MetadataValue.md(shown.to_markdown(index=False, floatfmt=".5g")),
                },
            )

    return _table


TABLES: tuple[tuple[str, str], ...] = tables()
ASSETS = [regression_table(p, t) for p, t in TABLES]
