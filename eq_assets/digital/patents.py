"""Digital patents and the firm-year digital innovation index ``Eco`` (P1 section III.2.2).

A patent is *digital* when any of its IPC codes falls under an entry of the 2023 reference
table between the digital-economy core industries and the IPC (数字经济核心产业分类与国际专利
分类参照关系表). Table entries are given at subclass ("G06F"), main-group ("H04L 9/") or
subgroup level; a code is covered when, spaces removed, it starts with an entry. Each digital
patent also gets the table's category (01 manufacturing, 02 services, 03 application, 04
factor-driven) for P1 Table 6's sub-indices.

Patents are linked to survey firms by normalized applicant name within the application year
(co-applicants separated by ";" each count). ``Eco_it = ln(1 + digital patents filed by firm i
in year t)``; firm-years with none have Eco = 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from eq_assets.core.accounting import RowAccount
from eq_assets.core.sql import run_sql
from eq_assets.matching.names import normalize_names
from eq_assets.sources.contract import PATENT_TYPES


def classify_digital(patents: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """Flag digital patents; adds is_digital and one flag per digital category (cat_01..cat_04)."""
    entries = table.assign(
        entry=table["ipc"].str.replace(r"\s+", "", regex=True).str.upper(),
        category=table["de_code"].str[:2],
    )[["entry", "category"]].drop_duplicates()
    hits = run_sql(
        """
        with codes as (
            select application_no,
                   upper(regexp_replace(trim(unnest(string_split(coalesce(ipc_all, '') || ';' || coalesce(ipc_main, ''), ';'))), '\\s+', '', 'g')) as code
            from p
        )
        select distinct c.application_no, e.category
        from codes c join e on starts_with(c.code, e.entry)
        where c.code <> ''
        """,
        p=patents,
        e=entries,
    )
    out = patents.copy()
    out["is_digital"] = out["application_no"].isin(hits["application_no"])
    for cat in ("01", "02", "03", "04"):
        ids = hits.loc[hits["category"] == cat, "application_no"]
        out[f"cat_{cat}"] = out["application_no"].isin(ids)
    out["patent_type_en"] = out["patent_type"].map(PATENT_TYPES).fillna("other")
    return out


def link_patents_to_firms(patents: pd.DataFrame, survey: pd.DataFrame, year: int) -> tuple[pd.DataFrame, RowAccount]:
    """One row per (patent, survey firm) for patents whose applicant is a survey firm in ``year``."""
    apps = patents[["application_no", "applicant"]].copy()
    apps["applicant"] = apps["applicant"].str.split(r"[;；]")
    apps = apps.explode("applicant")
    # unit: (patent, applicant) pairs, so a patent of two survey-firm co-applicants counts twice
    acc = RowAccount(rows_in=len(apps), unit="patent-applicant pairs")
    apps["norm"] = normalize_names(apps["applicant"].str.strip())
    s = survey[["legal_code", "firm_name"]].assign(norm=normalize_names(survey["firm_name"]))
    s = s.dropna(subset=["norm"])
    unique_names = s.groupby("norm")["legal_code"].agg(["min", "count"]).reset_index()
    ambiguous = set(unique_names.loc[unique_names["count"] > 1, "norm"])
    unique_names = unique_names[unique_names["count"] == 1].rename(columns={"min": "legal_code"})
    linked = apps.merge(unique_names[["norm", "legal_code"]], on="norm", how="inner")
    n_amb = int(apps["norm"].isin(ambiguous).sum())
    acc.drop("applicant_name_ambiguous_in_survey", n_amb)
    acc.drop("applicant_not_a_survey_firm", len(apps) - len(linked) - n_amb)
    deduped = linked.drop_duplicates(["application_no", "legal_code"])
    acc.drop("same_firm_listed_twice", len(linked) - len(deduped))
    out = patents.merge(deduped[["application_no", "legal_code"]], on="application_no", how="inner")
    out["year"] = np.int64(year)
    return out.sort_values(["application_no", "legal_code"]).reset_index(drop=True), acc


def eco_index(firm_years: pd.DataFrame, firm_patents: pd.DataFrame) -> pd.DataFrame:
    """Firm-year Eco and its components for every survey firm-year (0 patents -> Eco = 0).

    Returns year, legal_code, n_patents, n_digital, n_digital_invention, n_digital_utility,
    n_digital_design, n_digital_cat_01..04 and Eco = ln(1 + n_digital).
    """
    fp = firm_patents
    counts = run_sql(
        """
        select legal_code,
               count(*) as n_patents,
               count(*) filter (where is_digital) as n_digital,
               count(*) filter (where is_digital and patent_type_en = 'invention') as n_digital_invention,
               count(*) filter (where is_digital and patent_type_en = 'utility') as n_digital_utility,
               count(*) filter (where is_digital and patent_type_en = 'design') as n_digital_design,
               count(*) filter (where cat_01) as n_digital_cat_01,
               count(*) filter (where cat_02) as n_digital_cat_02,
               count(*) filter (where cat_03) as n_digital_cat_03,
               count(*) filter (where cat_04) as n_digital_cat_04
        from fp group by legal_code
        """,
        fp=fp,
    )
    out = firm_years[["year", "legal_code"]].merge(counts, on="legal_code", how="left")
    count_cols = [c for c in counts.columns if c.startswith("n_")]
    out[count_cols] = out[count_cols].fillna(0).astype("int64")
    out["Eco"] = np.log1p(out["n_digital"].astype("float64"))
    out["year"] = out["year"].astype("int64")
    return out.sort_values(["year", "legal_code"]).reset_index(drop=True)
