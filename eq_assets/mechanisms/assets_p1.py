"""Mechanism assets of P1 Table 8: the production function (LP, ACF) and firm-year TFP.

Both are unpartitioned: Levinsohn-Petrin's second stage needs each firm's previous year, so the
production function is estimated on every survey year at once.
"""


import dagster as dg
import pandas as pd
from pydantic import Field

from eq_assets.core.accounting import RowAccount
from eq_assets.core.publish import publish, table_asset
from eq_assets.core.resources import RawFiles
from eq_assets.mechanisms.p1 import TfpParams, estimate_tfp, production_inputs, tfp_distances
from eq_assets.mechanisms.schemas_p1 import P1Tfp, ProductionFunction
from eq_assets.regressions.truth import compare_to_truth, load_truth

GROUP = "mechanisms"
PF_KEY = ("paper", "table", "column", "group", "term")
SURVEY_COLUMNS = ["year", "legal_code", "industry", "cic", "employees", "fixed_assets", "value_added", "intermediate_input"]


class ProductionFunctionConfig(dg.Config):
    """Choices of the production-function step (P1 Table 8: "LP 法"; the rest is unstated)."""

    by: str = Field(default="pooled", description="'pooled' (one production function; the synthetic world has one technology) or 'cic2' (one per 2-digit industry).")
    methods: list[str] = Field(default=["LP", "ACF"], description="Estimators to run: 'LP' (Levinsohn-Petrin, P1) and/or 'ACF' (Ackerberg-Caves-Frazer).")
    deflate_capital: bool = Field(default=True, description="Deflate fixed assets by the industry PPI too (no investment deflator in the sources).")
    poly_degree: int = Field(default=3, description="Degree of the stage-1 polynomial (levpet: 3).")
    markov_degree: int = Field(default=3, description="Degree of the productivity law of motion g (levpet: 3).")
    bootstrap_reps: int = Field(default=50, description="Firm-block bootstrap replications for the SEs (levpet: 50).")
    seed: int = Field(default=0, description="Seed of the bootstrap draws.")
    min_obs: int = Field(default=200, description="Smallest 2-digit industry estimated when by='cic2'.")


class TfpConfig(dg.Config):
    method: str = Field(default="LP", description="Which estimated production function gives TFP: 'LP' (P1) or 'ACF'.")
    ratio_form: str = Field(default="level", description="TFP distances: 'level' (ratio of TFP levels, exp(ln front - ln own); P1's formula), 'log_gap' or 'log_ratio'.")
    deflate_capital: bool = Field(default=True, description="Must match the production function's choice.")


def _params(config: ProductionFunctionConfig, method: str) -> TfpParams:
    return TfpParams(method=method, by=config.by, deflate_capital=config.deflate_capital, poly_degree=config.poly_degree,
                     markov_degree=config.markov_degree, bootstrap_reps=config.bootstrap_reps, seed=config.seed,
                     min_obs=config.min_obs)


@table_asset(
    "p1_production_function",
    ProductionFunction,
    group=GROUP,
    yearly=False,
    ins={"firm_survey": dg.AssetIn(metadata={"columns": SURVEY_COLUMNS}), "industry_panel": dg.AssetIn()},
    extra_checks=[dg.AssetCheckSpec("truth", asset="p1_production_function", blocking=False,
                                    description="Pooled output elasticities within 3 SE of truth.csv (P1/TFP/LP|ACF).")],
)
def p1_production_function(config: ProductionFunctionConfig, raw_files: RawFiles, firm_survey: pd.DataFrame, industry_panel: pd.DataFrame):
    """Value-added production function by Levinsohn-Petrin (and ACF): elasticities of ln_l, ln_k with bootstrap SEs."""
    inputs, in_acc = production_inputs(firm_survey, industry_panel, _params(config, "LP"))
    rows = []
    for method in config.methods:
        _, results = estimate_tfp(inputs, _params(config, method))
        for group, res in results.items():
            for term in res.inputs:
                rows.append({"paper": "P1", "table": "TFP", "column": method, "term": term, "group": group,
                             "estimate": res.coef[term], "std_error": res.se[term], "ols_estimate": res.ols_coef[term],
                             "n_obs": res.n_obs, "n_obs_stage2": res.n_obs_stage2, "n_firms": res.n_firms,
                             "bootstrap_reps": res.bootstrap_reps})
    out = pd.DataFrame(rows, columns=list(ProductionFunction.to_schema().columns))
    acc = RowAccount(rows_in=len(out), unit="coefficients")
    md = {"firm_years_used": len(inputs), **{f"inputs_{k}": v for k, v in in_acc.metadata().items()}}
    yield from publish(out, model=ProductionFunction, key=PF_KEY, account=acc, asset_name="p1_production_function", metadata=md)
    truth = load_truth(raw_files.path)
    pooled = out[out["group"] == "pooled"]
    checked = compare_to_truth(pooled, truth) if truth is not None and len(pooled) else None
    if checked is None or checked.empty:
        yield dg.AssetCheckResult(check_name="truth", passed=True, metadata={"compared": 0})
    else:
        yield dg.AssetCheckResult(
            check_name="truth", passed=bool(checked["within"].all()), severity=dg.AssetCheckSeverity.ERROR,
            metadata={"compared": len(checked), "max_abs_z": float(checked["z"].abs().max()),
                      "comparison": dg.MetadataValue.md(checked[["column", "term", "estimate", "std_error", "true_value", "z"]].to_markdown(index=False))},
        )


@table_asset(
    "p1_tfp",
    P1Tfp,
    group=GROUP,
    yearly=False,
    ins={"firm_survey": dg.AssetIn(metadata={"columns": SURVEY_COLUMNS}), "industry_panel": dg.AssetIn(),
         "us_industry": dg.AssetIn(), "p1_production_function": dg.AssetIn()},
)
def p1_tfp(config: TfpConfig, firm_survey: pd.DataFrame, industry_panel: pd.DataFrame, us_industry: pd.DataFrame, p1_production_function: pd.DataFrame):
    """Firm-year ln TFP (LP) and DistTFP_CIC_CN, DistTFP_US_CN, DistLP_US_CN (P1 Table 8 cols 1-4)."""
    inputs, acc = production_inputs(firm_survey, industry_panel, TfpParams(deflate_capital=config.deflate_capital))
    pf = p1_production_function[p1_production_function["column"] == config.method]
    if pf.empty:
        raise ValueError(f"no {config.method} production function estimated (p1_production_function methods)")
    coef = pf.pivot(index="group", columns="term", values="estimate")
    if list(coef.index) == ["pooled"]:
        b = coef.loc["pooled"]
        inputs["ln_tfp"] = inputs["ln_va"] - sum(b[t] * inputs[t] for t in coef.columns)
    else:
        c = coef.reindex(inputs["cic2"].astype(str))
        inputs["ln_tfp"] = inputs["ln_va"].to_numpy() - sum(c[t].to_numpy() * inputs[t].to_numpy() for t in coef.columns)
    out = tfp_distances(inputs, us_industry, ratio_form=config.ratio_form)
    md = {"tfp_method": config.method, "ratio_form": config.ratio_form, "firm_years_with_tfp": int(out["ln_tfp"].notna().sum())}
    yield from publish(out, model=P1Tfp, key=("year", "legal_code"), account=acc, asset_name="p1_tfp", metadata=md)


ASSETS = [p1_production_function, p1_tfp]
