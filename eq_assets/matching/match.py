"""Matching customs exporters to survey firm-years within a year (SPEC section 2).

The two databases share no identifier (customs firm codes vs legal-person codes), so the
standard approach (Yu 2015; Upward, Wang & Zheng 2013; Tian & Yu 2017) links them:

1. by the firm name exactly as written, when it is the name of one survey firm that year;
2. for the rest, by normalized firm name within the same year (a normalized name that several
   survey firms share that year is ambiguous and is not used);
3. for customs firms still unmatched, by telephone number and zip code together, when that
   pair identifies one survey firm in the year.

One row per customs firm code and year that matched; customs firms without a match are counted
(``no_survey_match``), as are ambiguous names. Several customs codes may map to one survey firm.
"""

from __future__ import annotations

import pandas as pd

from eq_assets.core.accounting import RowAccount
from eq_assets.core.sql import count, run_transform
from eq_assets.matching.names import normalize_names

KEY = ("year", "customs_firm_code")


def add_normalized_names(con, relation: str, out: str) -> None:
    """``out``: ``relation`` (with a ``firm_name`` column) plus ``norm``, its normalized firm
    name. The normalization is Python (:func:`normalize_names`), run once per distinct name
    (bounded by the number of firms, not of rows) and joined back in DuckDB."""
    names = con.execute(f"select distinct firm_name from {relation} where firm_name is not null order by firm_name").df()["firm_name"]
    mapping = pd.DataFrame({"firm_name": names, "norm": normalize_names(names)})
    con.register("_name_map", mapping)
    con.execute(f"create or replace temp table {out} as select r.*, m.norm from {relation} r "
                "left join _name_map m on r.firm_name = m.firm_name")
    con.unregister("_name_map")


#: Matching rules in the order Yu (2015) applies them (each only to the firms earlier rules left):
#: the raw name, identical and unique in the survey that year; the normalized name, unique; the
#: telephone and zip code together, unique.
RULES: tuple[str, ...] = ("exact_name", "name", "phone_zip")

_KEYS = {
    "exact_name": ("trim(firm_name)", "nullif(trim(firm_name), '') is not null"),
    "name": ("norm", "norm is not null"),
    "phone_zip": ("phone || '|' || zip", "phone is not null and zip is not null"),
}


def match_sql(con, rules: tuple[str, ...] = RULES) -> tuple[str, RowAccount, dict]:
    """Matching as DuckDB SQL over ``c`` (distinct customs firms of one year: year,
    customs_firm_code, firm_name, phone, zip) and ``s`` (survey firm-years: year, legal_code,
    firm_name, phone, zip); returns (query of the matches, account, metadata). ``rules``: which
    of :data:`RULES` to apply, in order; a survey key shared by several firms that year is
    ambiguous and links nobody."""
    unknown = [r for r in rules if r not in _KEYS]
    if unknown:
        raise ValueError(f"unknown matching rule(s) {unknown}; known: {RULES}")
    add_normalized_names(con, "c", "_c")
    add_normalized_names(con, "s", "_s")
    n_c = count(con, "_c")
    acc = RowAccount(rows_in=n_c, unit="customs firms")
    con.execute("create or replace temp table _matched (year BIGINT, customs_firm_code VARCHAR, legal_code VARCHAR, "
                "match_method VARCHAR)")
    for rule in rules:
        key, present = _KEYS[rule]
        con.execute(
            f"""
            insert into _matched
            with k as (
                select year, {key} as k, min(legal_code) as legal_code, count(*) as n
                from _s where {present} group by year, {key}
            )
            select c.year::BIGINT, c.customs_firm_code, k.legal_code, '{rule}'
            from _c c join k on c.year = k.year and {key.replace('firm_name', 'c.firm_name').replace('norm', 'c.norm').replace('phone', 'c.phone').replace('zip', 'c.zip')} = k.k
            where k.n = 1 and {present.replace('firm_name', 'c.firm_name').replace('norm', 'c.norm').replace('phone', 'c.phone').replace('zip', 'c.zip')}
              and c.customs_firm_code not in (select customs_firm_code from _matched)
            """
        )
    ambiguous_names = "(select year, norm from _s where norm is not null group by year, norm having count(*) > 1)"
    ambiguous = count(con, f"(select distinct c.customs_firm_code from _c c join {ambiguous_names} a on c.year = a.year and c.norm = a.norm)")
    amb_unresolved = count(con, f"""(select distinct c.customs_firm_code from _c c join {ambiguous_names} a
                                     on c.year = a.year and c.norm = a.norm
                                     where c.customs_firm_code not in (select customs_firm_code from _matched))""")
    n_m = count(con, "_matched")
    acc.drop("ambiguous_name_no_fallback", amb_unresolved)
    acc.drop("no_survey_match", n_c - n_m - amb_unresolved)
    extra = {f"matched_by_{r}": count(con, f"(select 1 from _matched where match_method = '{r}')") for r in rules}
    extra["customs_firms_with_ambiguous_name"] = ambiguous
    return "select * from _matched order by year, customs_firm_code", acc, extra


def match_customs_to_survey(customs_firms, survey, rules: tuple[str, ...] = RULES) -> tuple[pd.DataFrame, RowAccount, dict]:
    """Match distinct customs firms of one year to survey firms of the same year (frames or
    stored tables); the asset runs :func:`match_sql`.

    ``customs_firms``: columns year, customs_firm_code, firm_name, phone, zip (one row per code).
    ``survey``: columns year, legal_code, firm_name, phone, zip (one row per legal code).
    """
    return run_transform(match_sql, rules, inputs={"c": customs_firms, "s": survey})
