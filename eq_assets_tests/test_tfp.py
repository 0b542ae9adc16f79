"""Levinsohn-Petrin / Ackerberg-Caves-Frazer TFP (eq_assets.mechanisms.tfp) on a simulated panel.

The simulator below (written for these tests, not taken from the module) generates Cobb-Douglas
value added ``y = 0.6 l + 0.3 k + w + e`` with:

* productivity ``w`` AR(1) (rho = 0.7) at annual frequency, built from two half-year steps so that
  labour can be chosen at t-1/2 (ACF's timing);
* capital ``k_t = ln((1 - delta) K_t-1 + I_t-1)``, investment increasing in ``w_t-1`` and
  ``k_t-1`` plus an investment-cost shock (k_t is decided at t-1, so E[xi_t k_t] = 0);
* labour from the static first-order condition given the firm's information on ``w`` (``w_t``
  itself with ``labour_timing=0``; ``E[w_t | w_t-1/2]`` with ``labour_timing=0.5``), a persistent
  wage shock, and partial adjustment towards it (``l_t = a l_t-1 + (1-a) l*_t``), so labour is
  correlated with ``w`` (OLS biased up) but varies given (k, m);
* materials ``m = 0.5 + 1.2 w + 0.5 k``: strictly increasing in ``w`` given ``k`` (LP's proxy);
* ``e`` ~ N(0, 0.1^2) measurement error.

The levpet objective is re-implemented here independently (raw polynomials, explicit lags by a
merge, a brute-force grid) so that the estimator is checked against the published objective and
not against itself.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eq_assets.mechanisms import (
    DEFAULT_BOOTSTRAP_REPS,
    TOLERANCE,
    ackerberg_caves_frazer,
    levinsohn_petrin,
    lp_first_stage,
    polynomial_features,
    tfp_by_group,
)
from eq_assets.mechanisms import tfp as T
from eq_assets.mechanisms import tfp_solve as S

BETA_L, BETA_K = 0.6, 0.3
COLS = dict(output="y", free="l", state="k", proxy="m", firm="firm", year="year")


def simulate_panel(
    n_firms=400,
    n_years=10,
    burn=10,
    beta_l=BETA_L,
    beta_k=BETA_K,
    rho=0.7,
    sd_xi=0.25,
    labour_timing=0.0,
    adjust=0.5,
    sd_invest=0.3,
    seed=0,
):
    rng = np.random.default_rng(seed)
    rh, sd_h = np.sqrt(rho), sd_xi / np.sqrt(1 + rho)  # two half steps = AR(1)(rho, sd_xi)
    omega = rng.normal(0, sd_xi / np.sqrt(1 - rho**2), n_firms)
    k = rng.normal(1.0, 0.6, n_firms)
    wage = rng.normal(0, 0.3 / np.sqrt(1 - 0.25), n_firms)
    l_prev = None
    rows = []
    for t in range(n_years + burn):
        if t > 0:
            wage = 0.5 * wage + rng.normal(0, 0.3, n_firms)
            omega_half = rh * omega + rng.normal(0, sd_h, n_firms)
            omega = rh * omega_half + rng.normal(0, sd_h, n_firms)
        else:
            omega_half = omega
        info = rh * omega_half if labour_timing == 0.5 else omega
        l_star = (np.log(beta_l) + info + beta_k * k - wage) / (1 - beta_l)
        l = l_star if l_prev is None else adjust * l_prev + (1 - adjust) * l_star
        l_prev = l
        m = 0.5 + 1.2 * omega + 0.5 * k
        y = beta_l * l + beta_k * k + omega + rng.normal(0, 0.1, n_firms)
        if t >= burn:
            rows.append(
                pd.DataFrame(
                    {"firm": np.arange(n_firms), "year": 2000 + t - burn, "y": y, "l": l, "k": k, "m": m, "omega": omega}
                )
            )
        invest = np.exp(-1.0 + 0.8 * omega + 0.9 * k + rng.normal(0, sd_invest, n_firms))
        k = np.log(0.9 * np.exp(k) + invest)
    return pd.concat(rows, ignore_index=True)


@pytest.fixture(scope="module")
def panel_lp():
    return simulate_panel(labour_timing=0.0, seed=1)


@pytest.fixture(scope="module")
def panel_acf():
    # ACF timing (labour chosen at t-1/2) with persistent labour (adjustment 0.8): l_t-1 is a strong
    # instrument and the moments have a root near the truth (with adjust=0.5 they often have none)
    return simulate_panel(labour_timing=0.5, adjust=0.8, seed=0)


@pytest.fixture(scope="module")
def panel_mismeasured():
    """Real-data-like: book capital measured with error (sd 0.2). LP's assumptions fail, and the
    levpet and moment second stages then have different solutions (issue 13's real panel:
    0.12 vs 0.49)."""
    df = simulate_panel(n_firms=400, seed=1)
    df["k"] = df["k"] + np.random.default_rng(0).normal(0, 0.2, len(df))
    return df


def levpet_objective(df: pd.DataFrame):
    """levpet's value-added objective written out (independently of the module): stage 1 OLS of y
    on l and the raw cubic in (k, m); for a candidate b_k, omega = phi - b_k k, g = OLS of omega_t
    on (1, omega_t-1, omega_t-1^2, omega_t-1^3), objective = sum (y - b_l l - b_k k - g)^2 over
    firm-years with the previous year. Returns (b_l, objective)."""
    k, m, l, y = (df[c].to_numpy(float) for c in ("k", "m", "l", "y"))
    poly = np.column_stack([np.ones_like(k), k, m, k * k, k * m, m * m, k**3, k * k * m, k * m * m, m**3])
    coef = np.linalg.lstsq(np.column_stack([l, poly]), y, rcond=None)[0]
    d = df[["firm", "year"]].assign(phi=poly @ coef[1:], r=y - coef[0] * l, k=k)
    pairs = d.merge(d.assign(year=d["year"] + 1), on=["firm", "year"], suffixes=("", "_lag"))
    phi_t, phi_l, r_t = pairs["phi"].to_numpy(), pairs["phi_lag"].to_numpy(), pairs["r"].to_numpy()
    k_t, k_l = pairs["k"].to_numpy(), pairs["k_lag"].to_numpy()

    def objective(b_k: float) -> float:
        w, wl = phi_t - b_k * k_t, phi_l - b_k * k_l
        basis = np.column_stack([np.ones_like(wl), wl, wl**2, wl**3])
        g = basis @ np.linalg.lstsq(basis, w, rcond=None)[0]
        return float(np.sum((r_t - b_k * k_t - g) ** 2))

    return coef[0], objective


def brute_force_minimiser(objective, lo=-1.0, hi=2.0) -> float:
    """Grid of step 1e-3 over [lo, hi], then step 1e-6 around the best point."""
    coarse = np.arange(lo, hi + 1e-12, 1e-3)
    best = coarse[int(np.argmin([objective(b) for b in coarse]))]
    fine = np.arange(best - 1e-3, best + 1e-3 + 1e-12, 1e-6)
    return float(fine[int(np.argmin([objective(b) for b in fine]))])


# ------------------------------------------------------------------------- hand-computed pieces


def test_polynomial_features_degree2_by_hand():
    k = np.array([1.0, 2.0, 3.0])
    m = np.array([4.0, 5.0, 7.0])
    got = polynomial_features(np.column_stack([k, m]), 2)
    expected = np.array(
        [
            [1, 1, 4, 1, 4, 16],
            [1, 2, 5, 4, 10, 25],
            [1, 3, 7, 9, 21, 49],
        ],
        dtype=float,
    )  # 1, k, m, k^2, k m, m^2
    np.testing.assert_array_equal(got, expected)
    assert polynomial_features(np.column_stack([k, m]), 2, include_bias=False).shape == (3, 5)
    assert polynomial_features(np.ones((4, 3)), 3).shape == (4, 20)  # C(3 + 3, 3)
    np.testing.assert_array_equal(polynomial_features(k, 3), np.column_stack([k**0, k, k**2, k**3]))


def test_lp_first_stage_exact_on_noiseless_case():
    rng = np.random.default_rng(0)
    n = 60
    d = pd.DataFrame({"k": rng.normal(size=n), "m": rng.normal(size=n), "l": rng.normal(size=n)})
    phi = 2.0 + d.k**2 + d.k * d.m - 0.5 * d.m  # inside the degree-2 polynomial of (k, m)
    d["y"] = 0.6 * d.l + phi
    b, phi_hat = lp_first_stage(d, output="y", free="l", state="k", proxy="m", poly_degree=2)
    assert b["l"] == pytest.approx(0.6, abs=1e-10)
    np.testing.assert_allclose(phi_hat.to_numpy(), phi.to_numpy(), atol=1e-9)
    # a cubic term outside the degree-2 span is not fitted exactly, but is with degree 3
    d["y"] = 0.6 * d.l + phi + d.m**3
    b2, _ = lp_first_stage(d, output="y", free="l", state="k", proxy="m", poly_degree=2)
    b3, phi3 = lp_first_stage(d, output="y", free="l", state="k", proxy="m", poly_degree=3)
    assert abs(b2["l"] - 0.6) > 1e-6
    assert b3["l"] == pytest.approx(0.6, abs=1e-9)
    np.testing.assert_allclose(phi3.to_numpy(), (phi + d.m**3).to_numpy(), atol=1e-8)


# ------------------------------------------------------------------ LP: the published objective


@pytest.mark.parametrize("panel", ["hand", "mismeasured"])
def test_lp_default_is_the_levpet_minimiser(panel, panel_mismeasured):
    """The default LP estimate of b_k is the brute-force minimiser of levpet's objective, and its
    b_l is levpet's stage-1 coefficient."""
    df = simulate_panel(n_firms=60, n_years=6, seed=21) if panel == "hand" else panel_mismeasured
    b_l, objective = levpet_objective(df)
    res = levinsohn_petrin(df, **COLS, bootstrap_reps=0)
    assert res.second_stage == "levpet" and res.converged and res.start == "scan"
    assert res.coef["l"] == pytest.approx(b_l, abs=1e-9)
    assert res.coef["k"] == pytest.approx(brute_force_minimiser(objective), abs=2e-6)
    assert objective(res.coef["k"]) <= objective(res.coef["k"] + 1e-4) and objective(res.coef["k"]) <= objective(res.coef["k"] - 1e-4)
    assert res.criterion == pytest.approx(objective(res.coef["k"]) / res.n_obs_stage2, rel=1e-8)


