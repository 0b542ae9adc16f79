"""Pandera model of P2's city e-government index."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

from eq_assets.core.glossary import describe

_S = dict(nullable=True, ge=0.0, le=1.0)


class EgovIndex(pa.DataFrameModel):
    """City-year egscore = mean of the nine sub-indices (P2 eq. 14), and the sub-indices."""

    city_code: Series[str] = pa.Field(str_matches=r"^\d{4}$", description=describe("city_code"))
    year: Series[int] = pa.Field(description=describe("year"))
    egscore: Series[float] = pa.Field(**_S, description=describe("egscore"))
    egscore_idf: Series[float] = pa.Field(**_S, description=describe("egscore_idf"))
    egscore_enp: Series[float] = pa.Field(**_S, description=describe("egscore_enp"))
    egscore_tax: Series[float] = pa.Field(**_S, description=describe("egscore_tax"))
    egscore_int: Series[float] = pa.Field(**_S, description=describe("egscore_int"))
    egscore_emp: Series[float] = pa.Field(**_S, description=describe("egscore_emp"))
    egscore_doc: Series[float] = pa.Field(**_S, description=describe("egscore_doc"))
    egscore_tra: Series[float] = pa.Field(**_S, description=describe("egscore_tra"))
    egscore_housing: Series[float] = pa.Field(**_S, description=describe("egscore_housing"))
    egscore_info: Series[float] = pa.Field(**_S, description=describe("egscore_info"))
    n_subindex_missing: Series[int] = pa.Field(ge=0, le=9, description=describe("n_subindex_missing"))

    class Config:
        strict = True
        coerce = True
