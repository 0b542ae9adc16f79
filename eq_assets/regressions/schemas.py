"""Pandera model of regression results: one row per coefficient (the results.csv layout)."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

from eq_assets.core.glossary import describe, N_OBS_REGRESSION

RESULT_COLUMNS = [
    "paper", "table", "column", "term", "estimate", "std_error", "p_value",
    "n_obs", "adj_r2", "fixed_effects", "vcov", "sample", "r2_within", "adj_r2_within", "variant", "r2",
]


class RegressionResults(pa.DataFrameModel):
    paper: Series[str] = pa.Field(isin=["P1", "P2"], description=describe("paper"))
    table: Series[str] = pa.Field(description=describe("table"))
    column: Series[str] = pa.Field(description=describe("column"))
    term: Series[str] = pa.Field(description=describe("term"))
    estimate: Series[float] = pa.Field(description=describe("estimate"))
    std_error: Series[float] = pa.Field(ge=0, nullable=True, description=describe("std_error"))
    p_value: Series[float] = pa.Field(ge=0, le=1, nullable=True, description=describe("p_value"))
    n_obs: Series[int] = pa.Field(ge=0, description=N_OBS_REGRESSION)
    adj_r2: Series[float] = pa.Field(nullable=True, description=describe("adj_r2"))
    fixed_effects: Series[str] = pa.Field(nullable=True, description=describe("fixed_effects"))
    vcov: Series[str] = pa.Field(description=describe("vcov"))
    sample: Series[str] = pa.Field(description=describe("sample"))
    r2_within: Series[float] = pa.Field(nullable=True, description="Within R2: R2 of the fit on the fixed-effect-demeaned data (fixest r2(x, 'wr2'); reghdfe's within R2, Stata xtreg, fe's R2 within); empty without fixed effects.")
    adj_r2_within: Series[float] = pa.Field(nullable=True, description="Adjusted within R2 (fixest r2(x, 'war2')); empty without fixed effects.")
    variant: Series[str] = pa.Field(nullable=True, description="Empty: the column as the paper most plausibly ran it (printed in the table); a name: an alternative reading reported beside it (RegressionSpec.variant).")
    r2: Series[float] = pa.Field(nullable=True, description="R2 of the fit (1 - SSR / centred TSS of the dependent variable, fixed effects counted as regressors; fixest r2(x, 'r2')); P2 Table 2 col. 1 prints it.")

    class Config:
        strict = True
        coerce = True
