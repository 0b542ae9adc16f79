"""P1 Tables 2-11 variables on tiny hand-made frames with hand-computed answers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from eq_assets.instruments.p1 import p1_instruments
from eq_assets.mechanisms.p1 import (
    TfpParams, dist_to_max, distance_q, ipc_main_group, knowledge_breadth, patent_site, production_inputs,
    tfp_distances, variety,
)
from eq_assets.panels.p1_industry import (
    IndustryPanelParams, assign_industry, clean_aggregate, country_controls, industry_panel_controls,
    p1_industry_panel,
)
from eq_assets.panels.p1_vars import (
    DistanceRatioParams, destination_development, distance_ratios, eco_variant_exprs, firm_trade_class,
    ip_protection_split, labour_intensity, ownership_class,
)

# ---- distances ---------------------------------------------------------------------------------


def test_distance_ratios_minmax_scale_by_hand():
    """Default: quality min-max standardized within HS6 over all rows (all years), frontier the
    industry-year max of it; Distance_1 = F / rq (undefined at rq = 0), Distance_2 = (F - rq) / F."""
    d = pd.DataFrame({"industry": ["a", "a", "a", "a", "b"], "year": [2010, 2010, 2011, 2011, 2010],
                      "hs6": ["p", "p", "p", "r", "r"], "quality": [1.0, 3.0, 2.0, 5.0, 1.0], "frontier": np.nan})
    out = distance_ratios(d)
    # p: min 1, max 3 -> rq 0, 1, 0.5; r: min 1, max 5 -> rq 1 (2011, a), 0 (2010, b)
    # frontiers: (a, 2010) = 1; (a, 2011) = max(0.5, 1) = 1; (b, 2010) = 0
    assert np.isnan(out["Distance_1"].iloc[0]) and out["Distance_1"].iloc[1] == pytest.approx(1.0)
    assert out["Distance_1"].iloc[2] == pytest.approx(2.0) and out["Distance_2"].iloc[2] == pytest.approx(0.5)
    assert out["Distance_2"].iloc[0] == pytest.approx(1.0) and out["Distance_2"].iloc[3] == pytest.approx(0.0)
    assert np.isnan(out["Distance_2"].iloc[4])  # frontier 0: undefined
    assert DistanceRatioParams().ratio_scale == "minmax"


def test_distance_ratios_exp_scale():
    d = pd.DataFrame({"industry": ["a", "a"], "year": [2010, 2010], "quality": [0.5, -0.5], "frontier": [0.5, 0.5]})
    out = distance_ratios(d, DistanceRatioParams(ratio_scale="exp"))
    # frontier row: lambda ratio 1 and gap 0
    assert out["Distance_1"].iloc[0] == pytest.approx(1.0)
    assert out["Distance_2"].iloc[0] == pytest.approx(0.0)
    # exp(0.5)/exp(-0.5) = e; (e^0.5 - e^-0.5)/e^0.5 = 1 - e^-1
    assert out["Distance_1"].iloc[1] == pytest.approx(math.e)
    assert out["Distance_2"].iloc[1] == pytest.approx(1 - math.exp(-1))


def test_distance_ratios_shift_scale():
    d = pd.DataFrame({"industry": ["a", "a", "a", "b"], "year": [2010] * 4,
                      "quality": [1.0, 0.0, -1.0, 2.0], "frontier": [1.0, 1.0, 1.0, 2.0]})
    out = distance_ratios(d, DistanceRatioParams(ratio_scale="shift", shift_offset=1.0))
    # cell a: min -1 -> shifted quality 3, 2, 1; frontier 3
    assert out["Distance_1"].tolist()[:3] == pytest.approx([1.0, 1.5, 3.0])
    assert out["Distance_2"].tolist()[:3] == pytest.approx([0.0, 1 / 3, 2 / 3])
    assert out["Distance_1"].iloc[3] == pytest.approx(1.0)
    with pytest.raises(ValueError):
        distance_ratios(d, DistanceRatioParams(ratio_scale="ratio"))


def test_dist_to_max():
    d = pd.DataFrame({"industry": ["a", "a", "b", "a"], "year": [1, 1, 1, 2], "x": [3.0, 1.0, 5.0, np.nan]})
    assert dist_to_max(d, "x").tolist()[:3] == [0.0, 2.0, 0.0]
    assert np.isnan(dist_to_max(d, "x").iloc[3])


def test_distance_q_standardizes_aggregates_and_takes_distance():
    q = pd.DataFrame({
        "year": [2010] * 5, "firm_id": ["f1", "f1", "f2", "f3", "f3"], "industry": ["i"] * 5,
        "hs6": ["p", "r", "p", "p", "s"], "quality": [1.0, 2.0, 3.0, 2.0, 7.0],
        "value_usd": [100.0, 300.0, 50.0, 100.0, 10.0],
    })
    # product p: min 1, max 3 -> f1 0, f2 1, f3 0.5; product r: 1 obs -> max = min: dropped;
    # product s: 1 obs dropped too. f1 = 0, f2 = 1, f3 = 0.5; frontier 1
    out, acc = distance_q(q)
    got = out.set_index("firm_id")
    assert got.loc["f1", "quality_q"] == pytest.approx(0.0)
    assert got.loc["f3", "quality_q"] == pytest.approx(0.5)
    assert got["Distance_q"].to_dict() == pytest.approx({"f1": 1.0, "f2": 0.0, "f3": 0.5})
    assert acc.dropped["product_quality_constant_no_standardized_value"] == 2
    acc.finish(len(out))
    assert acc.balanced


def test_distance_q_value_weights():
    q2 = pd.DataFrame({
        "year": [2010] * 5, "firm_id": ["f1", "f1", "f2", "f2", "f3"], "industry": ["i"] * 5,
        "hs6": ["p", "r", "p", "r", "r"], "quality": [0.0, 1.0, 2.0, 3.0, 0.0], "value_usd": [1.0, 3.0, 1.0, 1.0, 1.0],
    })
    out, _ = distance_q(q2)
    # p: f1 0, f2 1; r: min 0 max 3: f1 1/3, f2 1, f3 0 -> f1 = (1*0 + 3*(1/3))/4 = 0.25
    got = out.set_index("firm_id")
    assert got.loc["f1", "quality_q"] == pytest.approx(0.25)
    assert got.loc["f1", "Distance_q"] == pytest.approx(0.75)


# ---- Eco variants -----------------------------------------------------------------------------


def test_eco_variants():
    d = pd.DataFrame({"n_digital_invention": [0, 2], "n_digital_utility": [1, 0], "n_digital_design": [2, 0],
                      "n_digital_cat_01": [0, 1], "n_digital_cat_03": [3, 0], "n_digital_cat_04": [0, 0]})
    from eq_assets.core.sql import run_sql

    out = run_sql("select " + ", ".join(f'{e} as "{n}"' for n, e in eco_variant_exprs().items()) + " from d", d=d)
    assert out["Eco_invent"].tolist() == pytest.approx([0.0, math.log(3)])
    assert out["Eco_str"].tolist() == pytest.approx([math.log(4), 0.0])
    assert out["Eco_manu"].tolist() == pytest.approx([0.0, math.log(2)])
    assert out["Eco_apply"].tolist() == pytest.approx([math.log(4), 0.0])
    assert out["Eco_factor"].tolist() == pytest.approx([0.0, 0.0])


# ---- heterogeneity classes -------------------------------------------------------------------


def test_ownership_class():
    r = pd.Series(["110", "151", "173", "171", "120", "230", "310", "159", None, "x"])
    assert ownership_class(r).tolist() == ["soe", "soe", "private", "private", "collective", "hmt", "foreign",
                                           "other_domestic", pd.NA, pd.NA]


def test_labour_intensity_median_split():
    f = pd.DataFrame({
        "year": [2010] * 5, "legal_code": list("abcde"), "industry": ["i", "i", "i", "j", "i"],
        "employees": [10, 20, 30, 5, 1], "total_assets": [100, 100, 100, 100, 0],
    })
    out = labour_intensity(f).set_index("legal_code")
    # industry i ratios 0.1, 0.2, 0.3 (e undefined: assets 0) -> median 0.2: only c above
    assert out.loc["c", "labour_intensive"] == 1
    assert out.loc["a", "labour_intensive"] == 0 and out.loc["b", "labour_intensive"] == 0
    assert out.loc["d", "labour_intensive"] == 0  # alone in j: equal to its median
    assert pd.isna(out.loc["e", "labour_intensive"])
    assert out.loc["b", "labour_ratio"] == pytest.approx(0.2)


def test_ip_protection_split():
    ip = pd.DataFrame({"city_code": ["1", "2", "3", "1", "2"], "year": [2010, 2010, 2010, 2011, 2011],
                       "ip_protection": [1.0, 2.0, 3.0, 10.0, 20.0]})
    out = ip_protection_split(ip)
    assert out["ip_protection_high"].tolist() == [0, 0, 1, 0, 1]
    pooled = ip_protection_split(ip, "pooled")  # median 3
    assert pooled["ip_protection_high"].tolist() == [0, 0, 0, 1, 1]


def test_firm_trade_class():
    e = pd.DataFrame({
        "year": [2010] * 7, "firm_id": ["g", "g", "p", "p", "m", "m", "o"],
        "trade_mode": ["general", "general", "processing_imported", "processing_assembly", "general",
                       "processing_assembly", "other"],
    })
    out = firm_trade_class(e).set_index("firm_id")["firm_trade_class"]
    assert out.to_dict() == {"g": "pure_general", "m": "mixed", "o": "mixed", "p": "pure_processing"}
    e2 = pd.concat([e, pd.DataFrame({"year": [2010], "firm_id": ["g"], "trade_mode": ["other"]})])
    assert firm_trade_class(e2).set_index("firm_id").loc["g", "firm_trade_class"] == "pure_general"
    assert firm_trade_class(e2, other_modes="mixed").set_index("firm_id").loc["g", "firm_trade_class"] == "mixed"


def test_destination_development():
    dev = pd.DataFrame({"dest_code": ["502", "142", "101", "999"], "development_status": ["发达国家", "发展中国家", "最不发达国家", "?"]})
    out = destination_development(dev).set_index("dest_code")["dest_development"]
    assert out.loc["502"] == "developed" and out.loc["142"] == "developing" and out.loc["101"] == "least_developed"
    assert pd.isna(out.loc["999"])


# ---- instruments ----------------------------------------------------------------------------------


def test_p1_instruments():
    firms = pd.DataFrame({"year": [2010, 2011, 2010], "legal_code": ["a", "a", "b"], "city": ["1101", "1101", "9999"],
                          "province": ["11", "11", "99"], "cic": ["3911", "3911", "1711"]})
    c84 = pd.DataFrame({"city_code": ["1101"], "phones_1984": [2.0], "post_offices_1984": [50.0]})
    ports = pd.DataFrame({"province_code": ["11", "11"], "year": [2010, 2011], "internet_ports": [100.0, 150.0]})
    fp = pd.DataFrame({"cic2": ["39", "39", "17"], "year": [2010, 2011, 2010], "foreign_patent_filings": [math.e, math.e ** 2, 1.0]})
    out = p1_instruments(firms, c84, ports, fp).set_index(["legal_code", "year"])
    assert out.loc[("a", 2010), "IV_phone"] == pytest.approx(200.0)
    assert out.loc[("a", 2011), "IV_phone"] == pytest.approx(300.0)
    assert out.loc[("a", 2011), "IV_post"] == pytest.approx(7500.0)
    assert out.loc[("a", 2011), "IV_patent_industry"] == pytest.approx(2.0)  # ln(e^2)
    assert out.loc[("b", 2010), "IV_patent_industry"] == pytest.approx(0.0)
    assert np.isnan(out.loc[("b", 2010), "IV_phone"])  # city not in the 1984 file
    lg = p1_instruments(firms, c84, ports, fp, internet_transform="log", patent_transform="level").set_index(["legal_code", "year"])
    assert lg.loc[("a", 2010), "IV_phone"] == pytest.approx(math.log(200.0))
    assert lg.loc[("a", 2011), "IV_patent_industry"] == pytest.approx(math.e ** 2)


def test_patent_exposure_by_hand():
    """IV_patent = sum_s w_is ln F_st / sum of the weights with a filings row; w from the main IPC
    subclasses of the firm's patents over all years; 0 for a firm without patents."""
    from eq_assets.instruments.p1 import patent_exposure

    fy = pd.DataFrame({"year": [2010, 2011, 2010, 2010], "legal_code": ["a", "a", "b", "c"]})
    pats = pd.DataFrame({"legal_code": ["a", "a", "a", "c"], "ipc_main": ["H04L 9/32", "h04l 12/10", "G06F 3/01", "A01B 1/00"],
                         "is_digital": [True, True, False, False]})
    fx = pd.DataFrame({"ipc_subclass": ["H04L", "G06F", "H04L", "G06F"], "year": [2010, 2010, 2011, 2011],
                       "foreign_patent_filings": [math.e, math.e ** 4, math.e ** 2, math.e ** 3]})
    out = patent_exposure(fy, pats, fx).set_index(["legal_code", "year"])
    # a: w(H04L) = 2/3, w(G06F) = 1/3 -> 2010: 2/3*1 + 1/3*4 = 2; 2011: 2/3*2 + 1/3*3 = 7/3
    assert out.loc[("a", 2010), "IV_patent"] == pytest.approx(2.0)
    assert out.loc[("a", 2011), "IV_patent"] == pytest.approx(7 / 3)
    assert out.loc[("b", 2010), "IV_patent"] == 0.0 and not out.loc[("b", 2010), "has_patent_classes"]
    assert np.isnan(out.loc[("c", 2010), "IV_patent"])  # its class (A01B) has no filings row
    dig = patent_exposure(fy, pats, fx, patents="digital").set_index(["legal_code", "year"])
    assert dig.loc[("a", 2010), "IV_patent"] == pytest.approx(1.0)  # only H04L
    rel = patent_exposure(fy, pats, fx, relative=True).set_index(["legal_code", "year"])
    tot10 = math.log(math.e + math.e ** 4)
    assert rel.loc[("a", 2010), "IV_patent"] == pytest.approx(2.0 - tot10)
    miss = patent_exposure(fy, pats, fx, no_patents="missing").set_index(["legal_code", "year"])
    assert np.isnan(miss.loc[("b", 2010), "IV_patent"])


