"""Pandera models of P2's export quality: yearly observations and the firm-year measures."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

from eq_assets.core.glossary import describe, N_OBS_FIRM_YEAR


class ExportQualityP2Obs(pa.DataFrameModel):
    """P2 observations (firm x HS6 x destination x year) of one year, ready for P2 eq. 10.

    Quality itself is estimated on all P2 years at once (asset ``export_quality_p2``)."""

    year: Series[int] = pa.Field(description="Year of the observation (2010-2012 are P2's years).")
    firm_id: Series[str] = pa.Field(description=describe("firm_id"))
    hs6: Series[str] = pa.Field(str_matches=r"^\d{6}$", description=describe("hs6"))
    dest_code: Series[str] = pa.Field(description=describe("dest_code"))
    value_usd: Series[float] = pa.Field(gt=0, description=describe("value_usd"))
    quantity: Series[float] = pa.Field(gt=0, description=describe("quantity"))
    general_value_usd: Series[float] = pa.Field(ge=0, description=describe("general_value_usd"))
    n_trade_modes: Series[int] = pa.Field(ge=1, description=describe("n_trade_modes"))
    city: Series[str] = pa.Field(str_matches=r"^\d{4}$", description=describe("city"))
    province: Series[str] = pa.Field(str_matches=r"^\d{2}$", description=describe("province"))
    prov_gdp_real: Series[float] = pa.Field(nullable=True, description=describe("prov_gdp_real"))
    n_other_destinations: Series[int] = pa.Field(
        ge=0, description="other destinations of the firm's HS6 that year (0: no leave-one-out price instrument)")
    unit_value: Series[float] = pa.Field(gt=0, description=describe("unit_value"))

    class Config:
        strict = True
        coerce = True


class ExportQualityP2(pa.DataFrameModel):
    """Firm-year export quality of P2 (eqs. 12-13) and the export-side variables of Tables 9-10."""

    firm_id: Series[str] = pa.Field(description=describe("firm_id"))
    year: Series[int] = pa.Field(description=describe("year"))
    n_obs: Series[int] = pa.Field(ge=1, description=N_OBS_FIRM_YEAR)
    value_usd: Series[float] = pa.Field(gt=0, description=describe("value_usd"))
    imp: Series[float] = pa.Field(ge=0, description="ln number of HS6 exported")
    general_trade: Series[float] = pa.Field(isin=[0.0, 1.0], description=describe("general_trade"))
    qua: Series[float] = pa.Field(nullable=True, ge=0, le=1, description=describe("qua"))
    qua_sub: Series[float] = pa.Field(nullable=True, ge=0, le=1, description=describe("qua_sub"))
    qua_price: Series[float] = pa.Field(nullable=True, description=describe("qua_price"))
    qua_price_minmax: Series[float] = pa.Field(nullable=True, ge=0, le=1, description=describe("qua_price_minmax"))
    gvc_upstreamness_firm: Series[float] = pa.Field(nullable=True, description=describe("gvc_upstreamness_firm"))

    class Config:
        strict = True
        coerce = True
