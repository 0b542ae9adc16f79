"""Pandera model of regression results: one row per coefficient (the results.csv layout)."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

RESULT_COLUMNS = [
    "paper", "table", "column", "term", "estimate", "std_error", "p_value",
    "n_obs", "adj_r2", "fixed_effects", "vcov", "sample", "r2_within", "adj_r2_within",
]


class RegressionResults(pa.DataFrameModel):
    paper: Series[str] = pa.Field(isin=["P1", "P2"])
    table: Series[str]
    column: Series[str]
    term: Series[str]
    estimate: Series[float]
    std_error: Series[float] = pa.Field(ge=0, nullable=True)
    p_value: Series[float] = pa.Field(ge=0, le=1, nullable=True)
    n_obs: Series[int] = pa.Field(ge=0)
    adj_r2: Series[float] = pa.Field(nullable=True)
    fixed_effects: Series[str] = pa.Field(nullable=True)
    vcov: Series[str]
    sample: Series[str]
    r2_within: Series[float] = pa.Field(nullable=True)
    adj_r2_within: Series[float] = pa.Field(nullable=True)

    class Config:
        strict = True
        coerce = True
