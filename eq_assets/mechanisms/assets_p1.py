"""Mechanism assets of P1 Table 8: the production function (LP, ACF) and firm-year TFP.

Both are unpartitioned: Levinsohn-Petrin's second stage needs each firm's previous year, so the
production function is estimated on every survey year at once. ``p1_production_function`` has a
blocking ``converged`` check (a production function whose second stage did not converge stops
everything downstream) and a ``truth`` check; its rows go to results.csv as table TFP
(``paper_outputs``).
"""


import time

import dagster as dg
import pandas as pd
from pydantic import Field

from eq_assets.core.accounting import RowAccount
from eq_assets.core.publish import publish, table_asset
from eq_assets.core.resources import RawFiles
from eq_assets.mechanisms.p1 import (
    TfpParams, estimate_tfp, production_function_rows, production_inputs, tfp_distances, tfp_from_coefficients,
)
from eq_assets.mechanisms.tfp import TOLERANCE
from eq_assets.mechanisms.tfp_groups import DEFAULT_MIN_GROUP_OBS
from eq_assets.mechanisms.schemas_p1 import P1Tfp, ProductionFunction
from eq_assets.regressions.truth import compare_to_truth, load_truth

GROUP = "mechanisms"
PF_KEY = ("paper", "table", "column", "term")
SURVEY_COLUMNS = ["year", "legal_code", "industry", "cic", "employees", "fixed_assets", "value_added", "intermediate_input"]


class ProductionFunctionConfig(dg.Config):
    """Choices of the production-function step (P1 Table 8: "LP 法"; the rest is unstated)."""

    by: str = Field(default="cic2", description="'cic2' (one production function per 2-digit industry, the literature's default on ASIF) or 'pooled' (one for all industries).")
    min_industry_obs: int = Field(default=DEFAULT_MIN_GROUP_OBS, description="by='cic2': an industry with fewer complete firm-years is estimated together with the other small industries (group 'other'), or left without TFP if they add up to fewer (paper silent).")
    methods: list[str] = Field(default=["LP", "ACF"], description="Estimators to run: 'LP' (Levinsohn-Petrin, P1) and/or 'ACF' (Ackerberg-Caves-Frazer).")
    second_stage: str = Field(default="levpet", description="LP's second stage: 'levpet' (LP 2003 / Stata levpet / R prodest: least squares on the output-based residual) or 'moment' (E[xi k] = 0 on phi-based residuals).")
    deflate_capital: bool = Field(default=True, description="Deflate fixed assets by the industry PPI too (no investment deflator in the sources).")
    poly_degree: int = Field(default=3, description="Degree of the stage-1 polynomial (levpet: 3).")
    markov_degree: int = Field(default=3, description="Degree of the productivity law of motion g (levpet: 3).")
    bootstrap_reps: int = Field(default=50, description="Firm-block bootstrap draws for the SEs (levpet: 50); cost is linear in it.")
    seed: int = Field(default=0, description="Seed of the bootstrap draws.")
    tolerance: float = Field(default=TOLERANCE, description="Normalised GMM criterion below which ACF's moment system counts as solved.")


class TfpConfig(dg.Config):
    method: str = Field(default="LP", description="Which estimated production function gives TFP: 'LP' (P1) or 'ACF'.")
    ratio_form: str = Field(default="level", description="TFP distances: 'level' (ratio of TFP levels, exp(ln front - ln own); P1's formula), 'log_gap' or 'log_ratio'.")
    deflate_capital: bool = Field(default=True, description="Must match the production function's choice.")


def _params(config: ProductionFunctionConfig, method: str) -> TfpParams:
    return TfpParams(method=method, by=config.by, second_stage=config.second_stage, deflate_capital=config.deflate_capital,
                     poly_degree=config.poly_degree, markov_degree=config.markov_degree, bootstrap_reps=config.bootstrap_reps,
                     seed=config.seed, min_industry_obs=config.min_industry_obs, tolerance=config.tolerance)


def _md(df: pd.DataFrame) -> dg.MetadataValue:
    return dg.MetadataValue.md(df.to_markdown(index=False, floatfmt=".5g") if len(df) else "none")


