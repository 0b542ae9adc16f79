"""P2 export quality (Ma, Wang & Gong eqs. 10-13; Shi & Shao 2014) on hand-made and simulated frames."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from eq_assets.core.errors import InputDataError
from eq_assets.quality.p2 import (
    estimate_quality_p2,
    firm_quality_p2,
    firm_year_quality,
    loo_price_instrument,
    minmax_standardize,
    qua_price,
    qua_sub,
)


# ---------------------------------------------------------------- simulated CES demand
def simulate_product(
    seed: int = 0,
    *,
    hs6: str = "100001",
    n_firms: int = 250,
    n_dest: int = 8,
    years: tuple[int, ...] = (2010, 2011),
    sigma: float = 4.0,
    b_gdp: float = 0.8,
    rho: float = 0.8,
    n_prov: int = 10,
) -> pd.DataFrame:
    """ln q = chi_dt - sigma ln p + b ln GDP_prov + e, with e = rho * u + noise.

    ln p = 1 + c_it + u_ijt: the firm-year cost c_it is shared by all destinations (instrument
    relevance), the destination price shock u_ijt also moves demand (rho > 0: OLS biased towards
    zero), and other destinations' u are independent of e (instrument validity).
    """
    rng = np.random.default_rng(seed)
    prov = rng.integers(0, n_prov, n_firms)
    ln_gdp = rng.normal(10.0, 0.5, (n_prov, len(years)))
    chi = rng.normal(0.0, 1.0, (n_dest, len(years)))
    rows = []
    for i in range(n_firms):
        c_i = rng.normal(0.0, 0.5)
        for t, y in enumerate(years):
            c_it = c_i + rng.normal(0.0, 0.2)
            dests = rng.choice(n_dest, rng.integers(1, n_dest + 1), replace=False)
            u = rng.normal(0.0, 0.3, len(dests))
            e = rho * u + rng.normal(0.0, 0.5, len(dests))
            lnp = 1.0 + c_it + u
            lnq = 5.0 + chi[dests, t] - sigma * lnp + b_gdp * ln_gdp[prov[i], t] + e
            for d, lp, lq in zip(dests, lnp, lnq):
                rows.append((y, f"f{i}", hs6, f"D{d}", math.exp(lp + lq), math.exp(lq), math.exp(ln_gdp[prov[i], t])))
    return pd.DataFrame(
        rows, columns=["year", "firm_id", "hs6", "dest_code", "value_usd", "quantity", "prov_gdp_real"]
    )


@pytest.fixture(scope="module")
def two_products() -> pd.DataFrame:
    return pd.concat(
        [simulate_product(0, hs6="100001", sigma=4.0), simulate_product(1, hs6="200002", sigma=2.5, n_firms=150)],
        ignore_index=True,
    )


def _pyfixest_design(obs: pd.DataFrame, hs6: str) -> pd.DataFrame:
    d = loo_price_instrument(obs[obs.hs6 == hs6])
    d = d[d.ln_price_loo.notna()].copy()
    d["ln_q"] = np.log(d.quantity)
    d["ln_gdp"] = np.log(d.prov_gdp_real)
    d["cell"] = d.dest_code + "_" + d.year.astype(str)
    d = d[d.groupby("cell").cell.transform("size") > 1]
    return d.reset_index(drop=True)


# ---------------------------------------------------------------- leave-one-out instrument
def _small_obs() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "year": [2010, 2010, 2010, 2010, 2010, 2011, 2010],
            "firm_id": ["f1", "f1", "f1", "f1", "f2", "f1", "f2"],
            "hs6": ["A", "A", "A", "B", "A", "A", "C"],
            "dest_code": ["US", "JP", "DE", "US", "US", "US", "US"],
            "value_usd": [100.0, 300.0, 80.0, 60.0, 90.0, 500.0, 70.0],
            "quantity": [10.0, 20.0, 40.0, 6.0, 9.0, 50.0, 7.0],
        }
    )


def test_loo_instrument_equals_hand_computation_and_is_nan_for_single_destination():
    obs = _small_obs()
    out = loo_price_instrument(obs)
    lp = np.log(obs.value_usd / obs.quantity).to_numpy()
    # f1, A, 2010 sells to US, JP, DE: each gets the mean log price of the other two
    np.testing.assert_allclose(out.ln_price_loo.iloc[0], (lp[1] + lp[2]) / 2, rtol=1e-12)
    np.testing.assert_allclose(out.ln_price_loo.iloc[1], (lp[0] + lp[2]) / 2, rtol=1e-12)
    np.testing.assert_allclose(out.ln_price_loo.iloc[2], (lp[0] + lp[1]) / 2, rtol=1e-12)
    # one destination only (f1-B-2010; f2-A-2010; f1-A-2011 is another year; f2-C): NaN, not 0
    assert out.ln_price_loo.iloc[3:].isna().all()
    assert out.n_other_dest_obs.tolist() == [2, 2, 2, 0, 0, 0, 0]
    np.testing.assert_allclose(out.ln_price, lp, rtol=1e-12)
    assert out.index.equals(obs.index) and len(out) == len(obs)
    # log of the arithmetic mean price instead
    lm = loo_price_instrument(obs, average="log_mean")
    p = np.exp(lp)
    np.testing.assert_allclose(lm.ln_price_loo.iloc[0], np.log((p[1] + p[2]) / 2), rtol=1e-12)


def test_loo_instrument_row_order_preserved_and_bad_input_raises():
    obs = _small_obs().sample(frac=1.0, random_state=3)
    out = loo_price_instrument(obs)
    assert (out.index == obs.index).all()
    assert (out.value_usd.to_numpy() == obs.value_usd.to_numpy()).all()
    bad = _small_obs()
    bad.loc[2, "quantity"] = 0.0
    with pytest.raises(InputDataError, match="quantity"):
        loo_price_instrument(bad)


# ---------------------------------------------------------------- 2SLS estimation
def test_fast_2sls_equals_pyfixest_iv(two_products):
    pf = pytest.importorskip("pyfixest")
    q, products, acc = estimate_quality_p2(two_products)
    for hs6 in ("100001", "200002"):
        d = _pyfixest_design(two_products, hs6)
        fit = pf.feols("ln_q ~ ln_gdp | cell | ln_price ~ ln_price_loo", data=d, vcov="iid")
        row = products.set_index("hs6").loc[hs6]
        assert abs(row.coef_ln_price - fit.coef()["ln_price"]) < 1e-8
        assert abs(row.coef_ln_gdp - fit.coef()["ln_gdp"]) < 1e-8
        assert abs(row.se_ln_price - fit.se()["ln_price"]) < 1e-8
        assert abs(row.se_ln_gdp - fit.se()["ln_gdp"]) < 1e-8
        assert row.n_obs == fit._N
        # residuals: same rows, same order within product
        mine = q[q.hs6 == hs6].merge(d[["firm_id", "dest_code", "year"]].assign(_o=range(len(d))))
        mine = mine.sort_values("_o")
        np.testing.assert_allclose(mine.resid.to_numpy(), np.asarray(fit.resid()), atol=1e-8)
        np.testing.assert_allclose(mine.quality.to_numpy(), np.asarray(fit.resid()) / 2.0, atol=1e-8)


def test_ols_variant_equals_pyfixest_ols(two_products):
    pf = pytest.importorskip("pyfixest")
    obs = two_products[two_products.hs6 == "200002"]
    _, products, acc = estimate_quality_p2(obs, estimator="ols")
    d = obs.assign(ln_q=np.log(obs.quantity), ln_price=np.log(obs.value_usd / obs.quantity),
                   ln_gdp=np.log(obs.prov_gdp_real), cell=obs.dest_code + "_" + obs.year.astype(str))
    d = d[d.groupby("cell").cell.transform("size") > 1]
    fit = pf.feols("ln_q ~ ln_price + ln_gdp | cell", data=d, vcov="iid")
    assert abs(products.coef_ln_price.iloc[0] - fit.coef()["ln_price"]) < 1e-8
    assert abs(products.se_ln_price.iloc[0] - fit.se()["ln_price"]) < 1e-8
    assert "no_instrument_single_destination" not in acc.dropped  # OLS needs no instrument


def test_2sls_recovers_known_price_elasticity_and_ols_is_biased():
    sigma = 4.0
    obs = simulate_product(7, sigma=sigma, n_firms=300)
    _, iv, _ = estimate_quality_p2(obs)
    _, ols, _ = estimate_quality_p2(obs, estimator="ols")
    b, se = iv.coef_ln_price.iloc[0], iv.se_ln_price.iloc[0]
    assert abs(b - (-sigma)) < 3 * se, (b, se)
    assert abs(iv.coef_ln_gdp.iloc[0] - 0.8) < 0.15
    assert iv.first_stage_f.iloc[0] > 100
    # the demand shock loads on the own price (rho > 0): OLS is biased towards zero
    bo, seo = ols.coef_ln_price.iloc[0], ols.se_ln_price.iloc[0]
    assert bo > -sigma + 3 * seo


def test_drops_are_counted_and_account_balances(two_products):
    obs = two_products.copy()
    obs.loc[obs.index[:5], "prov_gdp_real"] = np.nan
    n_single = int(loo_price_instrument(obs).ln_price_loo.isna().sum())
    q, products, acc = estimate_quality_p2(obs)
    assert acc.dropped["missing_prov_gdp"] == 5
    # GDP is missing for whole rows only; single-destination rows among the other ones
    lo = loo_price_instrument(obs)
    assert acc.dropped["no_instrument_single_destination"] == int((lo.ln_price_loo.isna() & obs.prov_gdp_real.notna()).sum())
    assert n_single > 0
    assert acc.balanced and acc.rows_out == len(q)
    assert q.ln_price_loo.notna().all() and (q.estimated_on == "estimation_sample").all()
    assert {"quality", "resid", "cell_size", "ln_q", "ln_price"} <= set(q.columns)
    assert (q.cell_size >= 2).all()


def test_predict_mode_keeps_single_destination_rows_with_same_coefficients(two_products):
    obs = two_products[two_products.hs6 == "100001"]
    q_drop, p_drop, _ = estimate_quality_p2(obs)
    q_pred, p_pred, acc = estimate_quality_p2(obs, missing_instrument="predict")
    np.testing.assert_allclose(p_pred.coef_ln_price, p_drop.coef_ln_price, rtol=1e-12)
    assert acc.balanced and "no_instrument_single_destination" not in acc.dropped
    assert len(q_pred) > len(q_drop)
    key = ["firm_id", "dest_code", "year"]
    m = q_drop[key + ["resid"]].merge(q_pred[key + ["resid", "estimated_on"]], on=key, suffixes=("_d", "_p"))
    assert len(m) == len(q_drop) and (m.estimated_on == "estimation_sample").all()
    np.testing.assert_allclose(m.resid_d, m.resid_p, atol=1e-10)
    # a predicted row: e = ln q - b ln p - c ln gdp - mean over the cell's instrumented rows
    b, c = p_pred.coef_ln_price.iloc[0], p_pred.coef_ln_gdp.iloc[0]
    qp = q_pred.assign(u=q_pred.ln_q - b * q_pred.ln_price - c * q_pred.ln_gdp)
    r = qp[qp.estimated_on == "predicted"].iloc[0]
    cell = qp[(qp.dest_code == r.dest_code) & (qp.year == r.year) & (qp.estimated_on == "estimation_sample")]
    assert abs(r.resid - (r.u - cell.u.mean())) < 1e-10


def test_singletons_collinear_gdp_and_unidentified_products():
    # product P: 2 cells x 3 firms each with two destinations -> identified; GDP constant across
    # firms within each cell -> omitted (collinear with the destination x year dummies)
    rows = []
    prices = {("a", "US"): 2.0, ("a", "JP"): 3.0, ("b", "US"): 5.0, ("b", "JP"): 4.0, ("c", "US"): 7.0, ("c", "JP"): 6.5}
    qty = {("a", "US"): 30.0, ("a", "JP"): 11.0, ("b", "US"): 8.0, ("b", "JP"): 15.0, ("c", "US"): 4.0, ("c", "JP"): 5.0}
    for (f, d), p in prices.items():
        rows.append((2010, f, "P", d, p * qty[(f, d)], qty[(f, d)], 100.0))
    # product S: one observation in its own cell with a second destination -> singletons
    rows += [(2010, "a", "S", "US", 50.0, 5.0, 100.0), (2010, "a", "S", "DE", 80.0, 4.0, 100.0)]
    # product N: firms a and b both sell to US (one cell of 2) and each to one other destination
    # (JP, DE: singleton cells, dropped) -> n=2, cells=1, k=1 (GDP omitted) -> dof 0
    rows += [(2010, "a", "N", "US", 20.0, 2.0, 100.0), (2010, "a", "N", "JP", 30.0, 2.0, 100.0),
             (2010, "b", "N", "US", 12.0, 3.0, 100.0), (2010, "b", "N", "DE", 10.0, 4.0, 100.0)]
    obs = pd.DataFrame(rows, columns=["year", "firm_id", "hs6", "dest_code", "value_usd", "quantity", "prov_gdp_real"])
    q, products, acc = estimate_quality_p2(obs)
    prod = products.set_index("hs6")
    assert bool(prod.loc["P", "gdp_omitted"]) and prod.loc["P", "status"] == "ok"
    # hand: within-cell demeaning, just-identified IV b = z'y / z'p
    d = loo_price_instrument(obs[obs.hs6 == "P"])
    d["ln_q"] = np.log(d.quantity)
    dm = d.groupby("dest_code")[["ln_q", "ln_price", "ln_price_loo"]].transform(lambda s: s - s.mean())
    b = (dm.ln_price_loo * dm.ln_q).sum() / (dm.ln_price_loo * dm.ln_price).sum()
    assert abs(prod.loc["P", "coef_ln_price"] - b) < 1e-12
    # S: the two observations are in different cells -> singletons, dropped, never estimated
    assert acc.dropped["singleton_cell"] == 2 + 2  # S (2 rows), N's JP and DE rows
    # N after the singleton drop: 2 rows in one cell, 1 regressor -> dof 0 -> not identified
    assert prod.loc["N", "dof"] == 0
    assert prod.loc["N", "status"] == "insufficient_dof"
    assert acc.dropped["product_not_identified"] == 2
    assert set(q.hs6) == {"P"} and acc.balanced
    # keep singletons: their quality is exactly zero
    q2, _, acc2 = estimate_quality_p2(obs[obs.hs6 != "N"], singletons="keep")
    assert (q2[q2.hs6 == "S"].quality.abs() < 1e-12).all() and "singleton_cell" not in acc2.dropped


def test_bad_parameters_raise(two_products):
    with pytest.raises(ValueError, match="sigma must exceed 1"):
        estimate_quality_p2(two_products, sigma=1.0)
    with pytest.raises(ValueError, match="estimator"):
        estimate_quality_p2(two_products, estimator="gmm")
    with pytest.raises(InputDataError, match="prov_gdp_real"):
        estimate_quality_p2(two_products.drop(columns="prov_gdp_real"))


# ---------------------------------------------------------------- standardization and aggregation
def test_minmax_within_product_bounds_and_degenerate():
    q = pd.DataFrame(
        {
            "hs6": ["A", "A", "A", "B", "B", "C", "D"],
            "quality": [-1.0, 0.5, 2.0, 3.0, 7.0, 4.0, np.nan],
        }
    )
    out, acc = minmax_standardize(q)
    np.testing.assert_allclose(out.rquality, [0.0, 0.5, 1.0, 0.0, 1.0])
    assert acc.dropped == {"missing_quality": 1, "degenerate_range": 1} and acc.balanced
    kept, acc2 = minmax_standardize(q, degenerate="nan")
    assert kept.rquality.isna().sum() == 1 and len(kept) == 6 and acc2.dropped == {"missing_quality": 0 + 1}


def test_minmax_bounds_on_simulated_quality(two_products):
    q, _, _ = estimate_quality_p2(two_products)
    rq, acc = minmax_standardize(q)
    assert rq.rquality.between(0.0, 1.0).all()
    g = rq.groupby("hs6").rquality
    assert (g.min() == 0.0).all() and (g.max() == 1.0).all()
    # standardization is across years: a year-by-year run would give different numbers
    assert rq.groupby(["hs6", "year"]).rquality.max().lt(1.0).any()


def test_firm_year_quality_by_hand():
    rq = pd.DataFrame(
        {
            "firm_id": ["f1", "f1", "f1", "f2", "f2", "f1"],
            "year": [2010, 2010, 2010, 2010, 2010, 2011],
            "value_usd": [100.0, 300.0, 600.0, 50.0, 50.0, 10.0],
            "rquality": [0.2, 0.5, 1.0, 0.0, np.nan, 0.7],
        }
    )
    fy, acc = firm_year_quality(rq)
    fy = fy.set_index(["firm_id", "year"])
    assert abs(fy.loc[("f1", 2010), "qua"] - (0.1 * 0.2 + 0.3 * 0.5 + 0.6 * 1.0)) < 1e-12
    assert abs(fy.loc[("f2", 2010), "qua"] - 0.0) < 1e-12  # NaN row dropped, weights renormalized
    assert abs(fy.loc[("f1", 2011), "qua"] - 0.7) < 1e-12
    assert fy.loc[("f1", 2010), "n_obs"] == 3
    assert acc.dropped == {"missing_rquality": 1, "nonpositive_value": 0, "merged_into_firm_years": 2}
    assert acc.balanced


def test_firm_quality_invariant_to_sigma(two_products):
    """residual / (sigma - 1) is affine with positive slope: min-max removes sigma (P2 eq. 12)."""
    res = {s: firm_quality_p2(two_products, sigma=s) for s in (3.0, 5.0, 10.0)}
    q3, _, _ = estimate_quality_p2(two_products, sigma=3.0)
    q10, _, _ = estimate_quality_p2(two_products, sigma=10.0)
    np.testing.assert_allclose(q3.resid, q10.resid, atol=1e-12)  # estimation does not use sigma
    np.testing.assert_allclose(q3.quality * 2.0, q10.quality * 9.0, atol=1e-12)
    assert not np.allclose(q3.quality, q10.quality)
    base = res[3.0][0]
    assert len(base) > 100 and base.qua.between(0, 1).all()
    for s in (5.0, 10.0):
        fy = res[s][0]
        assert fy[["firm_id", "year"]].equals(base[["firm_id", "year"]])
        np.testing.assert_allclose(fy.qua.to_numpy(), base.qua.to_numpy(), rtol=0, atol=1e-12)
    fy, products, acc = res[3.0]
    assert acc.balanced and acc.rows_in == len(two_products) and acc.rows_out == len(fy)


# ---------------------------------------------------------------- robustness measures (Table 4)
def test_qua_price_by_hand():
    obs = pd.DataFrame(
        {
            "year": [2010, 2010, 2011, 2010],
            "firm_id": ["f1", "f1", "f2", "f2"],
            "hs6": ["A", "B", "A", "B"],
            "dest_code": ["US"] * 4,
            "value_usd": [100.0, 300.0, 400.0, 100.0],
            "quantity": [10.0, 10.0, 10.0, 20.0],
        }
    )
    # default (P2 Table 4 col. 1, 0.489): value-weighted mean ln unit value, not standardized
    fy, acc = qua_price(obs)
    f1 = fy[(fy.firm_id == "f1") & (fy.year == 2010)].qua_price.item()
    assert f1 == pytest.approx(0.25 * math.log(10.0) + 0.75 * math.log(30.0), abs=1e-12)
    assert fy[(fy.firm_id == "f2") & (fy.year == 2011)].qua_price.item() == pytest.approx(math.log(40.0))
    assert acc.balanced and acc.dropped["merged_into_firm_years"] == 1 and acc.rows_out == 3
    lvl, _ = qua_price(obs, log=False)  # the level unit value, value weighted
    assert lvl[(lvl.firm_id == "f1")].qua_price.item() == pytest.approx(0.25 * 10.0 + 0.75 * 30.0)
    # standardize=True: P2 eq. 12 applied to ln unit values first
    fy, acc = qua_price(obs, standardize=True)
    # A: ln 10 (min) and ln 40 (max); B: ln 30 (max) and ln 5 (min)
    f1 = fy[(fy.firm_id == "f1") & (fy.year == 2010)].qua_price.item()
    assert abs(f1 - (0.25 * 0.0 + 0.75 * 1.0)) < 1e-12
    assert fy[(fy.firm_id == "f2") & (fy.year == 2011)].qua_price.item() == 1.0
    assert fy[(fy.firm_id == "f2") & (fy.year == 2010)].qua_price.item() == 0.0
    assert acc.balanced
    lvl, _ = qua_price(obs.assign(quantity=[10.0, 10.0, 10.0, 20.0]), log=False, standardize=True)
    assert lvl.qua_price.between(0, 1).all()


def test_qua_sub_is_ols_variant_using_all_observations(two_products):
    fy, products, acc = qua_sub(two_products)
    assert (products.estimator == "ols").all()
    assert "no_instrument_single_destination" not in acc.dropped
    assert acc.balanced and fy.qua_sub.between(0, 1).all()
    base, _, _ = firm_quality_p2(two_products)
    # more firm-years (single-destination observations enter), different numbers
    assert len(fy) >= len(base)


def test_pooled_grouping_equals_pyfixest_with_product_cells(two_products):
    pf = pytest.importorskip("pyfixest")
    _, products, acc = estimate_quality_p2(two_products, group_by=None, fe=("hs6", "dest_code", "year"))
    assert len(products) == 1 and acc.balanced
    d = pd.concat([_pyfixest_design(two_products, h) for h in ("100001", "200002")], ignore_index=True)
    d["cell"] = d.hs6 + "_" + d.cell
    fit = pf.feols("ln_q ~ ln_gdp | cell | ln_price ~ ln_price_loo", data=d, vcov="iid")
    assert abs(products.coef_ln_price.iloc[0] - fit.coef()["ln_price"]) < 1e-8
    assert products.n_obs.iloc[0] == fit._N


def test_product_without_instrument_variation_is_dropped_and_counted():
    # firms a and b charge identical prices: within destination x year cells neither the price nor
    # the leave-one-out price varies, so the price coefficient is not identified (dof = 4-2-1 = 1)
    obs = pd.DataFrame(
        {
            "year": [2010] * 4,
            "firm_id": ["a", "a", "b", "b"],
            "hs6": ["X"] * 4,
            "dest_code": ["US", "JP", "US", "JP"],
            "value_usd": [100.0, 90.0, 200.0, 270.0],
            "quantity": [10.0, 10.0, 20.0, 30.0],
            "prov_gdp_real": [50.0] * 4,
        }
    )
    q, products, acc = estimate_quality_p2(obs)
    assert products.status.tolist() == ["instrument_without_variation"] and products.dof.tolist() == [1]
    assert len(q) == 0 and acc.dropped["product_not_identified"] == 4 and acc.balanced
