"""Pandera models of P1 Table 8's production function and firm-year TFP."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

from eq_assets.core.glossary import describe, N_OBS_PRODUCTION


class ProductionFunction(pa.DataFrameModel):
    """Output elasticities (rows keyed like results.csv: paper P1, table TFP, column LP/ACF)."""

    paper: Series[str] = pa.Field(description=describe("paper"))
    table: Series[str] = pa.Field(description="'TFP': the production function behind P1 Table 8 (keyed like results.csv).")
    column: Series[str] = pa.Field(description="Estimator: LP (Levinsohn-Petrin 2003) or ACF (Ackerberg-Caves-Frazer 2015).")
    term: Series[str] = pa.Field(description="Input whose output elasticity the row holds: ln_l (labour) or ln_k (capital).")
    group: Series[str] = pa.Field(description=describe("group"))
    estimate: Series[float] = pa.Field(description="Output elasticity of the term (ln_l, ln_k) by the column's estimator: LP (Levinsohn-Petrin) or ACF (Ackerberg-Caves-Frazer) (P1 Table 8).")
    std_error: Series[float] = pa.Field(nullable=True, ge=0, description="Bootstrap standard error of the elasticity (bootstrap_reps replications, firms resampled).")
    ols_estimate: Series[float] = pa.Field(description=describe("ols_estimate"))
    n_obs: Series[int] = pa.Field(ge=0, description=N_OBS_PRODUCTION)
    n_obs_stage2: Series[int] = pa.Field(ge=0, description=describe("n_obs_stage2"))
    n_firms: Series[int] = pa.Field(ge=0, description=describe("n_firms"))
    bootstrap_reps: Series[int] = pa.Field(ge=0, description=describe("bootstrap_reps"))

    class Config:
        strict = True
        coerce = True


class P1Tfp(pa.DataFrameModel):
    """Firm-year ln TFP and the frontier distances of P1 Table 8 cols 1-4."""

    year: Series[int] = pa.Field(description=describe("year"))
    legal_code: Series[str] = pa.Field(description=describe("legal_code"))
    industry: Series[str] = pa.Field(description=describe("industry"))
    cic2: Series[str] = pa.Field(description=describe("cic2"))
    ln_va: Series[float] = pa.Field(description=describe("ln_va"))
    ln_l: Series[float] = pa.Field(description=describe("ln_l"))
    ln_k: Series[float] = pa.Field(description=describe("ln_k"))
    ln_m: Series[float] = pa.Field(description=describe("ln_m"))
    real_va: Series[float] = pa.Field(gt=0, description=describe("real_va"))
    lp: Series[float] = pa.Field(gt=0, description=describe("lp"))
    ln_tfp: Series[float] = pa.Field(nullable=True, description=describe("ln_tfp"))
    TFP: Series[float] = pa.Field(nullable=True, description=describe("TFP"))
    DistTFP_CIC_CN: Series[float] = pa.Field(nullable=True, description=describe("DistTFP_CIC_CN"))
    DistTFP_US_CN: Series[float] = pa.Field(nullable=True, description=describe("DistTFP_US_CN"))
    DistLP_US_CN: Series[float] = pa.Field(nullable=True, description=describe("DistLP_US_CN"))

    class Config:
        strict = True
        coerce = True
