"""Regression engine: specs as data, fit_spec against known truths and other libraries, results.csv.

Small simulated panels only (a few thousand rows); every check can fail.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from eq_assets.regressions.benchmark import TRUE_BETA_ECO, synthetic_p1_panel
from eq_assets.regressions.engine import fit_spec, run_specs
from eq_assets.regressions.options import DEFAULT_SETTINGS, EstimationSettings
from eq_assets.regressions.results import RESULT_COLUMNS, read_results_csv, results_csv_text, write_results_csv
from eq_assets.regressions.samples import Sample, register_sample
from eq_assets.regressions.specs import P1_CONTROLS, P1_TABLE1, SPECS, RegressionSpec, specs_for

BETA = 0.5


def sim_panel(n_firms: int = 300, n_years: int = 10, seed: int = 1, drop_share: float = 0.1) -> pd.DataFrame:
    """Firm and year effects, x correlated with the firm effect, AR(1) errors within firm."""
    rng = np.random.default_rng(seed)
    firm = np.repeat(np.arange(n_firms), n_years)
    year = np.tile(np.arange(2004, 2004 + n_years), n_firms)
    alpha = rng.normal(size=n_firms)
    gamma = rng.normal(size=n_years)

    def ar1(rho: float) -> np.ndarray:
        v = rng.normal(size=(n_firms, n_years))
        for t in range(1, n_years):
            v[:, t] += rho * v[:, t - 1]
        return v.ravel()

    x = 0.8 * alpha[firm] + ar1(0.7)
    z = rng.normal(size=firm.size)
    y = BETA * x + 0.3 * z + alpha[firm] + gamma[year - 2004] + ar1(0.7)
    df = pd.DataFrame({"y": y, "x": x, "z": z, "firm_id": [f"f{i:04d}" for i in firm], "year": year,
                       "junk": "unused"})
    keep = rng.random(len(df)) >= drop_share
    df = df[keep].reset_index(drop=True)
    assert df.groupby("firm_id").size().min() >= 2 and df.groupby("year").size().min() >= 2  # no singletons
    return df


SPEC = RegressionSpec(paper="T", table="1", column="1", depvar="y", regressors=("x",), controls=("z",),
                      fixed_effects=("firm_id", "year"), vcov={"CRV1": "firm_id"}, panel="sim")


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return sim_panel()


# ---- specs -----------------------------------------------------------------------------------


def test_p1_table1_specs_are_the_papers():
    cols = specs_for("P1", "1")
    assert [s.column for s in cols] == ["1", "2", "3", "4"]
    assert all(s.depvar == "Distance" and s.regressors == ("Eco",) and s.vcov_label == "CRV1:firm_id" for s in cols)
    assert [s.fixed_effects_label for s in cols] == [
        "firm_id+year", "firm_id+year+city+industry", "firm_id+year", "firm_id+year+city+industry"]
    assert [bool(s.controls) for s in cols] == [False, False, True, True]
    assert cols[3].formula == ("Distance ~ Eco + Size + Profit_rate + Finance + Age + Tangible + Leverage"
                               " | firm_id + year + city + industry")
    assert cols[0].formula == "Distance ~ Eco | firm_id + year"
    assert cols[3].columns_needed == ("Distance", "Eco") + P1_CONTROLS + ("firm_id", "year", "city", "industry")
    assert cols[0].columns_needed == ("Distance", "Eco", "firm_id", "year")
    assert set(SPECS) >= set(cols)


def test_spec_is_hashable_and_a_robustness_column_is_one_line():
    robust = replace(P1_TABLE1[0], column="5", fixed_effects=("firm_id", "year", "province"))
    assert robust.formula == "Distance ~ Eco | firm_id + year + province"
    assert len({P1_TABLE1[0], robust, replace(robust)}) == 2
    assert robust.vcov_arg == {"CRV1": "firm_id"}
    with pytest.raises(TypeError):
        RegressionSpec(paper="P1", table="1", column="1", depvar="y", regressors="Eco")


def test_iv_formula_and_columns():
    iv = replace(SPEC, estimator="iv", endogenous=("x",), instruments=("w1", "w2"))
    assert iv.formula == "y ~ z | firm_id + year | x ~ w1 + w2"
    assert iv.columns_needed == ("y", "x", "z", "w1", "w2", "firm_id", "year")
    assert replace(iv, fixed_effects=()).formula == "y ~ z | x ~ w1 + w2"
    with pytest.raises(ValueError):
        replace(SPEC, estimator="iv")


# ---- estimation --------------------------------------------------------------------------------


def test_recovers_beta_within_3_se(panel):
    fit = fit_spec(SPEC, panel, settings=DEFAULT_SETTINGS)
    assert fit.terms == ("x", "z")
    assert abs(fit.coef("x") - BETA) < 3 * fit.se("x")
    assert abs(fit.coef("z") - 0.3) < 3 * fit.se("z")
    # the FE matter here: pooled OLS is biased by the firm effect in x
    pooled = fit_spec(replace(SPEC, fixed_effects=()), panel)
    assert abs(pooled.coef("x") - BETA) > 5 * pooled.se("x")


def test_matches_linearmodels_absorbing_ls(panel):
    """Coefficients and clustered SEs equal linearmodels AbsorbingLS once the SE scaling agrees.

    - pyfixest (fixest) CRV1: V = c * sandwich, c = G/(G-1) * (N-1)/(N-K). K follows ``k_fixef``:
      "nonnested" (fixest's default fixef.K="nested") drops FE nested in the clusters but adds back
      one per fully nested FE, so firm + year FE clustered by firm give K = k + T; "full" counts
      all levels, K = k + (G + T - 1).
    - linearmodels AbsorbingLS, clustered: debiased=False applies no factor (the raw sandwich);
      debiased=True applies G(N-1)/((G-1)(N-k-d)) with d = G + T - 1 absorbed dummies (two
      effects, so the nested-effect exception for a single effect does not apply).
    Hence pyfixest ssc(k_adj=False, G_adj=False) == linearmodels debiased=False, and pyfixest
    ssc(k_fixef="full") == linearmodels debiased=True; the default differs by the K above.
    """
    from linearmodels.iv.absorbing import AbsorbingLS

    absorb = pd.DataFrame({"firm": pd.Categorical(panel["firm_id"]), "year": pd.Categorical(panel["year"])})
    clusters = pd.factorize(panel["firm_id"])[0]
    mod = AbsorbingLS(panel["y"], panel[["x", "z"]], absorb=absorb)
    lm_raw = mod.fit(cov_type="clustered", clusters=clusters, debiased=False)
    lm_deb = mod.fit(cov_type="clustered", clusters=clusters, debiased=True)

    raw = fit_spec(SPEC, panel, settings=replace(DEFAULT_SETTINGS, ssc_k_adj=False, ssc_G_adj=False))
    full = fit_spec(SPEC, panel, settings=replace(DEFAULT_SETTINGS, ssc_k_fixef="full"))
    default = fit_spec(SPEC, panel)

    for t in ("x", "z"):
        assert raw.coef(t) == pytest.approx(lm_raw.params[t], rel=1e-6, abs=1e-9)
        assert raw.se(t) == pytest.approx(lm_raw.std_errors[t], rel=1e-6)
        assert full.se(t) == pytest.approx(lm_deb.std_errors[t], rel=1e-6)

    n, g, t_, k = default.n_obs, panel["firm_id"].nunique(), panel["year"].nunique(), 2
    assert default.n_clusters == (g,)
    assert default.df_k == k + t_
    factor = g / (g - 1) * (n - 1) / (n - (k + t_))
    assert default.ssc_factor == pytest.approx(factor, rel=1e-12)
    assert default.se("x") == pytest.approx(raw.se("x") * np.sqrt(factor), rel=1e-9)


def test_one_fe_equals_within_slope_by_hand():
    rng = np.random.default_rng(7)
    g, m = 40, 5
    firm = np.repeat(np.arange(g), m)
    x = rng.normal(size=g * m) + rng.normal(size=g)[firm]
    y = 2.0 * x + rng.normal(size=g)[firm] * 3 + rng.normal(size=g * m) * (1 + (firm % 3))
    df = pd.DataFrame({"y": y, "x": x, "firm_id": firm})
    spec = RegressionSpec(paper="T", table="h", column="1", depvar="y", regressors=("x",),
                          fixed_effects=("firm_id",), vcov={"CRV1": "firm_id"})
    fit = fit_spec(spec, df)

    xd = x - pd.Series(x).groupby(firm).transform("mean").to_numpy()
    yd = y - pd.Series(y).groupby(firm).transform("mean").to_numpy()
    b = (xd @ yd) / (xd @ xd)
    u = yd - b * xd
    meat = (pd.Series(xd * u).groupby(firm).sum() ** 2).sum()
    n, k_eff = g * m, 2  # K = 1 slope + 1 for the firm FE, fully nested in the firm clusters
    se = np.sqrt(meat / (xd @ xd) ** 2 * g / (g - 1) * (n - 1) / (n - k_eff))
    p = 2 * stats.t.sf(abs(b / se), df=g - 1)
    assert fit.coef("x") == pytest.approx(b, rel=1e-10)
    assert fit.se("x") == pytest.approx(se, rel=1e-9)
    assert fit.p_value[0] == pytest.approx(p, rel=1e-6)
    assert fit.n_obs == n and fit.n_singletons == 0


def test_singletons_dropped_and_counted(panel):
    extra = pd.DataFrame({"y": [0.1, 0.2, 0.3], "x": [1.0, -1.0, 0.5], "z": [0.0, 0.0, 0.0],
                          "firm_id": ["s1", "s2", "s3"], "year": [2004, 2005, 2006], "junk": "unused"})
    data = pd.concat([panel, extra], ignore_index=True)
    data.loc[[0, 5], "z"] = np.nan  # missing control: counted separately from singletons
    dropped = fit_spec(SPEC, data)
    kept = fit_spec(SPEC, data, settings=replace(DEFAULT_SETTINGS, fixef_rm="none"))
    assert dropped.n_singletons == 3 and dropped.n_missing == 2
    assert dropped.n_before_singletons == len(data) - 2
    assert dropped.n_obs == len(data) - 2 - 3
    assert kept.n_singletons == 0 and kept.n_obs == len(data) - 2
    assert dropped.n_input == dropped.n_excluded + dropped.n_missing + dropped.n_singletons + dropped.n_obs
    # singletons carry no information on the slope with firm FE; they only change N (and SEs)
    assert dropped.coef("x") == pytest.approx(kept.coef("x"), rel=1e-8)
    assert dropped.se("x") != kept.se("x")


def test_named_sample_filters_rows(panel):
    register_sample(Sample("test_even_years", "even years only (test)", columns=("year",),
                           predicate=lambda d: d["year"] % 2 == 0))
    spec = replace(SPEC, sample="test_even_years")
    assert spec.columns_needed[-1] == "year"
    fit = fit_spec(spec, panel)
    assert fit.n_excluded == int((panel["year"] % 2 == 1).sum())
    assert fit.n_obs == int((panel["year"] % 2 == 0).sum())


@pytest.mark.parametrize("backend", ["rust", "within"])
def test_same_rows_in_any_order_give_identical_results(panel, backend):
    """Shuffled input -> same results (without the canonical sort the last bits differ).

    rust MAP is bit-deterministic, so floats must be equal; the multithreaded ``within`` LSMR
    can jitter by one ulp between fits (see EstimationSettings.demeaner_backend), so for it the
    contract is the written results.csv text.
    """
    settings = EstimationSettings(demeaner_backend=backend)
    a = fit_spec(SPEC, panel, settings=settings)
    b = fit_spec(SPEC, panel.sample(frac=1.0, random_state=3), settings=settings)
    if backend == "rust":
        assert a.estimate == b.estimate and a.std_error == b.std_error and a.p_value == b.p_value
        assert a.adj_r2 == b.adj_r2
    assert results_csv_text(pd.DataFrame(a.rows())) == results_csv_text(pd.DataFrame(b.rows()))


def test_backends_agree(panel):
    a = fit_spec(SPEC, panel)
    b = fit_spec(SPEC, panel, settings=EstimationSettings(demeaner_backend="rust"))
    np.testing.assert_allclose(a.estimate, b.estimate, rtol=1e-9)
    np.testing.assert_allclose(a.std_error, b.std_error, rtol=1e-8)


def test_iv_recovers_beta_where_ols_is_biased():
    rng = np.random.default_rng(11)
    n_f, n_t = 250, 8
    firm = np.repeat(np.arange(n_f), n_t)
    year = np.tile(np.arange(n_t), n_f)
    w = rng.normal(size=firm.size)
    shock = rng.normal(size=firm.size)
    x = 0.8 * w + shock + rng.normal(size=firm.size)
    y = BETA * x + 1.0 * shock + rng.normal(size=n_f)[firm] + rng.normal(size=firm.size)
    df = pd.DataFrame({"y": y, "x": x, "w": w, "firm_id": firm, "year": year})
    ols = replace(SPEC, controls=())
    iv = replace(ols, estimator="iv", endogenous=("x",), instruments=("w",))
    f_ols, f_iv = fit_spec(ols, df), fit_spec(iv, df)
    assert f_ols.coef("x") - BETA > 5 * f_ols.se("x")  # OLS biased upward by the shock
    assert abs(f_iv.coef("x") - BETA) < 3 * f_iv.se("x")


# ---- run_specs and results.csv ----------------------------------------------------------------


def test_run_specs_loads_only_needed_columns(panel):
    """One load per panel with the union of its specs' columns (no column another spec does not read)."""
    specs = (replace(SPEC, column="2"), replace(SPEC, column="1", controls=()),
             replace(SPEC, column="3", controls=(), fixed_effects=("firm_id",)))
    requested: list[tuple[str, ...]] = []

    def load(columns):
        requested.append(tuple(columns))
        return panel[list(columns)].copy()

    fits: list = []
    res = run_specs(specs[:2], load, fit_log=fits)
    assert requested == [("y", "x", "z", "firm_id", "year")]
    assert tuple(res.columns) == RESULT_COLUMNS
    assert list(zip(res["column"], res["term"])) == [("1", "x"), ("2", "x"), ("2", "z")]
    assert set(res["fixed_effects"]) == {"firm_id+year"} and set(res["vcov"]) == {"CRV1:firm_id"}
    assert set(res["sample"]) == {"full"} and res["n_obs"].dtype == "int64"
    assert [f.spec.column for f in fits] == ["2", "1"]
    # both specs use every row (no missing values): one group, one demeaning
    assert fits[0].group == fits[1].group and fits[0].group.endswith(f"({len(panel):,} rows, 2 specs)")
    requested.clear()
    run_specs(specs, load)  # another FE set on the same panel: the same frame, read once
    assert requested == [("y", "x", "z", "firm_id", "year")]


def test_run_specs_p1_table1_on_synthetic_panel():
    data = synthetic_p1_panel(4000, seed=5, rows_per_firm=20, n_cities=20, n_industries=15)
    res = run_specs(P1_TABLE1, lambda cols: data[list(cols)])
    assert len(res) == 1 + 1 + 7 + 7
    eco = res[res["term"] == "Eco"]
    assert list(eco["column"]) == ["1", "2", "3", "4"]
    assert ((eco["estimate"] - TRUE_BETA_ECO).abs() < 3 * eco["std_error"]).all()
    assert list(eco["fixed_effects"]) == [s.fixed_effects_label for s in P1_TABLE1]


def test_write_results_csv_is_byte_identical(tmp_path, panel):
    res = run_specs((SPEC, replace(SPEC, column="10"), replace(SPEC, column="2")), lambda c: panel[list(c)])
    assert list(res["column"].drop_duplicates()) == ["1", "2", "10"]
    p1, p2 = tmp_path / "a" / "results.csv", tmp_path / "b" / "results.csv"
    write_results_csv(res, p1)
    write_results_csv(res, p2)
    assert p1.read_bytes() == p2.read_bytes()
    # columns handed over in another order (terms within a column keep the model's order)
    blocks = [g for _, g in res.groupby("column", sort=False)][::-1]
    write_results_csv(pd.concat(blocks, ignore_index=True), p2)
    assert p1.read_bytes() == p2.read_bytes()
    assert sorted(x.name for x in p1.parent.iterdir()) == ["results.csv"]  # no temp file left behind
    text = p1.read_text()
    assert text.splitlines()[0] == ",".join(RESULT_COLUMNS)
    back = read_results_csv(p1)
    assert back[["paper", "table", "column", "term"]].equals(res[["paper", "table", "column", "term"]])
    np.testing.assert_allclose(back["estimate"], res["estimate"], rtol=1e-9)


def test_duckdb_loader_reads_only_requested_columns(panel):
    import duckdb

    from eq_assets.regressions.loaders import duckdb_loader

    con = duckdb.connect()
    con.register("src", panel)
    con.execute('create table "p1 panel" as select * from src')
    load = duckdb_loader(con, "p1 panel")
    got = load(SPEC.columns_needed)
    assert tuple(got.columns) == SPEC.columns_needed and len(got) == len(panel)
    res = run_specs((SPEC,), load)
    ref = run_specs((SPEC,), lambda c: panel[list(c)])
    assert results_csv_text(res) == results_csv_text(ref)


def test_non_estimable_column_is_skipped_with_a_reason_or_raises():
    """A subsample without variation in the regressor of interest is reported, not crashed on."""
    from eq_assets.regressions.engine import NotEstimable

    rng = np.random.default_rng(3)
    df = pd.DataFrame({"y": rng.normal(size=40), "x": np.r_[rng.normal(size=36), np.zeros(4)],
                       "g": np.r_[np.zeros(36), np.ones(4)]})
    register_sample(Sample("g_one_test", "rows with g == 1", ("g",), lambda d: d["g"] == 1))
    good = RegressionSpec(paper="P1", table="99", column="1", depvar="y", regressors=("x",), vcov="hetero")
    bad = replace(good, column="2", sample="g_one_test")
    skipped: list[str] = []
    res = run_specs([good, bad], lambda cols: df[list(cols)], skipped=skipped)
    assert set(res["column"]) == {"1"}
    assert len(skipped) == 1 and "column 2" in skipped[0] and "no variation in ['x']" in skipped[0]
    with pytest.raises(NotEstimable, match="g_one_test"):
        run_specs([bad], lambda cols: df[list(cols)])
