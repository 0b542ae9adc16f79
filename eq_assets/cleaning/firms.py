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

KEY = ("year", "legal_code")


@dataclass(frozen=True)
class FirmCleaningParams:
    """Named choices of the survey cleaning."""

    #: CIC digits that define an "industry" for FE and the frontier (P1: 行业; 4-digit by default,
    #: the finest the survey reports; SPEC section 6 leaves it open).
    industry_digits: int = 4


def clean_firms(raw: pd.DataFrame, params: FirmCleaningParams = FirmCleaningParams()) -> tuple[pd.DataFrame, RowAccount]:
    acc = RowAccount(rows_in=len(raw), unit="firm-years")
    df = raw.dropna(subset=["legal_code", "year"])
    acc.drop("missing_legal_code", len(raw) - len(df))

    bad_admin = ~df["admin_code"].fillna("").str.fullmatch(r"\d{6}")
    bad_cic = ~df["cic"].fillna("").str.fullmatch(r"\d{4}")
    bad = bad_admin | bad_cic
    acc.drop("invalid_admin_or_industry_code", int(bad.sum()))
    df = df[~bad]

    df = df.sort_values(["legal_code", "year", "total_assets", "firm_name"], ascending=[True, True, False, True])
    dup = df.duplicated(["legal_code", "year"], keep="first")
    acc.drop("duplicated_legal_code_year", int(dup.sum()))
    df = df[~dup].copy()

    df["province"] = df["admin_code"].str[:2]
    df["city"] = df["admin_code"].str[:4]
    df["industry"] = df["cic"].str[: params.industry_digits]
    cols = [
        "year", "legal_code", "firm_name", "phone", "zip", "admin_code", "province", "city",
        "industry", "cic", "reg_type", "open_year", "op_status", "employees", "total_assets",
        "fixed_assets", "current_assets", "current_liabilities", "total_liabilities",
        "total_profit", "gross_output", "value_added", "intermediate_input", "wage_bill",
        "export_delivery", "revenue",
    ]
    df = df[cols].sort_values(["year", "legal_code"]).reset_index(drop=True)
    return df, acc
