"""Pandera models of the P2 reference sources after renaming (SPEC section 1; contract_p2.py).

Like :mod:`eq_assets.sources.schemas`: typed, every row kept as received (cleaning decides what
to drop), codes as text. Ranges are checked only where a value outside them cannot be real data
(scores on 0-1, flags 0/1).
"""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series


class _Raw(pa.DataFrameModel):
    class Config:
        strict = True
        coerce = True


class CityPanel(_Raw):
    """Prefecture-city panel (shared source ``city_panel``), city-year."""

    city_code: Series[str] = pa.Field(str_matches=r"^\d{4}$")
    city_name: Series[str] = pa.Field(nullable=True)
    province_code: Series[str] = pa.Field(str_matches=r"^\d{2}$")
    year: Series[pa.Int64]
    gdp: Series[float] = pa.Field(nullable=True)
    gdp_pc: Series[float] = pa.Field(nullable=True)
    population: Series[float] = pa.Field(nullable=True)
    n_industrial_firms: Series[float] = pa.Field(nullable=True)
    fdi: Series[float] = pa.Field(nullable=True)
    college_students: Series[float] = pa.Field(nullable=True)


_SCORE = dict(nullable=True, ge=0.0, le=1.0)


class EgovScores(_Raw):
    """Local-government website scores, nine domains on 0-1 (P2 eq. 14), city-year."""

    city_code: Series[str] = pa.Field(str_matches=r"^\d{4}$")
    year: Series[pa.Int64]
    idf: Series[float] = pa.Field(**_SCORE)
    enp: Series[float] = pa.Field(**_SCORE)
    tax: Series[float] = pa.Field(**_SCORE)
    int: Series[float] = pa.Field(**_SCORE)
    emp: Series[float] = pa.Field(**_SCORE)
    doc: Series[float] = pa.Field(**_SCORE)
    tra: Series[float] = pa.Field(**_SCORE)
    housing: Series[float] = pa.Field(**_SCORE)
    info: Series[float] = pa.Field(**_SCORE)


class CityAttributes(_Raw):
    city_code: Series[str] = pa.Field(str_matches=r"^\d{4}$")
    city_name: Series[str] = pa.Field(nullable=True)
    province_code: Series[str] = pa.Field(str_matches=r"^\d{2}$")
    region: Series[str] = pa.Field(nullable=True)
    coastal: Series[pa.Int64] = pa.Field(nullable=True, isin=[0, 1])
    provincial_capital: Series[pa.Int64] = pa.Field(nullable=True, isin=[0, 1])
    municipality: Series[pa.Int64] = pa.Field(nullable=True, isin=[0, 1])
    smart_city_year: Series[pa.Int64] = pa.Field(nullable=True)
    terrain_ruggedness: Series[float] = pa.Field(nullable=True)


class ProvincePanel(_Raw):
    province_code: Series[str] = pa.Field(str_matches=r"^\d{2}$")
    year: Series[pa.Int64]
    real_gdp: Series[float] = pa.Field(nullable=True)
    broadband_users: Series[float] = pa.Field(nullable=True)
    domain_count: Series[float] = pa.Field(nullable=True)
    ftz: Series[pa.Int64] = pa.Field(nullable=True, isin=[0, 1])


class WorkReport(_Raw):
    city_code: Series[str] = pa.Field(str_matches=r"^\d{4}$")
    year: Series[pa.Int64]
    digital_word_freq: Series[float] = pa.Field(nullable=True, ge=0)


class IndustryAttributes(_Raw):
    cic: Series[str] = pa.Field(str_matches=r"^\d{4}$")
    gvc_upstreamness: Series[float] = pa.Field(nullable=True)
    high_tech: Series[pa.Int64] = pa.Field(nullable=True, isin=[0, 1])
    energy_raw: Series[pa.Int64] = pa.Field(nullable=True, isin=[0, 1])


class InputTariffs(_Raw):
    cic: Series[str] = pa.Field(str_matches=r"^\d{4}$")
    year: Series[pa.Int64]
    input_tariff: Series[float] = pa.Field(nullable=True)
