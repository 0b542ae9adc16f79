"""Cleaning customs records into export observations (SPEC section 2; P1 section III.3).

From monthly shipment rows to one observation per year x firm x HS6 product x destination x
trade mode, the unit of P1's analysis. Steps, each counted in the row account:

1. keep exports (``flow == 出口``);
2. drop rows missing a key (firm code or name, HS code, destination, trade mode, quantity, value);
3. drop trade intermediaries by firm-name keywords (Ahn, Khandelwal & Wei 2011);
4. drop HS codes that are not 8 digits;
5. harmonize HS6 to the base revision (HS2002) through the concordance, by the revision in force
   in the record's year (codes missing from the concordance are kept as they are, and counted);
6. put quantities on one unit per product (:mod:`eq_assets.cleaning.units`: tonnes and grams to
   kilograms, dozens to pieces ...; the product's dominant unit family): rows in another family
   (``unit_not_convertible_to_product_unit``) or without a unit (``missing_unit``) are dropped
   and counted, conversions are counted (``units_converted``), so kg and tonnes are never summed;
7. aggregate shipments to observations (rows merged are counted as such);
8. drop observations with total value < ``min_value_usd`` or total quantity < ``min_quantity``
   (P1: "剔除...出口总额小于50美元和总数量小于1的企业样本").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from eq_assets.cleaning.units import dominant_families_sql, normalise_units_sql, unit_families_sql, unit_rule_sql
from eq_assets.core.accounting import RowAccount
from eq_assets.core.sql import count, run_transform
from eq_assets.sources.contract import FLOW_EXPORT, TRADE_MODES

#: Firm-name keywords of trade intermediaries (Ahn, Khandelwal & Wei 2011, used by P1 and P2).
INTERMEDIARY_KEYWORDS: tuple[str, ...] = ("进出口", "经贸", "贸易", "科贸", "外经")

KEY = ("year", "customs_firm_code", "hs6", "dest_code", "trade_mode")


def hs_revision(year: int) -> str:
    """HS revision in force for Chinese customs records of ``year`` (HS2002/2007/2012)."""
    if year >= 2012:
        return "HS2012"
    if year >= 2007:
        return "HS2007"
    return "HS2002"


@dataclass(frozen=True)
class CustomsCleaningParams:
    """Named choices of the customs cleaning, defaults from P1 section III.3."""

    intermediary_keywords: tuple[str, ...] = INTERMEDIARY_KEYWORDS
    min_value_usd: float = 50.0
    min_quantity: float = 1.0


def customs_observations_sql(con, year: int, params: CustomsCleaningParams = CustomsCleaningParams()) -> tuple[str, RowAccount, dict]:
    """The cleaning as DuckDB SQL over the relations ``raw`` (raw customs rows of ``year``) and
    ``conc`` (the HS concordance); returns (query of the observations, row account, metadata).

    The rows are read twice and never copied: a first pass puts every row in the class of the
    step that drops it (steps 1-4, in order) and counts the rows of each class by product, unit
    and whether the concordance lists the code (a small table: it gives every count of steps 1-6
    and the products' dominant unit families); the second pass aggregates the rows kept into the
    observations (step 7), which are stored in a temporary table and counted (step 8).
    """
    extra: dict = {}
    rev = hs_revision(year)
    extra["hs_revision"] = rev
    con.execute("create or replace temp table _conc as select hs6, hs6_base from conc where hs_version = ?", [rev])
    key_cols = ["customs_firm_code", "firm_name", "hs8", "dest_code", "trade_mode", "quantity", "value_usd"]
    complete = " and ".join(f"d.{c} is not null" for c in key_cols)
    is_interm = _matches_any("d.firm_name", params.intermediary_keywords)
    modes = ", ".join(f"({_lit(cn)}, {_lit(en)})" for cn, en in TRADE_MODES.items())
    # the step that drops a row: the first of steps 1-4 it fails, else 'kept'
    con.execute(
        f"""create or replace temp view _classed as
        select d.*, case when d.flow is distinct from {_lit(FLOW_EXPORT)} then 'import_or_other_flow'
                         when not ({complete}) then 'missing_key'
                         when {is_interm} then 'trade_intermediary'
                         when not regexp_full_match(d.hs8, '\\d{{8}}') then 'invalid_hs_code'
                         else 'kept' end as _step,
               c.hs6 is not null as _in_conc,
               coalesce(c.hs6_base, substr(d.hs8, 1, 6)) as hs6, coalesce(m.trade_mode_en, 'other') as trade_mode_en
        from raw d left join _conc c on substr(d.hs8, 1, 6) = c.hs6
             left join (values {modes}) m(trade_mode_cn, trade_mode_en) on d.trade_mode = m.trade_mode_cn"""
    )
    con.execute(
        f"""create or replace temp table _groups as
        select _step, _in_conc, _product, unit_name, _family, _base, count(*) as n
        from ({unit_families_sql('_classed', product='hs6')}) group by all"""
    )
    steps = dict(con.execute("select _step, sum(n) from _groups group by all").fetchall())
    n_raw = int(sum(steps.values()))
    acc = RowAccount(rows_in=n_raw, unit="shipment rows, then observations")
    for step in ("import_or_other_flow", "missing_key", "trade_intermediary", "invalid_hs_code"):
        acc.drop(step, int(steps.get(step, 0)))
    n_direct = int(steps.get("kept", 0))  # rows of an exporter that is not an intermediary, with an HS8 code
    extra["hs6_not_in_concordance_kept"] = int(
        con.execute("select coalesce(sum(n), 0) from _groups where _step = 'kept' and not _in_conc").fetchone()[0])
    # quantities on one unit per product before they are summed (kg and tonnes are never added)
    kept = "(select * from _groups where _step = 'kept')"
    con.execute(f"create or replace temp table _dominant as {dominant_families_sql(kept)}")
    rules = {k: int(v) for k, v in con.execute(
        f"select {unit_rule_sql('f', 'd')} as unit_rule, sum(n) from {kept} f left join _dominant d using (_product) "
        "group by all").fetchall()}
    acc.drop("missing_unit", rules.get("missing_unit", 0))
    acc.drop("unit_not_convertible_to_product_unit", rules.get("kept_apart", 0))
    extra["units_converted"] = int(rules.get("converted", 0))
    normalised = normalise_units_sql("(select * from _classed where _step = 'kept')", product="hs6", dominant="_dominant")
    con.execute(
        f"""
        create or replace temp table _obs as
        select {int(year)}::BIGINT as year, customs_firm_code, min(firm_name) as firm_name,
               min(phone) as phone, min(zip) as zip, hs6, dest_code, trade_mode_en as trade_mode,
               sum(value_usd) as value_usd, sum(quantity_std) as quantity, min(unit_std) as unit,
               count(*)::BIGINT as n_shipments
        from ({normalised}) where unit_rule in ('base', 'converted')
        group by customs_firm_code, hs6, dest_code, trade_mode_en
        """
    )
    n_obs = count(con, "_obs")
    n_units = rules.get("missing_unit", 0) + rules.get("kept_apart", 0)
    acc.drop("merged_into_observations", n_direct - n_units - n_obs)
    small = f"(value_usd < {float(params.min_value_usd)!r} or quantity < {float(params.min_quantity)!r})"
    acc.drop("observation_value_or_quantity_below_minimum", count(con, f"(select 1 from _obs where {small})"))
    con.execute("drop view _classed; drop table _groups; drop table _dominant")
    sql = (
        "select year, customs_firm_code, firm_name, phone, zip, hs6, dest_code, trade_mode, value_usd, "
        f"quantity, unit, n_shipments from _obs where not {small} "
        "order by customs_firm_code, hs6, dest_code, trade_mode"
    )
    return sql, acc, extra


def clean_customs(
    raw,
    hs_concordance,
    year: int,
    params: CustomsCleaningParams = CustomsCleaningParams(),
) -> tuple[pd.DataFrame, RowAccount, dict]:
    """Clean one year's raw customs rows (frames or stored tables); returns (observations as a
    DataFrame, row account, extra metadata). The asset runs :func:`customs_observations_sql`."""
    return run_transform(customs_observations_sql, year, params, inputs={"raw": raw, "conc": hs_concordance})


def _matches_any(column: str, keywords) -> str:
    """SQL: ``column`` contains one of ``keywords`` (a regular expression ``k1|k2|...``, as the
    keywords may be written; ``contains`` when they are plain text, which is the same test and
    ten times faster)."""
    if not "|".join(keywords):
        return "false"
    if all(re.escape(k) == k for k in keywords):
        return "(" + " or ".join(f"contains({column}, {_lit(k)})" for k in keywords) + ")"
    return f"regexp_matches({column}, {_lit('|'.join(keywords))})"


def _lit(s: str) -> str:
    return "'" + str(s).replace("'", "''") + "'"