# ---- knowledge, citations, variety ------------------------------------------------------------------


def test_ipc_main_group():
    s = pd.Series(["H04L 9/32", "g06f 16/30", "G06F", None])
    assert ipc_main_group(s).tolist()[:3] == ["H04L9", "G06F16", "G06F"]


def test_knowledge_breadth_cumulative_hhi():
    pats = pd.DataFrame({
        "legal_code": ["a", "a", "a", "a", "a", "b"],
        "year": [2010, 2010, 2011, 2011, 2011, 2011],
        "patent_type_en": ["invention", "utility", "invention", "design", "utility", "design"],
        "ipc_main": ["H04L 9/32", "H04L 9/00", "G06F 16/30", "G06F 3/01", "G06F 17/00", "H04L 1/00"],
    })
    fy = pd.DataFrame({"year": [2009, 2010, 2011, 2011, 2012], "legal_code": ["a", "a", "a", "b", "a"]})
    out = knowledge_breadth(fy, pats).set_index(["legal_code", "year"])
    assert np.isnan(out.loc[("a", 2009), "Knowledge"])  # no filing yet
    assert out.loc[("a", 2010), "Knowledge"] == pytest.approx(0.0)  # two filings, one group H04L9
    # 2011 cumulative: H04L9 x2, G06F16 x1, G06F17 x1 (design excluded): 1 - (0.25 + 1/16 + 1/16)
    assert out.loc[("a", 2011), "Knowledge"] == pytest.approx(1 - (0.25 + 0.0625 + 0.0625))
    assert out.loc[("a", 2011), "n_knowledge_filings"] == 4
    assert out.loc[("a", 2012), "Knowledge"] == pytest.approx(0.625)  # no new filing: unchanged
    assert np.isnan(out.loc[("b", 2011), "Knowledge"])  # only a design patent


