"""The engine's IV path (regressions/iv.py): 2SLS on FE-demeaned data, first stage, KP rows.

Checked against a second engine (pyfixest's own IV with the MAP demeaner) for coefficients and
SEs under CRV1, hetero and iid, with and without fixed effects; against the textbook formula on a
just-identified case; and the identification rows against instruments.kp run on its own.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
from pyfixest.demeaners import MapDemeaner

from eq_assets.instruments.kp import kleibergen_paap
from eq_assets.regressions.engine import fit_spec, run_specs
from eq_assets.regressions.iv import STAT_FIRST_STAGE_F, STAT_KP_LM, STAT_KP_WALD_F, first_stage_spec
from eq_assets.regressions.spec import RegressionSpec


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    n = 3000
    firm = rng.integers(0, 300, n)
    year = rng.integers(0, 6, n)
    v = rng.normal(size=n)  # the unobserved shock: moves x and y
    z1 = rng.normal(size=n) + 0.3 * year
    z2 = rng.normal(size=n)
    w = rng.normal(size=n)
    a = rng.normal(size=300)[firm]
    x = 0.8 * z1 + 0.5 * z2 + 0.2 * w + v + a + rng.normal(size=n)
    y = -0.5 * x + 0.3 * w + 0.8 * v + a + 0.1 * year + rng.normal(size=n)
    df = pd.DataFrame(dict(y=y, x=x, z1=z1, z2=z2, w=w, firm=firm, year=year, city=firm % 40))
    # two singleton firms, which both engines must drop
    extra = df.iloc[:2].copy()
    extra["firm"] = [1000, 1001]
    return pd.concat([df, extra], ignore_index=True)


def _spec(fe, vcov, instruments=("z1", "z2"), **kw) -> RegressionSpec:
    return RegressionSpec(
        paper="P1", table="7", column="2", depvar="y", regressors=("x",), controls=("w",),
        fixed_effects=fe, vcov=vcov, estimator="iv", endogenous=("x",), instruments=instruments,
        first_stage_column="1", **kw,
    )


CASES = [
    (("firm", "year"), {"CRV1": "firm"}),
    (("firm", "year", "city"), "hetero"),
    ((), "iid"),
    (("firm",), {"CRV1": "city"}),
]


@pytest.mark.parametrize("fe,vcov", CASES)
def test_iv_equals_pyfixest_iv(data, fe, vcov):
    spec = _spec(fe, vcov)
    ours = fit_spec(spec, data)
    fml = f"y ~ w | {' + '.join(fe)} | x ~ z1 + z2" if fe else "y ~ w | x ~ z1 + z2"
    ref = pf.feols(fml, data=data, vcov=vcov, fixef_rm="singleton",
                   demeaner=MapDemeaner(backend="rust", fixef_tol=1e-12, fixef_maxiter=100_000))
    assert ours.n_obs == ref._N
    for t in ours.terms:
        assert ours.coef(t) == pytest.approx(ref.coef()[t], rel=1e-7, abs=1e-9)
        assert ours.se(t) == pytest.approx(ref.se()[t], rel=1e-6)
    if fe:
        assert ours.n_singletons == 2


def test_first_stage_rows_are_the_ols_first_stage(data):
    spec = _spec(("firm", "year"), {"CRV1": "firm"})
    res = run_specs([spec], lambda cols: data[list(cols)])
    first = res[res["column"] == "1"].set_index("term")
    ref = fit_spec(first_stage_spec(spec), data)
    assert set(first.index) == {"z1", "z2", "w"}
    for t in ("z1", "z2", "w"):
        assert first.loc[t, "estimate"] == pytest.approx(ref.coef(t), rel=1e-9)
        assert first.loc[t, "std_error"] == pytest.approx(ref.se(t), rel=1e-9)
    assert (res["n_obs"] == ref.n_obs).all()


def test_identification_rows_equal_kp_on_its_own(data):
    spec = _spec(("firm", "year"), {"CRV1": "firm"})
    res = run_specs([spec], lambda cols: data[list(cols)]).set_index(["column", "term"])
    kept = data[~data["firm"].isin([1000, 1001])]
    kp = kleibergen_paap(kept[["x"]], kept[["z1", "z2"]], kept[["w"]], clusters=kept["firm"],
                         fe=kept[["firm", "year"]], fe_backend="numpy")
    assert res.loc[("2", STAT_KP_LM), "estimate"] == pytest.approx(kp.rk_lm, rel=1e-6)
    assert res.loc[("2", STAT_KP_LM), "p_value"] == pytest.approx(kp.rk_lm_pvalue, abs=1e-12)
    assert res.loc[("2", STAT_KP_WALD_F), "estimate"] == pytest.approx(kp.rk_wald_f, rel=1e-6)
    # one endogenous regressor: the first-stage F of the excluded instruments is the rk Wald F
    assert res.loc[("2", STAT_FIRST_STAGE_F), "estimate"] == pytest.approx(kp.rk_wald_f, rel=1e-6)
    assert np.isnan(res.loc[("2", STAT_KP_WALD_F), "std_error"])


def test_just_identified_equals_textbook_formula(data):
    """No FE, one instrument: b = (Z'X)^-1 Z'y with Z = [z1, w, 1], X = [x, w, 1]."""
    spec = _spec((), "iid", instruments=("z1",))
    fit = fit_spec(spec, data)
    n = len(data)
    Z = np.column_stack([data["z1"], data["w"], np.ones(n)])
    X = np.column_stack([data["x"], data["w"], np.ones(n)])
    b = np.linalg.solve(Z.T @ X, Z.T @ data["y"].to_numpy())
    u = data["y"].to_numpy() - X @ b
    zxi = np.linalg.inv(Z.T @ X)
    V = (u @ u) / (n - 3) * zxi @ (Z.T @ Z) @ zxi.T
    assert [fit.coef(t) for t in ("x", "w", "Intercept")] == pytest.approx(list(b), rel=1e-9)
    assert [fit.se(t) for t in ("x", "w", "Intercept")] == pytest.approx(list(np.sqrt(np.diag(V))), rel=1e-9)


def test_iv_removes_the_built_in_bias(data):
    """x and y share the shock v: OLS is biased upward, 2SLS recovers -0.5."""
    iv = fit_spec(_spec(("firm", "year"), {"CRV1": "firm"}), data)
    ols = fit_spec(RegressionSpec(paper="P1", table="7", column="9", depvar="y", regressors=("x",),
                                  controls=("w",), fixed_effects=("firm", "year"), vcov={"CRV1": "firm"}), data)
    assert abs(iv.coef("x") + 0.5) < 3 * iv.se("x")
    assert ols.coef("x") - (-0.5) > 10 * ols.se("x")


def test_iv_table_renders_first_stage_column_and_statistics(data):
    from eq_assets.reports.tables import render_latex, render_markdown

    spec = _spec(("firm", "year"), {"CRV1": "firm"})
    res = run_specs([spec], lambda cols: data[list(cols)])
    md = render_markdown(res, "P1", "7", specs=(spec,))
    lines = md.splitlines()
    assert any(line.startswith("|  | (1) x | (2) y |") for line in lines), md
    assert "Kleibergen-Paap rk LM" in md and "Kleibergen-Paap rk Wald F" in md and "p-value (chi2)" in md
    # one endogenous regressor: the first-stage F is the rk Wald F, printed once (the note says so)
    assert not any(line.startswith("| First-stage F |") for line in lines) and "not printed twice" in md
    z1 = next(line for line in lines if line.startswith("| z1 "))
    assert z1.rstrip().endswith("|  |")  # instruments only in the first-stage column
    assert "Kleibergen-Paap rk LM" in render_latex(res, "P1", "7", specs=(spec,))


@pytest.mark.parametrize("fe,vcov", CASES)
def test_iv_fit_statistics_equal_pyfixest_iv(data, fe, vcov):
    """2SLS R2s as fixest / pyfixest define them (issue 11 point 13): every FE level counted.

    pyfixest's Feiv does not call ``get_performance`` itself; called on the fitted object it
    applies fixest's definitions to the second-stage residuals y - X b.
    """
    ours = fit_spec(_spec(fe, vcov), data)
    fml = f"y ~ w | {' + '.join(fe)} | x ~ z1 + z2" if fe else "y ~ w | x ~ z1 + z2"
    ref = pf.feols(fml, data=data, vcov=vcov, fixef_rm="singleton", lean=False,
                   demeaner=MapDemeaner(backend="rust", fixef_tol=1e-12, fixef_maxiter=100_000))
    ref.get_performance()
    assert ours.adj_r2 == pytest.approx(ref._adj_r2, abs=1e-8)
    assert ours.r2 == pytest.approx(ref._r2, abs=1e-8)
    if fe:
        assert ours.r2_within == pytest.approx(ref._r2_within, abs=1e-8)
        assert ours.adj_r2_within == pytest.approx(ref._adj_r2_within, abs=1e-8)
    else:
        assert np.isnan(ours.r2_within)
    # OLS minimises the SSR on the same rows and regressors: with every FE level counted in
    # both, the 2SLS adjusted R2 cannot exceed the OLS one (the old count broke this)
    ols = fit_spec(RegressionSpec(paper="P1", table="7", column="9", depvar="y", regressors=("x",), controls=("w",),
                                  fixed_effects=fe, vcov=vcov), data)
    assert ours.adj_r2 <= ols.adj_r2
