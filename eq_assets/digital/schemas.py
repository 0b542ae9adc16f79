"""Pandera models of firm-linked digital patents and the firm-year Eco index."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

from eq_assets.core.glossary import describe


class FirmPatents(pa.DataFrameModel):
    """One row per (patent, survey firm) for patents filed in the partition's year."""

    application_no: Series[str] = pa.Field(description=describe("application_no"))
    applicant: Series[str] = pa.Field(nullable=True, description=describe("applicant"))
    app_year: Series[int] = pa.Field(description=describe("app_year"))
    patent_type: Series[str] = pa.Field(nullable=True, description=describe("patent_type"))
    ipc_main: Series[str] = pa.Field(nullable=True, description=describe("ipc_main"))
    ipc_all: Series[str] = pa.Field(nullable=True, description=describe("ipc_all"))
    citations: Series[float] = pa.Field(nullable=True, description=describe("citations"))
    is_digital: Series[bool] = pa.Field(description=describe("is_digital"))
    cat_01: Series[bool] = pa.Field(description=describe("cat_01"))
    cat_02: Series[bool] = pa.Field(description=describe("cat_02"))
    cat_03: Series[bool] = pa.Field(description=describe("cat_03"))
    cat_04: Series[bool] = pa.Field(description=describe("cat_04"))
    patent_type_en: Series[str] = pa.Field(isin=["invention", "utility", "design", "other"], description=describe("patent_type_en"))
    legal_code: Series[str] = pa.Field(description=describe("legal_code"))
    year: Series[int] = pa.Field(description=describe("year"))

    class Config:
        strict = True
        coerce = True


class Eco(pa.DataFrameModel):
    """Firm-year digital innovation: Eco = ln(1 + digital patents) (P1 section III.2.2)."""

    year: Series[int] = pa.Field(description=describe("year"))
    legal_code: Series[str] = pa.Field(description=describe("legal_code"))
    n_patents: Series[int] = pa.Field(ge=0, description=describe("n_patents"))
    n_digital: Series[int] = pa.Field(ge=0, description=describe("n_digital"))
    n_digital_invention: Series[int] = pa.Field(ge=0, description=describe("n_digital_invention"))
    n_digital_utility: Series[int] = pa.Field(ge=0, description=describe("n_digital_utility"))
    n_digital_design: Series[int] = pa.Field(ge=0, description=describe("n_digital_design"))
    n_digital_cat_01: Series[int] = pa.Field(ge=0, description=describe("n_digital_cat_01"))
    n_digital_cat_02: Series[int] = pa.Field(ge=0, description=describe("n_digital_cat_02"))
    n_digital_cat_03: Series[int] = pa.Field(ge=0, description=describe("n_digital_cat_03"))
    n_digital_cat_04: Series[int] = pa.Field(ge=0, description=describe("n_digital_cat_04"))
    Eco: Series[float] = pa.Field(ge=0, description=describe("Eco"))

    class Config:
        strict = True
        coerce = True
