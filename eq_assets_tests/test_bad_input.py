"""The bad-input catalogue (issue 9): every corruption is refused or accounted, never silent.

Each case corrupts one raw file of the one-year tiny world (``bad_world``, bad_input_world.py),
materializes one or two assets, and asserts the exact outcome:

- :class:`Refused`: the run fails with a message naming the file, the column, the lines and what
  was expected, and every stored table is byte-identical to the last good version;
- :class:`Counted`: the run succeeds and the rows are counted under the named reason (dropped or
  flagged); then, the good file restored, the same assets give the last good versions back byte
  for byte (or the stored tables never changed: ``identical``).

The rules themselves are in eq_assets/sources/rules.py; the README section "What happens to bad
input" lists them. ``test_catalogue_covers_every_source`` keeps the catalogue complete.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

import pytest

from bad_input_world import YEAR

CUSTOMS, ASIF, PATENTS = f"customs/customs_{YEAR}.csv", f"asif/asif_{YEAR}.csv", "patents/patents.csv"


@dataclass(frozen=True)
class Refused:
    file: str  # relative to the raw directory
    column: str | None = None
    lines: tuple[int, ...] = ()
    has: tuple[str, ...] = ()


@dataclass(frozen=True)
class Counted:
    counts: dict  # (asset, metadata key) -> rows
    identical: bool = False  # the stored tables did not change at all (e.g. a copy of a row dropped)
    check: Callable | None = None  # further assertion on the world after the run


@dataclass(frozen=True)
class Case:
    cid: str
    source: str  # raw source or reference asset the case corrupts
    assets: tuple[str, ...]
    edit: Callable
    partition: str | None = str(YEAR)
    config: dict = field(default_factory=dict)


CASES: dict[str, Case] = {}


def case(cid, source, assets=None, *, partition=str(YEAR), config=None):
    default = {"customs": ("raw_customs",), "asif": ("raw_asif",), "patents": ("raw_patents",)}.get(source, (source,))
    part = partition if source in ("customs", "asif", "patents") else None

    def deco(fn):
        CASES[cid] = Case(cid, source, tuple(assets or default), fn, part, config or {})
        return fn

    return deco


def edit(w, rel, fn):
    c = w.csv(rel)
    out = fn(c)
    c.save()
    return out


def good(w, asset, key):
    return int(w.metadata[asset].get(key, 0))


# ---- customs ------------------------------------------------------------------------------------

def _set(rel, line, column, value, col_label, rule, *has):
    def fn(w):
        edit(w, rel, lambda c: c.set(line, column, value))
        return Refused(rel, col_label, (line,), (rule, *has))
    return fn


for cid, line, column, value, label, rule, has in [
    ("customs_month_13", 10, "month", 13, "月份 (month)", "month_out_of_range", ("values seen: 13", "expected: a month 1-12")),
    ("customs_month_0", 11, "month", 0, "月份 (month)", "month_out_of_range", ("values seen: 0",)),
    ("customs_destination_999", 12, "dest_code", "999", "目的国(地区) (dest_code)", "unknown_destination",
     ("'999'", "reference/country_codes")),
    ("customs_hs_not_in_revision", 13, "hs8", "99999999", "产品编码 (hs8)", "hs_not_in_revision", ("HS2007",)),
    ("customs_negative_value", 14, "value_usd", "-120.5", "金额(美元) (value_usd)", "negative_value", ("-120.5",)),
    ("customs_negative_quantity", 15, "quantity", "-3", "数量 (quantity)", "negative_quantity", ("-3.0",)),
    ("customs_value_1e15", 16, "value_usd", "1e15", "金额(美元) (value_usd)", "value_above_max", ("1e+10",)),
    ("customs_quantity_1e13", 17, "quantity", "1e13", "数量 (quantity)", "quantity_above_max", ("1e+12",)),
    ("customs_value_inf", 18, "value_usd", "inf", "金额(美元) (value_usd)", "not_finite", ("inf",)),
    ("customs_value_nan", 19, "value_usd", "NaN", "金额(美元) (value_usd)", "not_finite", ("nan",)),
    ("customs_unknown_flow", 20, "flow", "出", "进出口 (flow)", "unknown_flow", ("'出'",)),
    ("customs_value_not_a_number", 21, "value_usd", "abc", "金额(美元) (value_usd)", "values that are not double", ("'abc'",)),
    ("customs_row_of_another_year", 22, "year", YEAR + 1, "年份 (year)", "not the file's year", (str(YEAR + 1),)),
]:
    case(cid, "customs")(_set(CUSTOMS, line, column, value, label, rule, *has))

case("customs_month_13_policy_drop", "customs", config={"raw_customs": {"month_out_of_range": "drop"}})(
    lambda w: (edit(w, CUSTOMS, lambda c: c.set(10, "month", 13)),
               Counted({("raw_customs", "dropped_month_out_of_range"): 1,
                        ("raw_customs", "rows_out"): good(w, "raw_customs", "rows_out") - 1}))[1])


@case("customs_exact_duplicate_row", "customs")
def _(w):
    edit(w, CUSTOMS, lambda c: c.append(list(c.rows[28])))
    return Counted({("raw_customs", "dropped_duplicate_row"): 1}, identical=True)


@case("customs_same_key_other_value", "customs")
def _(w):
    def fn(c):
        row = list(c.rows[28])
        row[c.col("value_usd")] = "12.5"
        c.append(row)
    edit(w, CUSTOMS, fn)
    return Counted({("raw_customs", "flagged_same_key_different_values"): 2})


@case("customs_zero_value", "customs")
def _(w):
    edit(w, CUSTOMS, lambda c: c.set(c.find(flow="出口", after=40), "value_usd", "0"))
    return Counted({("raw_customs", "flagged_zero_value"): 1})


@case("customs_unit_value_outlier", "customs")
def _(w):
    edit(w, CUSTOMS, lambda c: (c.set(2, "quantity", "1"), c.set(2, "value_usd", "5e9")))
    return Counted({("raw_customs", "flagged_unit_value_outlier"): good(w, "raw_customs", "flagged_unit_value_outlier") + 1})


@case("customs_header_only", "customs")
def _(w):
    edit(w, CUSTOMS, lambda c: c.rows.clear())
    n = good(w, "raw_customs", "rows_out")
    return Refused(CUSTOMS, None, (), ("the year has no row", f"the stored partition has {n:,} rows", "empty_year: keep"))


@case("customs_empty_file", "customs")
def _(w):
    w.path(CUSTOMS).write_bytes(b"")
    return Refused(CUSTOMS, None, (), ("the file is empty",))


@case("customs_unquoted_comma_line_78", "customs")
def _(w):
    edit(w, CUSTOMS, lambda c: c.set(78, "firm_name", c.get(78, "firm_name") + ",分公司"))
    return Refused(CUSTOMS, None, (78,), ("cannot be parsed as CSV", "Expected Number of Columns: 13 Found: 14"))


@case("customs_truncated_last_line", "customs")
def _(w):
    p = w.path(CUSTOMS)
    text = p.read_text(encoding="utf-8").rstrip("\n")
    last = text.count("\n") + 1
    p.write_text(text[: text.rfind("\n") + 21], encoding="utf-8")
    return Refused(CUSTOMS, None, (last,), ("cannot be parsed as CSV", "Expected Number of Columns: 13 Found: 2"))


@case("customs_missing_file", "customs")
def _(w):
    w.path(CUSTOMS).unlink()
    return Refused(CUSTOMS, None, (), ("file not found",))


@case("customs_renamed_header", "customs")
def _(w):
    edit(w, CUSTOMS, lambda c: c.header.__setitem__(c.col("quantity"), "件数"))
    return Refused(CUSTOMS, "数量", (), ("missing column(s) 数量 (quantity)", "'件数'"))


@case("customs_gbk_bad_byte", "customs")
def _(w):
    p = w.path(CUSTOMS)
    lines = p.read_text(encoding="utf-8").encode("gbk").split(b"\n")
    lines[39] = lines[39].replace(lines[39].split(b",")[1][:2], b"\x81\x20", 1)
    p.write_bytes(b"\n".join(lines))
    return Refused(CUSTOMS, None, (40,), ("encoding",))


@case("customs_two_layouts_for_one_year", "customs")
def _(w):
    extra = f"customs/customs_{YEAR}_01.csv"
    w.path(extra).write_text(w.path(CUSTOMS).read_text(encoding="utf-8"), encoding="utf-8")
    return Refused(extra, None, (), ("held by two sets of files",))


@case("customs_tonnes_converted_not_summed", "customs", ("raw_customs", "customs_exports"))
def _(w):
    def fn(c):
        line = next(i + 2 for i, r in enumerate(c.rows) if r[c.col("unit")] == "千克" and r[c.col("flow")] == "出口"
                    and float(r[c.col("quantity")]) % 1000 == 0)
        c.set(line, "quantity", repr(float(c.get(line, "quantity")) / 1000))
        c.set(line, "unit", "吨")
    edit(w, CUSTOMS, fn)
    # the observation's quantity is in kilograms again: customs_exports is the last good one, byte for byte
    return Counted({("customs_exports", "units_converted"): 1, ("raw_customs", "flagged_unknown_unit"): 0},
                   check=lambda w: _same(w, f"tables/customs_exports/{YEAR}.parquet"))


@case("customs_unit_not_convertible", "customs", ("raw_customs", "customs_exports"))
def _(w):
    edit(w, CUSTOMS, lambda c: c.set(c.find(unit="千克", flow="出口"), "unit", "台"))
    return Counted({("customs_exports", "dropped_unit_not_convertible_to_product_unit"): 1})


@case("customs_unknown_unit", "customs", ("raw_customs", "customs_exports"))
def _(w):
    edit(w, CUSTOMS, lambda c: c.set(c.find(unit="千克", flow="出口"), "unit", "桶"))
    return Counted({("raw_customs", "flagged_unknown_unit"): 1,
                    ("customs_exports", "dropped_unit_not_convertible_to_product_unit"): 1})


@case("customs_missing_firm_code", "customs", ("raw_customs", "customs_exports"))
def _(w):
    edit(w, CUSTOMS, lambda c: c.set(c.find(flow="出口", after=50), "customs_firm_code", ""))
    return Counted({("customs_exports", "dropped_missing_key"): good(w, "customs_exports", "dropped_missing_key") + 1})


def _same(w, rel):
    assert w.digests()[rel] == w.good[rel], rel


# ---- survey -------------------------------------------------------------------------------------

for cid, line, column, value, label, rule, has in [
    ("asif_negative_assets", 10, "total_assets", "-5000", "资产总计 (total_assets)", "negative_amount", ("-5000.0",)),
    ("asif_open_year_2999", 11, "open_year", "2999", "开业年份 (open_year)", "open_year_out_of_range", ("2999",)),
    ("asif_unknown_reg_type", 12, "reg_type", "999", "登记注册类型 (reg_type)", "unknown_reg_type", ("'999'",)),
    ("asif_unknown_province", 13, "admin_code", "990101", "行政区划代码 (admin_code)", "unknown_province", ("'990101'",)),
    ("asif_non_industrial_cic", 14, "cic", "9911", "行业代码 (cic)", "unknown_industry", ("'9911'",)),
    ("asif_employees_5e6", 15, "employees", "5000000", "全部从业人员年平均人数 (employees)", "employees_above_max", ("5000000.0",)),
    ("asif_revenue_inf", 16, "revenue", "inf", "主营业务收入 (revenue)", "not_finite", ("inf",)),
    ("asif_employees_not_a_number", 17, "employees", "abc", "全部从业人员年平均人数 (employees)", "values that are not double", ("'abc'",)),
    ("asif_row_of_another_year", 18, "year", YEAR - 1, "年份 (year)", "not the file's year", (str(YEAR - 1),)),
    ("asif_negative_wage_bill", 19, "wage_bill", "-1", "应付工资总额 (wage_bill)", "negative_amount", ("-1.0",)),
]:
    case(cid, "asif")(_set(ASIF, line, column, value, label, rule, *has))


@case("asif_exact_duplicate_row", "asif")
def _(w):
    edit(w, ASIF, lambda c: c.append(list(c.rows[28])))
    return Counted({("raw_asif", "dropped_duplicate_row"): 1}, identical=True)


@case("asif_same_key_other_values", "asif", ("raw_asif", "firm_survey"))
def _(w):
    def fn(c):
        row = list(c.rows[28])
        row[c.col("total_assets")] = "1"
        c.append(row)
    edit(w, ASIF, fn)
    return Counted({("raw_asif", "flagged_same_key_different_values"): good(w, "raw_asif", "flagged_same_key_different_values") + 2,
                    ("firm_survey", "dropped_duplicated_legal_code_year"): good(w, "firm_survey", "dropped_duplicated_legal_code_year") + 1})


@case("asif_city_not_in_city_panel", "asif")
def _(w):
    edit(w, ASIF, lambda c: c.set(20, "admin_code", "469001"))
    return Counted({("raw_asif", "flagged_admin_city_not_in_city_panel"): 1})


@case("asif_missing_legal_code", "asif", ("raw_asif", "firm_survey"))
def _(w):
    edit(w, ASIF, lambda c: c.set(21, "legal_code", ""))
    return Counted({("firm_survey", "dropped_missing_legal_code"): 1})


@case("asif_header_only", "asif")
def _(w):
    edit(w, ASIF, lambda c: c.rows.clear())
    return Refused(ASIF, None, (), ("the year has no row", "the stored partition has"))


# ---- patents ------------------------------------------------------------------------------------

def _app_years(c, year="2909"):
    for line in (10, 11, 12):
        c.set(line, "app_year", year)


case("patents_dated_2909", "patents")(
    lambda w: (edit(w, PATENTS, _app_years),
               Refused(PATENTS, "申请年份 (app_year)", (10, 11, 12), ("3 row(s) break the rule app_year_out_of_range",
                                                               "values seen: 2909", "app_year_out_of_range: drop")))[1])
case("patents_dated_2909_policy_drop", "patents", config={"raw_patents": {"app_year_out_of_range": "drop"}})(
    lambda w: (edit(w, PATENTS, _app_years), Counted({("raw_patents", "dropped_app_year_out_of_range"): 3}))[1])
case("patents_missing_app_year", "patents")(
    lambda w: (edit(w, PATENTS, lambda c: c.set(10, "app_year", "")),
               Counted({("raw_patents", "dropped_missing_app_year"): 1}))[1])

for cid, line, column, value, label, rule, has in [
    ("patents_unknown_type", 11, "patent_type", "发明专利X", "专利类型 (patent_type)", "unknown_patent_type", ("'发明专利X'",)),
    ("patents_negative_citations", 13, "citations", "-2", "被引次数 (citations)", "negative_citations", ("-2.0",)),
    ("patents_citations_inf", 14, "citations", "inf", "被引次数 (citations)", "not_finite", ("inf",)),
]:
    case(cid, "patents")(_set(PATENTS, line, column, value, label, rule, *has))


@case("patents_same_number_other_record", "patents")
def _(w):
    def fn(c):
        row = list(c.rows[10])
        row[c.col("applicant")] = "另一家公司"
        return c.append(row)
    last = edit(w, PATENTS, fn)
    return Refused(PATENTS, None, (12, last), ("same_key_different_values",))


@case("patents_all_years_dated_2909", "raw_patents_all")
def _(w):
    edit(w, PATENTS, _app_years)
    return Refused(PATENTS, "申请年份 (app_year)", (10, 11, 12), ("app_year_out_of_range", "raw_patents_all with config"))


@case("patents_exact_duplicate_row", "patents")
def _(w):
    edit(w, PATENTS, lambda c: c.append(list(c.rows[10])))
    return Counted({("raw_patents", "dropped_duplicate_row"): 1}, identical=True)


@case("patents_invalid_ipc", "patents", ("raw_patents", "firm_patents"))
def _(w):
    edit(w, PATENTS, lambda c: c.set(14, "ipc_all", c.get(14, "ipc_all") + ";XYZ"))
    return Counted({("raw_patents", "flagged_invalid_ipc"): 1, ("firm_patents", "ipc_codes_invalid_ipc"): 1})


@case("patents_ipc_fixed_width_spelling", "patents", ("raw_patents", "firm_patents"))
def _(w):
    def fn(c):
        line = c.find(ipc_main="G06Q 30/40")
        c.set(line, "ipc_main", "G06Q0030400000")
        c.set(line, "ipc_all", c.get(line, "ipc_all").replace("G06Q 30/40", "G06Q30/40"))
    edit(w, PATENTS, fn)
    n = good(w, "firm_patents", "digital_patents_filed")
    return Counted({("firm_patents", "ipc_codes_respelled"): 2, ("firm_patents", "digital_patents_filed"): n,
                    ("raw_patents", "flagged_invalid_ipc"): 0})


@case("patents_header_only", "patents")
def _(w):
    edit(w, PATENTS, lambda c: c.rows.clear())
    return Refused(PATENTS, None, (), ("the year has no row", "the stored partition has"))


# ---- reference tables ---------------------------------------------------------------------------

def _ref_set(rel, line, column, value, label, *has):
    def fn(w):
        edit(w, rel, lambda c: c.set(line, column, value))
        return Refused(rel, label, (line,), has)
    return fn


def _ref_dup(rel, line, *key):
    def fn(w):
        last = edit(w, rel, lambda c: c.append(list(c.rows[line - 2])))
        return Refused(rel, None, (), (f"rows share a key ({', '.join(key)})", f"(lines {line}, {last})"))
    return fn


R = "reference/"
for asset, rel, line, column, value, label, has in [
    ("hs_concordance", "hs_concordance.csv", 6, "hs_version", "HS2099", "版本 (hs_version)", "isin"),
    ("digital_ipc_table", "digital_ipc_2023.csv", 3, "de_code", "0599", "数字经济核心产业代码 (de_code)", "str_matches"),
    ("country_codes", "country_codes.csv", 4, "dest_code", "1X3", "国别代码 (dest_code)", "str_matches"),
    ("city_panel", "city_panel.csv", 4, "population", "-518.1", "年末总人口 (population)", "greater_than_or_equal_to(0)"),
    ("egov_scores", "egov_scores.csv", 5, "idf", "1.5", "资质认定 (idf)", "less_than_or_equal_to(1.0)"),
    ("city_attributes", "city_attributes.csv", 3, "coastal", "2", "沿海城市 (coastal)", "isin"),
    ("province_panel", "province_panel.csv", 3, "ftz", "3", None, "isin"),
    ("work_report", "work_report_digital.csv", 3, "digital_word_freq", "-4", None, "greater_than_or_equal_to(0)"),
    ("input_tariffs", "input_tariffs.csv", 3, "input_tariff", "inf", "中间投入品关税 (input_tariff)", "finite"),
    ("city_ip_protection", "city_ip_protection.csv", 3, "city_code", "11", "城市代码 (city_code)", "str_matches"),
    ("city_1984", "city_1984.csv", 3, "phones_1984", "-8.41", None, "greater_than_or_equal_to(0)"),
    ("province_internet_ports", "province_internet_ports.csv", 3, "internet_ports", "-1", None, "greater_than_or_equal_to(0)"),
    ("foreign_patents", "foreign_patents.csv", 3, "foreign_patent_filings", "-559", None, "greater_than_or_equal_to(0)"),
    ("country_development", "country_development.csv", 3, "development_status", "发达", "发展程度 (development_status)", "isin"),
    ("hs_cic", "hs6_cic.csv", 3, "hs6", "03031", "HS6 (hs6)", "str_matches"),
    ("industry_panel", "industry_panel.csv", 3, "ppi", "0", None, "greater_than(0)"),
    ("us_industry", "us_industry_productivity.csv", 3, "us_labour_productivity", "-1", None, "greater_than_or_equal_to(0)"),
    ("country_panel", "country_panel.csv", 3, "gdp_usd", "n/a", "GDP现价美元 (gdp_usd)", "values that are not double"),
]:
    case(f"{asset}_bad_value", asset)(_ref_set(R + rel, line, column, value, label, has))

case("customs_aggregate_negative_value", "customs_aggregate")(
    _ref_set("customs_aggregate/customs_aggregate.csv", 3, "value_usd", "-1", "金额(美元) (value_usd)", "greater_than_or_equal_to(0)"))

for asset, rel, line, key in [
    ("hs_concordance", "hs_concordance.csv", 5, ("hs_version", "hs6")),
    ("country_codes", "country_codes.csv", 3, ("dest_code",)),
    ("city_panel", "city_panel.csv", 3, ("city_code", "year")),
    ("industry_attributes", "industry_attributes.csv", 3, ("cic",)),
    ("us_industry", "us_industry_productivity.csv", 4, ("cic2", "year")),
    ("digital_ipc_table", "digital_ipc_2023.csv", 4, ("de_code", "ipc")),
]:
    case(f"{asset}_duplicated_key", asset)(_ref_dup(R + rel, line, *key))


@case("industry_panel_header_only", "industry_panel")
def _(w):
    edit(w, R + "industry_panel.csv", lambda c: c.rows.clear())
    return Refused(R + "industry_panel.csv", None, (), ("has no row",))


@case("city_1984_missing_file", "city_1984")
def _(w):
    w.path(R + "city_1984.csv").unlink()
    return Refused(R + "city_1984.csv", None, (), ("file not found",))


# ---- the test -----------------------------------------------------------------------------------

@pytest.mark.parametrize("cid", sorted(CASES))
def test_bad_input_is_refused_or_accounted(bad_world, cid):
    w, c = bad_world, CASES[cid]
    w.restore()
    try:
        expect = c.edit(w)
        ok, errors, md = w.run(c.assets, c.partition, c.config)
    finally:
        w.restore()
    assert not w.staged_leftovers()
    if isinstance(expect, Refused):
        assert not ok, f"{cid}: not refused"
        msg = "\n".join(re.sub(r"^[\w.]+Error: ", "", e) for e in errors)
        assert msg.startswith(str(w.raw / expect.file)), msg
        if expect.column:
            assert f"column: {expect.column}\n" in msg, msg
        for line in expect.lines:
            assert re.search(rf"\bline {line}\b", msg), (line, msg)
        for text in expect.has:
            assert text in msg, (text, msg)
        assert "expected:" in msg, msg
        assert w.digests() == w.good, "a refused input changed the warehouse"
        return
    assert ok, errors
    for (asset, key), n in expect.counts.items():
        assert int(md[asset].get(key, 0)) == n, (asset, key, md[asset].get(key))
    if expect.check:
        expect.check(w)
    if not expect.identical:  # the good file back: the same assets give the last good versions again
        ok, errors, _ = w.run(c.assets, c.partition)
        assert ok, errors
    assert w.digests() == w.good


def test_catalogue_covers_every_source():
    """At least 40 cases; every raw source and every reference table has one; outcomes counted."""
    from eq_assets.definitions import ALL_ASSETS

    sources = {a.key.to_user_string() for a in ALL_ASSETS if a.group_names_by_key[a.key] == "sources"}
    covered = {c.source for c in CASES.values()} | {a for c in CASES.values() for a in c.assets}
    covered |= {"raw_customs", "raw_asif", "raw_patents"} & {f"raw_{c.source}" for c in CASES.values()}
    assert len(CASES) >= 40
    assert sources <= covered, sorted(sources - covered)
