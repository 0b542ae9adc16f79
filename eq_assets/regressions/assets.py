"""Regression assets: one asset per published table, built from its specifications.

``regression_table("P1", "1")`` makes asset ``p1_table1``: it loads from the warehouse only the panel
columns its specifications need, fits each column with the one engine, stores the coefficient
rows (the results.csv layout), shows the paper-style table in the UI, and checks every
estimate that has a truth in ``truth.csv`` (non-blocking ``truth`` check: within 3 SE, with an SE
that is not exploded). Its estimates guard themselves (:mod:`eq_assets.regressions.guards`):
blocking checks ``estimates_finite`` and ``n_obs_accounted``, and ``stability`` against the last
good materialization (blocking for the synthetic world with an unchanged truth.csv).
"""


from typing import Literal

import dagster as dg
import pandas as pd
from pydantic import Field

from eq_assets.core.accounting import RowAccount
from eq_assets.core.publish import publish, table_asset
from eq_assets.core.resources import RawFiles
from eq_assets.core.warehouse import Table, Warehouse
from eq_assets.jobs import MEMORY_TAG
from eq_assets.regressions.engine import run_specs
from eq_assets.regressions.guards import column_label, finite_failures, movements, n_obs_failures, spec_digest
from eq_assets.regressions.schemas import RegressionResults
from eq_assets.regressions.specs import specs_for, tables
from eq_assets.regressions.truth import compare_to_truth, load_truth
from eq_assets.reports.figures import coefficient_plot, image_metadata
from eq_assets.reports.tables import table_markdown_for_metadata

GROUP = "regressions"
RESULT_KEY = ("paper", "table", "column", "term", "variant")
#: the input type of a panel read lazily (the I/O manager hands over a Table, nothing loaded)
LAZY_TABLE = dg.PythonObjectDagsterType(Table, name="LazyTable")


class RegressionGuards(dg.Config):
    """How a regression table guards its estimates (regressions/guards.py; issue 9)."""

    max_move_se: float = Field(default=10.0, description=(
        "A coefficient of an unchanged specification moving by more than this many standard errors (the "
        "larger of the last good and the new one) against the last good materialization is reported as moved."))
    max_se_ratio: float = Field(default=100.0, description=(
        "A standard error changing by more than this factor (either way) against the last good materialization "
        "is reported as moved (issue 9: one row of 1e15 USD made an SE 1e11 times larger)."))
    stability: Literal["block_with_truth", "report", "off"] = Field(default="block_with_truth", description=(
        "block_with_truth: a move blocks publication when the raw directory holds the synthetic world's "
        "truth.csv, unchanged since the last good materialization (its estimates should not jump); with real "
        "data (no truth.csv) or a new world it is reported. report: never blocks. off: not compared."))
    max_se_to_truth: float = Field(default=50.0, description=(
        "truth check: an estimate whose SE exceeds this multiple of |true value| does not recover it, however "
        "small its z (an exploded SE must not pass); |true value| is floored at 1 (regressions.truth)."))


def _previous(context, name: str) -> tuple[pd.DataFrame | None, dict]:
    """The last good results (stored table) and the metadata of their materialization."""
    import json

    path = Warehouse().partition_path(name, None)
    if not path.exists():
        return None, {}
    recs = context.instance.fetch_materializations(dg.AssetRecordsFilter(asset_key=context.asset_key), limit=1).records
    md = {k: getattr(v, "value", v) for k, v in recs[0].asset_materialization.metadata.items()} if recs else {}
    for k in ("spec_digests",):
        if isinstance(md.get(k), str):
            md[k] = json.loads(md[k])
    return Table(name, (str(path),)).df(), md


def _digest_file(path) -> str | None:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()[:16] if path.exists() else None


