"""Matching that reports itself: exporters and export value matched by each rule, per year, and
(where the true link is known, as in the synthetic world) precision and recall of each rule.

Rules, in the order Yu (2015) applies them to link customs and survey firms: ``exact_name`` (the
raw firm name, identical in both sources and unique in the survey that year), ``name`` (the
normalised name of :mod:`eq_assets.matching.names`), ``phone_zip`` (telephone and zip code
together, unique in the survey that year); the rules themselves are
:func:`eq_assets.matching.match.match_sql`.

:func:`match_report` takes a match table ``(year, customs_firm_code, legal_code, match_method)``
and the customs exports ``(year, customs_firm_code, value_usd)``; with ``truth`` (the synthetic
world's ``truth_firms.csv``: customs_firm_code, legal_code, empty if the firm is not in the
survey) it adds, per year and rule, the links that are right (``correct``), ``precision`` =
correct / matched by the rule, and ``recall`` = correct / exporters of the year whose true survey
firm is in that year's survey.
"""

from __future__ import annotations

import pandas as pd

from eq_assets.core.sql import run_sql
from eq_assets.matching.match import match_customs_to_survey

RULES = ("exact_name", "name", "phone_zip")


def match_exact_name(customs_firms, survey) -> pd.DataFrame:
    """Rule 1 alone: customs firms whose raw (trimmed) name is the name of exactly one survey firm
    that year. Returns ``(year, customs_firm_code, legal_code, match_method='exact_name')``."""
    return match_customs_to_survey(customs_firms, survey, rules=("exact_name",))[0]


def match_with_rules(customs_firms, survey) -> pd.DataFrame:
    """Every rule of :data:`eq_assets.matching.match.RULES`, in order (what the asset runs)."""
    return match_customs_to_survey(customs_firms, survey)[0]


def match_report(match: pd.DataFrame, exports: pd.DataFrame, truth: pd.DataFrame | None = None,
                 survey: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per year and rule (plus ``unmatched`` and ``all``): exporters and export value, their
    shares of the year's exporters and value, and with ``truth`` correct links, precision, recall.

    ``survey`` (year, legal_code) restricts the recall denominator to true links whose survey firm
    is in that year's survey (default: every exporter with a true survey code)."""
    firms = run_sql(
        "select year, customs_firm_code, sum(value_usd) as value_usd from e group by year, customs_firm_code", e=exports
    )
    t = truth if truth is not None else pd.DataFrame({"customs_firm_code": pd.Series(dtype=str), "legal_code": pd.Series(dtype=str)})
    sv = survey if survey is not None else pd.DataFrame({"year": pd.Series(dtype="int64"), "legal_code": pd.Series(dtype=str)})
    return run_sql(
        f"""
        with f as (
            select f.year, f.customs_firm_code, f.value_usd, coalesce(m.match_method, 'unmatched') as rule,
                   m.legal_code as linked, nullif(t.legal_code, '') as true_code,
                   nullif(t.legal_code, '') is not null
                     and ({'true' if survey is None else 'exists (select 1 from sv where sv.year = f.year and sv.legal_code = t.legal_code)'})
                     as linkable
            from firms f
            left join m on m.year = f.year and m.customs_firm_code = f.customs_firm_code
            left join t on t.customs_firm_code = f.customs_firm_code
        ),
        y as (select year, count(*) as n_all, sum(value_usd) as v_all,
                     count(*) filter (where linkable) as n_linkable from f group by year),
        r as (
            select year, rule, count(*) as exporters, sum(value_usd) as export_value,
                   count(*) filter (where linked is not null and linked = true_code) as correct
            from f group by year, rule
            union all
            select year, 'all', count(*) filter (where rule <> 'unmatched'),
                   coalesce(sum(value_usd) filter (where rule <> 'unmatched'), 0),
                   count(*) filter (where linked is not null and linked = true_code)
            from f group by year
        )
        select r.year, r.rule, r.exporters, r.export_value,
               r.exporters / y.n_all as share_exporters, r.export_value / y.v_all as share_value,
               r.correct,
               case when r.rule = 'unmatched' or r.exporters = 0 then null else r.correct / r.exporters end as precision,
               case when r.rule = 'unmatched' or y.n_linkable = 0 then null else r.correct / y.n_linkable end as recall
        from r join y using (year)
        order by r.year, case r.rule when 'exact_name' then 0 when 'name' then 1 when 'phone_zip' then 2
                                    when 'all' then 3 else 4 end
        """,
        firms=firms,
        m=match,
        t=t,
        sv=sv,
    ).assign(has_truth=truth is not None)
