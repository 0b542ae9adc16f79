"""P2 variables on hand-made frames: controls, SA index, ownership, exit rate, changers, first
differences, interactions, samples, city-year variables, instruments, quality steps, Table 1."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from eq_assets.instruments.p2 import p2_instruments
from eq_assets.panels.p2 import (
    add_interactions,
    balanced_flag,
    capital_intensive_industries,
    changers,
    exit_rate,
    firm_year_p2,
    first_differences,
    ownership_dummies,
    p2_panel,
    sa_index,
    safe_log,
    top_share,
)
from eq_assets.panels.p2_city import city_year_p2, egov_policy_dummy
from eq_assets.quality.p2 import estimate_quality_p2
from eq_assets.quality.p2_steps import p2_estimate_quality, p2_firm_year, p2_observations
from eq_assets.regressions.samples import get_sample
from eq_assets.regressions.specs_p2 import P2_SPEC_COLUMNS, P2_SPECS
from eq_assets.reports.descriptive import describe, render_latex, render_markdown


def _firms() -> pd.DataFrame:
    # A: 2009-2012 in city 1101 (moves to 1102 in 2012), B: 2009-2010 (exits in 2011), C: 2010-2012
    rows = [
        ("A", 2009, "1101", "1711"), ("A", 2010, "1101", "1711"), ("A", 2011, "1101", "1711"), ("A", 2012, "1102", "1711"),
        ("B", 2009, "1101", "1712"), ("B", 2010, "1101", "1712"),
        ("C", 2010, "1101", "3311"), ("C", 2011, "1101", "3312"), ("C", 2012, "1101", "3312"),
    ]
    f = pd.DataFrame(rows, columns=["legal_code", "year", "city", "cic"])
    f["province"] = f["city"].str[:2]
    f["industry"] = f["cic"]
    f["reg_type"] = f["legal_code"].map({"A": "173", "B": "110", "C": "310"})
    f["open_year"] = 2000
    f["employees"] = 10.0
    f["total_assets"] = [1000.0, 2000.0, 4000.0, 8000.0, 500.0, 500.0, 3000.0, 0.0, 3000.0]
    f["fixed_assets"] = [100.0, 100, 100, 100, 50, 50, 3000, 3000, 3000]
    f["wage_bill"] = [200.0, 200, 200, 200, 100, 100, 300, 300, 0]
    f["revenue"] = [5000.0] * 9
    f["export_delivery"] = [100.0, 100, 100, 100, 0, 0, 10, 10, 10]
    return f


def test_safe_log_and_sa_index_by_hand():
    assert np.isnan(safe_log([0.0, -1.0, np.nan])).all()
    assert safe_log([math.e])[0] == pytest.approx(1.0)
    # 5000 thousand yuan = 5 million yuan; age 10
    size = math.log(5.0)
    assert sa_index([5000.0], [10])[0] == pytest.approx(-0.737 * size + 0.043 * size**2 - 0.040 * 10)
    assert sa_index([5000.0], [10], asset_divisor=1.0)[0] == pytest.approx(
        -0.737 * math.log(5000) + 0.043 * math.log(5000) ** 2 - 0.4)
    assert np.isnan(sa_index([0.0], [3])[0]) and np.isnan(sa_index([10.0], [np.nan])[0])


def test_ownership_dummies():
    d = ownership_dummies(pd.Series(["110", "151", "173", "171", "230", "310", "159", None]))
    assert d["soe"].tolist()[:7] == [1, 1, 0, 0, 0, 0, 0]
    assert d["private"].tolist()[:7] == [0, 0, 1, 1, 0, 0, 0]
    assert d["foreign"].tolist()[:7] == [0, 0, 0, 0, 1, 1, 0]
    assert d.iloc[7].isna().all()
    # joint ventures: 141 国有联营 and 143 国有与集体联营 are state-owned, 142 集体联营 (collective) is not
    j = ownership_dummies(pd.Series(["141", "142", "143", "120"]))
    assert j["soe"].tolist() == [1, 0, 1, 0]
    assert ownership_dummies(pd.Series(["142"]), soe_types=("142",))["soe"].tolist() == [1]


def test_exit_rate_by_hand():
    ex = exit_rate(_firms(), industry_digits=2)
    # 2010: of the 2009 firms in (1101, 17) = {A, B}, none is absent in 2010 -> 0
    # 2011: of the 2010 firms in (1101, 17) = {A, B}, B is absent -> 0.5; (1101, 33) = {C} -> 0
    # 2009 has no 2008 survey -> no row; 2012: 2011 firms (1101,17)={A} present -> 0
    got = {(r.year, r.city, r.exit_industry): r.exit for r in ex.itertuples()}
    assert got[(2010, "1101", "17")] == 0.0
    assert got[(2011, "1101", "17")] == 0.5
    assert got[(2011, "1101", "33")] == 0.0
    assert got[(2012, "1101", "17")] == 0.0
    assert not any(k[0] == 2009 for k in got)
    assert ex.loc[(ex.year == 2011) & (ex.exit_industry == "17"), "n_firms_prev"].item() == 2


def test_changers_and_capital_intensity():
    ch = changers(_firms()).set_index("legal_code")
    assert ch.loc["A", "city_changer"] == 1 and ch.loc["A", "industry_changer"] == 0
    assert ch.loc["C", "city_changer"] == 0 and ch.loc["C", "industry_changer"] == 1
    assert ch.loc["B", "city_changer"] == 0  # only 2010 inside 2010-2012
    f = _firms()
    f.loc[f.cic == "1712", "fixed_assets"] = 1e6  # a labour-intensive division with a high K/L
    ci = capital_intensive_industries(f).set_index("cic")  # by division: 17 labour, 33 capital
    assert ci["capital_intensive"].to_dict() == {"1711": 0.0, "1712": 0.0, "3311": 1.0, "3312": 1.0}
    # by median ln(K/L): 1711 ln 10, 1712 ln 1e5, 3311 ln 300, 3312 ln 300 -> cut = ln 300
    kl = capital_intensive_industries(f, rule="median_kl").set_index("cic")
    assert kl["capital_intensive"].to_dict() == {"1711": 0.0, "1712": 1.0, "3311": 0.0, "3312": 0.0}


def test_firm_year_p2_controls_by_hand():
    f = _firms()
    tariffs = pd.DataFrame({"cic": ["1711"] * 3, "year": [2010, 2011, 2012], "input_tariff": [5.0, 4.0, 3.0]})
    ind = pd.DataFrame({"cic": ["1711", "1712", "3311", "3312"], "gvc_upstreamness": [1.0, 2.0, 3.0, 4.0],
                        "high_tech": [0, 0, 1, 1], "energy_raw": [0, 1, 0, 0]})
    pat = pd.DataFrame({"year": [2011], "legal_code": ["A"], "n_patents": [3]})
    out, acc = firm_year_p2(f, tariffs=tariffs, industry=ind, patents=pat)
    assert acc.balanced and acc.dropped == {"outside_p2_years": 2} and len(out) == 7
    a11 = out[(out.legal_code == "A") & (out.year == 2011)].iloc[0]
    assert a11.Con_wag == pytest.approx(math.log(20.0))
    assert a11.Con_inc == pytest.approx(math.log(5000.0))
    assert a11.Con_exp == pytest.approx(math.log(100.0))
    assert a11.Con_age == pytest.approx(math.log(12.0))
    assert a11.Con_asset == pytest.approx(math.log(4000.0)) and a11.ln_assets == a11.Con_asset
    assert a11.SA == pytest.approx(sa_index([4000.0], [12])[0])
    assert a11.Con_tariff == 4.0 and a11.private == 1 and a11.soe == 0
    assert a11.innov_patents == pytest.approx(math.log(4.0)) and a11.exit == 0.5
    b10 = out[(out.legal_code == "B") & (out.year == 2010)].iloc[0]
    assert np.isnan(b10.Con_exp) and b10.soe == 1 and np.isnan(b10.Con_tariff) and b10.innov_patents == 0
    c11 = out[(out.legal_code == "C") & (out.year == 2011)].iloc[0]
    assert np.isnan(c11.Con_asset) and np.isnan(c11.SA) and c11.foreign == 1
    # P2 Table 8 col. 1: ind_type = labour-intensive (division 17) = 1 - capital-intensive (33)
    assert a11.ind_type == 1 and a11.capital_intensive == 0
    assert c11.ind_type == 0 and c11.capital_intensive == 1
    assert a11.gvc_upstreamness == 1.0 and c11.gvc_upstreamness == 4.0 and "gvc_top" not in out.columns


def test_first_differences_only_consecutive_years():
    p = pd.DataFrame({"firm_id": ["a", "a", "a", "b", "b"], "year": [2012, 2010, 2011, 2010, 2012],
                      "qua": [0.9, 0.5, 0.6, 0.3, 0.4]})
    d = first_differences(p, ["qua"])
    assert list(d.index) == list(p.index)  # order kept
    assert d["D_qua"].iloc[0] == pytest.approx(0.3) and np.isnan(d["D_qua"].iloc[1])
    assert d["D_qua"].iloc[2] == pytest.approx(0.1)
    assert np.isnan(d["D_qua"].iloc[3]) and np.isnan(d["D_qua"].iloc[4])  # gap 2010 -> 2012


def test_interactions_and_balanced_flag():
    p = pd.DataFrame({"firm_id": ["a", "a", "a", "b", "b"], "year": [2010, 2011, 2012, 2010, 2012],
                      "egscore": [0.5, 0.6, np.nan, 0.2, 0.4], "coastal": [1.0, 1.0, 1.0, 0.0, 0.0]})
    d = add_interactions(p, ["coastal"])
    assert d["egscore_coastal"].tolist()[:2] == [0.5, 0.6] and np.isnan(d["egscore_coastal"].iloc[2])
    assert d["egscore_coastal"].iloc[3] == 0.0
    assert balanced_flag(p).tolist() == [1, 1, 1, 0, 0]
    # with require="qua": a firm-year without quality does not count
    q = p.assign(qua=[0.1, np.nan, 0.3, 0.2, 0.4])
    assert balanced_flag(q, require="qua").tolist() == [0, 0, 0, 0, 0]
    assert balanced_flag(q.assign(qua=0.5), require="qua").tolist() == [1, 1, 1, 0, 0]


def test_named_samples():
    d = pd.DataFrame({"east": [1, 0, np.nan], "city_changer": [0, 1, np.nan], "balanced": [1, 0, 1],
                      "egscore_size5": [1.0, np.nan, 1.0], "egscore_size7": [1.0, 1.0, 1.0],
                      "egscore_size10": [1.0, 1.0, 1.0]})
    assert get_sample("east").mask(d).tolist() == [True, False, False]
    assert get_sample("no_city_change").mask(d).tolist() == [True, False, False]
    assert get_sample("balanced").mask(d).tolist() == [True, False, True]
    assert get_sample("neighbour_iv").mask(d).tolist() == [True, False, True]


def test_specs_read_only_panel_columns():
    from eq_assets.panels.schemas_p2 import P2Panel

    cols = set(P2Panel.to_schema().columns)
    assert set(P2_SPEC_COLUMNS) <= cols
    tables = sorted({s.table for s in P2_SPECS}, key=int)
    assert tables == [str(t) for t in range(2, 11)]
    iv = [s for s in P2_SPECS if s.estimator == "iv" and not s.variant]
    assert [s.instruments[0] for s in iv] == ["egscore_size5", "egscore_size7", "egscore_size10", "IV_int", "IV_gov"]


def test_p2_readings_firm_clusters_singletons_kept_and_variants():
    """Issue 11: firm clusters and singletons kept in every published column; each has a city-clustered
    twin (variant city_cluster) with the same model; the named reading variants differ as documented."""
    pub = [s for s in P2_SPECS if not s.variant]
    assert pub and all(s.vcov == (("CRV1", "firm_id"),) and s.fixef_rm == "none" for s in pub)
    city = {(s.table, s.column): s for s in P2_SPECS if s.variant == "city_cluster"}
    assert set(city) == {(s.table, s.column) for s in pub}
    for s in pub:
        c = city[(s.table, s.column)]
        assert c.vcov == (("CRV1", "city"),) and c.formula == s.formula and c.sample == s.sample
    by = {(s.table, s.column, s.variant): s for s in P2_SPECS}
    fd = by[("4", "3", "")]
    assert fd.fixed_effects == ("year",) and fd.regressors == ("D_egscore",)
    assert fd.controls == ("D_Con_wag", "D_Con_inc", "D_Con_exp", "D_Con_gdp", "D_Con_num", "D_Con_inf")
    assert by[("4", "3", "fd_firm_trends")].fixed_effects == ("firm_id", "year")
    assert by[("4", "3", "fd_firm_trends")].controls[0] == "Con_wag"
    assert by[("4", "1", "")].depvar == "qua_price" and by[("4", "1", "price_minmax")].depvar == "qua_price_minmax"
    assert by[("7", "3", "")].regressors == ("egscore", "egscore_egov_policy")
    assert by[("7", "3", "smart_city_pilot")].regressors == ("egscore", "egscore_smart_city")
    assert by[("8", "1", "")].regressors == ("egscore", "egscore_ind_type")
    assert by[("8", "1", "capital_coded")].regressors == ("egscore", "egscore_capital_intensive")
    assert by[("9", "4", "gvc_industry")].regressors == ("egscore", "egscore_gvc_top_industry")
    assert by[("10", "4", "")].regressors == ("egscore", "innov", "egscore_innov")
    assert by[("10", "4", "innov_firm_patents")].regressors == ("egscore", "innov_patents", "egscore_innov_patents")


def _city_inputs():
    cp = pd.DataFrame({
        "city_code": ["1101", "1301", "1302", "1303", "1304"] * 2,
        "province_code": ["11", "13", "13", "13", "13"] * 2,
        "year": [2010] * 5 + [2011] * 5,
        "gdp": [100.0, 50, 40, 20, 10] * 2, "gdp_pc": [math.e] * 10, "population": [1.0] * 10,
        "n_industrial_firms": [100.0] * 10, "fdi": [0.0] * 10, "college_students": [1.0] * 10,
    })
    ca = pd.DataFrame({"city_code": ["1101", "1301", "1302", "1303", "1304"], "region": ["东部"] * 4 + ["中部"],
                       "coastal": [1, 1, 0, 0, 0], "provincial_capital": [0, 1, 0, 0, 0], "municipality": [1, 0, 0, 0, 0],
                       "smart_city_year": [2013, None, 2013, None, None], "terrain_ruggedness": [1.0, 2.0, 3.0, 4.0, 5.0]})
    pp = pd.DataFrame({"province_code": ["11", "13", "11", "13"], "year": [2010, 2010, 2011, 2011],
                       "real_gdp": [1.0] * 4, "broadband_users": [10.0, 30.0, 20.0, 40.0],
                       "domain_count": [math.e, math.e**2, math.e, math.e**2], "ftz": [0, 0, 0, 0]})
    eg = pd.DataFrame({"city_code": ["1101", "1301", "1302", "1303", "1304"] * 2, "year": [2010] * 5 + [2011] * 5,
                       "egscore": [0.9, 0.8, 0.2, 0.4, 0.6] * 2})
    for s in ("idf", "enp", "tax", "int", "emp", "doc", "tra"):
        eg[f"egscore_{s}"] = eg["egscore"]
    wr = pd.DataFrame({"city_code": ["1302"], "year": [2010], "digital_word_freq": [8.75]})
    return cp, ca, pp, eg, wr


def test_egov_policy_dummy_and_top_share_by_hand():
    """P2 Table 7 col. 3: cities with a local e-government policy in 2010-2012; P2 Table 9 col. 4's
    top decile."""
    pol = pd.DataFrame({"city_code": ["1101", "1101", "1302", "1303"], "year": [2008, 2011, 2009, 2013],
                        "n_policies": [1, 2, 1, 1]})
    cities = pd.Series(["1101", "1302", "1303", "1304"])
    assert egov_policy_dummy(cities, pol).tolist() == [1.0, 0.0, 0.0, 0.0]  # 1302 only 2009, 1303 only 2013
    assert egov_policy_dummy(cities, pol, window=(2009, 2013)).tolist() == [1.0, 1.0, 1.0, 0.0]
    # top_share: the 0.9 quantile of 1..10 is 9.1 -> only 10 is in the top; NaN stays NaN
    x = pd.Series([*range(1, 11), np.nan], dtype=float)
    t = top_share(x, 0.9)
    assert t[:10].tolist() == [0.0] * 9 + [1.0] and np.isnan(t[10])
    assert top_share(x, 0.5)[:10].tolist() == [0.0] * 5 + [1.0] * 5  # median 5.5


def test_city_year_variables():
    cp, ca, pp, eg, _ = _city_inputs()
    pol = pd.DataFrame({"city_code": ["1302"], "year": [2012], "n_policies": [1]})
    inn = pd.DataFrame({"city_code": ["1302", "1303"], "year": [2010, 2011], "patent_score": [40.0, 55.5]})
    out, acc = city_year_p2(eg, cp, ca, pp, pol, inn)
    r0 = city_year_p2(eg, cp, ca, pp)[0]
    assert r0["egov_policy"].isna().all() and r0["innov"].isna().all()  # sources not given: missing
    assert acc.balanced and len(out) == 10
    r = out.set_index(["city_code", "year"])
    assert r.loc[("1101", 2010), "east"] == 1 and r.loc[("1304", 2010), "east"] == 0
    assert r.loc[("1302", 2010), "smart_city"] == 1 and r.loc[("1303", 2010), "smart_city"] == 0
    assert r.loc[("1301", 2010), "Con_gdp"] == pytest.approx(1.0) and np.isnan(r.loc[("1301", 2010), "fdi"])
    # mean broadband over the 4 province-years = 25: 11/2010 (10), 11/2011 (20) below, 13 above
    assert r.loc[("1101", 2010), "infra"] == 0 and r.loc[("1302", 2011), "infra"] == 1
    assert r.loc[("1302", 2011), "Con_inf"] == pytest.approx(math.log(40.0))
    assert bool(r.loc[("1301", 2010), "is_capital"]) and bool(r.loc[("1101", 2010), "is_municipality"])
    # egov_policy: 1302's 2012 policy marks the city in every year; innov = the score, missing elsewhere
    assert r.loc[("1302", 2010), "egov_policy"] == 1 and r.loc[("1302", 2011), "egov_policy"] == 1
    assert r.loc[("1303", 2010), "egov_policy"] == 0
    assert r.loc[("1302", 2010), "innov"] == 40.0 and r.loc[("1303", 2011), "innov"] == 55.5
    assert np.isnan(r.loc[("1302", 2011), "innov"])


def test_p2_instruments_by_hand():
    cp, ca, pp, eg, wr = _city_inputs()
    out, acc, md = p2_instruments(eg, cp, ca, pp, wr, ks=(1, 2))
    r = out.set_index(["city_code", "year"])
    # province 13 without the capital 1301: 1302 (gdp 40), 1303 (20), 1304 (10)
    # 1302's closest: 1303 (0.4) then 1304 (0.6)
    assert r.loc[("1302", 2010), "egscore_size1"] == pytest.approx(math.log(0.4))
    assert r.loc[("1302", 2010), "egscore_size2"] == pytest.approx(math.log(0.5))
    assert r.loc[("1304", 2010), "egscore_size1"] == pytest.approx(math.log(0.4))
    assert np.isnan(r.loc[("1301", 2010), "egscore_size1"]) and np.isnan(r.loc[("1101", 2010), "egscore_size1"])
    assert r.loc[("1302", 2010), "IV_int"] == 8.75 and np.isnan(r.loc[("1302", 2011), "IV_int"])
    assert r.loc[("1303", 2011), "IV_gov"] == pytest.approx(4.0 * 2.0)
    assert md["missing_IV_int"] == 9 and acc.balanced


def _quality_obs() -> pd.DataFrame:
    # firm f exports 2 HS6 in 2010, product 100001 to two destinations; g exports one product
    return pd.DataFrame({
        "year": [2010, 2010, 2010, 2010, 2011], "firm_id": ["f", "f", "f", "g", "g"],
        "hs6": ["100001", "100001", "200002", "100001", "100001"], "dest_code": ["1", "2", "1", "1", "1"],
        "value_usd": [300.0, 100.0, 100.0, 200.0, 100.0], "quantity": [3.0, 1.0, 10.0, 1.0, 1.0],
        "general_value_usd": [300.0, 100.0, 0.0, 0.0, 100.0],
        "quality": [0.0, 1.0, 5.0, 2.0, np.nan], "quality_ols": [1.0, 1.0, 1.0, 3.0, 2.0],
    })


def test_p2_firm_year_quality_by_hand():
    out, acc, md = p2_firm_year(_quality_obs())
    assert acc.balanced and acc.dropped == {"outside_p2_years": 0, "merged_into_firm_years": 2}
    r = out.set_index(["firm_id", "year"])
    # qua: product 100001 min 0 max 2 -> f: 0 and 0.5; product 200002 degenerate (dropped)
    # f 2010 = (300 * 0 + 100 * 0.5) / 400
    assert r.loc[("f", 2010), "qua"] == pytest.approx(50.0 / 400.0)
    assert r.loc[("g", 2010), "qua"] == 1.0 and np.isnan(r.loc[("g", 2011), "qua"])
    # qua_sub: 100001 values 1,1,3,2 -> 0,0,1,0.5
    assert r.loc[("g", 2011), "qua_sub"] == 0.5 and r.loc[("f", 2010), "qua_sub"] == 0.0
    # imp = ln(number of HS6); general trade share f: 400/500 > 0.5
    assert r.loc[("f", 2010), "imp"] == pytest.approx(math.log(2.0)) and r.loc[("g", 2010), "imp"] == 0.0
    assert r.loc[("f", 2010), "general_trade"] == 1 and r.loc[("g", 2010), "general_trade"] == 0
    # qua_price (default): value-weighted mean ln unit value, not standardized
    # f 2010: (300 ln100 + 100 ln100 + 100 ln10) / 500
    assert r.loc[("f", 2010), "qua_price"] == pytest.approx((400 * math.log(100) + 100 * math.log(10)) / 500)
    assert r.loc[("g", 2010), "qua_price"] == pytest.approx(math.log(200.0))
    # qua_price_minmax: ln unit values of 100001: ln100, ln100, ln200, ln100 -> 0, 0, 1, 0; 200002 degenerate
    assert r.loc[("g", 2010), "qua_price_minmax"] == 1.0 and r.loc[("f", 2010), "qua_price_minmax"] == 0.0
    # standardized as the default: qua_price equals qua_price_minmax
    std, _, _ = p2_firm_year(_quality_obs(), price_standardize=True)
    np.testing.assert_allclose(std["qua_price"], std["qua_price_minmax"])
    # firm GVC position (P2 Table 9 col. 4): export-value-weighted product upstreamness
    up = pd.DataFrame({"hs6": ["100001", "200002"], "gvc_upstreamness": [1.0, 3.0]})
    g, _, md = p2_firm_year(_quality_obs(), upstreamness=up)
    gr = g.set_index(["firm_id", "year"])
    assert gr.loc[("f", 2010), "gvc_upstreamness_firm"] == pytest.approx((400 * 1.0 + 100 * 3.0) / 500)
    assert gr.loc[("g", 2011), "gvc_upstreamness_firm"] == 1.0 and md["observations_without_upstreamness"] == 0
    assert r["gvc_upstreamness_firm"].isna().all()  # no table given
    out2, _, _ = p2_firm_year(_quality_obs(), years=(2010,))
    assert len(out2) == 2


def _obs_two_years() -> pd.DataFrame:
    # one HS6, 6 firms x 2 destinations x 2 years (+ 2009, outside P2's years); price from a firm
    # cost shared across destinations, demand with a common elasticity of 3
    rng = np.random.default_rng(7)
    rows = []
    for y in (2009, 2010, 2011):
        for i in range(6):
            c = rng.normal(0, 0.5)
            for d in ("A", "B"):
                lp = c + rng.normal(0, 0.2)
                lq = 8.0 - 3.0 * lp + rng.normal(0, 0.3) + (0.5 if d == "B" else 0.0)
                rows.append((y, f"f{i}", "100001", d, math.exp(lp + lq), math.exp(lq), 100.0 + 10 * (i % 3) + y - 2009))
    return pd.DataFrame(rows, columns=["year", "firm_id", "hs6", "dest_code", "value_usd", "quantity", "prov_gdp_real"])


def test_p2_quality_is_estimated_on_all_p2_years_at_once():
    """P2 eq. 10: one regression per HS6 over 2010-2012 with destination x year dummies."""
    obs = _obs_two_years()
    q, md = p2_estimate_quality(obs, years=(2010, 2011))
    assert len(q) == len(obs) and q.loc[q["year"] == 2009, ["quality", "quality_ols"]].isna().all().all()
    pooled = estimate_quality_p2(obs[obs["year"] > 2009], estimator="iv").quality.set_index(["year", "firm_id", "dest_code"])
    got = q[q["year"] > 2009].set_index(["year", "firm_id", "dest_code"])["quality"]
    np.testing.assert_allclose(got.to_numpy(), pooled["quality"].reindex(got.index).to_numpy(), rtol=1e-10)
    assert md["iv_products"] == 1 and md["estimation"] == "pooled"
    # per year: one regression per product-year (not P2), different residuals
    qy, mdy = p2_estimate_quality(obs, years=(2010, 2011), estimation="yearly")
    assert mdy["iv_products"] == 2
    y10 = estimate_quality_p2(obs[obs["year"] == 2010], estimator="iv").quality.set_index(["year", "firm_id", "dest_code"])
    got10 = qy[qy["year"] == 2010].set_index(["year", "firm_id", "dest_code"])["quality"]
    np.testing.assert_allclose(got10.to_numpy(), y10["quality"].reindex(got10.index).to_numpy(), rtol=1e-10)
    assert not np.allclose(got10.to_numpy(), got.loc[got10.index].to_numpy())
    with pytest.raises(ValueError):
        p2_estimate_quality(obs, estimation="per_decade")


def test_p2_observations_merge_trade_modes():
    m = pd.DataFrame({
        "year": [2010] * 4, "firm_id": ["f"] * 4, "hs6": ["100001"] * 4, "dest_code": ["1", "1", "2", "3"],
        "trade_mode": ["general", "processing_imported", "general", "general"],
        "value_usd": [100.0, 50.0, 20.0, 30.0], "quantity": [10.0, 5.0, 2.0, 3.0], "city": ["1101"] * 4,
    })
    pp = pd.DataFrame({"province_code": ["11"], "year": [2010], "real_gdp": [123.0]})
    out, acc, md = p2_observations(m, pp)
    assert acc.balanced and acc.dropped == {"merged_trade_modes": 1}
    r = out.set_index("dest_code")
    assert r.loc["1", "value_usd"] == 150.0 and r.loc["1", "general_value_usd"] == 100.0 and r.loc["1", "n_trade_modes"] == 2
    assert (out["n_other_destinations"] == 2).all() and (out["prov_gdp_real"] == 123.0).all()
    assert md["without_instrument_single_destination"] == 0


def test_p2_panel_joins_and_accounts():
    q = pd.DataFrame({"firm_id": ["A", "A", "Z"], "year": [2010, 2011, 2010], "n_obs": [1, 1, 1],
                      "value_usd": [1.0, 1.0, 1.0], "imp": [0.0] * 3, "general_trade": [1.0] * 3,
                      "qua": [0.2, 0.5, 0.1], "qua_sub": [0.1] * 3, "qua_price": [0.1] * 3,
                      "qua_price_minmax": [0.1] * 3, "gvc_upstreamness_firm": [2.0, 1.0, 5.0]})
    f = _firms()
    ind = pd.DataFrame({"cic": ["1711"], "gvc_upstreamness": [1.0], "high_tech": [0], "energy_raw": [0]})
    fy, _ = firm_year_p2(f, tariffs=pd.DataFrame(columns=["cic", "year", "input_tariff"]), industry=ind)
    cp, ca, pp, eg, wr = _city_inputs()
    cp = cp.replace({"1301": "1101"}).drop_duplicates(["city_code", "year"])  # keep codes unique
    cy, _ = city_year_p2(eg, cp, ca, pp)
    iv, _, _ = p2_instruments(eg, cp, ca, pp, wr)
    out, acc, md = p2_panel(q, fy, cy, iv)
    assert acc.balanced and acc.dropped == {"outside_p2_years": 0, "no_survey_firm_year": 1}
    a = out.set_index(["firm_id", "year"])
    assert a.loc[("A", 2011), "D_qua"] == pytest.approx(0.3)
    assert a.loc[("A", 2011), "D_egscore"] == pytest.approx(0.0)
    assert a.loc[("A", 2010), "egscore_coastal"] == pytest.approx(0.9)
    assert a["balanced"].eq(0).all()
    # differenced controls (P2 Table 4 col. 3): D_Con_wag of A 2011 = ln 20 - ln 20 = 0; 2010 has no t-1
    assert a.loc[("A", 2011), "D_Con_wag"] == pytest.approx(0.0) and np.isnan(a.loc[("A", 2010), "D_Con_wag"])
    # GVC: firm level (default) = top 10% of {2.0, 1.0} -> the 2.0 row; industry level: both rows 1711
    assert a.loc[("A", 2010), "gvc_top"] == 1 and a.loc[("A", 2011), "gvc_top"] == 0
    assert a["gvc_top_industry"].eq(1).all()
    ind_level, _, _ = p2_panel(q, fy, cy, iv, gvc_level="industry")
    assert (ind_level["gvc_top"] == ind_level["gvc_top_industry"]).all()
    with pytest.raises(ValueError):
        p2_panel(q, fy, cy, iv, gvc_level="product")


def test_describe_and_render():
    p = pd.DataFrame({"qua": [0.0, 0.5, 1.0, np.nan], "egscore": [0.2, 0.4, np.nan, np.nan]})
    d = describe(p, ["qua", "egscore"])
    assert d["n"].tolist() == [3, 2]
    assert d.loc[0, "mean"] == pytest.approx(0.5) and d.loc[0, "sd"] == pytest.approx(0.5)
    assert d.loc[1, "min"] == 0.2 and d.loc[1, "max"] == 0.4
    md, tex = render_markdown(d), render_latex(d)
    assert "| qua | 3 | 0.500 | 0.500 | 0.000 | 1.000 |" in md
    assert "egscore & 2 & 0.300" in tex and "\\begin{tabular}" in tex