def test_patent_site_and_variety():
    pats = pd.DataFrame({"legal_code": ["a", "a", "b"], "year": [2010, 2010, 2010], "citations": [3.0, 4.0, np.nan],
                         "is_digital": [True, False, True]})
    fy = pd.DataFrame({"year": [2010, 2010, 2010], "legal_code": ["a", "b", "c"]})
    out = patent_site(fy, pats).set_index("legal_code")
    assert out.loc["a", "Patent_site"] == pytest.approx(math.log(8.0))
    assert out.loc["b", "Patent_site"] == 0.0 and out.loc["c", "Patent_site"] == 0.0
    assert patent_site(fy, pats, patents_kind="digital").set_index("legal_code").loc["a", "Patent_site"] == pytest.approx(math.log(4.0))
    ex = pd.DataFrame({"year": [2010] * 5, "firm_id": ["a", "a", "a", "b", "b"], "hs6": ["1", "1", "2", "3", "3"]})
    assert variety(ex).set_index("firm_id")["Variety"].to_dict() == {"a": 2, "b": 1}


# ---- TFP pieces ---------------------------------------------------------------------------------


def test_production_inputs_deflates_by_ppi():
    firms = pd.DataFrame({"year": [2010, 2010], "legal_code": ["a", "b"], "industry": ["3911", "3911"], "cic": ["3911", "3911"],
                          "employees": [10.0, 5.0], "fixed_assets": [200.0, 0.0], "value_added": [100.0, 50.0],
                          "intermediate_input": [300.0, 10.0]})
    ind = pd.DataFrame({"cic2": ["39"], "year": [2010], "ppi": [125.0]})
    out, acc = production_inputs(firms, ind)
    assert len(out) == 1 and acc.dropped["nonpositive_or_missing_production_variable"] == 1
    r = out.iloc[0]
    assert r["real_va"] == pytest.approx(80.0)
    assert r["ln_k"] == pytest.approx(math.log(160.0))
    assert r["ln_m"] == pytest.approx(math.log(240.0))
    assert r["lp"] == pytest.approx(8.0)
    out2, _ = production_inputs(firms, ind, TfpParams(deflate_capital=False))
    assert out2.iloc[0]["ln_k"] == pytest.approx(math.log(200.0))


