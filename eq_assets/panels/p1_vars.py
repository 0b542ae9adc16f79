"""P1 variables of Tables 2, 4, 6, 10 and 11 built on the observation / firm-year level (SPEC section 4).

Pure functions on DataFrames; the assets in :mod:`eq_assets.panels.assets_p1` wire them.

Distance variants (P1 Table 2, section IV.2.1)
    ``Distance_1 = frontier / quality`` (Bourlès et al. 2013) and
    ``Distance_2 = (frontier - quality) / frontier`` (Aghion et al. 2005). Both need a positive
    quality; the KSW quality is a log-scale residual (<= 0 for about half the observations).
    ``ratio_scale="minmax"`` (default) takes P1's "标准化后的出口产品质量" (section IV.2.1, the
    standardized quality it also aggregates to Distance_q): quality min-max standardized within
    HS6 over all firms, destinations and years, ``rq = (quality - min_g) / (max_g - min_g)`` in
    [0, 1] (Shi 2014, as P2 and ``Distance_q``), the frontier the industry-year maximum of rq.
    Evidence: P1's Distance_2 has the coefficient, SE and Adj. R2 of Distance (-0.0023 (0.0004),
    0.5693 vs 0.5689), which a ratio in [0, 1] with a frontier near 1 gives; on the exp scale its
    coefficient would be an order of magnitude smaller than Distance's. Distance_1 is undefined
    at rq = 0 (each product's lowest observation) and Distance_2 where the frontier is 0;
    products whose quality never varies have no rq (missing: the rows leave those columns only).
    ``ratio_scale="exp"`` (named option; the pipeline's earlier default) takes the quality level
    ``lambda = exp(quality)``: ``Distance_1 = exp(frontier - quality) >= 1``,
    ``Distance_2 = 1 - exp(quality - frontier)`` in [0, 1). ``ratio_scale="shift"`` shifts log
    quality to be positive within the frontier cell, ``q' = quality - min_cell(quality) +
    shift_offset`` (the frontier shifted alike).

Eco variants (Tables 4 and 6): ``ln(1 + count)`` of the firm-year's digital patents by type
    (``Eco_invent``: invention; ``Eco_str``: utility model + design, the "strategic" patents)
    and by 2021 digital-economy category (``Eco_manu`` 01 digital product manufacturing,
    ``Eco_apply`` 03 digital technology application, ``Eco_factor`` 04 digital-factor driven).

Heterogeneity classes (Tables 10, 11)
    ``ownership`` from the 3-digit registration type (登记注册类型, GB/T codes): ``soe`` = 110
    国有企业, 141 国有联营企业, 143 国有与集体联营企业, 151 国有独资公司; ``private`` = 171-174 私营
    (独资, 合伙, 有限责任, 股份有限); ``collective`` 120/130/142; ``hmt`` 2xx; ``foreign`` 3xx;
    ``other_domestic`` the rest (159 其他有限责任公司, 160 股份有限公司, 190 其他...). P1 splits
    SOE vs private only (58,328 + 5,552,263 of 9,621,862 obs), so the other classes are in
    neither subsample.
    ``labour_intensive``: employees / total assets above the industry-year median (韩国高等 2022);
    at or below -> capital/technology intensive (0); undefined ratio -> missing.
    ``ip_protection_high``: city-year IP-protection index above the median of the cities' index
    in that year (``median_scope="year"``; ``"pooled"``: over all city-years).
    ``firm_trade_class``: from the firm-year's export rows: ``pure_general`` if every row is
    general trade (一般贸易), ``pure_processing`` if every row is processing trade (进料加工 or
    来料加工), ``mixed`` otherwise (余骁等 2023). Rows under other trade modes
    (``other_modes="ignore"``, default) do not count; a firm-year with only other-mode rows is
    ``mixed`` (P1's three classes add up to the full sample).
    ``dest_development``: UN status of the destination (contract ``DEVELOPMENT_STATUS``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from eq_assets.core.sql import run_sql
from eq_assets.sources.contract_p1 import DEVELOPMENT_STATUS


# ---- distance variants ------------------------------------------------------------------------


RATIO_SCALES = ("minmax", "exp", "shift")


@dataclass(frozen=True)
class DistanceRatioParams:
    """Positive scale of the quality before P1's ratio distances (see the module docstring)."""

    #: "minmax" (default; P1's standardized quality), "exp" (quality level exp(quality)) or
    #: "shift" (quality - cell min + offset).
    ratio_scale: str = "minmax"
    #: Offset of the "shift" scale (the lowest quality of a cell maps to this value).
    shift_offset: float = 1.0
    #: Frontier cell (P1: industry x year), used by the "shift" and "minmax" scales.
    cell: tuple[str, ...] = ("industry", "year")
    #: Standardization group of "minmax" (P1 / Shi 2014 / P2: the HS6 product, over all years).
    standardize_by: tuple[str, ...] = ("hs6",)


