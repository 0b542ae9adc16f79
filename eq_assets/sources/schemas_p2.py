"""Pandera models of the P2 reference sources after renaming (SPEC section 1; contract_p2.py).

Like :mod:`eq_assets.sources.schemas`: typed, every row kept as received (cleaning decides what
to drop), codes as text. Ranges are checked only where a value outside them cannot be real data
(scores on 0-1, flags 0/1).
"""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

from eq_assets.core.glossary import describe


class _Raw(pa.DataFrameModel):
    class Config:
        strict = True
        coerce = True


class CityPanel(_Raw):
    """Prefecture-city panel (shared source ``city_panel``), city-year."""

    city_code: Series[str] = pa.Field(str_matches=r"^\d{4}$", description=describe("city_code"))
    city_name: Series[str] = pa.Field(nullable=True, description=describe("city_name"))
    province_code: Series[str] = pa.Field(str_matches=r"^\d{2}$", description=describe("province_code"))
    year: Series[pa.Int64] = pa.Field(description=describe("year"))
    gdp: Series[float] = pa.Field(nullable=True, ge=0, description=describe("gdp"))
    gdp_pc: Series[float] = pa.Field(nullable=True, ge=0, description=describe("gdp_pc"))
    population: Series[float] = pa.Field(nullable=True, ge=0, description=describe("population"))
    n_industrial_firms: Series[float] = pa.Field(nullable=True, ge=0, description=describe("n_industrial_firms"))
    fdi: Series[float] = pa.Field(nullable=True, ge=0, description=describe("fdi"))
    college_students: Series[float] = pa.Field(nullable=True, ge=0, description=describe("college_students"))


_SCORE = dict(nullable=True, ge=0.0, le=1.0)


class EgovScores(_Raw):
    """Local-government website scores, nine domains on 0-1 (P2 eq. 14), city-year."""

    city_code: Series[str] = pa.Field(str_matches=r"^\d{4}$", description=describe("city_code"))
    year: Series[pa.Int64] = pa.Field(description=describe("year"))
    idf: Series[float] = pa.Field(**_SCORE, description=describe("idf"))
    enp: Series[float] = pa.Field(**_SCORE, description=describe("enp"))
    tax: Series[float] = pa.Field(**_SCORE, description=describe("tax"))
    int: Series[float] = pa.Field(**_SCORE, description=describe("int"))
    emp: Series[float] = pa.Field(**_SCORE, description=describe("emp"))
    doc: Series[float] = pa.Field(**_SCORE, description=describe("doc"))
    tra: Series[float] = pa.Field(**_SCORE, description=describe("tra"))
    housing: Series[float] = pa.Field(**_SCORE, description=describe("housing"))
    info: Series[float] = pa.Field(**_SCORE, description=describe("info"))


class CityAttributes(_Raw):
    city_code: Series[str] = pa.Field(str_matches=r"^\d{4}$", description=describe("city_code"))
    city_name: Series[str] = pa.Field(nullable=True, description=describe("city_name"))
    province_code: Series[str] = pa.Field(str_matches=r"^\d{2}$", description=describe("province_code"))
    region: Series[str] = pa.Field(nullable=True, description=describe("region"))
    coastal: Series[pa.Int64] = pa.Field(nullable=True, isin=[0, 1], description=describe("coastal"))
    provincial_capital: Series[pa.Int64] = pa.Field(nullable=True, isin=[0, 1], description=describe("provincial_capital"))
    municipality: Series[pa.Int64] = pa.Field(nullable=True, isin=[0, 1], description=describe("municipality"))
    smart_city_year: Series[pa.Int64] = pa.Field(nullable=True, description=describe("smart_city_year"))
    terrain_ruggedness: Series[float] = pa.Field(nullable=True, ge=0, description=describe("terrain_ruggedness"))


class ProvincePanel(_Raw):
    province_code: Series[str] = pa.Field(str_matches=r"^\d{2}$", description=describe("province_code"))
    year: Series[pa.Int64] = pa.Field(description=describe("year"))
    real_gdp: Series[float] = pa.Field(nullable=True, ge=0, description=describe("real_gdp"))
    broadband_users: Series[float] = pa.Field(nullable=True, ge=0, description=describe("broadband_users"))
    domain_count: Series[float] = pa.Field(nullable=True, ge=0, description=describe("domain_count"))
    ftz: Series[pa.Int64] = pa.Field(nullable=True, isin=[0, 1], description=describe("ftz"))


class WorkReport(_Raw):
    city_code: Series[str] = pa.Field(str_matches=r"^\d{4}$", description=describe("city_code"))
    year: Series[pa.Int64] = pa.Field(description=describe("year"))
    digital_word_freq: Series[float] = pa.Field(nullable=True, ge=0, description=describe("digital_word_freq"))


class IndustryAttributes(_Raw):
    cic: Series[str] = pa.Field(str_matches=r"^\d{4}$", description=describe("cic"))
    gvc_upstreamness: Series[float] = pa.Field(nullable=True, description=describe("gvc_upstreamness"))
    high_tech: Series[pa.Int64] = pa.Field(nullable=True, isin=[0, 1], description=describe("high_tech"))
    energy_raw: Series[pa.Int64] = pa.Field(nullable=True, isin=[0, 1], description=describe("energy_raw"))


class InputTariffs(_Raw):
    cic: Series[str] = pa.Field(str_matches=r"^\d{4}$", description=describe("cic"))
    year: Series[pa.Int64] = pa.Field(description=describe("year"))
    input_tariff: Series[float] = pa.Field(nullable=True, ge=0, description=describe("input_tariff"))


class EgovPolicy(_Raw):
    """Local e-government policies (PKU Law), one row per city and year with any (P2 Table 7 col. 3)."""

    city_code: Series[str] = pa.Field(str_matches=r"^\d{4}$", description=describe("city_code"))
    city_name: Series[str] = pa.Field(nullable=True, description=describe("city_name"))
    year: Series[pa.Int64] = pa.Field(description=describe("year"))
    n_policies: Series[pa.Int64] = pa.Field(nullable=True, ge=0, description=describe("n_policies"))


class CityInnovation(_Raw):
    """City-year patent-application score of the PKU innovation and entrepreneurship index (P2 Table 10 col. 4)."""

    city_code: Series[str] = pa.Field(str_matches=r"^\d{4}$", description=describe("city_code"))
    year: Series[pa.Int64] = pa.Field(description=describe("year"))
    patent_score: Series[float] = pa.Field(nullable=True, ge=0, le=100, description=describe("patent_score"))