def test_tfp_distances_level_and_gap():
    t = pd.DataFrame({"year": [2010, 2010], "cic2": ["39", "39"], "industry": ["3911", "3911"],
                      "ln_tfp": [1.0, 2.0], "lp": [4.0, 8.0]})
    us = pd.DataFrame({"cic2": ["39"], "year": [2010], "us_ln_tfp": [3.0], "us_labour_productivity": [16.0]})
    out = tfp_distances(t, us)
    assert out["TFP"].tolist() == [1.0, 2.0]
    assert out["DistTFP_CIC_CN"].tolist() == pytest.approx([math.e, 1.0])
    assert out["DistTFP_US_CN"].tolist() == pytest.approx([math.e ** 2, math.e])
    assert out["DistLP_US_CN"].tolist() == pytest.approx([4.0, 2.0])
    gap = tfp_distances(t, us, ratio_form="log_gap")
    assert gap["DistTFP_CIC_CN"].tolist() == pytest.approx([1.0, 0.0])
    lr = tfp_distances(t, us, ratio_form="log_ratio")
    assert lr["DistTFP_US_CN"].tolist() == pytest.approx([3.0, 1.5])


# ---- Table 3 industry panel -------------------------------------------------------------------


def _conc():
    return pd.DataFrame({"hs_version": ["HS2012", "HS2002"], "hs6": ["999999", "111111"], "hs6_base": ["111111", "111111"]})