def minmax_expr(column: str = "quality", by: tuple[str, ...] = ("hs6",)) -> str:
    """SQL of ``(x - min_g x) / (max_g x - min_g x)`` over the rows of the relation (NULL where
    the group's x does not vary)."""
    g = ", ".join(by)
    lo, hi = f"min({column}) over (partition by {g})", f"max({column}) over (partition by {g})"
    return f"({column} - {lo}) / nullif({hi} - {lo}, 0)"


def distance_ratio_exprs(params: DistanceRatioParams = DistanceRatioParams(), *,
                         quality: str = "quality", frontier: str = "frontier") -> tuple[str, str]:
    """SQL expressions of ``Distance_1`` and ``Distance_2`` (the one definition: the panel's SQL
    and :func:`distance_ratios` on frames both use it). ``quality`` and ``frontier`` name the
    columns: the log quality and its frontier for "exp"/"shift", the standardized quality and
    its frontier for "minmax" (see :func:`standardized_frontier_sql`)."""
    q, f = quality, frontier
    if params.ratio_scale == "minmax":
        return f"{f} / nullif({q}, 0)", f"({f} - {q}) / nullif({f}, 0)"
    if params.ratio_scale == "exp":
        return f"exp({f} - {q})", f"1 - exp({q} - {f})"
    if params.ratio_scale == "shift":
        if params.shift_offset <= 0:
            raise ValueError("shift_offset must be positive")
        cell = ", ".join(params.cell)
        low = f"(min({q}) over (partition by {cell}))"
        off = repr(float(params.shift_offset))
        qs, fs = f"({q} - {low} + {off})", f"({f} - {low} + {off})"
        return f"{fs} / {qs}", f"({fs} - {qs}) / {fs}"
    raise ValueError(f"ratio_scale must be one of {RATIO_SCALES}; got {params.ratio_scale!r}")


def standardized_frontier_sql(params: DistanceRatioParams = DistanceRatioParams(), rel: str = "q") -> str:
    """SQL over ``rel`` (hs6, industry, year, quality: every observation with a quality, all
    years) of the standardization bounds per product and the frontier of the standardized
    quality per cell: one row per (product) x (cell) pair present, columns of the ``by`` keys,
    ``q_lo``, ``q_hi``, ``frontier_std``."""
    by, cell = ", ".join(params.standardize_by), ", ".join(params.cell)
    return f"""
        with r as (select {by}, {cell}, {minmax_expr("quality", params.standardize_by)} as rq,
                          min(quality) over (partition by {by}) as q_lo, max(quality) over (partition by {by}) as q_hi
                   from {rel})
        select distinct {by}, {cell}, q_lo, q_hi, max(rq) over (partition by {cell}) as frontier_std from r
        """


