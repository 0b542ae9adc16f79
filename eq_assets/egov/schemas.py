"""Pandera model of P2's city e-government index."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

_S = dict(nullable=True, ge=0.0, le=1.0)


class EgovIndex(pa.DataFrameModel):
    """City-year egscore = mean of the nine sub-indices (P2 eq. 14), and the sub-indices."""

    city_code: Series[str] = pa.Field(str_matches=r"^\d{4}$")
    year: Series[int]
    egscore: Series[float] = pa.Field(**_S)
    egscore_idf: Series[float] = pa.Field(**_S)
    egscore_enp: Series[float] = pa.Field(**_S)
    egscore_tax: Series[float] = pa.Field(**_S)
    egscore_int: Series[float] = pa.Field(**_S)
    egscore_emp: Series[float] = pa.Field(**_S)
    egscore_doc: Series[float] = pa.Field(**_S)
    egscore_tra: Series[float] = pa.Field(**_S)
    egscore_housing: Series[float] = pa.Field(**_S)
    egscore_info: Series[float] = pa.Field(**_S)
    n_subindex_missing: Series[int] = pa.Field(ge=0, le=9)

    class Config:
        strict = True
        coerce = True
