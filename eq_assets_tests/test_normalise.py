"""Units, HS revisions and IPC spellings normalised with counts; matching reported per rule."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from eq_assets.cleaning.hs import harmonise_hs_sql, hs_counts_sql, un_concordance_frame
from eq_assets.cleaning.units import normalise_units_sql, unit_counts_sql
from eq_assets.digital.ipc import ipc_counts_sql, ipc_list_sql, ipc_sql, ipc_valid_sql, normalise_ipc, normalise_ipc_list
from eq_assets.matching.match import match_customs_to_survey
from eq_assets.matching.report import match_exact_name, match_report, match_with_rules

_REPO = Path(__file__).resolve().parents[1]
#: the public reference data beside the clone (``../shared``; CI lays it there), or $EQ_SHARED_DIR
SHARED = next((p / "data" / "hs_concordance" for p in (
    Path(os.environ.get("EQ_SHARED_DIR", _REPO / "__none__")), _REPO.parent / "shared", _REPO.parent.parent / "shared")
    if (p / "data" / "hs_concordance").exists()), _REPO.parent / "shared" / "data" / "hs_concordance")


def test_units_converted_within_a_product_and_kept_apart_otherwise():
    con = duckdb.connect()
    con.register("t", pd.DataFrame({
        "hs8": ["01010000"] * 5 + ["02020000"] * 3 + ["03030000"],
        "unit": ["千克", "吨", "070", "克", "台", "打", "个", "件", None],
        "quantity": [5.0, 2.0, 1.0, 500.0, 3.0, 2.0, 7.0, 1.0, 4.0],
    }))
    sql = normalise_units_sql("t")
    got = con.execute(f"select hs8, unit, quantity_std, unit_std, unit_rule from ({sql}) order by hs8, unit").fetchall()
    assert ("01010000", "070", 1000.0, "千克", "converted") in got  # customs unit code 070 = 吨
    assert ("01010000", "吨", 2000.0, "千克", "converted") in got and ("01010000", "克", 0.5, "千克", "converted") in got
    assert ("01010000", "台", 3.0, "台", "kept_apart") in got  # no conversion from 台 to 千克
    assert ("02020000", "打", 24.0, "个", "converted") in got and ("02020000", "件", 1.0, "件", "kept_apart") in got
    # mass totals of product 0101: 5 + 2000 + 1000 + 0.5 kg, never mixed with 台
    assert con.execute(f"select sum(quantity_std) from ({sql}) where hs8 = '01010000' and unit_std = '千克'").fetchone()[0] == 3005.5
    counts = dict(con.execute(unit_counts_sql(sql)).fetchall())
    assert counts == {"base": 2, "converted": 4, "kept_apart": 2, "missing_unit": 1}
    assert sum(counts.values()) == 9  # every row accounted for


def _concordance():
    return pd.DataFrame({"hs_version": ["HS2007", "HS2007", "HS2012"], "hs6": ["851712", "010110", "851712"],
                         "hs6_base": ["852520", "010110", "852520"]})


def test_hs_harmonised_to_one_revision_with_each_conversion_counted():
    con = duckdb.connect()
    con.register("conc", _concordance())
    con.register("t", pd.DataFrame({"hs8": ["85171200", "01011000", "99999900", "8517", "85171200"],
                                    "v": ["HS2007", "HS2007", "HS2007", "HS2007", "HS2002"]}))
    sql = harmonise_hs_sql("t", "conc", vintage="v")
    got = con.execute(f"select hs8, v, hs6_target, hs_rule from ({sql}) order by hs8, v").fetchall()
    assert got == [("01011000", "HS2007", "010110", "unchanged"), ("8517", "HS2007", None, "invalid_hs"),
                   ("85171200", "HS2002", "851712", "target_vintage"), ("85171200", "HS2007", "852520", "converted"),
                   ("99999900", "HS2007", "999999", "not_in_concordance")]
    assert sum(n for _, n in con.execute(hs_counts_sql(sql)).fetchall()) == 5


@pytest.mark.shared
@pytest.mark.skipif(not SHARED.exists(), reason="../shared/data/hs_concordance not present")
def test_un_concordance_chained_to_hs2002():
    conc = un_concordance_frame(SHARED, "HS2002", ("HS2007", "HS2012"))
    m = {(r.hs_version, r.hs6): r.hs6_base for r in conc.itertuples()}
    assert m[("HS2007", "851712")] == "852520"  # mobile phones: HS2007 8517.12 <- HS2002 8525.20
    assert m[("HS2012", "851712")] == "852520"  # chained HS2012 -> HS2007 -> HS2002
    assert conc.groupby("hs_version").size().min() > 5000 and conc["hs6_base"].str.fullmatch(r"\d{6}").all()


IPC = ["G06F 17/30", "G06F17/30", "G06F0017300000", "g06f 17/30 (2006.01)", "Ｇ06Ｆ 17/30"]


def test_ipc_spellings_meet_in_python_and_sql():
    assert {normalise_ipc(c) for c in IPC} == {"G06F 17/30"}
    cases = ["H04L0009000000", "H04L 9/", "H04L9", "G06F", "A01B0001022000", "G06F 16/3", "bad", "", None]
    want = ["H04L 9/00", "H04L 9/", "H04L 9/", "G06F", "A01B 1/022", "G06F 16/30", None, None, None]
    assert [normalise_ipc(c) for c in cases] == want
    con = duckdb.connect()
    con.register("t", pd.DataFrame({"x": IPC[:4] + cases}))
    assert [r[0] for r in con.execute(f"select {ipc_sql('x')} from t").fetchall()] == ["G06F 17/30"] * 4 + want
    assert dict(con.execute(ipc_counts_sql("t", "x")).fetchall()) == {"unchanged": 3, "respelled": 7, "invalid_ipc": 1, "missing": 2}
    assert normalise_ipc_list("G06F17/30; H04L0009000000,bad") == "G06F 17/30;H04L 9/00"
    assert con.execute("select " + ipc_list_sql("'G06F17/30; H04L0009000000,bad'")).fetchone()[0] == "G06F 17/30;H04L 9/00"


def test_ipc_validity_agrees_with_normalisation():
    """The one-expression validity test of the invalid_ipc rule says what ipc_sql says, on the
    spellings above and on near misses of every form (digits one too many or too few, lower-case
    section letters outside A-H, stray characters)."""
    near = ["G06F001730000", "G06F00173000000", "G06F12345/30", "G06F 17/1234567", "G06F/30", "G06",
            "I06F 17/30", "G6F 17/30", "G06F 17/30 x", "G06F17 30", "G06F 17//30", "h04l 9/", "A01B1", "A01B12345",
            "G06F 17/30 (2006.01) ", "(2006.01)", " G06F "]
    values = IPC[:4] + ["H04L0009000000", "H04L 9/", "H04L9", "G06F", "A01B0001022000", "G06F 16/3", "bad", ""] + near
    con = duckdb.connect()
    con.register("t", pd.DataFrame({"x": values}))
    got = con.execute(f"select x, {ipc_sql('x')} is not null, {ipc_valid_sql('x')} from t").fetchall()
    assert [(x, a) for x, a, _ in got] == [(x, b) for x, _, b in got]
    assert sum(a for _, a, _ in got) > 5 and sum(not a for _, a, _ in got) > 5


def _firms():
    survey = pd.DataFrame({"year": [2009] * 4, "legal_code": ["L1", "L2", "L3", "L4"],
                           "firm_name": ["丁化工有限公司", "丁化工有限责任公司", "甲电子有限公司", "乙机械有限公司"],
                           "phone": ["1", "2", "3", "4"], "zip": ["100000"] * 4})
    customs = pd.DataFrame({"year": [2009] * 5, "customs_firm_code": ["C1", "C2", "C3", "C4", "C5"],
                            "firm_name": ["丁化工有限公司", "甲 电子有限责任公司", "乙机械厂(集团)", "戊有限公司", "己有限公司"],
                            "phone": ["9", "9", "4", "3", "7"], "zip": ["100000"] * 5})
    truth = pd.DataFrame({"customs_firm_code": ["C1", "C2", "C3", "C4", "C5"], "legal_code": ["L1", "L3", "L4", "", "L2"]})
    exports = pd.DataFrame({"year": [2009] * 6, "customs_firm_code": ["C1", "C1", "C2", "C3", "C4", "C5"],
                            "value_usd": [10.0, 5.0, 20.0, 30.0, 40.0, 50.0]})
    return customs, survey, truth, exports


def test_exact_name_rule_resolves_what_normalisation_makes_ambiguous():
    customs, survey, _, _ = _firms()
    assert match_exact_name(customs, survey)[["customs_firm_code", "legal_code"]].values.tolist() == [["C1", "L1"]]
    before, _, _ = match_customs_to_survey(customs, survey, rules=("name", "phone_zip"))
    assert "C1" not in set(before["customs_firm_code"])  # 丁化工 normalises to two survey firms
    m = match_with_rules(customs, survey)
    assert m.set_index("customs_firm_code")["match_method"].to_dict() == {
        "C1": "exact_name", "C2": "name", "C3": "phone_zip", "C4": "phone_zip"}


def test_match_report_counts_value_precision_and_recall_per_rule():
    customs, survey, truth, exports = _firms()
    m = match_with_rules(customs, survey)
    r = match_report(m, exports, truth, survey[["year", "legal_code"]]).set_index("rule")
    assert r.loc["exact_name", "exporters"] == 1 and r.loc["exact_name", "export_value"] == 15.0
    assert r.loc["phone_zip", "exporters"] == 2 and r.loc["phone_zip", "correct"] == 1  # C4 linked to L3: wrong
    assert r.loc["phone_zip", "precision"] == 0.5
    assert r.loc["all", "exporters"] == 4 and r.loc["unmatched", "exporters"] == 1
    assert r.loc["all", "recall"] == pytest.approx(3 / 4)  # C1, C2, C3 right; C5's firm L2 never found
    assert r.loc["name", "share_value"] == pytest.approx(20 / 155)
    assert r["exporters"].drop("all").sum() == 5  # every exporter in exactly one row


def test_match_report_on_the_synthetic_world(tmp_path):
    from eq_assets.sources.readers import read_source
    from eq_assets.synth import generate

    generate(tmp_path, scale="tiny", seed=3, years=(2009,), oracle_scope="none")
    c = read_source("customs", tmp_path, 2009)
    c = c[(c["flow"] == "出口") & c["firm_name"].notna()].assign(year=2009)
    s = read_source("asif", tmp_path, 2009).assign(year=2009)[["year", "legal_code", "firm_name", "phone", "zip"]]
    firms = c.drop_duplicates("customs_firm_code")[["year", "customs_firm_code", "firm_name", "phone", "zip"]].reset_index(drop=True)
    truth = pd.read_csv(tmp_path / "truth_firms.csv", dtype=str)
    r = match_report(match_with_rules(firms, s), c, truth, s[["year", "legal_code"]]).set_index("rule")
    assert set(RULE for RULE in r.index) == {"exact_name", "name", "phone_zip", "all", "unmatched"}
    assert (r.loc[["exact_name", "name", "phone_zip"], "precision"] >= 0.9).all()
    assert 0.9 <= r.loc["all", "recall"] <= 1.0 and r.loc["all", "exporters"] < len(firms)