def test_levpet_and_moment_second_stages_differ_on_real_data_like_panel(panel_mismeasured):
    """With mismeasured capital the two objectives disagree by far more than their SEs; the
    default is the levpet one (the moment version stays available as an option)."""
    lev = levinsohn_petrin(panel_mismeasured, **COLS, bootstrap_reps=20, seed=3)
    mom = levinsohn_petrin(panel_mismeasured, **COLS, second_stage="moment", bootstrap_reps=20, seed=3)
    assert mom.second_stage == "moment" and mom.converged and mom.criterion < TOLERANCE
    assert lev.coef["l"] == mom.coef["l"]  # same stage 1
    gap = mom.coef["k"] - lev.coef["k"]
    assert gap > 0.1 and gap > 4 * max(lev.se["k"], mom.se["k"]), (lev.coef, mom.coef, lev.se, mom.se)
    _, objective = levpet_objective(panel_mismeasured)
    assert objective(lev.coef["k"]) < objective(mom.coef["k"])


def test_moment_second_stage_solves_its_own_moment(panel_lp):
    res = levinsohn_petrin(panel_lp, **COLS, second_stage="moment", bootstrap_reps=0)
    b_l, _ = levpet_objective(panel_lp)
    _, phi = lp_first_stage(panel_lp, output="y", free="l", state="k", proxy="m")
    d = panel_lp.assign(w=phi - res.coef["k"] * panel_lp.k)
    pairs = d.merge(d.assign(year=d.year + 1)[["firm", "year", "w"]], on=["firm", "year"], suffixes=("", "_lag"))
    basis = np.vander(pairs.w_lag.to_numpy(), 4, increasing=True)
    xi = pairs.w - basis @ np.linalg.lstsq(basis, pairs.w.to_numpy(), rcond=None)[0]
    assert abs(np.mean(xi * pairs.k)) < 1e-8
    assert res.coef["l"] == pytest.approx(b_l, abs=1e-9)


