"""True firm-year variables of the P1 oracle panels, one year at a time (SPEC section 7).

The oracle (``oracle.py``) fits P1's specifications on panels built from the world's latent
variables with the pipeline's own constructions. This module computes the firm-year and
observation attributes those panels need from one year's draw:

- heterogeneity splits of Tables 10-11 (``ownership``, ``labour_intensive``,
  ``ip_protection_high``, ``firm_trade_class``, ``dest_development``), with the pipeline's
  functions (:mod:`eq_assets.panels.p1_vars`) on the values the world writes;
- Table 8's TFP outcomes from the *true* technology: ``TFP = ln VA - b_l l - b_k k`` with the
  firm-year industry's elasticities (real value added and capital as drawn, employees as
  written; it includes ``tfp_eco * Eco``), its industry-year frontier ratio, the US ratios
  (``reference.us_industry``), and real value added per worker;
- ``citations`` of the firm-year's patents (Table 8 cols 5-6) and ``Variety`` (Table 9 cols 3-4)
  from the clean observations.

:class:`OracleContext` holds what those need beyond the year's draw (built once per world).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from eq_assets.panels.p1_vars import firm_trade_class, ip_protection_split, labour_intensity, ownership_class
from eq_assets.sources.contract import TRADE_MODES
from eq_assets.sources.contract_p1 import DEVELOPMENT_STATUS
from eq_assets.synth import reference
from eq_assets.synth.catalog import INDUSTRIES, cities_frame
from eq_assets.synth.population import KIND_SURVEY, LAST_YEAR
from eq_assets.synth.production import va_elasticities
from eq_assets.synth.trade import kept_by_cleaning


@dataclass(frozen=True)
class OracleContext:
    """Per-world lookups of the oracle: ``ip_high`` (city x REF_YEARS, 0/1), ``dest_dev``
    (destination -> developed/developing/least_developed), ``reg_type`` (fid -> registration
    code), ``us_ln_tfp`` / ``us_lp`` (cic2 position x REF_YEARS), ``cic2_last`` (fid -> the cic2
    of the firm's last survey year, the industry the pipeline gives its patents), ``kind`` (fid),
    and the reference frames Table 3 and IV_patent read (``frames``)."""

    ip_high: np.ndarray
    dest_dev: np.ndarray
    reg_type: np.ndarray
    us_ln_tfp: np.ndarray
    us_lp: np.ndarray
    cic2_last: np.ndarray
    kind: np.ndarray
    frames: dict


def oracle_context(world) -> OracleContext:
    p, ref, f = world.params, world.ref, world.population.firms
    cities = cities_frame()
    ip = ip_protection_split(reference.city_ip_protection(p.seed), "year")
    pos = {c: i for i, c in enumerate(cities["city_code"])}
    ip_high = np.zeros((len(cities), len(reference.REF_YEARS)), dtype=np.int8)
    ip_high[ip["city_code"].map(pos).to_numpy(), ip["year"].to_numpy() - reference.REF_YEARS[0]] = ip["ip_protection_high"].to_numpy()
    dev = reference.country_development()["development_status"].map(DEVELOPMENT_STATUS).to_numpy(dtype=object)
    us = reference.us_industry(ref, p, p.seed)
    cpos = {c: i for i, c in enumerate(ref.cic2_codes)}
    us_ln, us_lp = (np.zeros((len(ref.cic2_codes), len(reference.REF_YEARS))) for _ in range(2))
    ci, yi = us["cic2"].map(cpos).to_numpy(), us["year"].to_numpy() - reference.REF_YEARS[0]
    us_ln[ci, yi], us_lp[ci, yi] = us["us_ln_tfp"].to_numpy(), us["us_labour_productivity"].to_numpy()
    last = np.minimum(f["last_year"].to_numpy(), LAST_YEAR)
    moved = (f["move_ind_year"].to_numpy() > 0) & (last >= f["move_ind_year"].to_numpy())
    ind_last = np.where(moved, f["industry2"].to_numpy(), f["industry"].to_numpy())
    cic2 = np.array([row[0][:2] for row in INDUSTRIES], dtype=object)[ind_last]
    frames = {"foreign_patents_ipc": reference.foreign_patents_ipc(ref),
              "hs_concordance": reference.hs_concordance(world.products), "hs_cic": reference.hs6_cic(world.products),
              "industry_panel": reference.industry_panel(ref, p.seed), "country_panel": reference.country_panel(p.seed)}
    return OracleContext(ip_high=ip_high, dest_dev=dev, reg_type=f["reg_type"].to_numpy(dtype=object),
                         us_ln_tfp=us_ln, us_lp=us_lp, cic2_last=cic2, kind=f["kind"].to_numpy(), frames=frames)


def split_attributes(s: pd.DataFrame, ctx: OracleContext, year: int) -> pd.DataFrame:
    """ownership, labour_intensive, ip_protection_high of survey firm-years ``s`` (row order)."""
    out = pd.DataFrame({"ownership": ownership_class(pd.Series(ctx.reg_type[s["fid"].to_numpy()])).to_numpy()})
    emp = np.where(s["missing_employees"].to_numpy(), np.nan, s["employees"].to_numpy(dtype=float))
    li = labour_intensity(pd.DataFrame({"year": year, "legal_code": np.arange(len(s)), "industry": s["industry"].to_numpy(),
                                        "employees": emp, "total_assets": s["total_assets"].to_numpy(dtype=float)}))
    out["labour_intensive"] = li.sort_values("legal_code")["labour_intensive"].to_numpy()
    out["ip_protection_high"] = ctx.ip_high[s["city"].to_numpy(), reference.REF_YEARS.index(year)].astype(np.int64)
    return out


def tfp_outcomes(s: pd.DataFrame, ref, p, ctx: OracleContext, year: int) -> pd.DataFrame:
    """TFP, DistTFP_CIC_CN, DistTFP_US_CN, DistLP_US_CN of survey firm-years ``s`` (row order)
    with the true elasticities (P1 Table 8 cols 1-4; level ratios, the pipeline's default)."""
    industry = s["industry"].to_numpy()
    b_l, b_k = va_elasticities(industry, p)
    emp = np.where(s["missing_employees"].to_numpy(), np.nan, s["employees"].to_numpy(dtype=float))
    ln_va = s["ln_va_real"].to_numpy()
    tfp = ln_va - b_l * np.log(emp) - b_k * s["ln_k_real"].to_numpy()
    front = pd.Series(tfp).groupby(industry).transform("max").to_numpy()
    t, c = reference.REF_YEARS.index(year), ref.cic2_of_industry[industry]
    return pd.DataFrame({"TFP": tfp, "DistTFP_CIC_CN": np.exp(front - tfp), "DistTFP_US_CN": np.exp(ctx.us_ln_tfp[c, t] - tfp),
                         "DistLP_US_CN": ctx.us_lp[c, t] / (np.exp(ln_va) / emp)})


def clean_survey_obs(obs: pd.DataFrame) -> pd.DataFrame:
    """Survey firms' observations that the customs cleaning keeps (:func:`~eq_assets.synth.trade.kept_by_cleaning`; the pipeline matches them all)."""
    return obs.loc[(obs["kind"] == KIND_SURVEY) & kept_by_cleaning(obs)]


def firm_year_trade(obs: pd.DataFrame) -> pd.DataFrame:
    """year, fid, Variety (distinct HS6) and firm_trade_class of the year's clean observations."""
    o = clean_survey_obs(obs)
    modes = np.array(list(TRADE_MODES.values()), dtype=object)[o["mode"].to_numpy()]
    tc = firm_trade_class(pd.DataFrame({"year": o["year"].to_numpy(), "fid": o["fid"].to_numpy(), "trade_mode": modes}), firm="fid")
    var = o.groupby(["year", "fid"], sort=True)["product"].nunique().rename("Variety").reset_index()
    return var.merge(tc, on=["year", "fid"], how="left", validate="one_to_one")


def patent_citations(patents: pd.DataFrame) -> pd.DataFrame:
    """year, fid, citations: forward citations of the year's patents by firm (firm patents)."""
    pt = patents[patents["_fid"] >= 0]
    out = pt.groupby(["app_year", "_fid"], sort=True)["citations"].sum().reset_index()
    return out.rename(columns={"app_year": "year", "_fid": "fid"})


def destination_development(dest: np.ndarray, ctx: OracleContext) -> np.ndarray:
    return ctx.dest_dev[dest]
