"""Pandera models of P2's export quality: yearly observations and the firm-year measures."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series


class ExportQualityP2Obs(pa.DataFrameModel):
    """P2 observations (firm x HS6 x destination x year) of one year, ready for P2 eq. 10.

    Quality itself is estimated on all P2 years at once (asset ``export_quality_p2``)."""

    year: Series[int]
    firm_id: Series[str]
    hs6: Series[str] = pa.Field(str_matches=r"^\d{6}$")
    dest_code: Series[str]
    value_usd: Series[float] = pa.Field(gt=0)
    quantity: Series[float] = pa.Field(gt=0)
    general_value_usd: Series[float] = pa.Field(ge=0)
    n_trade_modes: Series[int] = pa.Field(ge=1)
    city: Series[str] = pa.Field(str_matches=r"^\d{4}$")
    province: Series[str] = pa.Field(str_matches=r"^\d{2}$")
    prov_gdp_real: Series[float] = pa.Field(nullable=True)
    n_other_destinations: Series[int] = pa.Field(
        ge=0, description="other destinations of the firm's HS6 that year (0: no leave-one-out price instrument)")
    unit_value: Series[float] = pa.Field(gt=0)

    class Config:
        strict = True
        coerce = True


class ExportQualityP2(pa.DataFrameModel):
    """Firm-year export quality of P2 (eqs. 12-13) and the export-side variables of Tables 9-10."""

    firm_id: Series[str]
    year: Series[int]
    n_obs: Series[int] = pa.Field(ge=1)
    value_usd: Series[float] = pa.Field(gt=0)
    imp: Series[float] = pa.Field(ge=0, description="ln number of HS6 exported")
    general_trade: Series[float] = pa.Field(isin=[0.0, 1.0])
    qua: Series[float] = pa.Field(nullable=True, ge=0, le=1)
    qua_sub: Series[float] = pa.Field(nullable=True, ge=0, le=1)
    qua_price: Series[float] = pa.Field(nullable=True, ge=0, le=1)

    class Config:
        strict = True
        coerce = True
