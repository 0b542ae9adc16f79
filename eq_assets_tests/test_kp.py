"""Kleibergen-Paap rk statistics (eq_assets.instruments.kp) against independent computations.

(a) one endogenous / one instrument: rk Wald F = squared robust / cluster t of the instrument in the
    first stage (statsmodels and hand numpy, with Stata's HC1 / cluster small-sample factors); rk LM
    = robust score (LM) test of the first-stage coefficient, by hand.
(b) several instruments, one and two endogenous: rk Wald chi2 = linearmodels' first-stage Wald;
    rk F = statsmodels' cluster F test; K = 2 against a second implementation of KP (2006) written
    here with a different route (orthogonal complements of the SVD instead of ranktest's A_q, B_q;
    symmetric instead of Cholesky square roots; cluster scores summed in a Python loop); iid case =
    Anderson / Cragg-Donald from canonical correlations (scipy principal angles).
(c) invariance to rescaling instruments and endogenous regressors, to W columns collinear with the
    fixed effects, and FE absorption = explicit dummies.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.linalg as sla
import statsmodels.api as sm
from scipy import stats

from eq_assets.instruments import absorbed_dof, demean_by_fe, kleibergen_paap, kleibergen_paap_frame

RTOL = 1e-8


def _dgp(n=1200, n_clusters=60, k=1, ell=1, k2=2, strength=0.15, seed=0):
    """Clustered, heteroskedastic first stage: X = Z Pi + W g + u."""
    rng = np.random.default_rng(seed)
    g = rng.integers(0, n_clusters, n)
    W = rng.normal(size=(n, k2))
    Z = rng.normal(size=(n, ell)) + 0.4 * rng.normal(size=(n_clusters, ell))[g] + 0.3 * W[:, :1]
    Pi = strength * (np.eye(ell, k) + 0.5 * rng.normal(size=(ell, k)))
    u = rng.normal(size=(n, k)) * (1 + 0.5 * np.abs(Z[:, :1])) + rng.normal(size=(n_clusters, k))[g]
    X = Z @ Pi + W @ rng.normal(size=(k2, k)) + u
    return X, Z, W, g


def _resid(a, w):
    return a - w @ np.linalg.lstsq(w, a, rcond=None)[0]


# ------------------------------------------------------------------------------------------ (a)


@pytest.mark.parametrize("vce", ["robust", "cluster"])
def test_one_instrument_wald_f_is_squared_t(vce):
    X, Z, W, g = _dgp(seed=1)
    res = kleibergen_paap(X, Z, W, clusters=g if vce == "cluster" else None, vce=vce)

    # statsmodels: first stage x ~ 1 + z + W with Stata-style small-sample factors
    design = sm.add_constant(np.column_stack([Z, W]))
    if vce == "cluster":
        fit = sm.OLS(X[:, 0], design).fit(cov_type="cluster", cov_kwds={"groups": g})
    else:
        fit = sm.OLS(X[:, 0], design).fit(cov_type="HC1")
    t2_sm = fit.tvalues[1] ** 2

    # by hand
    n, p = design.shape
    xtx_inv = np.linalg.inv(design.T @ design)
    b = xtx_inv @ design.T @ X[:, 0]
    e = X[:, 0] - design @ b
    sc = design * e[:, None]
    if vce == "cluster":
        G = len(np.unique(g))
        sg = np.vstack([sc[g == c].sum(0) for c in np.unique(g)])
        meat = sg.T @ sg * G / (G - 1) * (n - 1) / (n - p)
    else:
        meat = sc.T @ sc * n / (n - p)
    v = xtx_inv @ meat @ xtx_inv
    t2_hand = b[1] ** 2 / v[1, 1]

    assert res.n_exog_total == p == 4
    np.testing.assert_allclose(res.rk_wald_f, t2_sm, rtol=RTOL)
    np.testing.assert_allclose(res.rk_wald_f, t2_hand, rtol=RTOL)
    np.testing.assert_allclose(res.first_stage_f[0], t2_hand, rtol=RTOL)
    # raw chi2 undoes exactly the stated factor
    if vce == "cluster":
        factor = (n - p) / (n - 1) * (G - 1) / G
    else:
        factor = (n - p) / n
    np.testing.assert_allclose(res.rk_wald_chi2 * factor, t2_hand, rtol=RTOL)
    np.testing.assert_allclose(res.wald_f_factor, factor, rtol=1e-12)


@pytest.mark.parametrize("vce", ["robust", "cluster"])
def test_one_instrument_lm_is_robust_score_test(vce):
    X, Z, W, g = _dgp(seed=2)
    res = kleibergen_paap(X, Z, W, clusters=g if vce == "cluster" else None, vce=vce)
    w1 = np.column_stack([np.ones(len(g)), W])
    xt = _resid(X[:, 0], w1)  # restricted (pi = 0) first-stage residual
    zt = _resid(Z[:, 0], w1)
    s = zt * xt  # scores of the first-stage coefficient under the null
    if vce == "cluster":
        s = np.bincount(g, weights=s)
    lm = s.sum() ** 2 / (s @ s)
    np.testing.assert_allclose(res.rk_lm, lm, rtol=RTOL)
    assert res.rk_lm_df == 1
    np.testing.assert_allclose(res.rk_lm_pvalue, stats.chi2.sf(lm, 1), rtol=1e-8)


def test_one_instrument_iid_is_anderson_and_cragg_donald():
    X, Z, W, g = _dgp(seed=3)
    res = kleibergen_paap(X, Z, W, vce="iid")
    design = sm.add_constant(np.column_stack([Z, W]))
    fit = sm.OLS(X[:, 0], design).fit()  # homoskedastic, s^2 with N - p
    np.testing.assert_allclose(res.cragg_donald_f, fit.tvalues[1] ** 2, rtol=RTOL)
    np.testing.assert_allclose(res.rk_wald_f, res.cragg_donald_f, rtol=1e-12)
    np.testing.assert_allclose(res.first_stage_f[0], fit.tvalues[1] ** 2, rtol=RTOL)
    w1 = np.column_stack([np.ones(len(g)), W])
    xt, zt = _resid(X[:, 0], w1), _resid(Z[:, 0], w1)
    r2_partial = (xt @ zt) ** 2 / ((xt @ xt) * (zt @ zt))
    np.testing.assert_allclose(res.rk_lm, len(g) * r2_partial, rtol=RTOL)


# ------------------------------------------------------------------------------------------ (b)


def _linearmodels_first_stage_wald(X, Z, W, g, cov_type):
    from linearmodels.iv import IV2SLS

    rng = np.random.default_rng(9)
    y = X[:, 0] + rng.normal(size=len(X))
    exog = pd.DataFrame(np.column_stack([np.ones(len(X)), W]), columns=["const", "w1", "w2"])
    endog = pd.DataFrame(X[:, :1], columns=["x"])
    instr = pd.DataFrame(Z, columns=[f"z{j}" for j in range(Z.shape[1])])
    mod = IV2SLS(pd.Series(y, name="y"), exog, endog, instr)
    if cov_type == "clustered":
        fit = mod.fit(cov_type="clustered", clusters=pd.Series(g), debiased=False)
    else:
        fit = mod.fit(cov_type=cov_type, debiased=False)
    return float(fit.first_stage.diagnostics.loc["x", "f.stat"])


@pytest.mark.parametrize("vce", ["robust", "cluster"])
def test_one_endog_several_instruments_matches_linearmodels_and_statsmodels(vce):
    X, Z, W, g = _dgp(ell=3, seed=4)
    cl = g if vce == "cluster" else None
    res = kleibergen_paap(X, Z, W, clusters=cl, vce=vce)
    lm_wald = _linearmodels_first_stage_wald(X, Z, W, g, "clustered" if vce == "cluster" else "robust")
    np.testing.assert_allclose(res.rk_wald_chi2, lm_wald, rtol=1e-7)

    design = sm.add_constant(np.column_stack([Z, W]))
    if vce == "cluster":
        fit = sm.OLS(X[:, 0], design).fit(cov_type="cluster", cov_kwds={"groups": g})
    else:
        fit = sm.OLS(X[:, 0], design).fit(cov_type="HC1")
    R = np.zeros((3, design.shape[1]))
    R[:, 1:4] = np.eye(3)
    f_sm = float(np.squeeze(fit.f_test(R).fvalue))
    np.testing.assert_allclose(res.rk_wald_f, f_sm, rtol=1e-7)
    np.testing.assert_allclose(res.first_stage_f[0], f_sm, rtol=1e-7)
    assert res.rk_lm_df == 3


def test_one_endog_iid_cragg_donald_matches_linearmodels():
    from linearmodels.iv import IV2SLS

    X, Z, W, g = _dgp(ell=3, seed=5)
    res = kleibergen_paap(X, Z, W, vce="iid")
    y = X[:, 0] + np.random.default_rng(0).normal(size=len(X))
    exog = np.column_stack([np.ones(len(X)), W])
    fit = IV2SLS(y, exog, X, Z).fit(cov_type="unadjusted", debiased=True)
    f_lm = float(fit.first_stage.diagnostics.iloc[0]["f.stat"])
    np.testing.assert_allclose(res.cragg_donald_f, f_lm, rtol=1e-7)
    np.testing.assert_allclose(res.first_stage_f[0], f_lm, rtol=1e-7)


def _kp_independent(X, Z, W, clusters, wald):
    """KP (2006) rk statistic for H0: rank = K-1, written independently of the module.

    Symmetric square roots F = (Z'Z)^{1/2}, G = (X'X)^{1/2}; lambda and Omega projected on the
    orthogonal complements U_perp, V_perp of the first K-1 singular vectors (KP's A_q, B_q differ
    from these by nonsingular matrices, which leave the quadratic form unchanged); cluster sums of
    the moments in an explicit loop; no 1/N normalisation anywhere.
    """
    w1 = np.column_stack([np.ones(len(X)), W])
    x, z = _resid(X, w1), _resid(Z, w1)
    k, ell = x.shape[1], z.shape[1]
    zz, xx = z.T @ z, x.T @ x
    pi = np.linalg.solve(zz, z.T @ x)
    f = sla.sqrtm(zz).real
    gg = sla.sqrtm(xx).real
    theta = f @ pi @ np.linalg.inv(gg)
    u, s, vt = np.linalg.svd(theta)
    v = vt.T
    uperp, vperp = u[:, k - 1 :], v[:, k - 1 :]
    lam = uperp.T @ theta @ vperp  # (L-K+1) x 1
    e = x - z @ pi if wald else x
    meat = np.zeros((k * ell, k * ell))
    for c in np.unique(clusters):
        idx = clusters == c
        m = z[idx].T @ e[idx]  # L x K, vec = sum_i e_i kron z_i
        mv = m.reshape(-1, order="F")
        meat += np.outer(mv, mv)
    zinv = np.linalg.inv(zz)
    var_pi = np.kron(np.eye(k), zinv) @ meat @ np.kron(np.eye(k), zinv)
    jac_theta = np.kron(np.linalg.inv(gg).T, f)  # vec(F Pi G^-1) = (G^-1' kron F) vec(Pi)
    var_theta = jac_theta @ var_pi @ jac_theta.T
    proj = np.kron(vperp.T, uperp.T)
    omega = proj @ var_theta @ proj.T
    lv = lam.reshape(-1, order="F")
    return float(lv @ np.linalg.solve(omega, lv)), s


@pytest.mark.parametrize("vce", ["robust", "cluster"])
def test_two_endog_matches_independent_kp(vce):
    X, Z, W, g = _dgp(k=2, ell=4, seed=6, strength=0.2)
    res = kleibergen_paap(X, Z, W, clusters=g if vce == "cluster" else None, vce=vce)
    cl = g if vce == "cluster" else np.arange(len(g))
    lm, s = _kp_independent(X, Z, W, cl, wald=False)
    wald, _ = _kp_independent(X, Z, W, cl, wald=True)
    np.testing.assert_allclose(res.rk_lm, lm, rtol=1e-7)
    np.testing.assert_allclose(res.rk_wald_chi2, wald, rtol=1e-7)
    np.testing.assert_allclose(res.canonical_correlations, s, rtol=1e-8)
    n, big_l, ell = len(g), res.n_exog_total, 4
    assert big_l == 4 + 3 and res.rk_lm_df == 3
    if vce == "cluster":
        G = 60
        f = wald / (n - 1) * (n - big_l) * (G - 1) / G / ell
    else:
        f = wald / n * (n - big_l) / ell
    np.testing.assert_allclose(res.rk_wald_f, f, rtol=1e-7)
    assert len(res.first_stage_f) == 2


def test_two_endog_iid_is_anderson_lm_and_cragg_donald():
    X, Z, W, g = _dgp(k=2, ell=4, seed=7, strength=0.2)
    res = kleibergen_paap(X, Z, W, vce="iid")
    w1 = np.column_stack([np.ones(len(g)), W])
    angles = sla.subspace_angles(_resid(X, w1), _resid(Z, w1))
    r2 = np.sort(np.cos(angles) ** 2)
    n, big_l = len(g), 7
    np.testing.assert_allclose(res.rk_lm, n * r2[0], rtol=1e-7)
    np.testing.assert_allclose(res.cragg_donald_f, r2[0] / (1 - r2[0]) * (n - big_l) / 4, rtol=1e-7)
    np.testing.assert_allclose(res.rk_wald_f, res.cragg_donald_f, rtol=1e-12)
    np.testing.assert_allclose(sorted(res.canonical_correlations), np.sqrt(r2), rtol=1e-7)


def test_robust_equals_cluster_of_singletons_up_to_factor():
    X, Z, W, g = _dgp(k=2, ell=3, seed=8)
    n = len(g)
    rob = kleibergen_paap(X, Z, W, vce="robust")
    sing = kleibergen_paap(X, Z, W, clusters=np.arange(n))
    np.testing.assert_allclose(rob.rk_lm, sing.rk_lm, rtol=1e-9)
    np.testing.assert_allclose(rob.rk_wald_chi2, sing.rk_wald_chi2, rtol=1e-9)
    # robust: (N-L)/N; singleton clusters: (N-L)/(N-1) * (N-1)/N -> identical F
    np.testing.assert_allclose(rob.rk_wald_f, sing.rk_wald_f, rtol=1e-9)


def test_weak_and_strong_instruments_behave():
    Xs, Zs, Ws, gs = _dgp(k=1, ell=2, seed=10, strength=1.0)
    strong = kleibergen_paap(Xs, Zs, Ws, clusters=gs)
    Xw, Zw, Ww, gw = _dgp(k=1, ell=2, seed=10, strength=0.0)
    weak = kleibergen_paap(Xw, Zw, Ww, clusters=gw)
    assert strong.rk_lm_pvalue < 1e-6 and strong.rk_wald_f > 50
    assert weak.rk_wald_f < 10


# ------------------------------------------------------------------------------------------ (c)


@pytest.mark.parametrize("vce", ["robust", "cluster", "iid"])
def test_invariant_to_rescaling(vce):
    X, Z, W, g = _dgp(k=2, ell=3, seed=11)
    cl = g if vce == "cluster" else None
    base = kleibergen_paap(X, Z, W, clusters=cl, vce=vce)
    scaled = kleibergen_paap(X * [3.0, -0.01], Z * [1e3, 0.5, -7.0], W * [1e-2, 50.0], clusters=cl, vce=vce)
    # a nonsingular mix of the instruments spans the same space
    mix = np.array([[1.0, 0.3, 0.0], [0.0, 2.0, 0.1], [0.5, 0.0, -1.0]])
    mixed = kleibergen_paap(X, Z @ mix, W, clusters=cl, vce=vce)
    for other in (scaled, mixed):
        for attr in ("rk_lm", "rk_wald_chi2", "rk_wald_f", "cragg_donald_f"):
            np.testing.assert_allclose(getattr(other, attr), getattr(base, attr), rtol=1e-7)
    np.testing.assert_allclose(scaled.first_stage_f, base.first_stage_f, rtol=1e-7)


def test_fe_absorption_equals_dummies_and_drops_fe_collinear_columns():
    X, Z, W, g = _dgp(k=1, ell=2, seed=12)
    n = len(g)
    region = np.random.default_rng(3).integers(0, 8, n)  # not nested in clusters
    X = X + 0.5 * region[:, None]
    dummies = (region[:, None] == np.arange(1, 8)).astype(float)  # 7 dummies + constant

    via_dummies = kleibergen_paap(X, Z, np.column_stack([W, dummies]), clusters=g)
    via_fe = kleibergen_paap(X, Z, W, clusters=g, fe=region)
    assert via_fe.df_absorbed == 8 and via_fe.n_exog_total == via_dummies.n_exog_total == 2 + 2 + 8
    # a W column that is a function of the FE vanishes once partialled and is not counted
    fe_col = np.column_stack([W, np.sin(region) * 3 + 1])
    via_fe_extra = kleibergen_paap(X, Z, fe_col, clusters=g, fe=region)
    via_fe_numpy = kleibergen_paap(X, Z, W, clusters=g, fe=region, fe_backend="numpy")
    # pre-demeaned arrays + df_absorbed
    dm = demean_by_fe(np.column_stack([X, Z, W]), region)
    via_pre = kleibergen_paap(dm[:, :1], dm[:, 1:3], dm[:, 3:], clusters=g, df_absorbed=8)
    for other in (via_fe, via_fe_extra, via_fe_numpy, via_pre):
        assert other.n_exog_total == via_dummies.n_exog_total
        for attr in ("rk_lm", "rk_wald_chi2", "rk_wald_f", "cragg_donald_f"):
            np.testing.assert_allclose(getattr(other, attr), getattr(via_dummies, attr), rtol=1e-6)


def test_two_way_fe_demeaning_backends_agree():
    rng = np.random.default_rng(13)
    n = 800
    a, b = rng.integers(0, 30, n), rng.integers(0, 9, n)
    y = rng.normal(size=(n, 2)) + a[:, None] * 0.1 + b[:, None]
    d1 = demean_by_fe(y, np.column_stack([a, b]))
    d2 = demean_by_fe(y, np.column_stack([a, b]), backend="numpy")
    np.testing.assert_allclose(d1, d2, atol=1e-7)
    dummies = np.column_stack([np.ones(n), a[:, None] == np.arange(1, 30), b[:, None] == np.arange(1, 9)])
    np.testing.assert_allclose(d1, _resid(y, dummies.astype(float)), atol=1e-7)


def test_absorbed_dof_hand_cases():
    firm = np.array([0, 0, 1, 1, 2, 2, 3, 3])
    year = np.array([0, 1, 0, 1, 0, 1, 0, 1])
    cl_firm = firm.copy()
    assert absorbed_dof(firm) == 4
    assert absorbed_dof(pd.DataFrame({"f": firm, "y": year})) == 4 + 2 - 1
    # firm FE nested in firm clusters: 0, forced to 1 (ivreghdfe)
    assert absorbed_dof(firm, cl_firm) == 1
    # firm nested, year not: year counts levels - 1
    assert absorbed_dof(pd.DataFrame({"f": firm, "y": year}), cl_firm) == 1
    year3 = np.array([0, 1, 2, 0, 1, 2, 0, 1])
    assert absorbed_dof(pd.DataFrame({"f": firm, "y": year3}), cl_firm) == 2
    # two disconnected blocks: firms {0,1} only in years {0,1}, firms {2,3} only in {2,3}
    year_dis = np.array([0, 1, 0, 1, 2, 3, 2, 3])
    assert absorbed_dof(pd.DataFrame({"f": firm, "y": year_dis})) == 4 + 4 - 2


def test_frame_wrapper_and_errors():
    X, Z, W, g = _dgp(k=1, ell=2, seed=14)
    df = pd.DataFrame({"x": X[:, 0], "z1": Z[:, 0], "z2": Z[:, 1], "w1": W[:, 0], "w2": W[:, 1], "g": g})
    df.loc[5, "z1"] = np.nan
    res = kleibergen_paap_frame(df, endog="x", instruments=["z1", "z2"], exog=["w1", "w2"], cluster="g")
    keep = df.dropna()
    direct = kleibergen_paap(keep[["x"]], keep[["z1", "z2"]], keep[["w1", "w2"]], clusters=keep["g"])
    assert res.n_obs == len(df) - 1 and res.endog_names == ("x",)
    np.testing.assert_allclose(res.rk_wald_f, direct.rk_wald_f, rtol=1e-12)
    with pytest.raises(ValueError):
        kleibergen_paap(X, Z[:, :0], W)
    with pytest.raises(ValueError):
        kleibergen_paap(X, Z, W, vce="cluster")
    with pytest.raises(ValueError):
        kleibergen_paap(X, np.column_stack([Z, W[:, :1]]), W)  # instrument collinear with W
    with pytest.raises(ValueError):  # instrument collinear with the absorbed FE
        kleibergen_paap(X, np.column_stack([Z, g % 7]), W, fe=g % 7)