# ------------------------------------------------------------------------------ recovery of truth


def _check_recovery(res, df, ols_bias_expected=True):
    truth = {"l": BETA_L, "k": BETA_K}
    for name, b in truth.items():
        se = res.se[name]
        assert np.isfinite(se) and se > 0
        assert abs(res.coef[name] - b) < 3 * se, (name, res.coef[name], se)
    if ols_bias_expected:  # labour responds to productivity: OLS overstates b_l, LP/ACF do not
        assert res.ols_coef["l"] - BETA_L > 3 * res.se["l"]
    tfp = res.log_tfp(df)
    assert np.corrcoef(tfp, df["omega"])[0, 1] > 0.9
    np.testing.assert_allclose(tfp, df.y - res.coef["l"] * df.l - res.coef["k"] * df.k)


def test_levinsohn_petrin_recovers_truth(panel_lp):
    res = levinsohn_petrin(panel_lp, **COLS, bootstrap_reps=30, seed=1)
    assert res.method == "LP" and res.inputs == ("l", "k") and res.converged
    assert res.bootstrap_reps == 30 and res.bootstrap_failures == 0
    assert res.n_obs == 4000 and res.n_obs_stage2 == 3600 and res.n_firms == 400
    _check_recovery(res, panel_lp)


def test_ackerberg_caves_frazer_recovers_truth(panel_acf):
    res = ackerberg_caves_frazer(panel_acf, **COLS, bootstrap_reps=30, seed=1)
    assert res.method == "ACF" and res.inputs == ("l", "k")
    assert res.converged and res.criterion < TOLERANCE and res.start == "ols"
    assert res.bootstrap_reps + res.bootstrap_failures == 30 and res.bootstrap_reps >= 25
    _check_recovery(res, panel_acf)


