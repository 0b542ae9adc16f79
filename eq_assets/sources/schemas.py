"""Pandera models of the raw sources after renaming to canonical columns (typed, unvalidated values).

Raw tables keep every row as received (bad values included): only types are enforced here, so
that cleaning can count what it drops. Codes are text (leading zeros kept).
"""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series


class _Raw(pa.DataFrameModel):
    class Config:
        strict = True
        coerce = True


class RawCustoms(_Raw):
    customs_firm_code: Series[str] = pa.Field(nullable=True)
    firm_name: Series[str] = pa.Field(nullable=True)
    phone: Series[str] = pa.Field(nullable=True)
    zip: Series[str] = pa.Field(nullable=True)
    year: Series[pa.Int64] = pa.Field(nullable=True)
    month: Series[pa.Int64] = pa.Field(nullable=True)
    flow: Series[str] = pa.Field(nullable=True)
    hs8: Series[str] = pa.Field(nullable=True)
    dest_code: Series[str] = pa.Field(nullable=True)
    trade_mode: Series[str] = pa.Field(nullable=True)
    quantity: Series[float] = pa.Field(nullable=True)
    unit: Series[str] = pa.Field(nullable=True)
    value_usd: Series[float] = pa.Field(nullable=True)
    source_file: Series[str]
    source_line: Series[int] = pa.Field(ge=1)


class RawAsif(_Raw):
    legal_code: Series[str] = pa.Field(nullable=True)
    firm_name: Series[str] = pa.Field(nullable=True)
    phone: Series[str] = pa.Field(nullable=True)
    zip: Series[str] = pa.Field(nullable=True)
    year: Series[pa.Int64] = pa.Field(nullable=True)
    admin_code: Series[str] = pa.Field(nullable=True)
    cic: Series[str] = pa.Field(nullable=True)
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
    source_file: Series[str]
    source_line: Series[int] = pa.Field(ge=1)


class RawPatents(_Raw):
    application_no: Series[str] = pa.Field(nullable=True)
    applicant: Series[str] = pa.Field(nullable=True)
    app_year: Series[pa.Int64] = pa.Field(nullable=True)
    patent_type: Series[str] = pa.Field(nullable=True)
    ipc_main: Series[str] = pa.Field(nullable=True)
    ipc_all: Series[str] = pa.Field(nullable=True)
    citations: Series[float] = pa.Field(nullable=True)
    year: Series[int]
    source_file: Series[str]
    source_line: Series[int] = pa.Field(ge=1)


class DigitalIpcTable(_Raw):
    de_code: Series[str] = pa.Field(str_matches=r"^0[1-4]\d{2}$")
    de_name: Series[str] = pa.Field(nullable=True)
    ipc: Series[str] = pa.Field(str_matches=r"^[A-H]\d{2}[A-Z]")


class HsConcordance(_Raw):
    hs_version: Series[str] = pa.Field(isin=["HS2002", "HS2007", "HS2012"])
    hs6: Series[str] = pa.Field(str_matches=r"^\d{6}$")
    hs6_base: Series[str] = pa.Field(str_matches=r"^\d{6}$")
