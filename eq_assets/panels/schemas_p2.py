"""Pandera models of P2's firm-year and city-year variables and of the P2 analysis panel.

The panel has ~80 numeric columns; their models are built from name lists (every variable is a
nullable float: a regression drops its own incomplete rows, as P2's N differ by column), with
ranges where a value outside cannot be right (0/1 dummies, [0, 1] quality).
"""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

from eq_assets.core.glossary import N_OBS_FIRM_YEAR, describe
from eq_assets.panels.p2 import EGOV_COLUMNS, INSTRUMENT_COLUMNS, INTERACTION_MODERATORS, P2_CONTROL_COLUMNS

_DUMMY = dict(nullable=True, isin=[0.0, 1.0])
_UNIT = dict(nullable=True, ge=0.0, le=1.0)


class _Strict:
    strict = True
    coerce = True


def _model(name: str, doc: str, ids: dict, floats: dict, descriptions: dict | None = None) -> type[pa.DataFrameModel]:
    """A strict DataFrameModel: ``ids`` {column: (type, Field kwargs)}, ``floats`` {column: Field kwargs};
    each column described by the glossary (:func:`eq_assets.core.glossary.describe`) unless
    ``descriptions`` says otherwise."""
    descriptions = descriptions or {}
    ann: dict = {}
    ns: dict = {"__doc__": doc, "__module__": __name__, "Config": type("Config", (), dict(vars(_Strict)))}
    for col, (typ, kw) in ids.items():
        ann[col] = Series[typ]
        ns[col] = pa.Field(**kw, description=descriptions.get(col) or describe(col))
    for col, kw in floats.items():
        ann[col] = Series[float]
        ns[col] = pa.Field(**{"nullable": True, **kw}, description=descriptions.get(col) or describe(col))
    ns["__annotations__"] = ann
    return type(name, (pa.DataFrameModel,), ns)


FIRM_YEAR_FLOATS: dict = {
    "Con_wag": {}, "Con_inc": {}, "Con_exp": {}, "age": {"ge": 1}, "Con_age": {"ge": 0}, "Con_asset": {},
    "ln_assets": {}, "SA": {}, "soe": _DUMMY, "foreign": _DUMMY, "private": _DUMMY, "Con_tariff": {},
    "gvc_upstreamness": {}, "high_tech": _DUMMY, "energy_raw": _DUMMY,
    "capital_intensive": _DUMMY, "ind_type": _DUMMY, "city_changer": _DUMMY, "industry_changer": _DUMMY,
    "exit": _UNIT, "n_patents": {"ge": 0}, "innov_patents": {"ge": 0},
}
P2FirmYear = _model(
    "P2FirmYear", "P2 firm-year controls and attributes (survey firm-years of 2010-2012).",
    {"year": (int, {}), "legal_code": (str, {}), "city": (str, {"str_matches": r"^\d{4}$"}),
     "province": (str, {"str_matches": r"^\d{2}$"}), "cic": (str, {"str_matches": r"^\d{4}$"}), "industry": (str, {})},
    FIRM_YEAR_FLOATS,
)

CITY_YEAR_FLOATS: dict = {
    "gdp": {}, "Con_gdp": {}, "Con_num": {}, "Con_college": {}, "fdi": {}, "coastal": _DUMMY,
    "terrain_ruggedness": {}, "east": _DUMMY, "egov_policy": _DUMMY, "smart_city": _DUMMY, "Con_inf": {},
    "ftz": _DUMMY, "infra": _DUMMY, "innov": {"ge": 0, "le": 100},
    **{c: _UNIT for c in EGOV_COLUMNS},
}
P2CityYear = _model(
    "P2CityYear", "P2 city-year controls, e-government index and regional attributes.",
    {"city_code": (str, {"str_matches": r"^\d{4}$"}), "province_code": (str, {"str_matches": r"^\d{2}$"}),
     "year": (int, {}), "is_capital": (bool, {}), "is_municipality": (bool, {})},
    CITY_YEAR_FLOATS,
)

P2Instruments = _model(
    "P2Instruments", "P2 Table 6 instruments per city-year (missing where they cannot be formed).",
    {"city_code": (str, {"str_matches": r"^\d{4}$"}), "province_code": (str, {"str_matches": r"^\d{2}$"}),
     "year": (int, {})},
    {"egscore_size5": {}, "n_neighbours5": {"ge": 0}, "egscore_size7": {}, "n_neighbours7": {"ge": 0},
     "egscore_size10": {}, "n_neighbours10": {"ge": 0}, "IV_int": {}, "ln_domains": {}, "terrain_ruggedness": {},
     "IV_gov": {}},
)

PANEL_FLOATS: dict = {
    "qua": _UNIT, "qua_price": {}, "qua_price_minmax": _UNIT, "qua_sub": _UNIT, "imp": {"ge": 0},
    "general_trade": _DUMMY, "value_usd": {"gt": 0}, "gvc_upstreamness_firm": {}, "gvc_top": _DUMMY,
    "gvc_top_industry": _DUMMY,
    **FIRM_YEAR_FLOATS,
    **{k: v for k, v in CITY_YEAR_FLOATS.items()},
    **{c: {} for c in INSTRUMENT_COLUMNS},
    "D_qua": {}, "D_egscore": {}, **{f"D_{c}": {} for c in P2_CONTROL_COLUMNS},
    **{f"egscore_{x}": {} for x in INTERACTION_MODERATORS},
    "balanced": _DUMMY,
}
P2Panel = _model(
    "P2Panel", "P2 analysis panel: one row per firm_id x year, 2010-2012 (prompts/p2_names.md).",
    {"firm_id": (str, {}), "year": (int, {}), "city": (str, {"str_matches": r"^\d{4}$"}),
     "province": (str, {"str_matches": r"^\d{2}$"}), "industry": (str, {}), "cic": (str, {}),
     "n_obs": (int, {"ge": 1}), "is_capital": (bool, {"nullable": True}),
     "is_municipality": (bool, {"nullable": True})},
    PANEL_FLOATS,
    {"n_obs": N_OBS_FIRM_YEAR},
)


class P2Descriptive(pa.DataFrameModel):
    """P2 Table 1: N, mean, sd, min, max of each variable on the panel."""

    order: Series[int] = pa.Field(ge=1, description=describe("order"))
    variable: Series[str] = pa.Field(description=describe("variable"))
    n: Series[int] = pa.Field(ge=0, description=describe("n"))
    mean: Series[float] = pa.Field(nullable=True, description=describe("mean"))
    sd: Series[float] = pa.Field(nullable=True, description=describe("sd"))
    min: Series[float] = pa.Field(nullable=True, description=describe("min"))
    max: Series[float] = pa.Field(nullable=True, description=describe("max"))

    class Config:
        strict = True
        coerce = True
