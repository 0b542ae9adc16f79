"""Pandera models of P1's reference sources (contract_p1) after renaming: types, code formats and the
signs a value cannot break; every row kept. A reference file breaking them is refused with its
file and lines (:func:`eq_assets.sources.checks.check_reference`)."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

from eq_assets.core.glossary import describe


class _Raw(pa.DataFrameModel):
    class Config:
        strict = True
        coerce = True


class CityIpProtection(_Raw):
    city_code: Series[str] = pa.Field(str_matches=r"^\d{4}$", description=describe("city_code"))
    year: Series[pa.Int64] = pa.Field(description=describe("year"))
    ip_protection: Series[float] = pa.Field(nullable=True, description=describe("ip_protection"))


class City1984(_Raw):
    city_code: Series[str] = pa.Field(str_matches=r"^\d{4}$", description=describe("city_code"))
    phones_1984: Series[float] = pa.Field(nullable=True, ge=0, description=describe("phones_1984"))
    post_offices_1984: Series[float] = pa.Field(nullable=True, ge=0, description=describe("post_offices_1984"))


class ProvinceInternetPorts(_Raw):
    province_code: Series[str] = pa.Field(str_matches=r"^\d{2}$", description=describe("province_code"))
    year: Series[pa.Int64] = pa.Field(description=describe("year"))
    internet_ports: Series[float] = pa.Field(nullable=True, ge=0, description=describe("internet_ports"))


class ForeignPatents(_Raw):
    cic2: Series[str] = pa.Field(str_matches=r"^\d{2}$", description=describe("cic2"))
    year: Series[pa.Int64] = pa.Field(description=describe("year"))
    foreign_patent_filings: Series[float] = pa.Field(nullable=True, ge=0, description=describe("foreign_patent_filings"))


class ForeignPatentsIpc(_Raw):
    ipc_subclass: Series[str] = pa.Field(str_matches=r"^[A-H]\d{2}[A-Z]$", description=describe("ipc_subclass"))
    year: Series[pa.Int64] = pa.Field(description=describe("year"))
    foreign_patent_filings: Series[float] = pa.Field(nullable=True, ge=0, description=describe("foreign_patent_filings"))


class CountryPanel(_Raw):
    dest_code: Series[str] = pa.Field(str_matches=r"^\d{3}$", description=describe("dest_code"))
    year: Series[pa.Int64] = pa.Field(description=describe("year"))
    gdp_usd: Series[float] = pa.Field(nullable=True, ge=0, description=describe("gdp_usd"))
    gdp_pc_growth: Series[float] = pa.Field(nullable=True, description=describe("gdp_pc_growth"))


class CountryDevelopment(_Raw):
    dest_code: Series[str] = pa.Field(str_matches=r"^\d{3}$", description=describe("dest_code"))
    development_status: Series[str] = pa.Field(nullable=True, isin=["发达国家", "发展中国家", "最不发达国家"], description=describe("development_status"))


class IndustryPanel(_Raw):
    cic2: Series[str] = pa.Field(str_matches=r"^\d{2}$", description=describe("cic2"))
    year: Series[pa.Int64] = pa.Field(description=describe("year"))
    fixed_asset_investment: Series[float] = pa.Field(nullable=True, ge=0, description=describe("fixed_asset_investment"))
    ppi: Series[float] = pa.Field(nullable=True, gt=0, description=describe("ppi"))
    n_firms: Series[float] = pa.Field(nullable=True, ge=0, description=describe("n_firms"))
    sales: Series[float] = pa.Field(nullable=True, ge=0, description=describe("sales"))


class UsIndustry(_Raw):
    cic2: Series[str] = pa.Field(str_matches=r"^\d{2}$", description=describe("cic2"))
    year: Series[pa.Int64] = pa.Field(description=describe("year"))
    us_ln_tfp: Series[float] = pa.Field(nullable=True, description=describe("us_ln_tfp"))
    us_labour_productivity: Series[float] = pa.Field(nullable=True, ge=0, description=describe("us_labour_productivity"))


class HsCic(_Raw):
    hs6: Series[str] = pa.Field(str_matches=r"^\d{6}$", description=describe("hs6"))
    cic: Series[str] = pa.Field(nullable=True, str_matches=r"^\d{4}$", description=describe("cic"))


class CustomsAggregate(_Raw):
    year: Series[pa.Int64] = pa.Field(nullable=True, description=describe("year"))
    dest_code: Series[str] = pa.Field(nullable=True, str_matches=r"^\d{3}$", description=describe("dest_code"))
    hs6: Series[str] = pa.Field(nullable=True, str_matches=r"^\d{6}$", description=describe("hs6"))
    trade_mode: Series[str] = pa.Field(nullable=True, description=describe("trade_mode"))
    quantity: Series[float] = pa.Field(nullable=True, ge=0, description="Export quantity of the year x destination x HS6 x trade mode (aggregate).")
    value_usd: Series[float] = pa.Field(nullable=True, ge=0, description="Export value of the year x destination x HS6 x trade mode, US dollars (firm-anonymous aggregate, 2004-2019).")