def test_lp_also_fine_under_acf_timing(panel_acf):
    res = levinsohn_petrin(panel_acf, **COLS, bootstrap_reps=20, seed=2)
    _check_recovery(res, panel_acf)


# ------------------------------------------------------------------ ACF: proof of convergence


@pytest.fixture(scope="module")
def panel_two_roots():
    """LP timing, 2,000 firms: ACF's moments have two roots inside the bounds (near the truth and
    at about (0.42, 0.41)), a local minimum that is not a root (reached from (0.8, 0.5)) and a
    spurious root at b_l ~ 13 outside them."""
    return simulate_panel(n_firms=2000, labour_timing=0.0, seed=3)


def _acf_objective(df):
    p = T._prepare(df, "y", ["l"], ["k"], "m", "firm", "year")
    spec = T._Spec("ACF", "moment", True, 3, 3)
    phi, b_free = T._stage1(p, spec, np.arange(len(p.y)))
    return T._objective(p, spec, phi, b_free, np.arange(len(p.t_idx)))


def test_acf_from_a_bad_start_alone_fails_loudly(panel_two_roots):
    obj = _acf_objective(panel_two_roots)
    bad = S.solve(obj, [("bad", np.array([0.8, 0.5]))], bounds=T.COEF_BOUNDS)
    assert not bad.converged and bad.criterion > 1e3 * TOLERANCE  # a local minimum, not a root
    good = S.solve(obj, [("ols", np.array([0.85, 0.13]))], bounds=T.COEF_BOUNDS)
    assert good.converged and good.criterion < TOLERANCE
    np.testing.assert_allclose(np.asarray(obj.residuals(good.x)), 0, atol=1e-12)
    # a root outside the admissible box is not a solution
    far = S.solve(obj, [("far", np.array([12.0, -7.0]))], bounds=T.COEF_BOUNDS)
    assert far.criterion < TOLERANCE and abs(far.x[0]) > 5 and not far.converged