def distance_ratios(df: pd.DataFrame, params: DistanceRatioParams = DistanceRatioParams()) -> pd.DataFrame:
    """Add ``Distance_1`` and ``Distance_2`` to a frame with ``quality`` and ``frontier`` (the
    log quality and frontier for "exp"/"shift"; for "minmax" the frame's ``quality`` is
    standardized within ``standardize_by`` over its rows and ``frontier`` recomputed as the
    cell maximum of that; the frame then needs those columns)."""
    cols = ["quality", "frontier", *[c for c in params.cell + params.standardize_by if c in df.columns]]
    if params.ratio_scale == "minmax":
        d1, d2 = distance_ratio_exprs(params, quality="rq", frontier="rf")
        cell = ", ".join(params.cell)
        sql = (f"select {d1} as d1, {d2} as d2 from (select *, max(rq) over (partition by {cell}) as rf from "
               f"(select *, {minmax_expr('quality', params.standardize_by)} as rq, row_number() over () as _r from df)) order by _r")
    else:
        d1, d2 = distance_ratio_exprs(params)
        sql = f"select {d1} as d1, {d2} as d2 from (select *, row_number() over () as _r from df) order by _r"
    got = run_sql(sql, df=df[list(dict.fromkeys(cols))])
    out = df.copy()
    out["Distance_1"] = got["d1"].to_numpy()
    out["Distance_2"] = got["d2"].to_numpy()
    return out


# ---- Eco variants -----------------------------------------------------------------------------

#: Eco variant -> the count columns of eq_assets.digital.patents.eco_index it sums.
ECO_VARIANTS: dict[str, tuple[str, ...]] = {
    "Eco_invent": ("n_digital_invention",),
    "Eco_str": ("n_digital_utility", "n_digital_design"),
    "Eco_manu": ("n_digital_cat_01",),
    "Eco_apply": ("n_digital_cat_03",),
    "Eco_factor": ("n_digital_cat_04",),
}


def eco_variant_exprs() -> dict[str, str]:
    """SQL of each Eco variant over the count columns (missing counts are 0)."""
    return {name: "ln(1 + " + " + ".join(f'coalesce("{c}", 0)' for c in cols) + ")" for name, cols in ECO_VARIANTS.items()}


# ---- ownership ----------------------------------------------------------------------------------

SOE_CODES: tuple[str, ...] = ("110", "141", "143", "151")
PRIVATE_CODES: tuple[str, ...] = ("171", "172", "173", "174")
COLLECTIVE_CODES: tuple[str, ...] = ("120", "130", "142")


def ownership_class(reg_type: pd.Series) -> pd.Series:
    """soe / private / collective / hmt / foreign / other_domestic (missing code -> missing)."""
    r = reg_type.astype("string").str.strip()
    out = pd.Series(pd.NA, index=reg_type.index, dtype="string")
    known = r.notna() & r.str.fullmatch(r"\d{3}").fillna(False)
    out[known] = "other_domestic"
    out[known & r.str.startswith("2")] = "hmt"
    out[known & r.str.startswith("3")] = "foreign"
    out[known & r.isin(COLLECTIVE_CODES)] = "collective"
    out[known & r.isin(PRIVATE_CODES)] = "private"
    out[known & r.isin(SOE_CODES)] = "soe"
    return out


# ---- factor intensity ---------------------------------------------------------------------------


def labour_intensity(firms: pd.DataFrame, by: tuple[str, ...] = ("industry", "year")) -> pd.DataFrame:
    """year, legal_code, labour_ratio (employees / total assets) and labour_intensive (1/0/NA).

    labour_intensive = 1 when the ratio exceeds the median of the firm-years of its industry-year
    with a defined ratio (P1 Table 10 cols 5-6, after 韩国高等 2022).
    """
    emp = pd.to_numeric(firms["employees"], errors="coerce").astype("float64")
    ta = pd.to_numeric(firms["total_assets"], errors="coerce").astype("float64")
    ratio = (emp / ta).where((ta > 0) & (emp >= 0))
    d = firms[["year", "legal_code", *[c for c in by if c != "year"]]].copy()
    d["labour_ratio"] = ratio.to_numpy()
    med = d.groupby(list(by))["labour_ratio"].transform("median")
    li = pd.Series(pd.NA, index=d.index, dtype="Int64")
    ok = d["labour_ratio"].notna()
    li[ok] = (d.loc[ok, "labour_ratio"] > med[ok]).astype("int64")
    d["labour_intensive"] = li
    return d[["year", "legal_code", "labour_ratio", "labour_intensive"]]


