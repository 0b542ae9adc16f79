"""End to end on the tiny synthetic world: raw files -> every asset -> outputs.

One session-scoped run (``tiny_world`` in conftest.py) materializes the whole graph (reference tables, 11 year partitions,
tables and reports) in a temporary data directory, through the same runner ``make run`` uses.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

pytestmark = pytest.mark.e2e



@pytest.fixture(scope="module")
def world(tiny_world):
    """The session's tiny world (conftest.py), with its environment set for this module."""
    with tiny_world["use_env"]():
        yield tiny_world


def _con(root: Path):
    from eq_assets.core.warehouse import Warehouse

    return Warehouse(root / "warehouse").connect()


def test_all_checks_pass(world):
    """Every check of the tiny world passes, except P2's truth checks, which test_p2_graph runs on a
    world large enough for them: at tiny scale P2's per-product quality 2SLS has a few observations
    per product, and the measured quality is attenuated (median estimate / truth 0.76 in P2 Tables
    2-5, z down to -3.1); at SCALE=small the ratio is 1.00 and every truth is within 3 SE (measured)."""
    assert _tiny_failures(world["failed"]) == []


def _tiny_failures(failed: list[str]) -> list[str]:
    """Failed checks, P2's truth checks aside (see test_all_checks_pass)."""
    return [f for f in failed if not (f.startswith("p2_table") and ":truth" in f)]


def test_outputs_written_with_table1(world):
    out = world["root"] / "outputs"
    res = pd.read_csv(out / "results.csv", dtype={"table": str, "column": str})
    eco = res[(res.paper == "P1") & (res.table == "1") & (res.term == "Eco")]
    assert sorted(eco["column"]) == ["1", "2", "3", "4"]
    assert (eco["n_obs"] > 1000).all() and eco["std_error"].gt(0).all()
    # the original columns, in order, then the columns added since (appended, never renamed)
    assert list(res.columns) == ["paper", "table", "column", "term", "estimate", "std_error", "p_value",
                                 "n_obs", "adj_r2", "fixed_effects", "vcov", "sample", "r2_within", "adj_r2_within",
                                 "variant", "r2"]
    md = (out / "P1_table1.md").read_text(encoding="utf-8")
    tex = (out / "P1_table1.tex").read_text(encoding="utf-8")
    assert "Eco" in md and "Observations" in md and "\\begin{tabular}" in tex


def test_table1_column4_recovers_truth(world):
    root = world["root"]
    res = pd.read_csv(root / "outputs" / "results.csv", dtype={"table": str, "column": str})
    truth = pd.read_csv(root / "raw" / "truth.csv", dtype={"table": str, "column": str})
    r = res[(res.paper == "P1") & (res.table == "1") & (res.column == "4") & (res.term == "Eco")].iloc[0]
    t = truth[(truth.paper == "P1") & (truth.table == "1") & (truth.column == "4") & (truth.term == "Eco")].iloc[0]
    assert abs(r.estimate - t.true_value) <= 3 * r.std_error, (r.estimate, r.std_error, t.true_value)


def test_row_accounting_recorded_for_every_materialization(world):
    import dagster as dg

    instance = dg.DagsterInstance.get()
    from eq_assets.definitions import ALL_ASSETS

    for a in ALL_ASSETS:
        if a.key.to_user_string() == "paper_outputs":
            continue
        ev = instance.get_latest_materialization_event(a.key)
        assert ev is not None, a.key
        md = ev.asset_materialization.metadata
        rows_in = md["rows_in"].value
        dropped = sum(v.value for k, v in md.items() if k.startswith("dropped_"))
        assert rows_in == md["rows_out"].value + dropped, a.key


def _year_digest(root: Path, table: str) -> dict[int, str]:
    con = _con(root)
    try:
        df = con.execute(f"select * from eq.{table}").fetchdf()
    finally:
        con.close()
    return {
        int(y): hashlib.sha256(pd.util.hash_pandas_object(g.sort_values(list(g.columns)).reset_index(drop=True)).values.tobytes()).hexdigest()
        for y, g in df.groupby("year")
    }