def test_acf_with_a_bad_start_still_reaches_the_root(panel_two_roots):
    res = ackerberg_caves_frazer(panel_two_roots, **COLS, starts=[(0.8, 0.5)], bootstrap_reps=0)
    tried = {name: (end, crit, ok) for name, _s, end, crit, ok in res.starts_tried}
    assert not tried["user0"][2]  # the bad start ends in a non-solution ...
    assert res.converged and res.criterion < TOLERANCE and res.start == "ols"  # ... the search does not
    assert res.coef["l"] == pytest.approx(0.587, abs=0.01) and res.coef["k"] == pytest.approx(0.306, abs=0.01)
    assert res.n_distinct_solutions == 2  # two roots inside the bounds: reported, the OLS one kept
    criteria = [crit for *_x, crit, ok in res.starts_tried if ok]
    assert max(criteria) < TOLERANCE


def test_acf_without_a_root_is_flagged_and_its_draws_counted():
    """ACF timing with little labour persistence: the moments have no root (a valley whose floor is
    about 3.5e-6); the estimate is flagged, and bootstrap draws that do not converge are counted
    and left out of the SEs."""
    df = simulate_panel(labour_timing=0.5, seed=0)
    res = ackerberg_caves_frazer(df, **COLS, bootstrap_reps=12, seed=4)
    assert not res.converged and res.criterion > 1e3 * TOLERANCE
    assert all(not ok for *_x, ok in res.starts_tried)
    assert res.bootstrap_nonconverged > 0
    assert res.bootstrap_reps + res.bootstrap_failures == 12 and len(res.draws) == res.bootstrap_reps
    np.testing.assert_allclose([res.se["l"], res.se["k"]], res.draws.std(axis=0, ddof=1))


# ------------------------------------------------------------------------------------ mechanics


def test_bootstrap_is_deterministic_given_seed():
    df = simulate_panel(n_firms=120, n_years=6, seed=5)
    a = levinsohn_petrin(df, **COLS, bootstrap_reps=5, seed=7)
    b = levinsohn_petrin(df, **COLS, bootstrap_reps=5, seed=7)
    c = levinsohn_petrin(df, **COLS, bootstrap_reps=5, seed=8)
    np.testing.assert_array_equal(a.draws, b.draws)
    assert a.se == b.se and a.coef == b.coef == c.coef
    assert a.se != c.se
    assert DEFAULT_BOOTSTRAP_REPS == 50  # levpet's reps(50)
    assert levinsohn_petrin.__kwdefaults__["bootstrap_reps"] == DEFAULT_BOOTSTRAP_REPS
    assert levinsohn_petrin.__kwdefaults__["second_stage"] == "levpet"


def test_lags_require_consecutive_years_and_missing_rows_are_dropped():
    df = simulate_panel(n_firms=100, n_years=6, seed=6)
    drop = (df.firm % 10 == 0) & (df.year == 2002)  # a gap: 2003 loses its lag for these firms
    df = df[~drop].copy()
    df.loc[df.index[:3], "l"] = np.nan
    res = levinsohn_petrin(df, **COLS, bootstrap_reps=2)
    complete = df.dropna(subset=["y", "l", "k", "m"])
    keys = set(zip(complete.firm, complete.year))
    expected_pairs = sum((f, y - 1) in keys for f, y in keys)
    assert res.n_obs == len(complete)
    assert res.n_obs_stage2 == expected_pairs
    assert res.settings["n_dropped_missing"] == 3
    assert res.log_tfp(df).isna().sum() == 3  # value added: TFP needs y, l, k (not m)