def test_clean_aggregate_counts_and_harmonizes():
    raw = pd.DataFrame({
        "year": [2004, 2013, 2013, 2013, 2013, None, 2018],
        "dest_code": ["502", "502", "502", "502", "502", "502", "502"],
        "hs6": ["111111", "999999", "111111", "222222", "222222", "111111", "111111"],
        "trade_mode": ["一般贸易", "一般贸易", "一般贸易", "进料加工贸易", "保税", "一般贸易", "一般贸易"],
        "quantity": [10.0, 5.0, 5.0, 0.5, 3.0, 1.0, 10.0],
        "value_usd": [100.0, 60.0, 70.0, 100.0, 100.0, 100.0, 100.0],
    })
    out, acc, extra = clean_aggregate(raw, _conc())
    acc.finish(len(out))
    assert acc.balanced
    assert acc.dropped == {"outside_table3_years": 1, "missing_key_or_amount": 1,
                           "value_below_50usd_or_quantity_below_1": 1, "merged_after_hs_harmonization": 1}
    # the end year is a parameter (P1 names none; default 2017)
    late, acc19, _ = clean_aggregate(raw, _conc(), IndustryPanelParams(last_year=2019))
    assert acc19.dropped["outside_table3_years"] == 0 and 2018 in set(late["year"])
    m = out.set_index(["year", "hs6", "trade_mode"])
    assert m.loc[(2013, "111111", "general"), "value_usd"] == 130.0  # 999999 (HS2012) -> 111111, merged
    assert m.loc[(2013, "222222", "other"), "quantity"] == 3.0
    assert extra["hs6_not_in_concordance_kept"] == 2


