"""Pandera models of the customs-survey link and the matched export observations."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series


class CustomsFirmMatch(pa.DataFrameModel):
    year: Series[int]
    customs_firm_code: Series[str]
    legal_code: Series[str]
    match_method: Series[str] = pa.Field(isin=["name", "phone_zip"])

    class Config:
        strict = True
        coerce = True


class MatchedExports(pa.DataFrameModel):
    """Customs observations of survey firms, keyed by firm_id (legal code)."""

    year: Series[int]
    firm_id: Series[str]
    hs6: Series[str] = pa.Field(str_matches=r"^\d{6}$")
    dest_code: Series[str]
    trade_mode: Series[str]
    value_usd: Series[float] = pa.Field(gt=0)
    quantity: Series[float] = pa.Field(gt=0)
    n_customs_codes: Series[int] = pa.Field(ge=1)
    city: Series[str] = pa.Field(str_matches=r"^\d{4}$")
    industry: Series[str]

    class Config:
        strict = True
        coerce = True
