"""Pandera models of the cleaned customs observations and survey firm-years."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series


class CustomsExports(pa.DataFrameModel):
    """One row per year x customs firm x HS6 (base revision) x destination x trade mode."""

    year: Series[int] = pa.Field(ge=1990, le=2100)
    customs_firm_code: Series[str]
    firm_name: Series[str]
    phone: Series[str] = pa.Field(nullable=True)
    zip: Series[str] = pa.Field(nullable=True)
    hs6: Series[str] = pa.Field(str_matches=r"^\d{6}$")
    dest_code: Series[str]
    trade_mode: Series[str] = pa.Field(
        isin=["general", "processing_imported", "processing_assembly", "other"]
    )
    value_usd: Series[float] = pa.Field(gt=0)
    quantity: Series[float] = pa.Field(gt=0)
    unit: Series[str] = pa.Field(nullable=True)
    n_shipments: Series[int] = pa.Field(ge=1)

    class Config:
        strict = True
        coerce = True


class FirmSurvey(pa.DataFrameModel):
    """One row per survey firm-year, with province, city and industry identifiers."""

    year: Series[int] = pa.Field(ge=1990, le=2100)
    legal_code: Series[str]
    firm_name: Series[str] = pa.Field(nullable=True)
    phone: Series[str] = pa.Field(nullable=True)
    zip: Series[str] = pa.Field(nullable=True)
    admin_code: Series[str] = pa.Field(str_matches=r"^\d{6}$")
    province: Series[str] = pa.Field(str_matches=r"^\d{2}$")
    city: Series[str] = pa.Field(str_matches=r"^\d{4}$")
    industry: Series[str] = pa.Field(str_matches=r"^\d+$")
    cic: Series[str] = pa.Field(str_matches=r"^\d{4}$")
    reg_type: Series[str] = pa.Field(nullable=True)
    open_year: Series[pa.Int64] = pa.Field(nullable=True)
    op_status: Series[str] = pa.Field(nullable=True)
    employees: Series[float] = pa.Field(nullable=True)
    total_assets: Series[float] = pa.Field(nullable=True)
    fixed_assets: Series[float] = pa.Field(nullable=True)
    current_assets: Series[float] = pa.Field(nullable=True)
    current_liabilities: Series[float] = pa.Field(nullable=True)
    total_liabilities: Series[float] = pa.Field(nullable=True)
    total_profit: Series[float] = pa.Field(nullable=True)
    gross_output: Series[float] = pa.Field(nullable=True)
    value_added: Series[float] = pa.Field(nullable=True)
    intermediate_input: Series[float] = pa.Field(nullable=True)
    wage_bill: Series[float] = pa.Field(nullable=True)
    export_delivery: Series[float] = pa.Field(nullable=True)
    revenue: Series[float] = pa.Field(nullable=True)

    class Config:
        strict = True
        coerce = True
