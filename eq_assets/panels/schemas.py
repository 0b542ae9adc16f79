"""Pandera models of the firm controls and the P1 analysis panel."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

from eq_assets.core.glossary import describe


class FirmControls(pa.DataFrameModel):
    """P1's six controls per firm-year; missing where the formula is undefined."""

    year: Series[int] = pa.Field(description=describe("year"))
    legal_code: Series[str] = pa.Field(description=describe("legal_code"))
    Size: Series[float] = pa.Field(nullable=True, description=describe("Size"))
    Profit_rate: Series[float] = pa.Field(nullable=True, description=describe("Profit_rate"))
    Finance: Series[float] = pa.Field(nullable=True, description=describe("Finance"))
    Age: Series[float] = pa.Field(nullable=True, ge=0, description=describe("Age"))
    Tangible: Series[float] = pa.Field(nullable=True, description=describe("Tangible"))
    Leverage: Series[float] = pa.Field(nullable=True, description=describe("Leverage"))

    class Config:
        strict = True
        coerce = True


class P1Panel(pa.DataFrameModel):
    """P1 analysis panel: year x firm x HS6 x destination x trade mode (P1 eq. 16)."""

    year: Series[int] = pa.Field(description=describe("year"))
    firm_id: Series[str] = pa.Field(description=describe("firm_id"))
    hs6: Series[str] = pa.Field(description=describe("hs6"))
    dest_code: Series[str] = pa.Field(description=describe("dest_code"))
    trade_mode: Series[str] = pa.Field(description=describe("trade_mode"))
    city: Series[str] = pa.Field(description=describe("city"))
    industry: Series[str] = pa.Field(description=describe("industry"))
    province: Series[str] = pa.Field(description=describe("province"))
    reg_type: Series[str] = pa.Field(nullable=True, description=describe("reg_type"))
    op_status: Series[str] = pa.Field(nullable=True, description=describe("op_status"))
    value_usd: Series[float] = pa.Field(gt=0, description=describe("value_usd"))
    quantity: Series[float] = pa.Field(gt=0, description=describe("quantity"))
    quality: Series[float] = pa.Field(description=describe("quality"))
    frontier: Series[float] = pa.Field(description=describe("frontier"))
    Distance: Series[float] = pa.Field(description=describe("Distance"))
    n_patents: Series[int] = pa.Field(ge=0, description=describe("n_patents"))
    n_digital: Series[int] = pa.Field(ge=0, description=describe("n_digital"))
    n_digital_invention: Series[int] = pa.Field(ge=0, description=describe("n_digital_invention"))
    n_digital_utility: Series[int] = pa.Field(ge=0, description=describe("n_digital_utility"))
    n_digital_design: Series[int] = pa.Field(ge=0, description=describe("n_digital_design"))
    n_digital_cat_01: Series[int] = pa.Field(ge=0, description=describe("n_digital_cat_01"))
    n_digital_cat_02: Series[int] = pa.Field(ge=0, description=describe("n_digital_cat_02"))
    n_digital_cat_03: Series[int] = pa.Field(ge=0, description=describe("n_digital_cat_03"))
    n_digital_cat_04: Series[int] = pa.Field(ge=0, description=describe("n_digital_cat_04"))
    Eco: Series[float] = pa.Field(ge=0, description=describe("Eco"))
    Size: Series[float] = pa.Field(description=describe("Size"))
    Profit_rate: Series[float] = pa.Field(description=describe("Profit_rate"))
    Finance: Series[float] = pa.Field(description=describe("Finance"))
    Age: Series[float] = pa.Field(description=describe("Age"))
    Tangible: Series[float] = pa.Field(description=describe("Tangible"))
    Leverage: Series[float] = pa.Field(description=describe("Leverage"))
    Eco_invent: Series[float] = pa.Field(ge=0, description=describe("Eco_invent"))
    Eco_str: Series[float] = pa.Field(ge=0, description=describe("Eco_str"))
    Eco_manu: Series[float] = pa.Field(ge=0, description=describe("Eco_manu"))
    Eco_apply: Series[float] = pa.Field(ge=0, description=describe("Eco_apply"))
    Eco_factor: Series[float] = pa.Field(ge=0, description=describe("Eco_factor"))
    IV_phone: Series[float] = pa.Field(nullable=True, description=describe("IV_phone"))
    IV_post: Series[float] = pa.Field(nullable=True, description=describe("IV_post"))
    IV_patent_industry: Series[float] = pa.Field(nullable=True, description=describe("IV_patent_industry"))
    ownership: Series[str] = pa.Field(nullable=True, isin=["soe", "private", "collective", "hmt", "foreign", "other_domestic"], description=describe("ownership"))
    labour_intensive: Series[pa.Int64] = pa.Field(nullable=True, isin=[0, 1], description=describe("labour_intensive"))
    ip_protection_high: Series[pa.Int64] = pa.Field(nullable=True, isin=[0, 1], description=describe("ip_protection_high"))
    firm_trade_class: Series[str] = pa.Field(nullable=True, isin=["pure_general", "pure_processing", "mixed"], description=describe("firm_trade_class"))
    dest_development: Series[str] = pa.Field(nullable=True, isin=["developed", "developing", "least_developed"], description=describe("dest_development"))

    class Config:
        strict = True
        coerce = True