def regression_table(paper: str, table: str) -> dg.AssetsDefinition:
    specs = specs_for(paper, table)
    panels = sorted({s.panel for s in specs})
    columns = {p: sorted({c for s in specs if s.panel == p for c in s.columns_needed}) for p in panels}
    name = f"{paper.lower()}_table{table}"
    extra_checks = [
        dg.AssetCheckSpec("truth", asset=name, blocking=False,
                          description="Each estimate with a true value in truth.csv lies within 3 SE of it, with an SE "
                                      "that is not exploded (at most max_se_to_truth x |true value|)."),
        dg.AssetCheckSpec("estimates_finite", asset=name, blocking=True,
                          description="Every estimate and every coefficient's standard error is a finite number."),
        dg.AssetCheckSpec("n_obs_accounted", asset=name, blocking=True,
                          description="Each column's N is the panel's rows after its stated drops (outside the sample, "
                                      "missing values, singletons)."),
        dg.AssetCheckSpec("stability", asset=name, blocking=False,
                          description="No coefficient of an unchanged specification moves by more than max_move_se SEs, "
                                      "nor its SE by more than a factor max_se_ratio, against the last good "
                                      "materialization (blocks publication for the synthetic world with an unchanged "
                                      "truth.csv; reported otherwise)."),
    ]

    @table_asset(
        name,
        RegressionResults,
        group=GROUP,
        yearly=False,
        # lazy inputs: each group of columns sharing a sample and fixed effects loads only its own
        # columns (run_specs releases them before the next load), never the union of the table's
        ins={p: dg.AssetIn(key=p, metadata={"columns": columns[p]}, dagster_type=LAZY_TABLE)
             for p in panels},
        extra_checks=extra_checks,
        kinds=("pyfixest", "pandas"),
        op_tags={MEMORY_TAG: "heavy"},  # the tables stage runs one at a time (jobs.TABLES_EXECUTOR)
        description=f"{paper} Table {table}: {len(specs)} columns fitted from "
        + "; ".join(f"{p} (columns: {', '.join(c)})" for p, c in columns.items()) + ".",
    )
    def _table(context: dg.AssetExecutionContext, config: RegressionGuards, raw_files: RawFiles, **panels_in: Table):
        # one loader per panel asset: each candidate reads only its own specs' columns
        skipped: list[str] = []
        fits: list = []
        rows = {p: t.count() for p, t in panels_in.items()}
        results = run_specs(specs, {p: t.frame for p, t in panels_in.items()}, skipped=skipped, fit_log=fits)
        acc = RowAccount(rows_in=len(results), unit="coefficients")
        digests = {column_label(s): spec_digest(s) for s in specs}
        truth_path = raw_files.path / "truth.csv"
        md = {"table": dg.MetadataValue.md(table_markdown_for_metadata(results, paper, table)),
              **{f"{p}_rows": n for p, n in rows.items()},
              "columns_not_estimable": dg.MetadataValue.md("\n".join(f"- {m}" for m in skipped) or "none"),
              "spec_digests": dg.MetadataValue.json(digests), "truth_digest": _digest_file(truth_path) or ""}
        truth = load_truth(raw_files.path)
        md["coefficient_plot"] = image_metadata(coefficient_plot(results, paper, table, truth), f"{paper} Table {table} coefficients")
        checked = compare_to_truth(results, truth, max_se_ratio=config.max_se_to_truth) if truth is not None else None
        blocking, reported = _guards(context, config, name, results, fits, rows,
                                     digests, md["truth_digest"])
        for out in publish(results, model=RegressionResults, key=RESULT_KEY, account=acc, asset_name=name, metadata=md,
                           blocking_checks=blocking, checks=reported):
            yield out
        if checked is None or checked.empty:
            yield dg.AssetCheckResult(check_name="truth", passed=True, metadata={"compared": 0, "note": "no truth.csv rows for this table"})
        else:
            shown = checked[["column", "term", "estimate", "std_error", "true_value", "z", "se_plausible", "within"]]
            yield dg.AssetCheckResult(
                check_name="truth",
                passed=bool(checked["within"].all()),
                severity=dg.AssetCheckSeverity.ERROR,
                metadata={
                    "compared": len(checked),
                    "outside_3se": int((~checked["within"]).sum()),
                    "se_exploded": int((~checked["se_plausible"]).sum()),
                    "max_abs_z": float(checked["z"].abs().max()),
                    "comparison": dg.MetadataValue.md(shown.to_markdown(index=False, floatfmt=".5g")),
                },
            )

    return _table


def _guards(context, config: RegressionGuards, name: str, results: pd.DataFrame, fits: list, panel_rows: dict,
            digests: dict, truth_digest: str) -> tuple[list, list]:
    """The guard checks (regressions/guards.py): (blocking results, reported results)."""
    bad = finite_failures(results)
    finite = dg.AssetCheckResult(
        check_name="estimates_finite", passed=bad.empty,
        metadata={"not_finite": len(bad), **({"rows": dg.MetadataValue.md(bad.to_markdown(index=False))} if len(bad) else {})})
    wrong = n_obs_failures(fits, panel_rows, results)
    n_obs = dg.AssetCheckResult(
        check_name="n_obs_accounted", passed=not wrong,
        metadata={"fits": len(fits), "not_adding_up": len(wrong),
                  **({"details": dg.MetadataValue.md("\n".join(f"- {w}" for w in wrong))} if wrong else {})})
    if config.stability == "off":
        return [finite, n_obs], [dg.AssetCheckResult(check_name="stability", passed=True, metadata={"note": "off (config)"})]
    previous, prev_md = _previous(context, name)
    if previous is None or not prev_md.get("spec_digests"):
        return [finite, n_obs], [dg.AssetCheckResult(check_name="stability", passed=True,
                                                     metadata={"compared": 0, "note": "no earlier materialization"})]
    m = movements(results, previous, digests, prev_md["spec_digests"], max_move_se=config.max_move_se,
                  max_se_ratio=config.max_se_ratio)
    moved = m[m["moved"]] if len(m) else m
    same_world = bool(truth_digest) and truth_digest == prev_md.get("truth_digest")
    blocks = config.stability == "block_with_truth" and same_world
    md = {"compared": len(m), "moved": len(moved), "max_move_se": config.max_move_se, "max_se_ratio": config.max_se_ratio,
          "blocking": blocks}
    if len(moved):
        cols = ["column", "term", "estimate_before", "estimate", "std_error_before", "std_error", "move_se", "se_ratio"]
        md["moves"] = dg.MetadataValue.md(moved[cols].head(20).to_markdown(index=False, floatfmt=".5g"))
        md["note"] = ("the synthetic world's truth.csv is unchanged since the last good materialization, so its estimates "
                      "should not jump: nothing was published. If the change is intended (new code), rerun with config "
                      "stability: report" if blocks else "reported, not blocking (real data, or a new synthetic world)")
    result = dg.AssetCheckResult(check_name="stability", passed=moved.empty, metadata=md,
                                 severity=dg.AssetCheckSeverity.ERROR if blocks else dg.AssetCheckSeverity.WARN)
    return ([finite, n_obs, result], []) if blocks else ([finite, n_obs], [result])


TABLES: tuple[tuple[str, str], ...] = tables()
ASSETS = [regression_table(p, t) for p, t in TABLES]
