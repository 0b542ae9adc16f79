"""P1 firm-year mechanism variables (Tables 2 col. 5-6, 8 and 9; SPEC section 4). Pure functions.

Distance to the industry-year best (``dist_to_max``)
    ``Dist_x = max_{industry, year} x - x`` for Patent_site, Knowledge and Variety (P1: "以同年同
    行业最高水平的企业为参照"); the maximum is over the firm-years of the frame passed in (the
    analysis firm-years), missing values ignored.

``Distance_q`` (Table 2 cols 5-6)
    Quality standardized within product over all firms, years and destinations,
    ``rquality = (quality - min_g) / (max_g - min_g)`` (Shi 2014, as in P2 and SPEC section 3),
    aggregated to the firm-year with export-value weights, then the distance to the industry-year
    maximum of that firm-year quality. Products whose quality does not vary (max = min) have no
    standardized value; their observations are left out of the aggregation and counted.

``Knowledge`` (Table 9, Akcigit et al. 2016; Aghion et al. 2019)
    ``Knowledge_it = 1 - sum_m (Z_imt / Z_it)^2`` with ``Z_imt`` the firm's cumulative invention and
    utility-model filings up to year t in IPC main group m (the main classification code's part
    before "/", spaces removed, e.g. "H04L 9/32" -> "H04L9"; a code without "/" counts as its own
    group) and ``Z_it`` their sum. Undefined (missing) while the firm has no such filing.
    Cumulation starts with the first year of the patents passed in (``firm_patents`` covers the
    sample years).

``Patent_site`` (Table 8 cols 5-6): ``ln(1 + forward citations received by the firm-year's patents)``
    (``patents="all"``, default, or ``"digital"``); firm-years without patents have 0.

``Variety`` (Table 9 cols 3-4): number of distinct HS6 products the firm exports in the year.

TFP (Table 8 cols 1-4)
    :func:`production_inputs` deflates value added, intermediate inputs and (by default) fixed
    assets with the 2-digit industry PPI (2004 = 100; ``deflator="ppi"``, or ``"none"``) and takes
    logs: ``ln_va``, ``ln_l`` (employees), ``ln_k``, ``ln_m``. :func:`estimate_tfp` runs
    Levinsohn-Petrin (or ACF) from :mod:`eq_assets.mechanisms.tfp` per 2-digit industry
    (``by="cic2"``, default: P1 only says "LP 法"; one production function per 2-digit industry
    is the literature's practice on ASIF, e.g. Brandt, Van Biesebroeck & Zhang 2012) or pooled
    over industries (``by="pooled"``). An industry with fewer than ``min_industry_obs`` firm-years
    (default 500, about 80 firms over six years; the paper is silent) is not estimated alone: the
    small industries are estimated together as group "other", or left without TFP (counted) when
    they add up to fewer firm-years than that. :func:`production_function_rows` keys the
    estimates like results.csv: column ``"LP"``/``"ACF"`` pooled, ``"LP:<cic2>"`` per industry,
    ``"LP:other"`` for the small industries together (:func:`production_function_results` gives
    the results.csv rows); :func:`tfp_from_coefficients` computes ln TFP with the elasticities of
    the firm-year's industry.
    :func:`tfp_distances`: ``DistTFP_CIC_CN = TFP_front / TFP`` with TFP_front the industry-year
    maximum, ``DistTFP_US_CN = TFP_US / TFP`` and ``DistLP_US_CN = LP_US / LP`` with
    ``LP = real value added per worker``. P1 prints the ratios in TFP *levels*; with log TFP from
    LP the level ratio is ``exp(ln front - ln own)`` (``ratio_form="level"``, default).
    ``"log_gap"`` uses ``ln front - ln own`` (the log of that ratio), and ``"log_ratio"`` the ratio
    of the log values (``ln front / ln own``, what a ratio of log-TFP columns gives; undefined
    for ln TFP <= 0).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from eq_assets.core.accounting import RowAccount
from eq_assets.regressions.results import ADDED_DEFAULTS, RESULT_COLUMNS
from eq_assets.core.sql import count, run_sql, run_transform
from scipy.stats import norm

from eq_assets.mechanisms.tfp import TOLERANCE, ackerberg_caves_frazer, levinsohn_petrin
from eq_assets.mechanisms.tfp_groups import DEFAULT_MIN_GROUP_OBS, GroupedProductionFunction, tfp_by_group


def dist_to_max(df: pd.DataFrame, column: str, by: tuple[str, ...] = ("industry", "year")) -> pd.Series:
    """``max of column within by - column`` (missing where column is missing)."""
    front = df.groupby(list(by), dropna=False)[column].transform("max")
    return (front - df[column]).astype("float64")


# ---- Distance_q ------------------------------------------------------------------------------


def distance_q_sql(
    con,
    *,
    firm: str = "firm_id",
    standardize_by: tuple[str, ...] = ("hs6",),
    frontier_by: tuple[str, ...] = ("industry", "year"),
) -> tuple[str, RowAccount]:
    """``Distance_q`` as DuckDB SQL over ``q`` (observation-level quality: year, firm, industry,
    hs6, quality, value_usd); returns (query of firm-years, account of observations)."""
    sb = ", ".join(standardize_by)
    fb = ", ".join(frontier_by)
    acc = RowAccount(rows_in=count(con, "q"), unit="observations -> firm-years")
    con.execute(
        f"""
        create or replace temp table _dq as
        with s as (
            select year, {firm}, industry, value_usd, quality,
                   min(quality) over (partition by {sb}) as qmin, max(quality) over (partition by {sb}) as qmax
            from q
        ), r as (
            select year, {firm}, industry, value_usd, (quality - qmin) / (qmax - qmin) as rq
            from s where qmax > qmin
        ), fy as (
            select year, {firm}, any_value(industry) as industry,
                   sum(value_usd * rq) / sum(value_usd) as quality_q, count(*) as n_obs
            from r group by year, {firm}
        )
        select year::BIGINT as year, {firm}, industry, quality_q, n_obs,
               max(quality_q) over (partition by {fb}) as frontier_q,
               max(quality_q) over (partition by {fb}) - quality_q as "Distance_q"
        from fy
        """
    )
    n_used, n_fy = con.execute("select coalesce(sum(n_obs), 0), count(*) from _dq").fetchone()
    acc.drop("product_quality_constant_no_standardized_value", acc.rows_in - int(n_used))
    acc.drop("aggregated_to_firm_year", int(n_used) - int(n_fy))
    return f"select * exclude (n_obs) from _dq order by year, {firm}", acc


def distance_q(quality, *, firm: str = "firm_id", standardize_by: tuple[str, ...] = ("hs6",),
               frontier_by: tuple[str, ...] = ("industry", "year")) -> tuple[pd.DataFrame, RowAccount]:
    """year, firm, industry, quality_q, frontier_q, Distance_q from observation-level quality.

    ``quality`` (a frame or stored table) has year, firm, industry, hs6 (and the
    ``standardize_by`` columns), quality and value_usd. Rows: firm-years; the account counts
    observations in and those without a standardized quality (product with a single quality value).
    """
    return run_transform(distance_q_sql, firm=firm, standardize_by=standardize_by, frontier_by=frontier_by,
                         inputs={"q": quality})


# ---- Knowledge breadth --------------------------------------------------------------------------

KNOWLEDGE_TYPES: tuple[str, ...] = ("invention", "utility")


def ipc_main_group(codes: pd.Series) -> pd.Series:
    """IPC main group of a classification code: "H04L 9/32" -> "H04L9" (no "/" -> the code)."""
    c = codes.astype("string").str.replace(r"\s+", "", regex=True).str.upper()
    return c.str.split("/").str[0].replace("", pd.NA)


#: SQL of the IPC main group of ``ipc_main`` (the one definition; :func:`ipc_main_group` on Series)
MAIN_GROUP_SQL = "nullif(split_part(upper(regexp_replace(ipc_main, '\\s+', '', 'g')), '/', 1), '')"


def knowledge_breadth_sql(con, *, firm: str = "legal_code", types: tuple[str, ...] = KNOWLEDGE_TYPES) -> str:
    """Knowledge as DuckDB SQL over ``g`` (firm-years: year, ``firm``) and ``kp`` (one row per
    (patent, firm): year = application year, ``firm``, patent_type_en, ipc_main). Every
    firm-year of ``g`` gets a row (see the module docstring)."""
    tl = ", ".join(f"'{t}'" for t in types)
    return f"""
        with c as (
            select {firm}, year, {MAIN_GROUP_SQL} as mg, count(*) as size
            from kp where patent_type_en in ({tl}) and {MAIN_GROUP_SQL} is not null
            group by {firm}, year, mg
        ), z as (
            select g.year, g.{firm}, c.mg, sum(c.size) as z_m
            from g join c on g.{firm} = c.{firm} and c.year <= g.year
            group by g.year, g.{firm}, c.mg
        ), k as (
            select year, {firm}, sum(z_m) as z, sum(z_m * z_m) as z2 from z group by year, {firm}
        )
        select g.year::BIGINT as year, g.{firm}, coalesce(k.z, 0)::BIGINT as n_knowledge_filings,
               case when k.z > 0 then 1 - k.z2 / (k.z * k.z) end as "Knowledge"
        from g left join k on g.year = k.year and g.{firm} = k.{firm}
        order by g.year, g.{firm}
        """


def knowledge_breadth(
    firm_years: pd.DataFrame,
    patents: pd.DataFrame,
    *,
    firm: str = "legal_code",
    types: tuple[str, ...] = KNOWLEDGE_TYPES,
) -> pd.DataFrame:
    """year, firm, n_knowledge_filings (Z_it) and Knowledge (1 - HHI of main-group shares).

    ``patents``: one row per (patent, firm) with ``year`` (application year), ``legal_code``,
    ``patent_type_en`` and ``ipc_main``. Every firm-year of ``firm_years`` gets a row.
    """
    p = patents.rename(columns={"legal_code": firm}) if firm != "legal_code" else patents
    p = p[["year", firm, "patent_type_en", "ipc_main"]]
    g = firm_years[["year", firm]].drop_duplicates()
    return run_transform(knowledge_breadth_sql, firm=firm, types=types, inputs={"g": g, "kp": p})


# ---- citations and variety ----------------------------------------------------------------------


def patent_site(firm_years: pd.DataFrame, patents: pd.DataFrame, *, firm: str = "legal_code", patents_kind: str = "all") -> pd.DataFrame:
    """year, firm, citations, Patent_site = ln(1 + forward citations of the firm-year's patents)."""
    if patents_kind not in ("all", "digital"):
        raise ValueError("patents_kind must be 'all' or 'digital'")
    p = patents if patents_kind == "all" else patents[patents["is_digital"]]
    p = p.rename(columns={"legal_code": firm}) if firm != "legal_code" else p
    cites = p.groupby(["year", firm], as_index=False)["citations"].sum(min_count=0)
    out = firm_years[["year", firm]].drop_duplicates().merge(cites, on=["year", firm], how="left")
    out["citations"] = out["citations"].fillna(0.0).astype("float64")
    out["Patent_site"] = np.log1p(out["citations"])
    return out.sort_values(["year", firm]).reset_index(drop=True)


def variety_sql(con, *, firm: str = "firm_id") -> str:
    """Variety as DuckDB SQL over ``ex`` (exported year, firm, hs6 rows)."""
    return (f'select year::BIGINT as year, {firm}, count(distinct hs6)::BIGINT as "Variety" from ex '
            f"group by year, {firm} order by year, {firm}")


def variety(exports, *, firm: str = "firm_id") -> pd.DataFrame:
    """year, firm, Variety = number of distinct HS6 products exported in the year."""
    return run_transform(variety_sql, firm=firm, inputs={"ex": exports})


# ---- production function and TFP ------------------------------------------------------------------


@dataclass(frozen=True)
class TfpParams:
    """Named choices of P1 Table 8's TFP (P1: "LP 法计算的全要素生产率"; the rest is unstated)."""

    #: "LP" (Levinsohn-Petrin, P1) or "ACF" (Ackerberg-Caves-Frazer).
    method: str = "LP"
    #: "cic2" (one production function per 2-digit industry; the literature's default on ASIF)
    #: or "pooled" (one for all industries).
    by: str = "cic2"
    #: LP's second stage: "levpet" (LP 2003 / Stata levpet / R prodest) or "moment" (see tfp.py).
    second_stage: str = "levpet"
    #: "ppi": deflate value added, intermediates and fixed assets by the industry PPI (2004 = 100).
    deflator: str = "ppi"
    #: also deflate fixed assets by the PPI (no investment deflator in the sources).
    deflate_capital: bool = True
    poly_degree: int = 3
    markov_degree: int = 3
    #: firm-block bootstrap draws for the SEs (levpet's reps(50)); the cost is linear in it.
    bootstrap_reps: int = 50
    seed: int = 0
    #: smallest industry (complete firm-years) estimated alone when by="cic2" (paper silent).
    min_industry_obs: int = DEFAULT_MIN_GROUP_OBS
    #: normalised GMM criterion below which ACF's moments count as solved (tfp_solve.TOLERANCE).
    tolerance: float = TOLERANCE
    #: how the TFP distances are formed: "level" (ratio of TFP levels), "log_gap", "log_ratio".
    ratio_form: str = "level"


def production_inputs(firms: pd.DataFrame, industry_panel: pd.DataFrame, params: TfpParams = TfpParams()) -> tuple[pd.DataFrame, RowAccount]:
    """year, legal_code, industry, cic2, ln_va, ln_l, ln_k, ln_m, real_va, lp (real VA per worker).

    Firm-years with a non-positive or missing value added, employment, fixed assets or
    intermediate input, or no PPI for their industry-year, are dropped and counted.
    """
    acc = RowAccount(rows_in=len(firms), unit="firm-years")
    f = firms[["year", "legal_code", "industry", "cic", "employees", "fixed_assets", "value_added", "intermediate_input"]].copy()
    f["year"] = f["year"].astype("int64")
    f["cic2"] = f["cic"].astype("string").str[:2]
    if params.deflator == "ppi":
        ppi = industry_panel[["cic2", "year", "ppi"]].drop_duplicates(["cic2", "year"]).copy()
        ppi["year"] = ppi["year"].astype("int64")
        f = f.merge(ppi, on=["cic2", "year"], how="left")
        defl = f["ppi"].astype("float64") / 100.0
        no_ppi = defl.isna() | (defl <= 0)
        acc.drop("no_industry_ppi", int(no_ppi.sum()))
        f, defl = f[~no_ppi], defl[~no_ppi]
    elif params.deflator == "none":
        defl = pd.Series(1.0, index=f.index)
    else:
        raise ValueError("deflator must be 'ppi' or 'none'")
    cols = {"value_added": "ln_va", "employees": "ln_l", "fixed_assets": "ln_k", "intermediate_input": "ln_m"}
    vals = {k: pd.to_numeric(f[k], errors="coerce").astype("float64") for k in cols}
    ok = np.ones(len(f), dtype=bool)
    for k, v in vals.items():
        ok &= (v > 0).to_numpy()
    acc.drop("nonpositive_or_missing_production_variable", int((~ok).sum()))
    out = f.loc[ok, ["year", "legal_code", "industry", "cic2"]].copy()
    d = defl[ok]
    out["real_va"] = vals["value_added"][ok] / d
    out["ln_va"] = np.log(out["real_va"])
    out["ln_l"] = np.log(vals["employees"][ok])
    out["ln_k"] = np.log(vals["fixed_assets"][ok] / (d if params.deflate_capital else 1.0))
    out["ln_m"] = np.log(vals["intermediate_input"][ok] / d)
    out["lp"] = out["real_va"] / vals["employees"][ok]
    return out.sort_values(["legal_code", "year"]).reset_index(drop=True), acc


def estimate_tfp(inputs: pd.DataFrame, params: TfpParams = TfpParams()) -> GroupedProductionFunction:
    """ln TFP per row of ``inputs`` and the production function(s): one per 2-digit industry
    (``by="cic2"``; small industries together as "other") or one labelled "pooled"."""
    est = {"LP": levinsohn_petrin, "ACF": ackerberg_caves_frazer}.get(params.method)
    if est is None:
        raise ValueError("method must be 'LP' or 'ACF'")
    kw = dict(output="ln_va", free="ln_l", state="ln_k", proxy="ln_m", firm="legal_code", year="year",
              poly_degree=params.poly_degree, markov_degree=params.markov_degree, tolerance=params.tolerance,
              bootstrap_reps=params.bootstrap_reps, seed=params.seed)
    if params.method == "LP":
        kw["second_stage"] = params.second_stage
    if params.by == "pooled":
        res = est(inputs, **kw)
        return GroupedProductionFunction(res.log_tfp(inputs).rename("ln_tfp"), {"pooled": res}, {"pooled": ("all",)}, {})
    if params.by == "cic2":
        g = tfp_by_group(inputs, "cic2", estimator=est, min_obs=params.min_industry_obs, **kw)
        return GroupedProductionFunction(g.ln_tfp.rename("ln_tfp"), g.results, g.members, g.not_estimated)
    raise ValueError("by must be 'pooled' or 'cic2'")


def production_function_column(method: str, group: str) -> str:
    """results.csv column of a production function: "LP" pooled, "LP:13" for 2-digit industry 13."""
    return method if group == "pooled" else f"{method}:{group}"


def production_function_rows(method: str, fitted: GroupedProductionFunction) -> list[dict]:
    """One row per (group, input) of the ProductionFunction table (schemas_p1)."""
    rows = []
    for group, res in fitted.results.items():
        for term in res.inputs:
            rows.append({
                "paper": "P1", "table": "TFP", "column": production_function_column(method, group), "term": term,
                "method": method, "group": group, "industries": ",".join(fitted.members[group]),
                "estimate": res.coef[term], "std_error": res.se[term], "ols_estimate": res.ols_coef[term],
                "n_obs": res.n_obs, "n_obs_stage2": res.n_obs_stage2, "n_firms": res.n_firms,
                "bootstrap_reps": res.bootstrap_reps, "bootstrap_nonconverged": res.bootstrap_nonconverged,
                "bootstrap_errors": int(res.settings["bootstrap_errors"]), "second_stage": res.second_stage,
                "criterion": res.criterion, "converged": res.converged, "start": res.start,
                "n_solutions": res.n_distinct_solutions,
            })
    return rows


def production_function_results(pf: pd.DataFrame) -> pd.DataFrame:
    """results.csv rows (regressions.results layout) of the ProductionFunction table: bootstrap SE,
    p-value from the normal approximation (levpet's bootstrap z), n_obs = firm-years used."""
    z = pf["estimate"] / pf["std_error"]
    sample = np.where(pf["group"] == "pooled", "all industries", "cic2 " + pf["industries"].astype(str))
    out = pd.DataFrame({
        "paper": pf["paper"], "table": pf["table"], "column": pf["column"], "term": pf["term"],
        "estimate": pf["estimate"], "std_error": pf["std_error"], "p_value": 2 * norm.sf(np.abs(z)),
        "n_obs": pf["n_obs"], "adj_r2": np.nan, "fixed_effects": None,
        "vcov": [f"bootstrap (firm blocks, {int(r)} draws)" for r in pf["bootstrap_reps"]], "sample": sample,
    })
    for c, v in ADDED_DEFAULTS.items():  # the columns results.csv appended later (within R2, variant)
        out[c] = v
    return out[list(RESULT_COLUMNS)]


def tfp_from_coefficients(inputs: pd.DataFrame, pf: pd.DataFrame, method: str = "LP") -> pd.Series:
    """ln TFP = ln_va - b_l ln_l - b_k ln_k with the elasticities of the firm-year's 2-digit
    industry (the group whose ``industries`` list its cic2; "all" for a pooled estimate). NaN for
    firm-years of an industry without an estimate."""
    rows = pf[pf["method"] == method]
    if rows.empty:
        raise ValueError(f"no {method} production function estimated (p1_production_function methods)")
    coef = rows.pivot(index="group", columns="term", values="estimate")
    members = rows.drop_duplicates("group").set_index("group")["industries"]
    cic2 = inputs["cic2"].astype(str)
    if (members == "all").any():
        group = pd.Series(members.index[members == "all"][0], index=inputs.index)
    else:
        lookup = {code: g for g, codes in members.items() for code in str(codes).split(",")}
        group = cic2.map(lookup)
    c = coef.reindex(group.to_numpy())
    out = inputs["ln_va"].to_numpy(dtype=float).copy()
    for term in coef.columns:
        out = out - c[term].to_numpy() * inputs[term].to_numpy(dtype=float)
    return pd.Series(out, index=inputs.index, name="ln_tfp")


def _ratio(ln_front: pd.Series, ln_own: pd.Series, form: str) -> pd.Series:
    if form == "level":
        return np.exp(ln_front - ln_own)
    if form == "log_gap":
        return ln_front - ln_own
    if form == "log_ratio":
        return (ln_front / ln_own.where(ln_own > 0)).astype("float64")
    raise ValueError("ratio_form must be 'level', 'log_gap' or 'log_ratio'")


def tfp_distances(tfp: pd.DataFrame, us: pd.DataFrame, *, ratio_form: str = "level", by: tuple[str, ...] = ("industry", "year")) -> pd.DataFrame:
    """Add TFP (= ln TFP), DistTFP_CIC_CN, DistTFP_US_CN, DistLP_US_CN (P1 Table 8 cols 1-4).

    ``tfp``: year, cic2, ``by`` columns, ln_tfp, lp (real VA per worker). ``us``: cic2, year,
    us_ln_tfp, us_labour_productivity.
    """
    d = tfp.copy()
    u = us[["cic2", "year", "us_ln_tfp", "us_labour_productivity"]].drop_duplicates(["cic2", "year"]).copy()
    u["year"] = u["year"].astype("int64")
    d = d.merge(u, on=["cic2", "year"], how="left")
    d["TFP"] = d["ln_tfp"]
    front = d.groupby(list(by))["ln_tfp"].transform("max")
    d["DistTFP_CIC_CN"] = _ratio(front, d["ln_tfp"], ratio_form)
    d["DistTFP_US_CN"] = _ratio(d["us_ln_tfp"], d["ln_tfp"], ratio_form)
    lp = d["lp"].astype("float64")
    d["DistLP_US_CN"] = (d["us_labour_productivity"] / lp.where(lp > 0)).astype("float64")
    return d.drop(columns=["us_ln_tfp", "us_labour_productivity"])
