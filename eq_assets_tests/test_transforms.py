"""Each P1 transform on small hand-made frames with hand-computed answers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from eq_assets.cleaning.customs import CustomsCleaningParams, clean_customs, hs_revision
from eq_assets.cleaning.firms import clean_firms
from eq_assets.digital.patents import classify_digital, eco_index, link_patents_to_firms
from eq_assets.frontier.distance import FrontierParams, quality_distance
from eq_assets.panels.controls import firm_controls
from eq_assets.quality.khandelwal import QualityParams, khandelwal_quality


# ---------------------------------------------------------------- quality (P1 eq. 20-21)
def _obs():
    # two cells (hs6 A to US; hs6 A to JP) and one singleton cell (hs6 B to US)
    return pd.DataFrame(
        {
            "year": [2009] * 5,
            "firm_id": ["f1", "f2", "f3", "f1", "f2"],
            "hs6": ["A", "A", "A", "A", "B"],
            "dest_code": ["US", "US", "US", "JP", "US"],
            "trade_mode": ["general"] * 5,
            "value_usd": [100.0, 400.0, 90.0, 50.0, 70.0],
            "quantity": [10.0, 20.0, 30.0, 5.0, 7.0],
        }
    )


def test_quality_is_cell_demeaned_residual_over_sigma_minus_one():
    sigma = 3.0
    out, acc = khandelwal_quality(_obs(), QualityParams(sigma=sigma))
    # hand computation for the hs6 A / US cell
    q = np.array([10.0, 20.0, 30.0])
    p = np.array([100 / 10, 400 / 20, 90 / 30])
    y = np.log(q) + sigma * np.log(p)
    expected = (y - y.mean()) / (sigma - 1)
    got = out[(out.hs6 == "A") & (out.dest_code == "US")].sort_values("firm_id")["quality"].to_numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    # the JP cell and the B cell are singletons: dropped and counted
    assert acc.dropped == {"singleton_cell": 2}
    assert len(out) == 3 and acc.finish(len(out)).balanced


def test_quality_keep_singletons_gives_zero_and_sigma_changes_scale():
    out, acc = khandelwal_quality(_obs(), QualityParams(sigma=5.0, singletons="keep"))
    assert len(out) == 5 and acc.dropped == {}
    single = out[out.cell_size == 1]["quality"]
    assert (single.abs() < 1e-12).all()
    with pytest.raises(ValueError, match="sigma must exceed 1"):
        khandelwal_quality(_obs(), QualityParams(sigma=1.0))


def _obs_additive(seed: int = 3) -> pd.DataFrame:
    """One year, 3 products x 3 destinations, a few firms each, plus a product seen once."""
    rng = np.random.default_rng(seed)
    rows = []
    for h in ("A", "B", "C"):
        for d in ("US", "JP", "DE"):
            for f in range(rng.integers(1, 4)):
                rows.append(("f%d" % f, h, d, float(rng.uniform(50, 500)), float(rng.integers(1, 40))))
    rows.append(("f9", "Z", "US", 80.0, 4.0))  # product Z alone: a singleton of the product FE
    d = pd.DataFrame(rows, columns=["firm_id", "hs6", "dest_code", "value_usd", "quantity"])
    return d.assign(year=2010, trade_mode="general")


def test_additive_fe_quality_equals_dummy_variable_regression():
    """fixed_effects="additive": the residual of y = ln q + sigma ln p on product and destination-
    year dummies (least squares by hand), / (sigma - 1); the singleton product is dropped."""
    obs = _obs_additive()
    out, acc = khandelwal_quality(obs, QualityParams(sigma=4.0, fixed_effects="additive"))
    assert acc.dropped == {"singleton_fe_level": 1} and len(out) == len(obs) - 1
    d = obs[obs.hs6 != "Z"].reset_index(drop=True)
    y = np.log(d.quantity) + 4.0 * np.log(d.value_usd / d.quantity)
    X = pd.get_dummies(d[["hs6"]]).join(pd.get_dummies(d["dest_code"] + "_" + d["year"].astype(str), drop_first=True)).to_numpy(float)
    beta, *_ = np.linalg.lstsq(X, y.to_numpy(), rcond=None)
    expected = (y.to_numpy() - X @ beta) / 3.0
    got = d.merge(out, on=["firm_id", "hs6", "dest_code"], how="left")["quality"].to_numpy()
    np.testing.assert_allclose(got, expected, atol=1e-7)
    # the default cell FE on the same rows differs (it also removes product x destination means)
    cell, _ = khandelwal_quality(obs, QualityParams(sigma=4.0))
    assert not np.allclose(cell.sort_values(["hs6", "dest_code", "firm_id"])["quality"].to_numpy()[:3],
                           out.sort_values(["hs6", "dest_code", "firm_id"])["quality"].to_numpy()[:3])
    with pytest.raises(ValueError, match="fixed_effects must be one of"):
        khandelwal_quality(obs, QualityParams(fixed_effects="pairs"))


def test_sigma_per_product_from_an_elasticity_table(tmp_path):
    """sigma_table: each product's sigma from the table (matched on the HS6's leading digits),
    the constant for a product without a usable entry (none, or sigma <= 1), counted."""
    from eq_assets.core.sql import bind
    from eq_assets.core.warehouse import duckdb_connect
    from eq_assets.quality.khandelwal import khandelwal_quality_sql, sigma_fallback_rows

    path = tmp_path / "sigma.csv"
    pd.DataFrame({"iso3c": ["USA", "USA", "CHN"], "HS0_3d": ["841", "620", "841"], "sigma": ["5", "0.9", "9"]}).to_csv(path, index=False)
    obs = _obs().assign(hs6=["841011"] * 4 + ["620300"])
    obs = pd.concat([obs, obs.iloc[[4]].assign(firm_id="f9", value_usd=35.0)], ignore_index=True)  # 620300 cell of 2
    out, _ = khandelwal_quality(obs, QualityParams(sigma=3.0, sigma_table=str(path)))
    a = out[(out.hs6 == "841011") & (out.dest_code == "US")].sort_values("firm_id")
    q, v = np.array([10.0, 20.0, 30.0]), np.array([100.0, 400.0, 90.0])
    y = np.log(q) + 5.0 * np.log(v / q)
    np.testing.assert_allclose(a["quality"].to_numpy(), (y - y.mean()) / 4.0, rtol=1e-12)
    b = out[out.hs6 == "620300"].sort_values("firm_id")  # sigma 0.9 is unusable: constant 3
    yb = np.log([7.0, 7.0]) + 3.0 * np.log(np.array([70.0, 35.0]) / 7.0)
    np.testing.assert_allclose(b["quality"].to_numpy(), (yb - yb.mean()) / 2.0, rtol=1e-12)
    with duckdb_connect() as con:
        bind(con, obs=obs)
        khandelwal_quality_sql(con, QualityParams(sigma_table=str(path)))
        assert sigma_fallback_rows(con) == 2
    chn, _ = khandelwal_quality(obs, QualityParams(sigma_table=str(path), sigma_importer="CHN"))
    c = chn[(chn.hs6 == "841011") & (chn.dest_code == "US")].sort_values("firm_id")
    y9 = np.log(q) + 9.0 * np.log(v / q)
    np.testing.assert_allclose(c["quality"].to_numpy(), (y9 - y9.mean()) / 8.0, rtol=1e-12)


def test_broda_weinstein_table_reads_when_present():
    """The shared Broda-Weinstein file (../shared/data/bw_sigma) in the shape load_sigma_table reads."""
    from pathlib import Path

    from eq_assets.quality.khandelwal import load_sigma_table

    path = Path(__file__).resolve().parents[2] / "shared" / "data" / "bw_sigma" / "sigma_hs0_3d_73countries.csv"
    if not path.exists():
        path = Path("/work/shared/data/bw_sigma/sigma_hs0_3d_73countries.csv")
    if not path.exists():
        pytest.skip("Broda-Weinstein table not present")
    t = load_sigma_table(path, "USA")
    assert len(t) == 168 and t["hs_prefix"].str.fullmatch(r"\d{3}").all()
    assert 2.0 < t["sigma"].median() < 2.6  # SOURCE.md: USA HS0 median 2.29


# ---------------------------------------------------------------- frontier and Distance (P1 eq. 22)
def test_distance_is_industry_year_max_minus_quality():
    q = pd.DataFrame(
        {
            "industry": ["1711", "1711", "1711", "3911"],
            "year": [2009, 2009, 2010, 2009],
            "quality": [0.5, -0.25, 0.1, 2.0],
        }
    )
    out = quality_distance(q).sort_values(["industry", "year", "quality"])
    assert out["frontier"].tolist() == [0.5, 0.5, 0.1, 2.0]
    assert out["Distance"].tolist() == [0.75, 0.0, 0.0, 0.0]
    p = quality_distance(q, FrontierParams(statistic=0.5))
    grp = p[(p.industry == "1711") & (p.year == 2009)]
    assert grp["frontier"].iloc[0] == pytest.approx(0.125)  # median of 0.5 and -0.25


# ---------------------------------------------------------------- controls (P1 III.2.3)
def test_each_control_by_hand():
    f = pd.DataFrame(
        {
            "year": [2010, 2010],
            "legal_code": ["a", "b"],
            "employees": [100.0, 0.0],
            "total_profit": [20.0, -5.0],
            "total_assets": [200.0, 100.0],
            "current_assets": [80.0, 10.0],
            "current_liabilities": [30.0, 40.0],
            "open_year": [2001, 2011],
            "fixed_assets": [50.0, 60.0],
            "total_liabilities": [120.0, 90.0],
        }
    )
    c = firm_controls(f)
    a, b = c.iloc[0], c.iloc[1]
    assert a.Size == pytest.approx(math.log(100))
    assert a.Profit_rate == pytest.approx(math.log(20 / 200))
    assert a.Finance == pytest.approx((80 - 30) / 200)
    assert a.Age == pytest.approx(math.log(2010 - 2001 + 1))
    assert a.Tangible == pytest.approx(math.log(50 / 200))
    assert a.Leverage == pytest.approx(math.log(120 / 200))
    # undefined formulas are missing, not zero: no employees, a loss, opening after the year
    assert np.isnan(b.Size) and np.isnan(b.Profit_rate) and np.isnan(b.Age)
    assert b.Finance == pytest.approx((10 - 40) / 100)


# ---------------------------------------------------------------- digital patents and Eco (P1 III.2.2)
def test_digital_classification_eco_and_linking():
    table = pd.DataFrame(
        {"de_code": ["0101", "0302", "0401"], "de_name": ["x", "y", "z"], "ipc": ["G06F", "H04L 9/", "G06Q 10/06"]}
    )
    patents = pd.DataFrame(
        {
            "application_no": ["p1", "p2", "p3", "p4", "p5"],
            "applicant": ["甲电子有限公司", "甲电子有限公司", "乙机械厂", "某大学", "甲电子有限公司;乙机械厂"],
            "app_year": [2010] * 5,
            "patent_type": ["发明", "实用新型", "发明", "发明", "外观设计"],
            "ipc_main": ["G06F 3/01", "A01B 1/00", "H04L 12/40", "G06Q 10/06", "B21D 5/00"],
            "ipc_all": ["G06F 3/01", "A01B 1/00;H04L 9/32", "H04L 12/40", "G06Q 10/06", "B21D 5/00"],
            "citations": [1.0, 0.0, 2.0, 0.0, 0.0],
        }
    )
    c = classify_digital(patents, table)
    # p1 G06F (subclass entry), p2 via its second code H04L 9/32 (main-group entry), p4 subgroup
    # entry; p3 H04L 12/ is not under H04L 9/; p5 none
    assert c.set_index("application_no")["is_digital"].to_dict() == {
        "p1": True, "p2": True, "p3": False, "p4": True, "p5": False
    }
    assert c.set_index("application_no").loc["p2", "cat_03"] and not c.set_index("application_no").loc["p2", "cat_01"]
    survey = pd.DataFrame({"year": [2010, 2010, 2010], "legal_code": ["A1", "B1", "C1"],
                           "firm_name": ["甲电子有限责任公司", "乙机械厂", "丙公司"]})
    linked, acc = link_patents_to_firms(c, survey, 2010)
    # pairs: p1-甲, p2-甲, p3-乙, p4-大学 (not a survey firm), p5-甲, p5-乙 => 5 linked, 1 dropped
    assert acc.rows_in == 6 and acc.dropped["applicant_not_a_survey_firm"] == 1
    assert len(linked) == 5 and acc.finish(len(linked)).balanced
    eco = eco_index(survey, linked).set_index("legal_code")
    assert eco.loc["A1", "n_digital"] == 2 and eco.loc["A1", "Eco"] == pytest.approx(math.log(3))
    assert eco.loc["B1", "n_digital"] == 0 and eco.loc["B1", "n_patents"] == 2
    assert eco.loc["C1", "Eco"] == 0.0
    assert eco.loc["A1", "n_digital_invention"] == 1 and eco.loc["A1", "n_digital_utility"] == 1


# ---------------------------------------------------------------- customs cleaning (SPEC 2)
def test_customs_cleaning_counts_every_row():
    rows = [
        # firm, name, hs8, dest, mode, qty, value, flow
        ("c1", "华信电子有限公司", "85171200", "502", "一般贸易", 5, 30, "出口"),
        ("c1", "华信电子有限公司", "85171200", "502", "一般贸易", 5, 40, "出口"),   # same obs: merged, 70 USD
        ("c1", "华信电子有限公司", "85171200", "116", "一般贸易", 0.5, 100, "出口"),  # qty < 1: dropped
        ("c2", "宁波华茂进出口有限公司", "85171200", "502", "一般贸易", 9, 900, "出口"),  # intermediary
        ("c3", "东方机械厂", "84561000", "502", "进料加工贸易", 3, 20, "出口"),  # value < 50: dropped
        ("c3", "东方机械厂", "84561000", "502", "一般贸易", 3, 200, "进口"),  # import
        ("c3", None, "84561000", "502", "一般贸易", 3, 200, "出口"),  # missing name
        ("c3", "东方机械厂", "8456", "502", "一般贸易", 3, 200, "出口"),  # bad HS
    ]
    raw = pd.DataFrame(rows, columns=["customs_firm_code", "firm_name", "hs8", "dest_code", "trade_mode", "quantity", "value_usd", "flow"])
    raw["phone"], raw["zip"], raw["unit"], raw["year"], raw["month"] = "1", "100000", "个", 2009, 1
    conc = pd.DataFrame({"hs_version": ["HS2007"], "hs6": ["851712"], "hs6_base": ["851790"]})
    obs, acc, extra = clean_customs(raw, conc, 2009, CustomsCleaningParams())
    assert acc.dropped == {
        "import_or_other_flow": 1,
        "missing_key": 1,
        "trade_intermediary": 1,
        "invalid_hs_code": 1,
        "missing_unit": 0,
        "unit_not_convertible_to_product_unit": 0,
        "merged_into_observations": 1,
        "observation_value_or_quantity_below_minimum": 2,
    }
    assert len(obs) == 1 and acc.finish(len(obs)).balanced
    o = obs.iloc[0]
    assert (o.hs6, o.value_usd, o.quantity, o.n_shipments, o.trade_mode) == ("851790", 70.0, 10.0, 2, "general")
    assert hs_revision(2006) == "HS2002" and hs_revision(2007) == "HS2007" and hs_revision(2012) == "HS2012"


def test_customs_cleaning_units_and_concordance_counted():
    """Units put on one scale per product before summing (tonnes -> kg, a code resolved), the rows
    of another family and without a unit counted, codes missing from the concordance counted."""
    rows = [
        ("c1", "甲厂", "85171200", "502", 2.0, "吨", 100.0),  # mass, converted to 2000 kg
        ("c1", "甲厂", "85171200", "502", 500.0, "千克", 100.0),  # same observation: 2500 kg, 200 USD
        ("c2", "乙厂", "85171200", "502", 3.0, "个", 100.0),  # pieces: not the product's family (mass)
        ("c3", "丙厂", "84561000", "502", 5.0, None, 100.0),  # no unit
        ("c3", "丙厂", "84561000", "116", 5.0, "035", 100.0),  # code 035 = 千克
    ]
    raw = pd.DataFrame(rows, columns=["customs_firm_code", "firm_name", "hs8", "dest_code", "quantity", "unit", "value_usd"])
    raw["trade_mode"], raw["flow"], raw["phone"], raw["zip"], raw["year"], raw["month"] = "一般贸易", "出口", None, None, 2009, 1
    conc = pd.DataFrame({"hs_version": ["HS2007"], "hs6": ["851712"], "hs6_base": ["851790"]})
    obs, acc, extra = clean_customs(raw, conc, 2009, CustomsCleaningParams())
    assert {k: v for k, v in acc.dropped.items() if v} == {
        "missing_unit": 1, "unit_not_convertible_to_product_unit": 1, "merged_into_observations": 1}
    assert extra["units_converted"] == 1 and extra["hs6_not_in_concordance_kept"] == 2
    got = {(o.customs_firm_code, o.hs6, o.dest_code): (o.quantity, o.unit, o.value_usd, o.n_shipments)
           for o in obs.itertuples()}
    assert got == {("c1", "851790", "502"): (2500.0, "千克", 200.0, 2), ("c3", "845610", "116"): (5.0, "千克", 100.0, 1)}
    assert acc.finish(len(obs)).balanced


def test_firm_cleaning_resolves_duplicates_and_derives_ids():
    raw = pd.DataFrame(
        {
            "legal_code": ["a", "a", "b", None],
            "year": [2009] * 4,
            "firm_name": ["甲", "甲", "乙", "丙"],
            "admin_code": ["320102", "320102", "44030X", "110101"],
            "cic": ["3911", "3911", "1711", "1711"],
            "total_assets": [10.0, 20.0, 5.0, 1.0],
        }
    )
    for col in ["phone", "zip", "reg_type", "open_year", "op_status", "employees", "fixed_assets", "current_assets",
                "current_liabilities", "total_liabilities", "total_profit", "gross_output", "value_added",
                "intermediate_input", "wage_bill", "export_delivery", "revenue"]:
        raw[col] = None
    df, acc = clean_firms(raw)
    assert acc.dropped == {"missing_legal_code": 1, "invalid_admin_or_industry_code": 1, "duplicated_legal_code_year": 1}
    assert len(df) == 1 and df.iloc[0].total_assets == 20.0  # keeps the larger record
    assert (df.iloc[0].province, df.iloc[0].city, df.iloc[0].industry) == ("32", "3201", "3911")
