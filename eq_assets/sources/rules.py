"""What happens to bad input: the validation rules of the raw sources, as data, in one place.

Each rule is a SQL predicate, true for a row that breaks it, evaluated in DuckDB on the raw rows
of one source (one year) before they are stored (:mod:`eq_assets.sources.checks` applies them),
with a **policy**:

- ``stop``: the run stops; the message names the file, the column, the lines (the first ten and
  how many in all), the values seen and what was expected; nothing is stored, the last good
  partition is kept byte for byte;
- ``drop``: the rows are left out of the raw table and counted under the rule's name (row
  accounting ``dropped_<rule>``, the console summary, the report);
- ``keep``: the rows are kept and counted under the rule's name (``flagged_<rule>``, the console
  summary): what the cleaning does with them is counted there.

The policy of every rule and every plausibility bound are run configuration of the raw asset
(``dg.Config``: the UI launchpad, or ``dagster asset materialize --config``) with the defaults
below, each with the reason for it; README "What happens to bad input" lists them. A row that
breaks several ``drop`` rules is counted under the first one listed.

Predicates are SQL templates over the raw table (canonical columns, ``year``, ``source_file``,
``source_line``): ``{c}`` is each of the rule's columns in turn (the row breaks the rule when any
column does), ``{name}`` a bound. Helper columns computed only for the rules that use them:
``_dup`` (the row is a later copy of an identical row), ``_key_conflict`` (another row has the
same key and other values), ``_uv_dev`` (|ln unit value - median ln unit value of the row's HS6
product and unit in the file|). Reference relations: ``ref_dest`` (``dest_code`` of
``reference/country_codes``), ``ref_hs6`` (``hs6`` of the year's HS revision in
``reference/hs_concordance``), ``ref_city`` (``city_code`` of ``reference/city_panel``).

Reference tables (unpartitioned) have one fixed rule set, all ``stop``: a header-only file, a
value breaking the table's pandera model and a duplicated key are refused with file and lines
(:func:`eq_assets.sources.checks.check_reference`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from eq_assets.cleaning.units import CONVERSIONS, UNIT_CODES
from eq_assets.digital.ipc import ipc_valid_sql

POLICIES = ("stop", "drop", "keep")
#: policies of the table-level rule ``empty_year`` (a header-only or empty file, or no row left)
EMPTY_POLICIES = ("stop_if_had_data", "stop", "keep")


@dataclass(frozen=True)
class Rule:
    """One row rule: ``name`` is its policy parameter and the reason rows are counted under."""

    name: str
    columns: tuple[str, ...]
    predicate: str
    policy: str
    expected: str
    doc: str

    def __post_init__(self):
        if self.policy not in POLICIES:
            raise ValueError(f"rule {self.name}: policy {self.policy!r} not in {POLICIES}")


@dataclass(frozen=True)
class Bound:
    """A plausibility bound (run configuration of the raw asset)."""

    name: str
    default: float
    doc: str


@dataclass(frozen=True)
class SourceRules:
    """The rules of one raw asset, in the order they are evaluated."""

    asset: str
    rules: tuple[Rule, ...]
    bounds: tuple[Bound, ...] = ()
    key: tuple[str, ...] = ()  # the record key of ``same_key_different_values``
    empty_policy: str = "stop_if_had_data"
    empty_doc: str = ("A year whose file has no row (header only), or none left after the rules, replaces a "
                      "partition that had rows: stop (issue 9: a header-only file silently emptied a year). "
                      "'stop' refuses any empty year, 'keep' accepts it (counted: rows_in = 0).")
    uv: tuple[str, str, str] | None = None  # (value, quantity, product expression) for _uv_dev

    def rule(self, name: str) -> Rule:
        return next(r for r in self.rules if r.name == name)

    @property
    def defaults(self) -> dict:
        return {**{r.name: r.policy for r in self.rules}, **{b.name: b.default for b in self.bounds},
                "empty_year": self.empty_policy}


def _in(values) -> str:
    return "(" + ", ".join("'" + str(v).replace("'", "''") + "'" for v in values) + ")"


# ---- vocabularies (reference lists that are not files) ------------------------------------------

#: Province-level codes of GB/T 2260 (the first two digits of a 6-digit administrative code).
PROVINCES: tuple[str, ...] = (
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
)
#: Registration types (登记注册类型) of the NBS/SAIC rules on enterprise registration types (1998,
#: revised 2011), detailed codes and their group codes (100 ... 390): 110 state-owned, 120
#: collective, 130 joint-stock cooperative, 141-149 joint operation, 151/159 limited liability,
#: 160 joint-stock, 171-174 private, 190 other domestic, 210-290 Hong Kong/Macao/Taiwan-invested,
#: 310-390 foreign-invested.
REG_TYPES: tuple[str, ...] = (
    "100", "110", "120", "130", "140", "141", "142", "143", "149", "150", "151", "159", "160", "170",
    "171", "172", "173", "174", "190", "200", "210", "220", "230", "240", "290", "300", "310", "320",
    "330", "340", "390",
)
#: Units a customs quantity may be stated in: the names and customs codes known to the unit
#: normalisation (:mod:`eq_assets.cleaning.units`).
KNOWN_UNITS: tuple[str, ...] = tuple(sorted(set(CONVERSIONS) | set(UNIT_CODES) | set(UNIT_CODES.values())))
PATENT_TYPES: tuple[str, ...] = ("发明", "实用新型", "外观设计")
FLOWS: tuple[str, ...] = ("出口", "进口")

_FINITE = "isinf({c}) or isnan({c})"

# ---- customs ------------------------------------------------------------------------------------

CUSTOMS = SourceRules(
    asset="raw_customs",
    key=("customs_firm_code", "hs8", "dest_code", "trade_mode", "flow", "month", "unit"),
    uv=("value_usd", "quantity", "substr(hs8, 1, 6)"),
    bounds=(
        Bound("max_row_value_usd", 1e10, "Largest plausible value of one customs row, USD (10 billion: above any "
              "firm's monthly exports of one product to one destination; issue 9: one row of 1e15 moved P1 Table 2)."),
        Bound("max_row_quantity", 1e12, "Largest plausible quantity of one customs row, in its unit (1e12: a billion "
              "tonnes in kg)."),
        Bound("max_unit_value_ratio", 1e4, "Unit values more than this factor away from the median of their HS6 "
              "product and unit in the year's file are flagged (rule unit_value_outlier)."),
    ),
    rules=(
        Rule("month_out_of_range", ("month",), "{c} not between 1 and 12", "stop", "a month 1-12",
             "A month outside 1-12 is a corrupted record (issue 9: month 13 was accepted)."),
        Rule("unknown_flow", ("flow",), f"{{c}} not in {_in(FLOWS)}", "stop",
             "出口 (export) or 进口 (import); recode other spellings with the mapping's `values`",
             "An unknown flow would be counted as an import by the cleaning; refuse it instead."),
        Rule("unknown_destination", ("dest_code",), "{c} not in (select dest_code from ref_dest)", "stop",
             "a partner code listed in reference/country_codes",
             "Destinations must exist in the country code table (issue 9: destination 999 was accepted)."),
        Rule("hs_not_in_revision", ("hs8",),
             "regexp_full_match({c}, '[0-9]{{8}}') and substr({c}, 1, 6) not in (select hs6 from ref_hs6)", "stop",
             "an HS6 code of the year's HS revision ({vintage}) as listed in reference/hs_concordance",
             "An 8-digit code whose HS6 is not in its year's HS revision is corrupted or of another revision "
             "(codes that are not 8 digits are dropped and counted by the cleaning, invalid_hs_code)."),
        Rule("not_finite", ("value_usd", "quantity"), _FINITE, "stop", "finite numbers",
             "inf or NaN is never a value or a quantity (issue 9: inf failed three assets later)."),
        Rule("negative_value", ("value_usd",), "{c} < 0", "stop", "a value >= 0",
             "Negative values would be netted into observation totals (issue 9)."),
        Rule("negative_quantity", ("quantity",), "{c} < 0", "stop", "a quantity >= 0",
             "Negative quantities would be netted into observation totals (issue 9)."),
        Rule("value_above_max", ("value_usd",), "{c} > {max_row_value_usd}", "stop",
             "a value <= max_row_value_usd = {max_row_value_usd:g} USD", "Plausibility bound, see max_row_value_usd."),
        Rule("quantity_above_max", ("quantity",), "{c} > {max_row_quantity}", "stop",
             "a quantity <= max_row_quantity = {max_row_quantity:g}", "Plausibility bound, see max_row_quantity."),
        Rule("duplicate_row", (), "_dup", "drop", "no row identical to an earlier one",
             "An exact copy of an earlier row (a file or part concatenated twice) would be summed into the "
             "observation (issue 9); the first copy is kept."),
        Rule("zero_value", ("value_usd",), "{c} = 0", "keep", "a value > 0",
             "Kept: P1 drops observations whose total value is below 50 USD (cleaning, counted)."),
        Rule("zero_quantity", ("quantity",), "{c} = 0", "keep", "a quantity > 0",
             "Kept: P1 drops observations whose total quantity is below 1 (cleaning, counted)."),
        Rule("unknown_unit", ("unit",), f"{{c}} not in {_in(KNOWN_UNITS)}", "keep",
             "a unit name or customs unit code known to cleaning/units.py",
             "Kept: a unit with no known conversion is its own unit family; rows outside their product's "
             "dominant family are dropped by the cleaning (unit_not_convertible_to_product_unit)."),
        Rule("unit_value_outlier", ("value_usd",), "_uv_dev > ln({max_unit_value_ratio})", "keep",
             "a unit value within a factor max_unit_value_ratio = {max_unit_value_ratio:g} of its product's median",
             "Kept and counted: neither paper trims unit values."),
        Rule("same_key_different_values", (), "_key_conflict", "keep",
             "one row per firm x HS8 x destination x trade mode x flow x month x unit",
             "Kept: the records have fields not mapped (port, transport mode) that tell such rows apart; "
             "they are summed into one observation by the cleaning (merged_into_observations)."),
    ),
)

# ---- survey -------------------------------------------------------------------------------------

_ASIF_NONNEGATIVE = ("employees", "total_assets", "fixed_assets", "current_assets", "current_liabilities",
                     "total_liabilities", "gross_output", "intermediate_input", "wage_bill", "export_delivery",
                     "revenue")
_ASIF_AMOUNTS = ("total_assets", "fixed_assets", "current_assets", "current_liabilities", "total_liabilities",
                 "gross_output", "value_added", "intermediate_input", "wage_bill", "export_delivery", "revenue")
_ASIF_DOUBLES = ("employees", *_ASIF_AMOUNTS, "total_profit")

ASIF = SourceRules(
    asset="raw_asif",
    key=("legal_code", "year"),
    bounds=(
        Bound("min_open_year", 1600, "Earliest plausible opening year (some surveyed firms date from the 17th "
              "century, e.g. Tongrentang, 1669); the latest is the survey year."),
        Bound("max_employees", 1e6, "Largest plausible employment of one legal entity (persons)."),
        Bound("max_amount", 1e10, "Largest plausible amount in thousand yuan (10 trillion yuan: above the total "
              "assets of any Chinese industrial firm)."),
    ),
    rules=(
        Rule("unknown_province", ("admin_code",),
             f"regexp_full_match({{c}}, '[0-9]{{{{6}}}}') and substr({{c}}, 1, 2) not in {_in(PROVINCES)}", "stop",
             "a 6-digit administrative code whose first two digits are a GB/T 2260 province",
             "Administrative codes define province and city fixed effects (codes not of 6 digits are dropped "
             "and counted by the cleaning, invalid_admin_or_industry_code)."),
        Rule("admin_city_not_in_city_panel", ("admin_code",),
             "regexp_full_match({c}, '[0-9]{{6}}') and substr({c}, 1, 4) not in (select city_code from ref_city)",
             "keep", "a city (first four digits) listed in reference/city_panel",
             "Kept: county-level units directly under a province have no prefecture city; the city merges "
             "downstream count what they do not find."),
        Rule("unknown_industry", ("cic",),
             "regexp_full_match({c}, '[0-9]{{4}}') and substr({c}, 1, 2) not between '06' and '46'", "stop",
             "a 4-digit CIC code of an industrial sector (major groups 06-46: mining, manufacturing, utilities)",
             "The survey covers industrial firms; another code is a corrupted or shifted field."),
        Rule("unknown_reg_type", ("reg_type",), f"{{c}} not in {_in(REG_TYPES)}", "stop",
             "a registration type code (110 ... 390) of the NBS/SAIC registration-type rules",
             "Ownership controls are built from these codes (issue 9: unknown registration types were accepted)."),
        Rule("open_year_out_of_range", ("open_year",), "{c} < {min_open_year} or {c} > year", "stop",
             "an opening year between min_open_year = {min_open_year:g} and the survey year",
             "Firm age is a control of both papers (issue 9: an opening year 2999 was accepted)."),
        Rule("not_finite", _ASIF_DOUBLES, _FINITE, "stop", "finite numbers", "inf or NaN is never a survey value."),
        Rule("negative_amount", _ASIF_NONNEGATIVE, "{c} < 0", "stop", "a value >= 0",
             "Employment, assets, liabilities, output, inputs, wages, export delivery and revenue cannot be "
             "negative (issue 9: negative assets were accepted); profit and value added can."),
        Rule("zero_total_assets", ("total_assets",), "{c} = 0", "keep", "total assets > 0",
             "Kept and counted: ratios to total assets (leverage, tangibility) are then undefined and the "
             "regressions count such firm-years as missing (n_missing)."),
        Rule("employees_above_max", ("employees",), "{c} > {max_employees}", "stop",
             "employees <= max_employees = {max_employees:g}", "Plausibility bound, see max_employees."),
        Rule("amount_above_max", _ASIF_AMOUNTS, "abs({c}) > {max_amount}", "stop",
             "|amount| <= max_amount = {max_amount:g} thousand yuan", "Plausibility bound, see max_amount."),
        Rule("duplicate_row", (), "_dup", "drop", "no row identical to an earlier one",
             "An exact copy of an earlier row; the first copy is kept."),
        Rule("same_key_different_values", (), "_key_conflict", "keep", "one row per legal code and year",
             "Kept: the survey has such duplicates; firm_survey keeps the record with the largest total assets "
             "and counts the others (duplicated_legal_code_year)."),
    ),
)

# ---- patents ------------------------------------------------------------------------------------

_IPC_ITEMS = "string_split_regex({c}, '[;,；，]')"
_BAD_IPC = (f"list_bool_or(list_transform({_IPC_ITEMS}, lambda x: nullif(trim(x), '') is not null "
            f"and not {ipc_valid_sql('x')}))")

PATENTS = SourceRules(
    asset="raw_patents_all",  # the patents file is checked once, for all years (raw_patents: its rows of a year)
    key=("application_no",),
    bounds=(
        Bound("min_app_year", 1985, "China's Patent Law took effect on 1 April 1985: no earlier application."),
        Bound("max_app_year", datetime.date.today().year, "No application is dated in the future (default: the "
              "current year)."),
    ),
    empty_doc=("A year with no application in the patents file, when the stored partition had some: stop "
               "(issue 9). 'stop' refuses any empty year, 'keep' accepts it."),
    rules=(
        Rule("app_year_out_of_range", ("app_year",), "{c} < {min_app_year} or {c} > {max_app_year}", "stop",
             "an application year between min_app_year = {min_app_year:g} and max_app_year = {max_app_year:g}",
             "Rows of no possible year would belong to no partition (issue 9: 200 patents dated 2909 vanished)."),
        Rule("unknown_patent_type", ("patent_type",), f"{{c}} not in {_in(PATENT_TYPES)}", "stop",
             "发明, 实用新型 or 外观设计 (recode other spellings with the mapping's `values`)",
             "The patent type splits the digital index (P1 Table 6)."),
        Rule("not_finite", ("citations",), _FINITE, "stop", "finite numbers", "inf or NaN is never a count."),
        Rule("negative_citations", ("citations",), "{c} < 0", "stop", "citations >= 0", "A count cannot be negative."),
        Rule("same_key_different_values", (), "_key_conflict", "stop", "one record per application number",
             "Two different records for one application number: which one holds is not knowable."),
        Rule("duplicate_row", (), "_dup", "drop", "no row identical to an earlier one",
             "An exact copy of an earlier row; the first copy is kept."),
        Rule("invalid_ipc", ("ipc_main", "ipc_all"), _BAD_IPC.replace("{", "{{").replace("}", "}}").replace("{{c}}", "{c}"),
             "keep", "IPC symbols such as G06F 17/30, G06F17/30 or G06F0017300000",
             "Kept: a code that is not an IPC symbol cannot make a patent digital; the other codes still count."),
    ),
)

BY_ASSET: dict[str, SourceRules] = {r.asset: r for r in (CUSTOMS, ASIF, PATENTS)}

#: What every reference table is checked for (fixed: a reference table is small and must be right).
REFERENCE_RULES: tuple[tuple[str, str], ...] = (
    ("empty_table", "a reference file with no row (header only) is refused"),
    ("schema_at_source", "every rule of the table's pandera model (types, codes, ranges, finite numbers), "
                         "refused naming the file, column and lines"),
    ("duplicated_key", "two rows with the same key are refused naming the key values and lines"),
)


@dataclass(frozen=True)
class RuleOutcome:
    """How many rows broke a rule in one materialization, and what was done."""

    name: str
    policy: str
    n_rows: int
    n_counted: int = 0  # for drop: rows counted under this rule (not under an earlier one)
    columns: tuple[str, ...] = field(default=())