# ---- IP protection ---------------------------------------------------------------------------


def ip_protection_split(ip: pd.DataFrame, median_scope: str = "year") -> pd.DataFrame:
    """city_code, year, ip_protection, ip_protection_high (1 above the median, else 0).

    ``median_scope="year"``: the median of the cities' index in the same year (default);
    ``"pooled"``: over every city-year of the file.
    """
    d = ip[["city_code", "year", "ip_protection"]].dropna(subset=["ip_protection"]).copy()
    if median_scope == "year":
        med = d.groupby("year")["ip_protection"].transform("median")
    elif median_scope == "pooled":
        med = pd.Series(d["ip_protection"].median(), index=d.index)
    else:
        raise ValueError(f"median_scope must be 'year' or 'pooled'; got {median_scope!r}")
    d["ip_protection_high"] = (d["ip_protection"] > med).astype("int64")
    return d.reset_index(drop=True)


# ---- trade-mode class of the firm-year ------------------------------------------------------------

GENERAL_MODES: tuple[str, ...] = ("general",)
PROCESSING_MODES: tuple[str, ...] = ("processing_imported", "processing_assembly")


def firm_trade_class(exports: pd.DataFrame, firm: str = "firm_id", other_modes: str = "ignore") -> pd.DataFrame:
    """year, <firm>, firm_trade_class in {pure_general, pure_processing, mixed} (P1 Table 11).

    ``exports`` has one row per exported (product, destination, trade mode) with canonical
    ``trade_mode`` (general, processing_imported, processing_assembly, other).
    ``other_modes="ignore"``: rows of other modes do not count; ``"mixed"``: any such row makes
    the firm-year mixed.
    """
    if other_modes not in ("ignore", "mixed"):
        raise ValueError(f"other_modes must be 'ignore' or 'mixed'; got {other_modes!r}")
    g = ", ".join(f"'{m}'" for m in GENERAL_MODES)
    p = ", ".join(f"'{m}'" for m in PROCESSING_MODES)
    other_makes_mixed = "true" if other_modes == "mixed" else "false"
    return run_sql(
        f"""
        with c as (
            select year, {firm},
                   count(*) filter (where trade_mode in ({g})) as n_g,
                   count(*) filter (where trade_mode in ({p})) as n_p,
                   count(*) filter (where trade_mode not in ({g}, {p}) or trade_mode is null) as n_o
            from e group by year, {firm}
        )
        select year::BIGINT as year, {firm},
               case when n_o > 0 and {other_makes_mixed} then 'mixed'
                    when n_g > 0 and n_p = 0 then 'pure_general'
                    when n_p > 0 and n_g = 0 then 'pure_processing'
                    else 'mixed' end as firm_trade_class
        from c order by year, {firm}
        """,
        e=exports[["year", firm, "trade_mode"]],
    )


# ---- destination development ------------------------------------------------------------------------


def destination_development(dev: pd.DataFrame) -> pd.DataFrame:
    """dest_code -> dest_development (developed / developing / least_developed; unknown -> NA)."""
    d = dev[["dest_code", "development_status"]].drop_duplicates("dest_code").copy()
    d["dest_development"] = d["development_status"].map(DEVELOPMENT_STATUS).astype("string")
    return d[["dest_code", "dest_development"]].reset_index(drop=True)