def test_gross_output_levpet_revenue_model_and_acf_restriction():
    df = simulate_panel(n_firms=150, n_years=6, seed=3)
    df["y_go"] = df.y + 0.2 * df.m
    over = levinsohn_petrin(df, **{**COLS, "output": "y_go"}, value_added=False, bootstrap_reps=3)
    just = levinsohn_petrin(df, **{**COLS, "output": "y_go"}, value_added=False, revenue_instruments="just",
                            bootstrap_reps=0)
    assert over.inputs == just.inputs == ("l", "k", "m")
    # over-identified instruments (k_t, k_t-1, m_t-1, m_t-2, l_t-1) need the firm's t-2 as well
    assert over.n_obs_stage2 == 150 * 4 and just.n_obs_stage2 == 150 * 5
    assert just.converged and just.criterion < TOLERANCE  # exactly identified: a root
    assert over.converged and over.bootstrap_reps + over.bootstrap_failures == 3
    np.testing.assert_allclose(
        over.log_tfp(df), df.y_go - over.coef["l"] * df.l - over.coef["k"] * df.k - over.coef["m"] * df.m
    )
    with pytest.raises(NotImplementedError):
        ackerberg_caves_frazer(df, **COLS, value_added=False)
    with pytest.raises(ValueError, match="second_stage"):
        levinsohn_petrin(df, **COLS, second_stage="gmm")


def test_tfp_by_group_estimates_each_group_within_3se():
    """Industry-specific technologies are recovered within 3 SE by LP and ACF; groups below the
    threshold are estimated together as "other" or, if too small even together, left out."""
    truth = {"A": (0.6, 0.3), "B": (0.4, 0.5)}
    parts = []
    for i, (g, (bl, bk)) in enumerate(truth.items()):
        part = simulate_panel(n_firms=300, n_years=6, beta_l=bl, beta_k=bk, adjust=0.8, labour_timing=0.5, seed=11 + i)
        parts.append(part.assign(ind=g, firm=part.firm + 10_000 * i))
    for i, g in enumerate("CD"):
        small = simulate_panel(n_firms=40, n_years=6, adjust=0.8, labour_timing=0.5, seed=13 + i)
        parts.append(small.assign(ind=g, firm=small.firm + 30_000 + 10_000 * i))
    df = pd.concat(parts, ignore_index=True)
    for est in (levinsohn_petrin, ackerberg_caves_frazer):
        g = tfp_by_group(df, "ind", estimator=est, min_obs=400, **COLS, bootstrap_reps=30, seed=2)
        assert set(g.results) == {"A", "B", "other"} and g.members["other"] == ("C", "D")
        for key, (bl, bk) in truth.items():
            r = g.results[key]
            assert r.converged
            assert abs(r.coef["l"] - bl) < 3 * r.se["l"] and abs(r.coef["k"] - bk) < 3 * r.se["k"], (est.__name__, key, r.coef, r.se)
        for key in ("A", "B"):
            mask = (df.ind == key).to_numpy()
            np.testing.assert_allclose(g.ln_tfp[mask], g.results[key].log_tfp(df[mask]))
    g = tfp_by_group(df, "ind", min_obs=500, **COLS, bootstrap_reps=0)
    assert set(g.results) == {"A", "B"} and g.not_estimated == {"C": (240, "fewer than 500 firm-years"),
                                                                 "D": (240, "fewer than 500 firm-years")}
    assert g.ln_tfp[df.ind.isin(["C", "D"]).to_numpy()].isna().all()


def test_duplicate_firm_years_rejected():
    df = simulate_panel(n_firms=20, n_years=4, seed=1)
    with pytest.raises(ValueError, match="duplicate"):
        levinsohn_petrin(pd.concat([df, df.head(1)]), **COLS, bootstrap_reps=2)
