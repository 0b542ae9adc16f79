"""Pandera models of P1's reference sources (contract_p1) after renaming: types only, every row kept."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series


class _Raw(pa.DataFrameModel):
    class Config:
        strict = True
        coerce = True


class CityIpProtection(_Raw):
    city_code: Series[str]
    year: Series[pa.Int64]
    ip_protection: Series[float] = pa.Field(nullable=True)


class City1984(_Raw):
    city_code: Series[str]
    phones_1984: Series[float] = pa.Field(nullable=True, ge=0)
    post_offices_1984: Series[float] = pa.Field(nullable=True, ge=0)


class ProvinceInternetPorts(_Raw):
    province_code: Series[str]
    year: Series[pa.Int64]
    internet_ports: Series[float] = pa.Field(nullable=True, ge=0)


class ForeignPatents(_Raw):
    cic2: Series[str]
    year: Series[pa.Int64]
    foreign_patent_filings: Series[float] = pa.Field(nullable=True, ge=0)


class CountryPanel(_Raw):
    dest_code: Series[str]
    year: Series[pa.Int64]
    gdp_usd: Series[float] = pa.Field(nullable=True)
    gdp_pc_growth: Series[float] = pa.Field(nullable=True)


class CountryDevelopment(_Raw):
    dest_code: Series[str]
    development_status: Series[str] = pa.Field(nullable=True)


class IndustryPanel(_Raw):
    cic2: Series[str]
    year: Series[pa.Int64]
    fixed_asset_investment: Series[float] = pa.Field(nullable=True)
    ppi: Series[float] = pa.Field(nullable=True)
    n_firms: Series[float] = pa.Field(nullable=True)
    sales: Series[float] = pa.Field(nullable=True)


class UsIndustry(_Raw):
    cic2: Series[str]
    year: Series[pa.Int64]
    us_ln_tfp: Series[float] = pa.Field(nullable=True)
    us_labour_productivity: Series[float] = pa.Field(nullable=True)


class HsCic(_Raw):
    hs6: Series[str]
    cic: Series[str] = pa.Field(nullable=True)


class CustomsAggregate(_Raw):
    year: Series[pa.Int64] = pa.Field(nullable=True)
    dest_code: Series[str] = pa.Field(nullable=True)
    hs6: Series[str] = pa.Field(nullable=True)
    trade_mode: Series[str] = pa.Field(nullable=True)
    quantity: Series[float] = pa.Field(nullable=True)
    value_usd: Series[float] = pa.Field(nullable=True)
