"""P1 Table 3: the extended sample, year x destination x product x trade mode, 2004-2017.

The customs data stop carrying firm names and codes after 2016, so P1 (section IV.2.2) recomputes
export quality on the firm-anonymous aggregate and explains the quality distance with
*industry-level* digital patents and industry and destination controls (毛日昇 and 陈瑶雯 2021).

Years (``first_year``, ``last_year``): P1 names no end year. Its text: the base sample is
2004-2014 "基于数据可获得性"; the extension is motivated by "数字化转型在近年来节奏加快", and the
firm-anonymous level is needed "由于本文所使用的海关数据在2016年后不再公布企业名称和企业编码",
which only matters if the extended sample runs past 2016; the first year is the base sample's.
Default 2004-2017: 2017 is the last year past 2016 for which every industry control of Table 3
exists in levels in the official yearbooks (the National Bureau of Statistics publishes
fixed-asset investment only as growth rates from 2018 on, so ``Fixasset = ln(fixed-asset
investment)`` has no level after 2017). The aggregate rows outside the years are dropped
(counted); ``last_year=2019`` uses everything the synthetic world writes.

Steps (each a function below, each choice a named parameter):

1. :func:`clean_aggregate`: rows outside first_year-last_year dropped (counted); exports only as
   in the firm-level cleaning: rows with a missing key,
   value < 50 USD or quantity < 1 are dropped (counted); trade modes are mapped to the canonical
   names (others -> "other"); HS6 codes of each year's revision (``hs_revision(year)``) are put on
   HS2002 with the concordance (codes not in it are kept as they are, counted); duplicates of the
   key after harmonization are summed.
2. :func:`assign_industry`: HS6 -> 4-digit CIC (``hs_cic``) -> ``industry`` = its first
   ``industry_digits`` digits (default 2: the level of the yearbook industry panel and of the
   industry patents); products without a CIC are dropped (counted).
3. Quality by Khandelwal-Schott-Wei with product x destination x year FE
   (:func:`eq_assets.quality.khandelwal.khandelwal_quality`, sigma = 3, singleton cells dropped),
   observations split by trade mode as in P1; ``Distance`` = industry-year max quality - quality
   (:func:`eq_assets.frontier.distance.quality_distance`).
4. :func:`industry_panel_controls`: ``Fixasset = ln(fixed-asset investment)``,
   ``PPI = ln(PPI)`` (``ppi_transform="log"``; ``"level"`` keeps the index, 2004 = 100),
   ``Firm = ln(number of above-scale firms)``, ``Sales = ln(sales)``; destination
   ``Country_market = ln(GDP)`` and ``Country_economic`` = GDP per capita growth in percent
   (``country_economic="growth"``, default; P1's text says "the log of GDP per capita growth",
   undefined for the many negative growth years, so ``"log"`` is the literal option that drops
   them).
5. ``Eco`` = ln(1 + digital patent applications of the industry-year) (:func:`industry_eco`).
6. ``cell_id`` = product x destination x trade mode, the "individual" of the FE model.

Rows without a complete set of controls and Eco are dropped (counted; P1 reports one N for the
four columns).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from eq_assets.cleaning.customs import hs_revision
from eq_assets.core.accounting import RowAccount
from eq_assets.core.sql import run_sql
from eq_assets.frontier.distance import FrontierParams, quality_distance
from eq_assets.quality.khandelwal import QualityParams, khandelwal_quality
from eq_assets.sources.contract import TRADE_MODES

AGG_KEY = ("year", "dest_code", "hs6", "trade_mode")


@dataclass(frozen=True)
class IndustryPanelParams:
    """Named choices of the Table 3 panel (defaults: P1 section IV.2.2 where it says)."""

    #: first and last year of the extended sample (P1 silent on the end year; module docstring)
    first_year: int = 2004
    last_year: int = 2017
    min_value_usd: float = 50.0
    min_quantity: float = 1.0
    industry_digits: int = 2
    sigma: float = 3.0
    #: FE set of the aggregate's KSW regression ("cell": product x destination x year, P1 eq. 20;
    #: "additive": product + destination-year; quality.khandelwal.FE_SETS)
    quality_fixed_effects: str = "cell"
    ppi_transform: str = "log"
    country_economic: str = "growth"


def clean_aggregate(raw: pd.DataFrame, hs_concordance: pd.DataFrame, params: IndustryPanelParams = IndustryPanelParams()) -> tuple[pd.DataFrame, RowAccount, dict]:
    """Clean the firm-anonymous aggregate (see the module docstring, step 1)."""
    acc = RowAccount(rows_in=len(raw), unit="aggregate rows")
    if params.last_year < params.first_year:
        raise ValueError(f"last_year {params.last_year} is before first_year {params.first_year}")
    d = raw.copy()
    yr = pd.to_numeric(d["year"], errors="coerce")
    outside = yr.notna() & ((yr < params.first_year) | (yr > params.last_year))
    acc.drop("outside_table3_years", int(outside.sum()))
    d = d[~outside]
    missing = d[["year", "dest_code", "hs6", "trade_mode", "quantity", "value_usd"]].isna().any(axis=1)
    acc.drop("missing_key_or_amount", int(missing.sum()))
    d = d[~missing]
    small = (d["value_usd"] < params.min_value_usd) | (d["quantity"] < params.min_quantity)
    acc.drop("value_below_50usd_or_quantity_below_1", int(small.sum()))
    d = d[~small].copy()
    d["year"] = d["year"].astype("int64")
    d["hs6"] = d["hs6"].astype("string").str.strip().str[:6]
    d["trade_mode"] = d["trade_mode"].map(TRADE_MODES).fillna("other")
    d["hs_version"] = d["year"].map(hs_revision)
    conc = hs_concordance[["hs_version", "hs6", "hs6_base"]].drop_duplicates(["hs_version", "hs6"])
    d = d.merge(conc, on=["hs_version", "hs6"], how="left")
    extra = {"hs6_not_in_concordance_kept": int(d["hs6_base"].isna().sum())}
    d["hs6"] = d["hs6_base"].fillna(d["hs6"])
    out = run_sql(
        """
        select year::BIGINT as year, dest_code, hs6, trade_mode,
               sum(quantity) as quantity, sum(value_usd) as value_usd
        from d group by year, dest_code, hs6, trade_mode
        order by year, dest_code, hs6, trade_mode
        """,
        d=d[list(AGG_KEY) + ["quantity", "value_usd"]],
    )
    acc.drop("merged_after_hs_harmonization", len(d) - len(out))
    return out, acc, extra


def assign_industry(obs: pd.DataFrame, hs_cic: pd.DataFrame, digits: int = 2) -> tuple[pd.DataFrame, int]:
    """Add ``industry`` (first ``digits`` of the product's CIC); returns (rows kept, rows without CIC)."""
    m = hs_cic[["hs6", "cic"]].drop_duplicates("hs6")
    d = obs.merge(m, on="hs6", how="left")
    no_cic = d["cic"].isna()
    d = d[~no_cic].copy()
    d["industry"] = d["cic"].astype("string").str[:digits]
    return d.drop(columns="cic").reset_index(drop=True), int(no_cic.sum())


def industry_eco(industry_patents: pd.DataFrame) -> pd.DataFrame:
    """industry, year, Eco = ln(1 + digital patent applications of the industry-year)."""
    d = industry_patents[["industry", "year", "n_digital"]].copy()
    d["year"] = d["year"].astype("int64")
    d["Eco"] = np.log1p(d["n_digital"].astype("float64"))
    return d


def industry_panel_controls(industry_panel: pd.DataFrame, params: IndustryPanelParams = IndustryPanelParams()) -> pd.DataFrame:
    """industry, year, Fixasset, PPI, Firm, Sales (logs; see the module docstring)."""
    d = industry_panel.rename(columns={"cic2": "industry"}).copy()
    d["year"] = d["year"].astype("int64")

    def ln(x: pd.Series) -> pd.Series:
        x = x.astype("float64")
        return np.log(x.where(x > 0))

    d["Fixasset"] = ln(d["fixed_asset_investment"])
    if params.ppi_transform == "log":
        d["PPI"] = ln(d["ppi"])
    elif params.ppi_transform == "level":
        d["PPI"] = d["ppi"].astype("float64")
    else:
        raise ValueError("ppi_transform must be 'log' or 'level'")
    d["Firm"] = ln(d["n_firms"])
    d["Sales"] = ln(d["sales"])
    return d[["industry", "year", "Fixasset", "PPI", "Firm", "Sales"]].drop_duplicates(["industry", "year"])


def country_controls(country: pd.DataFrame, params: IndustryPanelParams = IndustryPanelParams()) -> pd.DataFrame:
    """dest_code, year, Country_market = ln GDP, Country_economic (growth, or its log)."""
    d = country[["dest_code", "year", "gdp_usd", "gdp_pc_growth"]].drop_duplicates(["dest_code", "year"]).copy()
    d["year"] = d["year"].astype("int64")
    gdp = d["gdp_usd"].astype("float64")
    d["Country_market"] = np.log(gdp.where(gdp > 0))
    g = d["gdp_pc_growth"].astype("float64")
    if params.country_economic == "growth":
        d["Country_economic"] = g
    elif params.country_economic == "log":
        d["Country_economic"] = np.log(g.where(g > 0))
    else:
        raise ValueError("country_economic must be 'growth' or 'log'")
    return d[["dest_code", "year", "Country_market", "Country_economic"]]


PANEL_NUMERIC = ("Distance", "Eco", "Fixasset", "PPI", "Firm", "Sales", "Country_market", "Country_economic")


def p1_industry_panel(
    aggregate: pd.DataFrame,
    hs_concordance: pd.DataFrame,
    hs_cic: pd.DataFrame,
    industry_patents: pd.DataFrame,
    industry_panel: pd.DataFrame,
    country: pd.DataFrame,
    params: IndustryPanelParams = IndustryPanelParams(),
) -> tuple[pd.DataFrame, RowAccount, dict]:
    """The Table 3 panel: one row per year x destination x HS6 x trade mode (see module docstring)."""
    obs, acc, extra = clean_aggregate(aggregate, hs_concordance, params)
    obs, n_no_cic = assign_industry(obs, hs_cic, params.industry_digits)
    acc.drop("product_without_cic_industry", n_no_cic)
    q, qacc = khandelwal_quality(obs, QualityParams(sigma=params.sigma, fixed_effects=params.quality_fixed_effects))
    for reason, n in qacc.dropped.items():
        acc.drop(reason, n)
    q = quality_distance(q, FrontierParams(by=("industry", "year")))
    d = (
        q.merge(industry_eco(industry_patents), on=["industry", "year"], how="left")
        .merge(industry_panel_controls(industry_panel, params), on=["industry", "year"], how="left")
        .merge(country_controls(country, params), on=["dest_code", "year"], how="left")
    )
    d["Eco"] = d["Eco"].fillna(0.0)  # an industry-year without digital patents has Eco = 0
    missing = d[list(PANEL_NUMERIC)].isna() | ~np.isfinite(d[list(PANEL_NUMERIC)].astype("float64"))
    for c in PANEL_NUMERIC:
        extra[f"missing_{c}"] = int(missing[c].sum())
    incomplete = missing.any(axis=1)
    acc.drop("missing_control", int(incomplete.sum()))
    d = d[~incomplete].copy()
    d["cell_id"] = d["hs6"].astype(str) + "|" + d["dest_code"].astype(str) + "|" + d["trade_mode"].astype(str)
    cols = ["year", "dest_code", "hs6", "trade_mode", "industry", "cell_id", "value_usd", "quantity",
            "quality", "frontier", *PANEL_NUMERIC]
    d = d[cols].sort_values(list(AGG_KEY)).reset_index(drop=True)
    return d, acc, extra
