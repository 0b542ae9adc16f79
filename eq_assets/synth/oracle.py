"""P1's Table 1 construction applied to the generator's own latent frame (SPEC section 7).

Used to check the world (tests, calibration), never to set a truth. From the latent
observations of survey firms without customs defects (the observations the pipeline keeps
once cleaning and matching succeed), it builds

- ``quality`` = residual of ``ln q + sigma ln p`` (written totals) on product x destination x
  year means, divided by sigma-1, singletons dropped (SPEC section 3);
- ``Distance`` = industry-year max quality - quality (SPEC section 4);
- ``quality_latent``: the same with the true ln lambda (no measurement), to isolate the
  estimator's finite-cell attenuation from measurement;

and keeps rows with every control defined, as P1's panel does. :func:`fit_table1` then runs
the four Table 1 columns with firm-clustered SE (pyfixest).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from eq_assets.synth.params import CONTROL_NAMES, WorldParams
from eq_assets.synth.population import KIND_SURVEY


def latent_panel(obs: pd.DataFrame, firm_years: pd.DataFrame, p: WorldParams) -> pd.DataFrame:
    """P1-like analysis panel from latent observations and firm-years of one or more years."""
    o = obs[(obs["kind"] == KIND_SURVEY) & (obs["defect"] == "")].copy()
    o["y"] = np.log(o["quantity"]) + p.sigma * np.log(o["value_usd"] / o["quantity"])
    cell = ["year", "product", "dest"]
    g = o.groupby(cell)
    o["cell_size"] = g["y"].transform("size")
    o["quality"] = (o["y"] - g["y"].transform("mean")) / (p.sigma - 1.0)
    o["quality_latent"] = o["ln_lambda"] - g["ln_lambda"].transform("mean")
    o = o[o["cell_size"] > 1]
    fy = firm_years[["year", "fid", "city", "industry", *CONTROL_NAMES, "profit_defined", "missing_employees"]]
    o = o.drop(columns=["industry"]).merge(fy, on=["year", "fid"], how="left")
    for q, d in (("quality", "Distance"), ("quality_latent", "Distance_latent")):
        o[d] = o.groupby(["industry", "year"])[q].transform("max") - o[q]
    keep = o["profit_defined"] & ~o["missing_employees"]
    return o[keep].reset_index(drop=True)


def fit_table1(panel: pd.DataFrame, depvar: str = "Distance") -> pd.DataFrame:
    """P1 Table 1 columns 1-4 (coef and firm-clustered SE of every term)."""
    import pyfixest as pf

    ctrl = " + ".join(CONTROL_NAMES)
    specs = {
        "1": f"{depvar} ~ Eco | fid + year",
        "2": f"{depvar} ~ Eco | fid + year + city + industry",
        "3": f"{depvar} ~ Eco + {ctrl} | fid + year",
        "4": f"{depvar} ~ Eco + {ctrl} | fid + year + city + industry",
    }
    rows = []
    for col, fml in specs.items():
        fit = pf.feols(fml, data=panel, vcov={"CRV1": "fid"})
        tidy = fit.tidy()
        for term, r in tidy.iterrows():
            rows.append({"column": col, "term": term, "estimate": r["Estimate"], "std_error": r["Std. Error"], "n": fit._N})
    return pd.DataFrame(rows)
