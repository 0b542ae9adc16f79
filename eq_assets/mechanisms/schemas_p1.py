"""Pandera models of P1 Table 8's production function and firm-year TFP."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series


class ProductionFunction(pa.DataFrameModel):
    """Output elasticities, one row per (production function, input), keyed like results.csv:
    paper P1, table TFP, column "LP"/"ACF" (pooled) or "LP:<cic2>"/"ACF:<cic2>" (per 2-digit
    industry; "LP:other" for the small industries estimated together), term ln_l / ln_k."""

    paper: Series[str]
    table: Series[str]
    column: Series[str]
    term: Series[str]
    method: Series[str] = pa.Field(isin=["LP", "ACF"])
    #: "pooled", a 2-digit CIC code, or "other"
    group: Series[str]
    #: the 2-digit industries the production function covers (comma-separated; "all" if pooled)
    industries: Series[str]
    estimate: Series[float]
    std_error: Series[float] = pa.Field(nullable=True, ge=0)
    ols_estimate: Series[float]
    n_obs: Series[int] = pa.Field(ge=0)
    n_obs_stage2: Series[int] = pa.Field(ge=0)
    n_firms: Series[int] = pa.Field(ge=0)
    #: converged bootstrap draws behind std_error; non-converged and failed draws are left out
    bootstrap_reps: Series[int] = pa.Field(ge=0)
    bootstrap_nonconverged: Series[int] = pa.Field(ge=0)
    bootstrap_errors: Series[int] = pa.Field(ge=0)
    #: "levpet" or "moment" (LP's second stage; ACF: "moment")
    second_stage: Series[str]
    #: stage-2 criterion at the estimate (levpet: mean squared residual; moments: normalised GMM)
    criterion: Series[float] = pa.Field(nullable=True)
    converged: Series[bool]
    #: the starting point (or "scan") that gave the estimate
    start: Series[str]
    #: distinct converged solutions among the starts (more than 1: several roots)
    n_solutions: Series[int] = pa.Field(ge=0)

    class Config:
        strict = True
        coerce = True


class P1Tfp(pa.DataFrameModel):
    """Firm-year ln TFP and the frontier distances of P1 Table 8 cols 1-4."""

    year: Series[int]
    legal_code: Series[str]
    industry: Series[str]
    cic2: Series[str]
    ln_va: Series[float]
    ln_l: Series[float]
    ln_k: Series[float]
    ln_m: Series[float]
    real_va: Series[float] = pa.Field(gt=0)
    lp: Series[float] = pa.Field(gt=0)
    ln_tfp: Series[float] = pa.Field(nullable=True)
    TFP: Series[float] = pa.Field(nullable=True)
    DistTFP_CIC_CN: Series[float] = pa.Field(nullable=True)
    DistTFP_US_CN: Series[float] = pa.Field(nullable=True)
    DistLP_US_CN: Series[float] = pa.Field(nullable=True)

    class Config:
        strict = True
        coerce = True
