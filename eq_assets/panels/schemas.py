"""Pandera models of the firm controls and the P1 analysis panel."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series


class FirmControls(pa.DataFrameModel):
    """P1's six controls per firm-year; missing where the formula is undefined."""

    year: Series[int]
    legal_code: Series[str]
    Size: Series[float] = pa.Field(nullable=True)
    Profit_rate: Series[float] = pa.Field(nullable=True)
    Finance: Series[float] = pa.Field(nullable=True)
    Age: Series[float] = pa.Field(nullable=True, ge=0)
    Tangible: Series[float] = pa.Field(nullable=True)
    Leverage: Series[float] = pa.Field(nullable=True)

    class Config:
        strict = True
        coerce = True


class P1Panel(pa.DataFrameModel):
    """P1 analysis panel: year x firm x HS6 x destination x trade mode (P1 eq. 16)."""

    year: Series[int]
    firm_id: Series[str]
    hs6: Series[str]
    dest_code: Series[str]
    trade_mode: Series[str]
    city: Series[str]
    industry: Series[str]
    province: Series[str]
    reg_type: Series[str] = pa.Field(nullable=True)
    op_status: Series[str] = pa.Field(nullable=True)
    value_usd: Series[float] = pa.Field(gt=0)
    quantity: Series[float] = pa.Field(gt=0)
    quality: Series[float]
    frontier: Series[float]
    Distance: Series[float]
    n_patents: Series[int] = pa.Field(ge=0)
    n_digital: Series[int] = pa.Field(ge=0)
    n_digital_invention: Series[int] = pa.Field(ge=0)
    n_digital_utility: Series[int] = pa.Field(ge=0)
    n_digital_design: Series[int] = pa.Field(ge=0)
    n_digital_cat_01: Series[int] = pa.Field(ge=0)
    n_digital_cat_02: Series[int] = pa.Field(ge=0)
    n_digital_cat_03: Series[int] = pa.Field(ge=0)
    n_digital_cat_04: Series[int] = pa.Field(ge=0)
    Eco: Series[float] = pa.Field(ge=0)
    Size: Series[float]
    Profit_rate: Series[float]
    Finance: Series[float]
    Age: Series[float]
    Tangible: Series[float]
    Leverage: Series[float]
    Eco_invent: Series[float] = pa.Field(ge=0)
    Eco_str: Series[float] = pa.Field(ge=0)
    Eco_manu: Series[float] = pa.Field(ge=0)
    Eco_apply: Series[float] = pa.Field(ge=0)
    Eco_factor: Series[float] = pa.Field(ge=0)
    Distance_1: Series[float] = pa.Field(ge=1)
    Distance_2: Series[float] = pa.Field(ge=0, lt=1)
    IV_phone: Series[float] = pa.Field(nullable=True)
    IV_post: Series[float] = pa.Field(nullable=True)
    IV_patent: Series[float] = pa.Field(nullable=True)
    ownership: Series[str] = pa.Field(nullable=True, isin=["soe", "private", "collective", "hmt", "foreign", "other_domestic"])
    labour_intensive: Series[pa.Int64] = pa.Field(nullable=True, isin=[0, 1])
    ip_protection_high: Series[pa.Int64] = pa.Field(nullable=True, isin=[0, 1])
    firm_trade_class: Series[str] = pa.Field(nullable=True, isin=["pure_general", "pure_processing", "mixed"])
    dest_development: Series[str] = pa.Field(nullable=True, isin=["developed", "developing", "least_developed"])

    class Config:
        strict = True
        coerce = True
