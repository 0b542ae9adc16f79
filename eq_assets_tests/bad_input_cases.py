"""The cases of the bad-input catalogue for the yearly raw sources (customs, survey, patents).

Each case is a function that corrupts the working copy of the one-year world (``bad_world``,
bad_input_world.py) and returns what must happen: :class:`Refused` (file, column, lines, text)
or :class:`Counted` (rows under a named reason). The reference-table cases and the test itself
are in test_bad_input.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable


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
    default = {"customs": ("raw_customs",), "asif": ("raw_asif",), "patents": ("raw_patents_all", "raw_patents")}.get(source, (source,))
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


@case("asif_zero_total_assets", "asif")
def _(w):
    edit(w, ASIF, lambda c: c.set(22, "total_assets", "0"))
    return Counted({("raw_asif", "flagged_zero_total_assets"): 1})


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
case("patents_dated_2909_policy_drop", "raw_patents_all", config={"raw_patents_all": {"app_year_out_of_range": "drop"}})(
    lambda w: (edit(w, PATENTS, _app_years),
               Counted({("raw_patents_all", "dropped_app_year_out_of_range"): 3,
                        ("raw_patents_all", "rows_out"): good(w, "raw_patents_all", "rows_out") - 3}))[1])


@case("patents_missing_app_year", "patents")
def _(w):
    edit(w, PATENTS, lambda c: c.set(10, "app_year", ""))
    n = good(w, "raw_patents", "rows_out")
    # not in the year's partition (counted in its metadata), kept in raw_patents_all as year 0
    return Counted({("raw_patents", "rows_out"): n - 1, ("raw_patents", "rows_of_another_or_no_application_year"): 1,
                    ("raw_patents_all", "rows_out"): good(w, "raw_patents_all", "rows_out")},
                   check=lambda w: _year0(w))


def _flagged_in_year(w, rule, n):
    """raw_patents_all counts the rule's rows by application year: ``n`` in all, none in no year."""
    by = w.last_metadata["raw_patents_all"]["rules_by_application_year"]
    assert sum(v.get(f"flagged_{rule}", 0) for v in by.values()) == n, by


def _year0(w):
    import duckdb

    p = w.warehouse / "tables" / "raw_patents_all" / "all.parquet"
    assert duckdb.sql(f"select count(*) from read_parquet('{p}') where year = 0").fetchall()[0][0] == 1

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
    return Counted({("raw_patents_all", "dropped_duplicate_row"): 1}, identical=True)


@case("patents_invalid_ipc", "patents", ("raw_patents_all", "raw_patents", "firm_patents"))
def _(w):
    edit(w, PATENTS, lambda c: c.set(14, "ipc_all", c.get(14, "ipc_all") + ";XYZ"))
    return Counted({("raw_patents_all", "flagged_invalid_ipc"): 1, ("firm_patents", "ipc_codes_invalid_ipc"): 1},
                   check=lambda w: _flagged_in_year(w, "invalid_ipc", 1))


@case("patents_ipc_fixed_width_spelling", "patents", ("raw_patents_all", "raw_patents", "firm_patents"))
def _(w):
    def fn(c):
        # the first digital main code (G06...) also listed in ipc_all, e.g. "G06Q 30/40"
        line = next(i + 2 for i, r in enumerate(c.rows) if r[c.col("ipc_main")].startswith("G06")
                    and r[c.col("ipc_main")] in r[c.col("ipc_all")].split(";"))
        code = c.get(line, "ipc_main")
        sub, group = code.split(" ")
        main, subgroup = group.split("/")
        c.set(line, "ipc_main", f"{sub}{int(main):04d}{subgroup.ljust(6, '0')}")  # "G06Q0030400000"
        c.set(line, "ipc_all", c.get(line, "ipc_all").replace(code, code.replace(" ", "")))  # "G06Q30/40"
    edit(w, PATENTS, fn)
    n = good(w, "firm_patents", "digital_patents_filed")
    return Counted({("firm_patents", "ipc_codes_respelled"): 2, ("firm_patents", "digital_patents_filed"): n,
                    ("raw_patents_all", "flagged_invalid_ipc"): 0})


@case("patents_header_only", "patents")
def _(w):
    edit(w, PATENTS, lambda c: c.rows.clear())
    return Refused(PATENTS, None, (), ("the year has no row", "the stored partition has"))