def test_rematerialize_one_year_with_cli_leaves_other_years(world):
    root = world["root"]
    before = _year_digest(root, "customs_exports")
    exe = Path(sys.executable).parent / "dagster"
    r = subprocess.run(
        [str(exe), "asset", "materialize", "-m", "eq_assets.definitions", "--select", "customs_exports", "--partition", "2009"],
        env=world["env"], capture_output=True, text=True, timeout=600,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    after = _year_digest(root, "customs_exports")
    assert after == before  # 2009 rewritten identically; the other years untouched
    import dagster as dg

    ev = dg.DagsterInstance.get().get_latest_materialization_event(dg.AssetKey("customs_exports"))
    assert ev.asset_materialization.partition == "2009"


def test_rerun_gives_byte_identical_results(world):
    from eq_assets.run import materialize_all

    path = world["root"] / "outputs" / "results.csv"
    first = path.read_bytes()
    failed = materialize_all(years=[2004, 2014], log=lambda *a: None)
    assert _tiny_failures(failed) == []
    assert path.read_bytes() == first


def test_tables_stage_in_parallel_processes_writes_the_same_tables(world):
    """The paper-scale path of the tables stage (jobs.TABLES_EXECUTOR: Dagster's multiprocess
    executor, steps forked from a preloaded server) gives the tables the in-process run gave:
    the same rows and labels, and estimates equal to 1e-12 (the multithreaded ``within``
    demeaner may move the last bit between processes, see regressions/engine.py; results.csv's
    ``%.10g`` is unchanged)."""
    import dagster as dg
    import numpy as np

    from eq_assets.run import _materialize_parallel

    tables = world["root"] / "warehouse" / "tables"
    names = ["p1_table1", "p2_table2"]
    before = {n: pd.read_parquet(tables / n / "all.parquet") for n in names}
    res = _materialize_parallel(names, {}, verbose=False)
    assert res.ok, res.errors
    assert res.n_checks > 0 and not [c for c in res.failed_checks if ":truth" not in c]
    for n in names:
        after = pd.read_parquet(tables / n / "all.parquet")
        assert list(after.columns) == list(before[n].columns) and len(after) == len(before[n])
        num = after.select_dtypes("number").columns
        pd.testing.assert_frame_equal(after.drop(columns=num), before[n].drop(columns=num))
        assert np.allclose(after[num].to_numpy(float), before[n][num].to_numpy(float), rtol=1e-12, atol=0, equal_nan=True), n
    run = dg.DagsterInstance.get().get_runs(limit=1)[0]
    assert run.job_name == "tables_and_outputs"
    pids = {e.dagster_event.pid for e in dg.DagsterInstance.get().all_logs(run.run_id)
            if e.dagster_event and e.dagster_event.is_step_start}
    assert len(pids) == 2 and os.getpid() not in pids  # each step in its own forked process


def test_tables_stage_runs_in_process_below_the_size_threshold(tmp_path):
    from eq_assets.jobs import heavy_steps_at_once
    from eq_assets.run import PARALLEL_TABLES_MIN_BYTES, tables_parallelism

    (tmp_path / "tables" / "t").mkdir(parents=True)
    f = tmp_path / "tables" / "t" / "2009.parquet"
    f.write_bytes(b"x" * 1000)
    assert tables_parallelism(2, tmp_path) == 1
    with open(f, "r+b") as fh:  # sparse: no real disk use
        fh.truncate(PARALLEL_TABLES_MIN_BYTES)
    assert tables_parallelism(2, tmp_path) == 2 and tables_parallelism(1, tmp_path) == 1
    assert heavy_steps_at_once(24) == 3 and heavy_steps_at_once(8) == 1 and heavy_steps_at_once(4) == 1


def test_step_priorities_follow_a_dependency_chain():
    """The prioritised steps (jobs.STEP_PRIORITY) are a chain of the graph: each step above
    priority 1 feeds a prioritised step one level below, and the tag reaches the op."""
    import dagster as dg

    from eq_assets.definitions import defs
    from eq_assets.jobs import STEP_PRIORITY

    graph = defs.resolve_asset_graph()
    for name, p in STEP_PRIORITY.items():
        node = graph.get(dg.AssetKey(name))
        assert node.assets_def.op.tags.get("dagster/priority") == str(p)
        if p > 1:
            children = {k.to_user_string() for k in node.child_keys}
            assert any(STEP_PRIORITY.get(c, 0) == p - 1 for c in children), name
    low = [k for k, p in STEP_PRIORITY.items() if p == 1]
    assert low and all(graph.get(dg.AssetKey(k)).assets_def.op.tags.get("eq/memory") == "heavy" for k in low)


def test_table1_equals_pyfixest_and_linearmodels_on_the_same_panel(world):
    """Column 3 (firm + year FE, controls, CRV1 by firm) against two engines run directly.

    SE definition: fixest/reghdfe CRV1, V = G/(G-1) * (N-1)/(N-K) * sandwich, with the firm FE
    nested in the firm clusters not counted in K (K = regressors + year levels). linearmodels'
    ``debiased=False`` gives the raw sandwich, so it is scaled by that factor by hand here.
    AbsorbingLS keeps singleton firms (reghdfe drops them), so they are dropped first.
    """
    import numpy as np
    import pyfixest as pf
    from linearmodels.iv.absorbing import AbsorbingLS

    root = world["root"]
    res = pd.read_csv(root / "outputs" / "results.csv", dtype={"table": str, "column": str})
    ours = res[(res.table == "1") & (res.column == "3")].set_index("term")
    con = _con(root)
    try:
        panel = con.execute("select * from eq.p1_panel").fetchdf()
    finally:
        con.close()
    controls = ["Size", "Profit_rate", "Finance", "Age", "Tangible", "Leverage"]
    counts = panel.groupby("firm_id")["year"].transform("size")
    panel = panel[counts > 1].sort_values(["firm_id", "year", "hs6", "dest_code", "trade_mode"]).reset_index(drop=True)
    n, g, t = len(panel), panel["firm_id"].nunique(), panel["year"].nunique()
    assert n == int(ours.loc["Eco", "n_obs"])

    fit = pf.feols("Distance ~ Eco + " + " + ".join(controls) + " | firm_id + year", data=panel, vcov={"CRV1": "firm_id"})
    assert fit.coef()["Eco"] == pytest.approx(ours.loc["Eco", "estimate"], rel=1e-6)
    assert fit.se()["Eco"] == pytest.approx(ours.loc["Eco", "std_error"], rel=1e-6)

    absorb = pd.DataFrame({"firm": pd.Categorical(panel["firm_id"]), "year": pd.Categorical(panel["year"])})
    lm = AbsorbingLS(panel["Distance"], panel[["Eco"] + controls], absorb=absorb).fit(
        cov_type="clustered", clusters=pd.factorize(panel["firm_id"])[0], debiased=False
    )
    k = 1 + len(controls)
    factor = g / (g - 1) * (n - 1) / (n - (k + t))
    for term in ["Eco"] + controls:
        assert lm.params[term] == pytest.approx(ours.loc[term, "estimate"], rel=1e-6, abs=1e-9)
        assert lm.std_errors[term] * np.sqrt(factor) == pytest.approx(ours.loc[term, "std_error"], rel=1e-6)


# ---- P1 Tables 2-11 (the same tiny world) --------------------------------------------------------


def test_p1_tables_2_to_11_written(world):
    out = world["root"] / "outputs"
    res = pd.read_csv(out / "results.csv", dtype={"table": str, "column": str})
    p1 = res[res.paper == "P1"]
    expected_columns = {"2": 6, "3": 4, "4": 6, "5": 4, "6": 6, "7": 6, "8": 6, "9": 4, "10": 6, "11": 6}
    for table, n_cols in expected_columns.items():
        assert p1[p1.table == table]["column"].nunique() == n_cols, table
        assert (out / f"P1_table{table}.md").exists() and (out / f"P1_table{table}.tex").exists()
    t7 = p1[p1.table == "7"]
    assert set(t7[t7.column == "2"]["term"]) >= {"Eco", "stat:kp_rk_lm", "stat:kp_rk_wald_f"}
    assert set(t7[t7.column == "1"]["term"]) >= {"IV_phone"}


def test_p1_main_estimates_recover_truth(world):
    """Every P1 column with an Eco estimate (Tables 1-11, variants included) has a truth row
    (oracle), and every estimate lies within 3 SE of it."""
    from eq_assets.regressions.truth import compare_to_truth, load_truth

    root = world["root"]
    res = pd.read_csv(root / "outputs" / "results.csv", dtype={"table": str, "column": str, "variant": str},
                      keep_default_na=False, na_values={"estimate": [""], "std_error": [""]})
    truth = load_truth(root / "raw")
    m = compare_to_truth(res, truth)
    m = m[(m.paper == "P1") & (m.table != "TFP")]
    est = res[(res.paper == "P1") & (res.table != "TFP") & res.term.str.startswith("Eco")]
    key = ["table", "column", "term", "variant"]
    assert set(map(tuple, est[key].values)) == set(map(tuple, m[key].values))  # none without a truth
    assert set(m.table) == {str(t) for t in range(1, 12)} and {"exp_scale", "industry_year", "firm_year"} <= set(m.variant)
    assert m["within"].all(), m.loc[~m["within"], key + ["estimate", "std_error", "true_value", "z"]]


def test_p1_production_function_recovers_elasticities(world):
    """Per-industry production functions: every estimate with a truth (LP:<cic2>, ACF:<cic2>)
    within 3 SE, all converged; firm-year TFP uses the firm-year's industry's elasticities (the
    small industries' "other" group for the rest); the rows are in results.csv as table TFP."""
    con = _con(world["root"])
    try:
        pf = con.execute("select * from eq.p1_production_function").fetchdf()
        tfp = con.execute("select cic2, ln_tfp, ln_va, ln_l, ln_k from eq.p1_tfp").fetchdf()
    finally:
        con.close()
    truth = pd.read_csv(world["root"] / "raw" / "truth.csv", dtype={"table": str, "column": str})
    m = pf.merge(truth, on=["paper", "table", "column", "term"])
    assert set(pf["column"]) - set(m["column"]) <= {"LP:other", "ACF:other"}  # every industry estimate has a truth
    assert {"LP", "ACF"} == set(m["column"].str.split(":").str[0]) and len(m) >= 8
    assert ((m.estimate - m.true_value).abs() <= 3 * m.std_error).all(), m
    assert pf["converged"].all()
    lp = pf[pf.method == "LP"]
    own = set(lp["group"]) - {"other"}
    group = tfp["cic2"].where(tfp["cic2"].isin(own), "other")
    b = lp.pivot(index="group", columns="term", values="estimate").reindex(group)
    expected = tfp.ln_va.to_numpy() - b["ln_l"].to_numpy() * tfp.ln_l.to_numpy() - b["ln_k"].to_numpy() * tfp.ln_k.to_numpy()
    assert tfp["ln_tfp"].to_numpy() == pytest.approx(expected, nan_ok=True)
    res = pd.read_csv(world["root"] / "outputs" / "results.csv", dtype={"table": str, "column": str})
    rows = res[res.table == "TFP"].merge(pf, on=["paper", "table", "column", "term"], suffixes=("", "_pf"))
    assert len(rows) == len(pf) == (res.table == "TFP").sum()
    assert rows["estimate"].to_numpy() == pytest.approx(rows["estimate_pf"].to_numpy(), rel=1e-9)