"""Pandera models of the cleaned customs observations and survey firm-years."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

from eq_assets.core.glossary import describe


class CustomsExports(pa.DataFrameModel):
    """One row per year x customs firm x HS6 (base revision) x destination x trade mode."""

    year: Series[int] = pa.Field(ge=1990, le=2100, description=describe("year"))
    customs_firm_code: Series[str] = pa.Field(description=describe("customs_firm_code"))
    firm_name: Series[str] = pa.Field(description=describe("firm_name"))
    phone: Series[str] = pa.Field(nullable=True, description=describe("phone"))
    zip: Series[str] = pa.Field(nullable=True, description=describe("zip"))
    hs6: Series[str] = pa.Field(str_matches=r"^\d{6}$", description=describe("hs6"))
    dest_code: Series[str] = pa.Field(description=describe("dest_code"))
    trade_mode: Series[str] = pa.Field(description=describe("trade_mode"),
        isin=["general", "processing_imported", "processing_assembly", "other"]
    )
    value_usd: Series[float] = pa.Field(gt=0, description=describe("value_usd"))
    quantity: Series[float] = pa.Field(gt=0, description=describe("quantity"))
    unit: Series[str] = pa.Field(nullable=True, description=describe("unit"))
    n_shipments: Series[int] = pa.Field(ge=1, description=describe("n_shipments"))

    class Config:
        strict = True
        coerce = True


class FirmSurvey(pa.DataFrameModel):
    """One row per survey firm-year, with province, city and industry identifiers."""

    year: Series[int] = pa.Field(ge=1990, le=2100, description=describe("year"))
    legal_code: Series[str] = pa.Field(description=describe("legal_code"))
    firm_name: Series[str] = pa.Field(nullable=True, description=describe("firm_name"))
    phone: Series[str] = pa.Field(nullable=True, description=describe("phone"))
    zip: Series[str] = pa.Field(nullable=True, description=describe("zip"))
    admin_code: Series[str] = pa.Field(str_matches=r"^\d{6}$", description=describe("admin_code"))
    province: Series[str] = pa.Field(str_matches=r"^\d{2}$", description=describe("province"))
    city: Series[str] = pa.Field(str_matches=r"^\d{4}$", description=describe("city"))
    industry: Series[str] = pa.Field(str_matches=r"^\d+$", description=describe("industry"))
    cic: Series[str] = pa.Field(str_matches=r"^\d{4}$", description=describe("cic"))
    reg_type: Series[str] = pa.Field(nullable=True, description=describe("reg_type"))
    open_year: Series[pa.Int64] = pa.Field(nullable=True, description=describe("open_year"))
    op_status: Series[str] = pa.Field(nullable=True, description=describe("op_status"))
    employees: Series[float] = pa.Field(nullable=True, description=describe("employees"))
    total_assets: Series[float] = pa.Field(nullable=True, description=describe("total_assets"))
    fixed_assets: Series[float] = pa.Field(nullable=True, description=describe("fixed_assets"))
    current_assets: Series[float] = pa.Field(nullable=True, description=describe("current_assets"))
    current_liabilities: Series[float] = pa.Field(nullable=True, description=describe("current_liabilities"))
    total_liabilities: Series[float] = pa.Field(nullable=True, description=describe("total_liabilities"))
    total_profit: Series[float] = pa.Field(nullable=True, description=describe("total_profit"))
    gross_output: Series[float] = pa.Field(nullable=True, description=describe("gross_output"))
    value_added: Series[float] = pa.Field(nullable=True, description=describe("value_added"))
    intermediate_input: Series[float] = pa.Field(nullable=True, description=describe("intermediate_input"))
    wage_bill: Series[float] = pa.Field(nullable=True, description=describe("wage_bill"))
    export_delivery: Series[float] = pa.Field(nullable=True, description=describe("export_delivery"))
    revenue: Series[float] = pa.Field(nullable=True, description=describe("revenue"))

    class Config:
        strict = True
        coerce = True
