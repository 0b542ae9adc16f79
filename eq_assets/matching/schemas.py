"""Pandera models of the customs-survey link and the matched export observations."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

from eq_assets.core.glossary import describe


class CustomsFirmMatch(pa.DataFrameModel):
    year: Series[int] = pa.Field(description=describe("year"))
    customs_firm_code: Series[str] = pa.Field(description=describe("customs_firm_code"))
    legal_code: Series[str] = pa.Field(description=describe("legal_code"))
    match_method: Series[str] = pa.Field(isin=["exact_name", "name", "phone_zip"], description=describe("match_method"))

    class Config:
        strict = True
        coerce = True


class MatchedExports(pa.DataFrameModel):
    """Customs observations of survey firms, keyed by firm_id (legal code)."""

    year: Series[int] = pa.Field(description=describe("year"))
    firm_id: Series[str] = pa.Field(description=describe("firm_id"))
    hs6: Series[str] = pa.Field(str_matches=r"^\d{6}$", description=describe("hs6"))
    dest_code: Series[str] = pa.Field(description=describe("dest_code"))
    trade_mode: Series[str] = pa.Field(description=describe("trade_mode"))
    value_usd: Series[float] = pa.Field(gt=0, description=describe("value_usd"))
    quantity: Series[float] = pa.Field(gt=0, description=describe("quantity"))
    n_customs_codes: Series[int] = pa.Field(ge=1, description=describe("n_customs_codes"))
    city: Series[str] = pa.Field(str_matches=r"^\d{4}$", description=describe("city"))
    industry: Series[str] = pa.Field(description=describe("industry"))

    class Config:
        strict = True
        coerce = True
