"""The production function in the pipeline: per-industry estimation, its asset and checks, firm-year
TFP with the industry's elasticities, and the results.csv rows of table TFP (issue 13)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_tfp import simulate_panel

from eq_assets.core.resources import RawFiles
from eq_assets.mechanisms.assets_p1 import ProductionFunctionConfig, p1_production_function
from eq_assets.mechanisms.p1 import (
    TfpParams, estimate_tfp, production_function_column, production_function_results, production_function_rows,
    tfp_from_coefficients,
)
from eq_assets.regressions.results import RESULT_COLUMNS, read_results_csv
from eq_assets.reports.assets import write_outputs

#: 2-digit industry -> (beta_l, beta_k, firms); "29" is below the threshold used below
INDUSTRIES = {"13": (0.6, 0.3, 300), "26": (0.4, 0.5, 300), "29": (0.5, 0.35, 30)}


def survey_frames(industries=INDUSTRIES, adjust=0.8, labour_timing=0.5, seed=0):
    """Raw-like firm_survey and industry_panel frames (levels, PPI 100) from simulated panels."""
    parts = []
    for i, (cic2, (bl, bk, n)) in enumerate(industries.items()):
        d = simulate_panel(n_firms=n, n_years=6, beta_l=bl, beta_k=bk, adjust=adjust, labour_timing=labour_timing, seed=seed + i)
        parts.append(d.assign(legal_code=[f"{cic2}{f:07d}" for f in d.firm], cic=f"{cic2}10"))
    d = pd.concat(parts, ignore_index=True)
    survey = pd.DataFrame({"year": d.year, "legal_code": d.legal_code, "industry": d.cic, "cic": d.cic,
                           "employees": np.exp(d.l), "fixed_assets": np.exp(d.k), "value_added": np.exp(d.y),
                           "intermediate_input": np.exp(d.m)})
    ppi = pd.DataFrame([(c, y, 100.0) for c in industries for y in sorted(d.year.unique())], columns=["cic2", "year", "ppi"])
    return survey, ppi


def run_asset(survey, ppi, raw_dir, **config):
    out = list(p1_production_function(config=ProductionFunctionConfig(**config), raw_files=RawFiles(directory=str(raw_dir)),
                                      firm_survey=survey, industry_panel=ppi))
    checks = {o.check_name: o for o in out if hasattr(o, "check_name")}
    return out[0].value.df(), out[0].metadata, checks


@pytest.fixture(scope="module", autouse=True)
def _warehouse(tmp_path_factory):
    """Asset functions called directly stage their output in a temporary warehouse."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EQ_WAREHOUSE", str(tmp_path_factory.mktemp("warehouse")))
        yield


@pytest.fixture(scope="module")
def fitted(tmp_path_factory, _warehouse):
    raw = tmp_path_factory.mktemp("raw")
    truth = [("P1", "TFP", f"{m}:{c}", t, v, "structural") for m in ("LP", "ACF") for c, (bl, bk, _n) in INDUSTRIES.items()
             for t, v in (("ln_l", bl), ("ln_k", bk))]
    pd.DataFrame(truth, columns=["paper", "table", "column", "term", "true_value", "basis"]).to_csv(raw / "truth.csv", index=False)
    survey, ppi = survey_frames()
    return (*run_asset(survey, ppi, raw, bootstrap_reps=20, min_industry_obs=500), survey, ppi)


def test_asset_estimates_each_industry_and_checks_truth_and_convergence(fitted):
    pf, md, checks, _s, _p = fitted
    # 13 and 26 alone; 29 (180 firm-years) has no company: no estimate, listed with its reason
    assert sorted(pf["column"].unique()) == ["ACF:13", "ACF:26", "LP:13", "LP:26"]
    assert set(pf["term"]) == {"ln_l", "ln_k"} and (pf["industries"] == pf["group"]).all()
    assert pf["converged"].all() and (pf.loc[pf.method == "ACF", "criterion"] < 1e-10).all()
    assert (pf.loc[pf.method == "LP", "start"] == "scan").all() and (pf["second_stage"] != "").all()
    assert (pf["bootstrap_reps"] + pf["bootstrap_nonconverged"] + pf["bootstrap_errors"] == 20).all()
    assert "29" in md["not_estimated"].value and "fewer than 500" in md["not_estimated"].value
    assert checks["converged"].passed and checks["truth"].passed
    assert checks["truth"].metadata["compared"].value == 8  # every estimate had a truth, all within 3 SE
    for col, (bl, bk, _n) in (("13", INDUSTRIES["13"]), ("26", INDUSTRIES["26"])):
        lp = pf[pf.column == f"LP:{col}"].set_index("term")
        assert abs(lp.loc["ln_l", "estimate"] - bl) < 3 * lp.loc["ln_l", "std_error"]
        assert abs(lp.loc["ln_k", "estimate"] - bk) < 3 * lp.loc["ln_k", "std_error"]