def test_industry_and_country_controls():
    ind = pd.DataFrame({"cic2": ["39"], "year": [2010], "fixed_asset_investment": [math.e], "ppi": [100.0], "n_firms": [math.e ** 2], "sales": [1.0]})
    c = industry_panel_controls(ind).iloc[0]
    assert (c["Fixasset"], c["PPI"], c["Firm"], c["Sales"]) == pytest.approx((1.0, math.log(100.0), 2.0, 0.0))
    assert industry_panel_controls(ind, IndustryPanelParams(ppi_transform="level")).iloc[0]["PPI"] == 100.0
    cp = pd.DataFrame({"dest_code": ["502", "142"], "year": [2010, 2010], "gdp_usd": [math.e ** 3, 1.0], "gdp_pc_growth": [2.0, -1.0]})
    cc = country_controls(cp)
    assert cc["Country_market"].tolist() == pytest.approx([3.0, 0.0])
    assert cc["Country_economic"].tolist() == [2.0, -1.0]
    lg = country_controls(cp, IndustryPanelParams(country_economic="log"))
    assert lg["Country_economic"].iloc[0] == pytest.approx(math.log(2.0)) and np.isnan(lg["Country_economic"].iloc[1])


def test_assign_industry():
    obs = pd.DataFrame({"hs6": ["111111", "333333"], "x": [1, 2]})
    out, n = assign_industry(obs, pd.DataFrame({"hs6": ["111111"], "cic": ["3911"]}))
    assert n == 1 and out["industry"].tolist() == ["39"]


