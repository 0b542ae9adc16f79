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
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eq_assets.mechanisms import (
    DEFAULT_BOOTSTRAP_REPS,
    ackerberg_caves_frazer,
    levinsohn_petrin,
    lp_first_stage,
    polynomial_features,
    tfp_by_group,
)

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
    return simulate_panel(labour_timing=0.5, seed=0)


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
    assert res.method == "LP" and res.inputs == ("l", "k")
    assert res.bootstrap_reps == 30 and res.bootstrap_failures == 0
    assert res.n_obs == 4000 and res.n_obs_stage2 == 3600 and res.n_firms == 400
    _check_recovery(res, panel_lp)


def test_ackerberg_caves_frazer_recovers_truth(panel_acf):
    res = ackerberg_caves_frazer(panel_acf, **COLS, bootstrap_reps=30, seed=1)
    assert res.method == "ACF" and res.inputs == ("l", "k")
    assert res.bootstrap_failures == 0
    _check_recovery(res, panel_acf)


def test_lp_also_fine_under_acf_timing(panel_acf):
    res = levinsohn_petrin(panel_acf, **COLS, bootstrap_reps=20, seed=2)
    _check_recovery(res, panel_acf)


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


def test_gross_output_path_and_acf_restriction():
    df = simulate_panel(n_firms=150, n_years=6, seed=3)
    df["y_go"] = df.y + 0.2 * df.m
    res = levinsohn_petrin(df, **{**COLS, "output": "y_go"}, value_added=False, bootstrap_reps=2)
    assert res.inputs == ("l", "k", "m")
    np.testing.assert_allclose(
        res.log_tfp(df), df.y_go - res.coef["l"] * df.l - res.coef["k"] * df.k - res.coef["m"] * df.m
    )
    with pytest.raises(NotImplementedError):
        ackerberg_caves_frazer(df, **COLS, value_added=False)


def test_tfp_by_group_estimates_each_group():
    a = simulate_panel(n_firms=200, n_years=6, beta_l=0.6, beta_k=0.3, seed=11).assign(ind="A")
    b = simulate_panel(n_firms=200, n_years=6, beta_l=0.4, beta_k=0.5, seed=12).assign(ind="B")
    b["firm"] += 10_000
    tiny = a.head(10).assign(ind="C", firm=a.head(10).firm + 20_000)
    df = pd.concat([a, b, tiny], ignore_index=True)
    tfp, results = tfp_by_group(df, "ind", **COLS, bootstrap_reps=2)
    assert set(results) == {"A", "B"}
    assert results["A"].coef["l"] == pytest.approx(0.6, abs=0.02)
    assert results["B"].coef["l"] == pytest.approx(0.4, abs=0.02)
    assert results["A"].coef["k"] == pytest.approx(0.3, abs=0.1)
    assert results["B"].coef["k"] == pytest.approx(0.5, abs=0.1)
    assert tfp.index.equals(df.index) and tfp[df.ind == "C"].isna().all()
    for key, mask in (("A", df.ind == "A"), ("B", df.ind == "B")):
        np.testing.assert_allclose(tfp[mask], results[key].log_tfp(df[mask]))


def test_duplicate_firm_years_rejected():
    df = simulate_panel(n_firms=20, n_years=4, seed=1)
    with pytest.raises(ValueError, match="duplicate"):
        levinsohn_petrin(pd.concat([df, df.head(1)]), **COLS, bootstrap_reps=2)
