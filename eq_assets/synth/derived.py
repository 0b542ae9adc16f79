"""Frames derived from one year's draw for the generator's all-year outputs.

The firm-anonymous customs aggregate of a year, the latent frames written with ``latent=True``,
the P1 analysis-sample diagnostics, and the matching truth of customs firms
(:func:`eq_assets.synth.world.generate` writes or spills each as the year is drawn).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from eq_assets.sources.contract import TRADE_MODES
from eq_assets.synth.catalog import Products, destinations_frame, hs_version
from eq_assets.synth.oracle import ECO_TERMS
from eq_assets.synth.params import CONTROL_NAMES
from eq_assets.synth.population import KIND_INTERMEDIARY, KIND_SURVEY, Population
from eq_assets.synth.trade import kept_by_cleaning


def aggregate_rows(obs: pd.DataFrame, products: Products, year: int) -> pd.DataFrame:
    """Firm-anonymous customs exports of a year: year x destination x HS6 (the year's revision)
    x trade mode, quantity and USD value summed over every exporter (all firm kinds)."""
    q = np.maximum(1.0, np.round(np.exp(obs["ln_q"].to_numpy())))
    v = np.round(q * np.exp(obs["ln_p"].to_numpy()), 2)
    a = pd.DataFrame({"product": obs["product"].to_numpy(), "dest": obs["dest"].to_numpy(),
                      "mode": obs["mode"].to_numpy(), "quantity": q, "value_usd": v})
    a = a.groupby(["product", "dest", "mode"], sort=True, as_index=False)[["quantity", "value_usd"]].sum()
    col = {"HS2002": "hs6", "HS2007": "hs6_2007", "HS2012": "hs6_2012"}[hs_version(year)]
    out = pd.DataFrame({
        "year": year,
        "dest_code": destinations_frame()["dest_code"].to_numpy()[a["dest"].to_numpy()],
        "hs6": products.table[col].to_numpy()[a["product"].to_numpy()],
        "trade_mode": np.array(list(TRADE_MODES), dtype=object)[a["mode"].to_numpy()],
        "quantity": a["quantity"].to_numpy(),
        "value_usd": np.round(a["value_usd"].to_numpy(), 2),
    })
    return out.sort_values(["dest_code", "hs6", "trade_mode"], kind="stable").reset_index(drop=True)


def truth_firms(pop: Population) -> pd.DataFrame:
    f = pop.firms[pop.firms["exporter"]]
    out = pd.DataFrame({
        "customs_firm_code": f["customs_code"].to_numpy(),
        "legal_code": f["legal_code"].where(f["kind"] == KIND_SURVEY, None).to_numpy(),
        "is_intermediary": (f["kind"] == KIND_INTERMEDIARY).to_numpy(),
        "name_variant_kind": f["name_variant_kind"].to_numpy(),
    })
    return out.sort_values("customs_firm_code").reset_index(drop=True)


def analysis_diagnostics(obs: pd.DataFrame, fy: pd.DataFrame) -> dict:
    """Approximate P1 analysis sample of a year from the latent frame, and the own-cell share.

    Sample: survey firms' observations the customs cleaning keeps (all of them match), in cells of
    2+ such observations, with every control defined (as P1's panel). ``own_share`` is the mean
    share of the firm's own observations in its product x destination x year cell: the measured
    quality of an observation moves by beta*(1 - own_share) when the firm's Eco moves, because
    the cell mean moves too. It shrinks like 1/scale (about 0.35 tiny, 0.10 small, 0.008 paper).
    """
    o = obs.loc[(obs["kind"] == KIND_SURVEY) & kept_by_cleaning(obs), ["product", "dest", "fid"]]  # only what is read
    cell = o.groupby(["product", "dest"])["fid"].transform("size")
    own = o.groupby(["product", "dest", "fid"])["fid"].transform("size")
    ok = fy.set_index("fid")
    complete = (ok["profit_defined"] & ~ok["missing_employees"]).reindex(o["fid"]).to_numpy()
    keep = (cell.to_numpy() > 1) & complete
    share = (own / cell).to_numpy()[keep]
    return {"n": int(keep.sum()), "own_share_sum": float(share.sum())}


def latent_frame(world, d) -> pd.DataFrame:
    """Latent observations with the codes the pipeline uses (legal code, HS6, destination, mode)."""
    lat = d.obs.merge(world.population.firms[["fid", "legal_code", "customs_code"]], on="fid", how="left")
    fyc = d.firm_years[["fid", "city", *CONTROL_NAMES, "profit_defined", "missing_employees", "abnormal_status"]]
    lat = lat.merge(fyc, on="fid", how="left")
    lat["hs6"] = world.products.table["hs6"].to_numpy()[lat["product"]]
    lat["dest_code"] = destinations_frame()["dest_code"].to_numpy()[lat["dest"]]
    lat["trade_mode"] = np.array(list(TRADE_MODES.values()), dtype=object)[lat["mode"]]
    return lat


def latent_firm_years(world, fy: pd.DataFrame) -> pd.DataFrame:
    """Survey firm-years with the true productivity and the production variables (logs, real
    2004 yuan), the Eco variables, the shock v and the instruments' structural drivers."""
    s = fy[fy["kind"] == KIND_SURVEY]
    out = s[["year", "fid", "city", "industry", "omega", "ln_k_real", "ln_va_real", "ln_m_real", "ppi", "employees",
             "v", "iv_internet", "iv_foreign", "iv_foreign_industry", "n_dig", *ECO_TERMS, "abnormal_status", "missing_employees",
             "profit_defined"]].copy()
    out.insert(2, "legal_code", world.population.firms["legal_code"].to_numpy()[s["fid"].to_numpy()])
    return out.reset_index(drop=True)
