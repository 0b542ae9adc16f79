"""P1 variables of Tables 2, 4, 6, 10 and 11 built on the observation / firm-year level (SPEC section 4).

Pure functions on DataFrames; the assets in :mod:`eq_assets.panels.assets_p1` wire them.

Distance variants (P1 Table 2, section IV.2.1)
    ``Distance_1 = frontier / quality`` (Bourlès et al. 2013) and
    ``Distance_2 = (frontier - quality) / frontier`` (Aghion et al. 2005). The KSW quality of P1
    is a log-scale residual (``quality = eps / (sigma - 1)`` = ln lambda up to the cell mean), so it
    is <= 0 for about half the observations and these ratios are undefined on it. The quality
    *level* is positive: ``ratio_scale="exp"`` (default) takes ``lambda = exp(quality)``, so
    ``Distance_1 = exp(frontier - quality) >= 1`` and ``Distance_2 = 1 - exp(quality - frontier)``
    in [0, 1); both are increasing in ``Distance`` and 0-distance firms are at 1 and 0.
    ``ratio_scale="shift"`` instead shifts quality to be positive within the frontier cell,
    ``q' = quality - min_cell(quality) + shift_offset`` (the frontier shifted alike), a common
    alternative when quality is standardized rather than exponentiated.

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


@dataclass(frozen=True)
class DistanceRatioParams:
    """Positive transformation of the log-scale quality before P1's ratio distances."""

    #: "exp" (quality level lambda = exp(quality); default) or "shift" (quality - cell min + offset).
    ratio_scale: str = "exp"
    #: Offset of the "shift" scale (the lowest quality of a cell maps to this value).
    shift_offset: float = 1.0
    #: Frontier cell (P1: industry x year), used by the "shift" scale.
    cell: tuple[str, ...] = ("industry", "year")


def distance_ratio_exprs(params: DistanceRatioParams = DistanceRatioParams()) -> tuple[str, str]:
    """SQL expressions of ``Distance_1`` and ``Distance_2`` over ``quality`` and ``frontier``
    (the one definition: the panel's SQL and :func:`distance_ratios` on frames both use it)."""
    if params.ratio_scale == "exp":
        return "exp(frontier - quality)", "1 - exp(quality - frontier)"
    if params.ratio_scale == "shift":
        if params.shift_offset <= 0:
            raise ValueError("shift_offset must be positive")
        cell = ", ".join(params.cell)
        low = f"(min(quality) over (partition by {cell}))"
        off = repr(float(params.shift_offset))
        qs, fs = f"(quality - {low} + {off})", f"(frontier - {low} + {off})"
        return f"{fs} / {qs}", f"({fs} - {qs}) / {fs}"
    raise ValueError(f"ratio_scale must be 'exp' or 'shift'; got {params.ratio_scale!r}")


def distance_ratios(df: pd.DataFrame, params: DistanceRatioParams = DistanceRatioParams()) -> pd.DataFrame:
    """Add ``Distance_1`` and ``Distance_2`` to a frame with ``quality`` and ``frontier``."""
    d1, d2 = distance_ratio_exprs(params)
    got = run_sql(f'select {d1} as d1, {d2} as d2 from (select *, row_number() over () as _r from df) order by _r',
                  df=df[["quality", "frontier", *[c for c in params.cell if c in df.columns]]])
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