def test_tfp_uses_the_firm_years_industry_elasticities(fitted):
    pf, _md, _c, survey, ppi = fitted
    from eq_assets.mechanisms.p1 import production_inputs

    inputs, _ = production_inputs(survey, ppi)
    tfp = tfp_from_coefficients(inputs, pf, "LP")
    for cic2 in ("13", "26"):
        b = pf[pf.column == f"LP:{cic2}"].set_index("term")["estimate"]
        m = (inputs.cic2 == cic2).to_numpy()
        np.testing.assert_allclose(tfp[m], inputs.ln_va[m] - b["ln_l"] * inputs.ln_l[m] - b["ln_k"] * inputs.ln_k[m])
    assert tfp[(inputs.cic2 == "29").to_numpy()].isna().all()  # no production function for 29
    with pytest.raises(ValueError, match="no ACF2"):
        tfp_from_coefficients(inputs, pf, "ACF2")


def test_small_industries_estimated_together_and_pooled_option():
    survey, ppi = survey_frames({"13": (0.6, 0.3, 120), "26": (0.4, 0.5, 120), "31": (0.5, 0.35, 300)})
    from eq_assets.mechanisms.p1 import production_inputs

    inputs, _ = production_inputs(survey, ppi)
    g = estimate_tfp(inputs, TfpParams(bootstrap_reps=0, min_industry_obs=1000))
    assert set(g.results) == {"31", "other"} and g.members["other"] == ("13", "26")
    pf = pd.DataFrame(production_function_rows("LP", g))
    assert sorted(pf["column"].unique()) == ["LP:31", "LP:other"]
    tfp = tfp_from_coefficients(inputs, pf, "LP")
    b = pf[pf.column == "LP:other"].set_index("term")["estimate"]
    m = inputs.cic2.isin(["13", "26"]).to_numpy()
    np.testing.assert_allclose(tfp[m], inputs.ln_va[m] - b["ln_l"] * inputs.ln_l[m] - b["ln_k"] * inputs.ln_k[m])
    pooled = estimate_tfp(inputs, TfpParams(by="pooled", bootstrap_reps=0))
    rows = pd.DataFrame(production_function_rows("LP", pooled))
    assert set(rows["column"]) == {"LP"} and set(rows["industries"]) == {"all"}
    np.testing.assert_allclose(tfp_from_coefficients(inputs, rows, "LP"), pooled.ln_tfp)
    assert production_function_column("ACF", "pooled") == "ACF" and production_function_column("ACF", "13") == "ACF:13"


def test_no_root_fails_the_blocking_convergence_check(tmp_path):
    """A panel on which ACF's moments have no root: the blocking check fails, naming the
    production function, and nothing is published (the step stops with the check's details)."""
    from eq_assets.core.errors import InputDataError

    survey, ppi = survey_frames({"13": (0.6, 0.3, 400)}, adjust=0.5, labour_timing=0.5, seed=0)
    events = []
    with pytest.raises(InputDataError, match="blocking check 'converged' failed") as ei:
        for ev in p1_production_function(config=ProductionFunctionConfig(bootstrap_reps=2, min_industry_obs=100),
                                         raw_files=RawFiles(directory=str(tmp_path)), firm_survey=survey, industry_panel=ppi):
            events.append(ev)
    assert "ACF:13" in str(ei.value)
    assert not any(hasattr(e, "value") for e in events)  # no Output: nothing published
    checks = {e.check_name: e for e in events if hasattr(e, "check_name")}
    assert not checks["converged"].passed and checks["converged"].severity.value == "ERROR"
    assert "ACF:13" in checks["converged"].metadata["failing"].value


def test_results_csv_rows_of_table_tfp(fitted, tmp_path):
    pf, *_ = fitted
    res = production_function_results(pf)
    assert list(res.columns) == list(RESULT_COLUMNS)
    assert (res["table"] == "TFP").all() and (res["n_obs"] == pf["n_obs"]).all()
    z = pf["estimate"] / pf["std_error"]
    from scipy.stats import norm

    np.testing.assert_allclose(res["p_value"], 2 * (1 - norm.cdf(z.abs())), atol=1e-15)
    assert set(res["vcov"]) == {"bootstrap (firm blocks, 20 draws)"} and set(res["sample"]) == {"cic2 13", "cic2 26"}
    regression = pd.DataFrame([{"paper": "P1", "table": "1", "column": "1", "term": "Eco", "estimate": -0.1, "std_error": 0.01,
                                "p_value": 0.0, "n_obs": 10, "adj_r2": 0.5, "fixed_effects": "firm_id", "vcov": "CRV1:firm_id",
                                "sample": "all"}])
    paths = write_outputs(regression, tmp_path, unrendered=res)
    back = read_results_csv(tmp_path / "results.csv")
    assert len(back) == 1 + len(res) and set(back.loc[back.table == "TFP", "column"]) == set(pf["column"])
    assert not (tmp_path / "P1_tableTFP.md").exists() and tmp_path / "P1_table1.md" in paths
