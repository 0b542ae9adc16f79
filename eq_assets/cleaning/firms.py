"""Cleaning the industrial-firm survey (ASIF) into one row per firm-year (SPEC sections 1-2).

Derives the identifiers the papers' fixed effects use: province (first two digits of the
6-digit admin code), city (first four digits), industry (CIC, at ``industry_digits``).
Duplicated (legal code, year) rows, which the real survey has, are resolved by keeping the
row with the largest total assets (then the smallest firm name), a common convention
(Brandt, Van Biesebroeck & Zhang 2012 resolve ID clashes before linking); the number is counted.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from eq_assets.core.accounting import RowAccount
from eq_assets.core.sql import count, run_transform

KEY = ("year", "legal_code")


@dataclass(frozen=True)
class FirmCleaningParams:
    """Named choices of the survey cleaning."""

    #: CIC digits that define an "industry" for FE and the frontier (P1: 行业; 4-digit by default,
    #: the finest the survey reports; SPEC section 6 leaves it open).
    industry_digits: int = 4


COLUMNS: tuple[str, ...] = (
    "year", "legal_code", "firm_name", "phone", "zip", "admin_code", "province", "city",
    "industry", "cic", "reg_type", "open_year", "op_status", "employees", "total_assets",
    "fixed_assets", "current_assets", "current_liabilities", "total_liabilities",
    "total_profit", "gross_output", "value_added", "intermediate_input", "wage_bill",
    "export_delivery", "revenue",
)


def firm_years_sql(con, params: FirmCleaningParams = FirmCleaningParams()) -> tuple[str, RowAccount]:
    """The cleaning as DuckDB SQL over the relation ``raw`` (survey rows); returns (query, account)."""
    n_raw = count(con, "raw")
    acc = RowAccount(rows_in=n_raw, unit="firm-years")
    order = "source_line" if "source_line" in {r[0] for r in con.execute("describe raw").fetchall()} else "1"
    con.execute(
        f"""create or replace temp table _firms as
        select *, coalesce(regexp_full_match(admin_code, '\\d{{6}}'), false)
                  and coalesce(regexp_full_match(cic, '\\d{{4}}'), false) as _codes_ok,
               row_number() over (partition by legal_code, year
                                  order by total_assets desc nulls last, firm_name asc nulls last, {order}) as _rank
        from raw where legal_code is not null and year is not null"""
    )
    n_keyed = count(con, "_firms")
    acc.drop("missing_legal_code", n_raw - n_keyed)
    n_bad = count(con, "(select 1 from _firms where not _codes_ok)")
    acc.drop("invalid_admin_or_industry_code", n_bad)
    # duplicates are resolved among the rows with valid codes (the ranking is redone on them)
    con.execute(
        f"""create or replace temp table _firms as
        select * replace (row_number() over (partition by legal_code, year
                          order by total_assets desc nulls last, firm_name asc nulls last, {order}) as _rank)
        from _firms where _codes_ok"""
    )
    acc.drop("duplicated_legal_code_year", count(con, "(select 1 from _firms where _rank > 1)"))
    d = int(params.industry_digits)
    derived = {"province": "substr(admin_code, 1, 2)", "city": "substr(admin_code, 1, 4)", "industry": f"substr(cic, 1, {d})"}
    cols = ", ".join(f"{derived[c]} as {c}" if c in derived else c for c in COLUMNS)
    return f"select {cols} from _firms where _rank = 1 order by year, legal_code", acc


def clean_firms(raw, params: FirmCleaningParams = FirmCleaningParams()) -> tuple[pd.DataFrame, RowAccount]:
    """Clean survey rows (a frame or a stored table) into firm-years; the asset runs :func:`firm_years_sql`."""
    return run_transform(firm_years_sql, params, inputs={"raw": raw})
