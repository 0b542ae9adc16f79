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
from eq_assets.core.sql import count, run_transform
from eq_assets.digital.ipc import ipc_counts_sql, ipc_sql
from eq_assets.matching.match import add_normalized_names
from eq_assets.sources.contract import PATENT_TYPES


def classify_digital_sql(con) -> str:
    """Digital flags as DuckDB SQL over ``p`` (patents) and ``ipc_table`` (the 2023 table):
    every column of ``p`` plus is_digital, cat_01..cat_04 and patent_type_en.

    Codes and table entries are first put in one spelling (:func:`eq_assets.digital.ipc.ipc_sql`:
    ``G06F17/30`` and ``G06F0017300000`` -> ``G06F 17/30``); a code that is not an IPC symbol
    cannot make a patent digital (the source rule ``invalid_ipc`` counts such patents).
    :func:`ipc_code_counts_sql` counts the codes by rule."""
    con.execute(
        f"""create or replace temp table _entries as
        select distinct replace({ipc_sql('ipc')}, ' ', '') as entry, substr(de_code, 1, 2) as category
        from ipc_table where {ipc_sql('ipc')} is not null"""
    )
    # an entry covers a code that starts with it; entries are at least a subclass (4 characters),
    # so the join is on the subclass first (a hash join) and then on the full prefix. The codes are
    # normalised and matched once per distinct spelling, then joined back to the patents.
    con.execute(
        f"""create or replace temp table _codes as
        select application_no, trim(unnest(string_split_regex(coalesce(ipc_all, '') || ';' || coalesce(ipc_main, ''), '[;,；，]'))) as raw_code
        from p"""
    )
    # materialised first: as a CTE the optimiser would evaluate the normalisation per joined pair
    con.execute(
        f"""create or replace temp table _spellings as
        select raw_code, replace({ipc_sql('raw_code')}, ' ', '') as code
        from (select distinct raw_code from _codes where raw_code <> '')"""
    )
    con.execute(
        """create or replace temp table _code_cats as
        select distinct s.raw_code, e.category
        from _spellings s join _entries e on substr(s.code, 1, 4) = substr(e.entry, 1, 4) and starts_with(s.code, e.entry)
        where s.code is not null"""
    )
    con.execute(
        """create or replace temp table _hits as
        select distinct c.application_no, k.category from _codes c join _code_cats k using (raw_code)"""
    )
    con.execute("drop table _codes; drop table _spellings")
    types = ", ".join(f"({_lit(cn)}, {_lit(en)})" for cn, en in PATENT_TYPES.items())
    cats = ", ".join(f"p.application_no in (select application_no from _hits where category = '{c}') as cat_{c}"
                     for c in ("01", "02", "03", "04"))
    return f"""
        select p.*, p.application_no in (select application_no from _hits) as is_digital, {cats},
               coalesce(t.en, 'other') as patent_type_en
        from p left join (values {types}) t(cn, en) on p.patent_type = t.cn
        """


def ipc_code_counts_sql(relation: str = "p") -> str:
    """SQL: the IPC codes of ``relation`` (ipc_main and every code of ipc_all) by normalisation rule
    (:data:`eq_assets.digital.ipc.RULES`: unchanged, respelled, invalid_ipc; columns rule, n)."""
    codes = (f"(select trim(unnest(string_split_regex(coalesce(ipc_all, '') || ';' || coalesce(ipc_main, ''), "
             f"'[;,；，]'))) as code from {relation})")
    return ipc_counts_sql(f"(select code from {codes} where code <> '')", "code")


def classify_digital(patents, table) -> pd.DataFrame:
    """Flag digital patents; adds is_digital and one flag per digital category (cat_01..cat_04)."""
    return run_transform(lambda con: classify_digital_sql(con) + " order by _r",
                         inputs={"p": _numbered(patents), "ipc_table": table}).drop(columns="_r")