def test_industry_panel_end_to_end_small():
    # one product x destination x year cell with two trade modes, sigma = 3:
    # y = ln q + 3 ln p; general: q=10, p=10 -> y = ln10 + 3 ln10 = 4 ln 10; processing: q=10, p=1 -> ln 10
    # cell mean 2.5 ln10; quality = (y - mean)/2 = +-0.75 ln 10; frontier = 0.75 ln10
    raw = pd.DataFrame({
        "year": [2016, 2016], "dest_code": ["502", "502"], "hs6": ["111111", "111111"],
        "trade_mode": ["一般贸易", "进料加工贸易"], "quantity": [10.0, 10.0], "value_usd": [100.0, 10.0 * 10],
    })
    raw.loc[1, "value_usd"] = 10.0 * 1.0 + 50.0  # p = 6: keep above the 50 USD threshold
    hs_cic = pd.DataFrame({"hs6": ["111111"], "cic": ["3911"]})
    pats = pd.DataFrame({"industry": ["39"], "year": [2016], "n_digital": [math.e - 1]})
    ind = pd.DataFrame({"cic2": ["39"], "year": [2016], "fixed_asset_investment": [1.0], "ppi": [100.0], "n_firms": [1.0], "sales": [1.0]})
    cp = pd.DataFrame({"dest_code": ["502"], "year": [2016], "gdp_usd": [1.0], "gdp_pc_growth": [1.5]})
    out, acc, _ = p1_industry_panel(raw, _conc(), hs_cic, pats, ind, cp)
    acc.finish(len(out))
    assert acc.balanced and len(out) == 2
    y = np.log(10.0) + 3 * np.log([10.0, 6.0])
    qual = (y - y.mean()) / 2
    got = out.set_index("trade_mode")
    assert got.loc["general", "quality"] == pytest.approx(qual[0])
    assert got.loc["processing_imported", "Distance"] == pytest.approx(qual[0] - qual[1])
    assert got.loc["general", "Distance"] == pytest.approx(0.0)
    assert got["Eco"].tolist() == pytest.approx([1.0, 1.0])
    assert got.loc["general", "cell_id"] == "111111|502|general"


# ---- p1_obs_panel (all years) ---------------------------------------------------------------------


def test_p1_obs_panel_by_hand():
    """Standardization within HS6 over every observation with a quality (all years), frontier the
    industry-year max of it, ratios on the p1_panel rows; IV_patent and the firm-year outcomes
    joined to each export row; nothing dropped."""
    from eq_assets.panels.controls import CONTROLS
    from eq_assets.panels.p1_obs import OBS_OUTCOMES, p1_obs_panel

    q = pd.DataFrame({"year": [2010, 2010, 2011, 2011], "hs6": ["p", "p", "p", "p"], "industry": ["i"] * 4,
                      "quality": [0.0, 4.0, 2.0, 1.0]})
    p = pd.DataFrame({"year": [2010, 2011], "firm_id": ["f", "f"], "hs6": ["p", "p"], "dest_code": ["d", "d"],
                      "trade_mode": ["general"] * 2, "city": ["c"] * 2, "industry": ["i"] * 2, "quality": [0.0, 1.0],
                      "frontier": [4.0, 2.0], "Distance": [4.0, 1.0], "Eco": [0.0, 1.0], **{c: [0.1, 0.2] for c in CONTROLS}})
    fp = pd.DataFrame({"year": [2010, 2011], "firm_id": ["f", "f"], **{c: [1.0, 2.0] for c in OBS_OUTCOMES}})
    x = pd.DataFrame({"year": [2010, 2011], "legal_code": ["f", "f"], "IV_patent": [5.0, 6.0]})
    out, acc, md = p1_obs_panel(p, q, fp, x)
    acc.finish(len(out))
    assert acc.balanced and len(out) == 2
    o = out.set_index("year")
    # rq = quality / 4; frontier_std: 2010 -> 1, 2011 -> max(0.5, 0.25) = 0.5
    assert o.loc[2010, "quality_std"] == 0.0 and o.loc[2011, "quality_std"] == pytest.approx(0.25)
    assert o.loc[2011, "frontier_std"] == pytest.approx(0.5)
    assert np.isnan(o.loc[2010, "Distance_1"]) and o.loc[2010, "Distance_2"] == pytest.approx(1.0)
    assert o.loc[2011, "Distance_1"] == pytest.approx(2.0) and o.loc[2011, "Distance_2"] == pytest.approx(0.5)
    assert o.loc[2011, "Distance_1_exp"] == pytest.approx(math.e)  # exp(2 - 1)
    assert o.loc[2011, "IV_patent"] == 6.0 and o.loc[2011, "Variety"] == 2.0
    assert md["missing_Distance_1"] == 1