@table_asset(
    "p1_production_function",
    ProductionFunction,
    group=GROUP,
    yearly=False,
    ins={"firm_survey": dg.AssetIn(metadata={"columns": SURVEY_COLUMNS}), "industry_panel": dg.AssetIn()},
    extra_checks=[
        dg.AssetCheckSpec("converged", asset="p1_production_function", blocking=True,
                          description="Every production function's second stage converged (ACF: a start reached a root of the moments within the tolerance; LP: an interior minimum)."),
        dg.AssetCheckSpec("truth", asset="p1_production_function", blocking=False,
                          description="Elasticities within 3 SE of truth.csv (P1/TFP/LP:<cic2>, ACF:<cic2>; pooled LP/ACF in a one-technology world)."),
    ],
)
def p1_production_function(config: ProductionFunctionConfig, raw_files: RawFiles, firm_survey: pd.DataFrame, industry_panel: pd.DataFrame):
    """Value-added production function by Levinsohn-Petrin (and ACF) per 2-digit industry: elasticities of ln_l, ln_k with bootstrap SEs, criterion and convergence."""
    inputs, in_acc = production_inputs(firm_survey, industry_panel, _params(config, "LP"))
    rows, not_estimated, seconds = [], {}, {}
    for method in config.methods:
        t0 = time.perf_counter()
        fitted = estimate_tfp(inputs, _params(config, method))
        seconds[method] = round(time.perf_counter() - t0, 2)
        rows += production_function_rows(method, fitted)
        not_estimated.update({f"{method}:{k}": v for k, v in fitted.not_estimated.items()})
    out = pd.DataFrame(rows, columns=list(ProductionFunction.to_schema().columns))
    acc = RowAccount(rows_in=len(out), unit="coefficients")
    fits = out.drop_duplicates("column")[["column", "n_obs", "criterion", "converged", "start", "n_solutions",
                                          "bootstrap_reps", "bootstrap_nonconverged", "bootstrap_errors"]]
    md = {"firm_years_used": len(inputs), **{f"inputs_{k}": v for k, v in in_acc.metadata().items()},
          "by": config.by, "second_stage": config.second_stage, "seconds": seconds,
          "convergence": _md(fits), "all_converged": bool(fits["converged"].all()) if len(fits) else True,
          "bootstrap_nonconverged": int(fits["bootstrap_nonconverged"].sum()),
          "not_estimated": _md(pd.DataFrame([(k, n, why) for k, (n, why) in sorted(not_estimated.items())],
                                            columns=["column", "firm_years", "reason"]))}
    bad = fits[~fits["converged"].astype(bool)]
    converged = dg.AssetCheckResult(check_name="converged", passed=bad.empty, severity=dg.AssetCheckSeverity.ERROR,
                                    metadata={"estimated": len(fits), "not_converged": len(bad), "failing": _md(bad)})
    truth = load_truth(raw_files.path)
    checked = compare_to_truth(out, truth) if truth is not None and len(out) else None
    if checked is None or checked.empty:
        truth_check = dg.AssetCheckResult(check_name="truth", passed=True, metadata={"compared": 0})
    else:
        truth_check = dg.AssetCheckResult(
            check_name="truth", passed=bool(checked["within"].all()), severity=dg.AssetCheckSeverity.ERROR,
            metadata={"compared": len(checked), "outside_3se": int((~checked["within"]).sum()),
                      "max_abs_z": float(checked["z"].abs().max()),
                      "comparison": _md(checked[["column", "term", "estimate", "std_error", "true_value", "z"]])},
        )
    yield from publish(out, model=ProductionFunction, key=PF_KEY, account=acc, asset_name="p1_production_function",
                       metadata=md, blocking_checks=[converged], checks=[truth_check])


@table_asset(
    "p1_tfp",
    P1Tfp,
    group=GROUP,
    yearly=False,
    ins={"firm_survey": dg.AssetIn(metadata={"columns": SURVEY_COLUMNS}), "industry_panel": dg.AssetIn(),
         "us_industry": dg.AssetIn(), "p1_production_function": dg.AssetIn()},
)
def p1_tfp(config: TfpConfig, firm_survey: pd.DataFrame, industry_panel: pd.DataFrame, us_industry: pd.DataFrame, p1_production_function: pd.DataFrame):
    """Firm-year ln TFP (LP, with the elasticities of the firm-year's 2-digit industry) and DistTFP_CIC_CN, DistTFP_US_CN, DistLP_US_CN (P1 Table 8 cols 1-4)."""
    inputs, acc = production_inputs(firm_survey, industry_panel, TfpParams(deflate_capital=config.deflate_capital))
    inputs["ln_tfp"] = tfp_from_coefficients(inputs, p1_production_function, config.method)
    out = tfp_distances(inputs, us_industry, ratio_form=config.ratio_form)
    md = {"tfp_method": config.method, "ratio_form": config.ratio_form, "firm_years_with_tfp": int(out["ln_tfp"].notna().sum()),
          "firm_years_without_production_function": int(out["ln_tfp"].isna().sum())}
    yield from publish(out, model=P1Tfp, key=("year", "legal_code"), account=acc, asset_name="p1_tfp", metadata=md)


ASSETS = [p1_production_function, p1_tfp]