def link_patents_sql(con, year: int) -> tuple[str, RowAccount]:
    """(patent, survey firm) pairs as DuckDB SQL over ``cp`` (classified patents) and ``s``
    (survey firm-years: legal_code, firm_name) for patents whose applicant is a survey firm."""
    # unit: (patent, applicant) pairs, so a patent of two survey-firm co-applicants counts twice
    con.execute(
        """create or replace temp table _apps as
        select application_no, unnest(coalesce(regexp_split_to_array(applicant, '[;；]'), [null::VARCHAR])) as firm_name
        from cp"""
    )
    acc = RowAccount(rows_in=count(con, "_apps"), unit="patent-applicant pairs")
    add_normalized_names(con, "_apps", "_apps_n")
    add_normalized_names(con, "(select legal_code, firm_name from s)", "_s_n")
    con.execute(
        """create or replace temp table _names as
        select norm, min(legal_code) as legal_code, count(*) as n from _s_n where norm is not null group by norm"""
    )
    con.execute(
        """create or replace temp table _linked as
        select a.application_no, n.legal_code from _apps_n a join _names n on a.norm = n.norm where n.n = 1"""
    )
    n_linked = count(con, "_linked")
    n_amb = count(con, "(select 1 from _apps_n a join _names n on a.norm = n.norm where n.n > 1)")
    acc.drop("applicant_name_ambiguous_in_survey", n_amb)
    acc.drop("applicant_not_a_survey_firm", acc.rows_in - n_linked - n_amb)
    con.execute("create or replace temp table _dedup as select distinct application_no, legal_code from _linked")
    acc.drop("same_firm_listed_twice", n_linked - count(con, "_dedup"))
    return (f"select cp.*, d.legal_code, {int(year)}::BIGINT as year from cp join _dedup d using (application_no) "
            "order by application_no, legal_code"), acc


def link_patents_to_firms(patents, survey, year: int) -> tuple[pd.DataFrame, RowAccount]:
    """One row per (patent, survey firm) for patents whose applicant is a survey firm in ``year``."""
    return run_transform(link_patents_sql, year, inputs={"cp": patents, "s": survey})


def eco_index_sql(con) -> str:
    """Firm-year Eco and its components as DuckDB SQL over ``fy`` (year, legal_code) and ``fp``
    (the firm-year's linked patents)."""
    return """
        with counts as (
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
        )
        select fy.year::BIGINT as year, fy.legal_code,
               coalesce(n_patents, 0)::BIGINT as n_patents, coalesce(n_digital, 0)::BIGINT as n_digital,
               coalesce(n_digital_invention, 0)::BIGINT as n_digital_invention,
               coalesce(n_digital_utility, 0)::BIGINT as n_digital_utility,
               coalesce(n_digital_design, 0)::BIGINT as n_digital_design,
               coalesce(n_digital_cat_01, 0)::BIGINT as n_digital_cat_01,
               coalesce(n_digital_cat_02, 0)::BIGINT as n_digital_cat_02,
               coalesce(n_digital_cat_03, 0)::BIGINT as n_digital_cat_03,
               coalesce(n_digital_cat_04, 0)::BIGINT as n_digital_cat_04,
               ln(1 + coalesce(n_digital, 0)) as "Eco"
        from fy left join counts c on fy.legal_code = c.legal_code
        order by fy.year, fy.legal_code
        """


def eco_index(firm_years, firm_patents) -> pd.DataFrame:
    """Firm-year Eco and its components for every survey firm-year (0 patents -> Eco = 0).

    Returns year, legal_code, n_patents, n_digital, n_digital_invention, n_digital_utility,
    n_digital_design, n_digital_cat_01..04 and Eco = ln(1 + n_digital).
    """
    return run_transform(eco_index_sql, inputs={"fy": firm_years, "fp": firm_patents})


def _numbered(df):
    """A frame with its row number, so that a SQL result can be returned in the frame's order."""
    if isinstance(df, pd.DataFrame):
        return df.assign(_r=np.arange(len(df)))
    return df


def _lit(s: str) -> str:
    return "'" + str(s).replace("'", "''") + "'"
