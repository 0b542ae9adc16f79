"""Pandera models of P1's Tables 2-11 panels and firm-year attributes."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

OWNERSHIP = ["soe", "private", "collective", "hmt", "foreign", "other_domestic"]
TRADE_CLASSES = ["pure_general", "pure_processing", "mixed"]
DEVELOPMENT = ["developed", "developing", "least_developed"]


class P1FirmAttributes(pa.DataFrameModel):
    """Firm-year heterogeneity classes and instruments (P1 Tables 7, 10, 11)."""

    year: Series[int]
    legal_code: Series[str]
    ownership: Series[str] = pa.Field(nullable=True, isin=OWNERSHIP)
    labour_ratio: Series[float] = pa.Field(nullable=True, ge=0)
    labour_intensive: Series[pa.Int64] = pa.Field(nullable=True, isin=[0, 1])
    ip_protection: Series[float] = pa.Field(nullable=True)
    ip_protection_high: Series[pa.Int64] = pa.Field(nullable=True, isin=[0, 1])
    firm_trade_class: Series[str] = pa.Field(nullable=True, isin=TRADE_CLASSES)
    IV_phone: Series[float] = pa.Field(nullable=True)
    IV_post: Series[float] = pa.Field(nullable=True)
    IV_patent: Series[float] = pa.Field(nullable=True)

    class Config:
        strict = True
        coerce = True


class P1IndustryPatents(pa.DataFrameModel):
    """Digital patent applications by 2-digit industry and application year (P1 Table 3 Eco)."""

    industry: Series[str]
    year: Series[int]
    n_patents: Series[int] = pa.Field(ge=0)
    n_digital: Series[int] = pa.Field(ge=0)

    class Config:
        strict = True
        coerce = True


class P1IndustryPanel(pa.DataFrameModel):
    """P1 Table 3 panel: year x destination x HS6 x trade mode of the customs aggregate."""

    year: Series[int] = pa.Field(ge=2004, le=2019)
    dest_code: Series[str]
    hs6: Series[str]
    trade_mode: Series[str]
    industry: Series[str]
    cell_id: Series[str]
    value_usd: Series[float] = pa.Field(gt=0)
    quantity: Series[float] = pa.Field(gt=0)
    quality: Series[float]
    frontier: Series[float]
    Distance: Series[float] = pa.Field(ge=0)
    Eco: Series[float] = pa.Field(ge=0)
    Fixasset: Series[float]
    PPI: Series[float]
    Firm: Series[float]
    Sales: Series[float]
    Country_market: Series[float]
    Country_economic: Series[float]

    class Config:
        strict = True
        coerce = True


class P1FirmPanel(pa.DataFrameModel):
    """P1 firm-year panel (Table 2 cols 5-6, Tables 8-9): outcomes may be missing where undefined."""

    year: Series[int]
    firm_id: Series[str]
    city: Series[str]
    industry: Series[str]
    Eco: Series[float] = pa.Field(ge=0)
    Size: Series[float]
    Profit_rate: Series[float]
    Finance: Series[float]
    Age: Series[float]
    Tangible: Series[float]
    Leverage: Series[float]
    quality_q: Series[float] = pa.Field(nullable=True)
    Distance_q: Series[float] = pa.Field(nullable=True, ge=0)
    TFP: Series[float] = pa.Field(nullable=True)
    DistTFP_CIC_CN: Series[float] = pa.Field(nullable=True)
    DistTFP_US_CN: Series[float] = pa.Field(nullable=True)
    DistLP_US_CN: Series[float] = pa.Field(nullable=True)
    citations: Series[float] = pa.Field(ge=0)
    Patent_site: Series[float] = pa.Field(ge=0)
    Dist_site: Series[float] = pa.Field(ge=0)
    n_knowledge_filings: Series[int] = pa.Field(ge=0)
    Knowledge: Series[float] = pa.Field(nullable=True, ge=0, le=1)
    Dist_knowledge: Series[float] = pa.Field(nullable=True, ge=0)
    Variety: Series[float] = pa.Field(ge=1)
    Dist_variety: Series[float] = pa.Field(ge=0)

    class Config:
        strict = True
        coerce = True
