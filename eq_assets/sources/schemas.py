"""Pandera models of the raw sources after renaming to canonical columns (typed, unvalidated values).

Raw tables keep every row as received (bad values included): only types are enforced here, so
that cleaning can count what it drops. Codes are text (leading zeros kept).
"""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

from eq_assets.core.glossary import describe


class _Raw(pa.DataFrameModel):
    class Config:
        strict = True
        coerce = True


class RawCustoms(_Raw):
    customs_firm_code: Series[str] = pa.Field(nullable=True, description=describe("customs_firm_code"))
    firm_name: Series[str] = pa.Field(nullable=True, description=describe("firm_name"))
    phone: Series[str] = pa.Field(nullable=True, description=describe("phone"))
    zip: Series[str] = pa.Field(nullable=True, description=describe("zip"))
    year: Series[pa.Int64] = pa.Field(nullable=True, description="Year of the customs record (年份); a missing year is filled with the file's year.")
    month: Series[pa.Int64] = pa.Field(nullable=True, description=describe("month"))
    flow: Series[str] = pa.Field(nullable=True, description=describe("flow"))
    hs8: Series[str] = pa.Field(nullable=True, description="HS 8-digit product code (产品编码) as received.")
    dest_code: Series[str] = pa.Field(nullable=True, description=describe("dest_code"))
    trade_mode: Series[str] = pa.Field(nullable=True, description=describe("trade_mode"))
    quantity: Series[float] = pa.Field(nullable=True, description="Shipment quantity in its unit (数量), as received.")
    unit: Series[str] = pa.Field(nullable=True, description=describe("unit"))
    value_usd: Series[float] = pa.Field(nullable=True, description="Shipment value, US dollars (金额(美元)), as received.")
    source_file: Series[str] = pa.Field(description=describe("source_file"))
    source_line: Series[int] = pa.Field(ge=1, description=describe("source_line"))


class RawAsif(_Raw):
    legal_code: Series[str] = pa.Field(nullable=True, description=describe("legal_code"))
    firm_name: Series[str] = pa.Field(nullable=True, description=describe("firm_name"))
    phone: Series[str] = pa.Field(nullable=True, description=describe("phone"))
    zip: Series[str] = pa.Field(nullable=True, description=describe("zip"))
    year: Series[pa.Int64] = pa.Field(nullable=True, description=describe("year"))
    admin_code: Series[str] = pa.Field(nullable=True, description=describe("admin_code"))
    cic: Series[str] = pa.Field(nullable=True, description=describe("cic"))
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
    source_file: Series[str] = pa.Field(description=describe("source_file"))
    source_line: Series[int] = pa.Field(ge=1, description=describe("source_line"))


class RawPatents(_Raw):
    application_no: Series[str] = pa.Field(nullable=True, description=describe("application_no"))
    applicant: Series[str] = pa.Field(nullable=True, description=describe("applicant"))
    app_year: Series[pa.Int64] = pa.Field(nullable=True, description=describe("app_year"))
    patent_type: Series[str] = pa.Field(nullable=True, description=describe("patent_type"))
    ipc_main: Series[str] = pa.Field(nullable=True, description=describe("ipc_main"))
    ipc_all: Series[str] = pa.Field(nullable=True, description=describe("ipc_all"))
    citations: Series[float] = pa.Field(nullable=True, description=describe("citations"))
    year: Series[int] = pa.Field(description="Application year: the partition the patent belongs to.")
    source_file: Series[str] = pa.Field(description=describe("source_file"))
    source_line: Series[int] = pa.Field(ge=1, description=describe("source_line"))


class DigitalIpcTable(_Raw):
    de_code: Series[str] = pa.Field(str_matches=r"^0[1-4]\d{2}$", description=describe("de_code"))
    de_name: Series[str] = pa.Field(nullable=True, description=describe("de_name"))
    ipc: Series[str] = pa.Field(str_matches=r"^[A-H]\d{2}[A-Z]", description=describe("ipc"))


class HsConcordance(_Raw):
    hs_version: Series[str] = pa.Field(isin=["HS2002", "HS2007", "HS2012"], description=describe("hs_version"))
    hs6: Series[str] = pa.Field(str_matches=r"^\d{6}$", description=describe("hs6"))
    hs6_base: Series[str] = pa.Field(str_matches=r"^\d{6}$", description=describe("hs6_base"))


class CountryCodes(_Raw):
    """Customs partner codes (reference/country_codes): the destinations raw customs rows may name."""

    dest_code: Series[str] = pa.Field(str_matches=r"^\d{3}$", description=describe("dest_code"))
    dest_name: Series[str] = pa.Field(nullable=True, description="Partner country or region name (国别名称).")
    iso3: Series[str] = pa.Field(nullable=True, str_matches=r"^[A-Z]{3}$", description="ISO 3166-1 alpha-3 code of the partner (ISO3).")
