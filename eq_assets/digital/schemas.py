"""Pandera models of firm-linked digital patents and the firm-year Eco index."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series


class FirmPatents(pa.DataFrameModel):
    """One row per (patent, survey firm) for patents filed in the partition's year."""

    application_no: Series[str]
    applicant: Series[str] = pa.Field(nullable=True)
    app_year: Series[int]
    patent_type: Series[str] = pa.Field(nullable=True)
    ipc_main: Series[str] = pa.Field(nullable=True)
    ipc_all: Series[str] = pa.Field(nullable=True)
    citations: Series[float] = pa.Field(nullable=True)
    is_digital: Series[bool]
    cat_01: Series[bool]
    cat_02: Series[bool]
    cat_03: Series[bool]
    cat_04: Series[bool]
    patent_type_en: Series[str] = pa.Field(isin=["invention", "utility", "design", "other"])
    legal_code: Series[str]
    year: Series[int]

    class Config:
        strict = True
        coerce = True


class Eco(pa.DataFrameModel):
    """Firm-year digital innovation: Eco = ln(1 + digital patents) (P1 section III.2.2)."""

    year: Series[int]
    legal_code: Series[str]
    n_patents: Series[int] = pa.Field(ge=0)
    n_digital: Series[int] = pa.Field(ge=0)
    n_digital_invention: Series[int] = pa.Field(ge=0)
    n_digital_utility: Series[int] = pa.Field(ge=0)
    n_digital_design: Series[int] = pa.Field(ge=0)
    n_digital_cat_01: Series[int] = pa.Field(ge=0)
    n_digital_cat_02: Series[int] = pa.Field(ge=0)
    n_digital_cat_03: Series[int] = pa.Field(ge=0)
    n_digital_cat_04: Series[int] = pa.Field(ge=0)
    Eco: Series[float] = pa.Field(ge=0)

    class Config:
        strict = True
        coerce = True
