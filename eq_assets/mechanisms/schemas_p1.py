"""Pandera models of P1 Table 8's production function and firm-year TFP."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

from eq_assets.core.glossary import describe, N_OBS_PRODUCTION


class ProductionFunction(pa.DataFrameModel):
    """Output elasticities, one row per (production function, input), keyed like results.csv:
    paper P1, table TFP, column "LP"/"ACF" (pooled) or "LP:<cic2>"/"ACF:<cic2>" (per 2-digit
    industry; "LP:other" for the small industries estimated together), term ln_l / ln_k."""

    paper: Series[str] = pa.Field(description=describe("paper"))
    table: Series[str] = pa.Field(description="'TFP': the production function behind P1 Table 8 (keyed like results.csv).")
    column: Series[str] = pa.Field(description="Production function: 'LP' / 'ACF' (pooled) or 'LP:<cic2>' / 'ACF:<cic2>' per 2-digit industry ('LP:other': the small industries estimated together).")
    term: Series[str] = pa.Field(description="Input whose output elasticity the row holds: ln_l (labour) or ln_k (capital).")
    method: Series[str] = pa.Field(isin=["LP", "ACF"], description="Estimator: LP (Levinsohn-Petrin 2003, levpet's second stage by default) or ACF (Ackerberg-Caves-Frazer 2015).")
    group: Series[str] = pa.Field(description="Estimation group: 'pooled', a 2-digit CIC code, or 'other' (industries below min_industry_obs firm-years, estimated together).")
    industries: Series[str] = pa.Field(description="The 2-digit industries the production function covers (comma-separated; 'all' if pooled).")
    estimate: Series[float] = pa.Field(description="Output elasticity of the term (ln_l, ln_k) by the row's estimator (P1 Table 8's TFP step).")
    std_error: Series[float] = pa.Field(nullable=True, ge=0, description="Firm-block bootstrap standard error over the converged draws.")
    ols_estimate: Series[float] = pa.Field(description=describe("ols_estimate"))
    n_obs: Series[int] = pa.Field(ge=0, description=N_OBS_PRODUCTION)
    n_obs_stage2: Series[int] = pa.Field(ge=0, description=describe("n_obs_stage2"))
    n_firms: Series[int] = pa.Field(ge=0, description=describe("n_firms"))
    bootstrap_reps: Series[int] = pa.Field(ge=0, description="Converged bootstrap draws behind std_error (non-converged and failed draws are left out).")
    bootstrap_nonconverged: Series[int] = pa.Field(ge=0, description="Bootstrap draws whose second stage did not converge (counted, not averaged in).")
    bootstrap_errors: Series[int] = pa.Field(ge=0, description="Bootstrap draws that failed (e.g. a singular first stage); counted, not averaged in.")
    second_stage: Series[str] = pa.Field(description="LP's second stage: 'levpet' (minimise the squared output-based residual, LP 2003 / levpet / prodest) or 'moment' (E[xi k] = 0); ACF: 'moment'.")
    criterion: Series[float] = pa.Field(nullable=True, description="Second-stage criterion at the estimate (levpet: mean squared residual; moments: normalised GMM criterion).")
    converged: Series[bool] = pa.Field(description="Whether the second stage reached its tolerance (ACF: an exact root inside the bounds); the blocking check 'converged' fails otherwise.")
    start: Series[str] = pa.Field(description="The starting point (or 'scan') that gave the estimate.")
    n_solutions: Series[int] = pa.Field(ge=0, description="Distinct converged solutions among the starts (more than 1: several roots; the earliest start's is kept).")

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
