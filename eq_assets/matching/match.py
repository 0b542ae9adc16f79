"""Matching customs exporters to survey firm-years within a year (SPEC section 2).

The two databases share no identifier (customs firm codes vs legal-person codes), so the
standard approach (Yu 2015; Upward, Wang & Zheng 2013; Tian & Yu 2017) links them:

1. by normalized firm name within the same year (a normalized name that several survey firms
   share that year is ambiguous and is not used);
2. for customs firms still unmatched, by telephone number and zip code together, when that
   pair identifies one survey firm in the year.

One row per customs firm code and year that matched; customs firms without a match are counted
(``no_survey_match``), as are ambiguous names. Several customs codes may map to one survey firm.
"""

from __future__ import annotations

import pandas as pd

from eq_assets.core.accounting import RowAccount
from eq_assets.core.sql import run_sql
from eq_assets.matching.names import normalize_names

KEY = ("year", "customs_firm_code")


def match_customs_to_survey(
    customs_firms: pd.DataFrame, survey: pd.DataFrame
) -> tuple[pd.DataFrame, RowAccount, dict]:
    """Match distinct customs firms of one year to survey firms of the same year.

    ``customs_firms``: columns year, customs_firm_code, firm_name, phone, zip (one row per code).
    ``survey``: columns year, legal_code, firm_name, phone, zip (one row per legal code).
    """
    acc = RowAccount(rows_in=len(customs_firms), unit="customs firms")
    c = customs_firms.assign(norm=normalize_names(customs_firms["firm_name"]))
    s = survey.assign(norm=normalize_names(survey["firm_name"]))
    matched = run_sql(
        """
        with names as (
            select year, norm, min(legal_code) as legal_code, count(*) as n
            from s where norm is not null group by year, norm
        ),
        by_name as (
            select c.year, c.customs_firm_code, n.legal_code, n.n
            from c join names n on c.year = n.year and c.norm = n.norm
        ),
        phonezip as (
            select year, phone, zip, min(legal_code) as legal_code, count(*) as n
            from s where phone is not null and zip is not null group by year, phone, zip
        ),
        by_phone as (
            select c.year, c.customs_firm_code, p.legal_code
            from c join phonezip p on c.year = p.year and c.phone = p.phone and c.zip = p.zip
            where p.n = 1
              and c.customs_firm_code not in (select customs_firm_code from by_name where n = 1)
        )
        select year, customs_firm_code, legal_code, 'name' as match_method from by_name where n = 1
        union all
        select year, customs_firm_code, legal_code, 'phone_zip' as match_method from by_phone
        order by year, customs_firm_code
        """,
        c=c,
        s=s,
    )
    ambiguous = run_sql(
        """
        select count(distinct c.customs_firm_code) from c
        join (select year, norm from s where norm is not null group by year, norm having count(*) > 1) a
          on c.year = a.year and c.norm = a.norm
        """,
        c=c,
        s=s,
    ).iloc[0, 0]
    unmatched = len(c) - len(matched)
    amb_unresolved = int(
        run_sql(
            """
            select count(distinct c.customs_firm_code) from c
            join (select year, norm from s where norm is not null group by year, norm having count(*) > 1) a
              on c.year = a.year and c.norm = a.norm
            where c.customs_firm_code not in (select customs_firm_code from m)
            """,
            c=c,
            s=s,
            m=matched,
        ).iloc[0, 0]
    )
    acc.drop("ambiguous_name_no_fallback", amb_unresolved)
    acc.drop("no_survey_match", unmatched - amb_unresolved)
    matched["year"] = matched["year"].astype("int64")
    extra = {
        "matched_by_name": int((matched["match_method"] == "name").sum()),
        "matched_by_phone_zip": int((matched["match_method"] == "phone_zip").sum()),
        "customs_firms_with_ambiguous_name": int(ambiguous),
    }
    return matched, acc, extra
