"""P2's truths by oracle: P2's construction applied to the world's latent quality (SPEC section 7).

P2's outcome ``qua`` (SPEC section 3, P2 variant; :mod:`eq_assets.quality.p2`) is the
residual of a product-by-product demand regression, min-max standardized within HS6 over all
firms, years and destinations, and export-value weighted to the firm-year. A unit of egscore
therefore moves ``qua`` by about ``beta_eg / range_g`` -- a draw-dependent number (range_g is the
measured quality's), so the truths are **oracle** values: the same construction and the same
regressions on the latent panel.

:func:`eq_assets.synth.p2_latent.latent_panel` builds that panel (steps there).

:func:`p2_truths` runs every spec of ``P2_SPECS`` (Tables 2-10, published readings and variants)
through :func:`eq_assets.regressions.engine.run_specs`:

* the true value of a coefficient on ``qua`` is that regression's coefficient on the **true
  quality in the published qua's units** (:mod:`eq_assets.synth.p2_latent`'s docstring): the
  pipeline's demand equation, fitted on the written records, applied to error-free quantities and
  prices, min-max standardized with the min and range of the quality the pipeline *measures*
  (eq. 12's range is the data's, and at SCALE=paper the written value cap narrows it by ~3%);
* OLS columns: the OLS estimand on the latent panel (causal effect + the built-in bias);
  ``qua_sub`` the same with the OLS-fitted equation and its own sample and range (Shi 2013, no
  instrument: single-destination observations too); Table 4 col. 1's ``qua_price`` is the
  export-value-weighted firm-year mean of the *latent* log unit value (true values over true
  quantities; ``qua_price_minmax`` its min-max within product, as the pipeline does with unit
  values); e-government does not move prices (``p2_alpha_price`` = 0), so that truth is near
  zero, up to the product mix;
* Table 10: the mechanism variables as the pipeline builds them from the written files (exit rate
  of the survey's city x 2-digit-industry cells, ln number of products, ln city FDI, the city
  innovation score; ``innov_patents`` from the firms' true patent counts);
* variants that change only the vcov (``city_cluster``) share the published column's truth;
* IV columns (Table 6): which 2SLS estimand depends on the inference the column's standard
  errors support. With city clusters (variant ``city_cluster``) the SEs cover the variation of
  the city-year shocks u_ct, so the truth is the 2SLS on ``qua_causal`` (the confounder-free
  outcome): the causal effect with the IV's own weighting, unconditional on u. Firm-clustered SEs
  (the published reading) treat the firms of a city as independent, i.e. they are valid
  conditionally on the realized city-year shocks (Abadie, Athey, Imbens & Wooldridge 2023); their
  truth is the same 2SLS on the latent ``qua`` of the draw (u included, as for the OLS columns).
  The world's u_ct loads on quality, so the in-sample projection of u on the instruments is
  city-level noise that firm clusters do not see (Moulton 1990): at scale small, the causal truth
  lay 2.8 and 3.3 firm-clustered SEs from the estimates of cols. 4-5 (0.5 and 0.9 city-clustered
  SEs). The city-clustered rows keep the check that the instruments remove the confounding;
* ``params.json["p2"]`` records the causal effect of Table 2 col. 3 (OLS on ``qua_causal``),
  the OLS estimand, the bias (positive: u raises egscore and quality) and first-stage facts.

Moderator definitions (the pipeline must use the same, see the report of this module):
east = region 东部; coastal, egov_policy (a policy year in 2010-2012 in the egov_policy list),
smart_city (pilot in any batch; all after 2012), ftz (province flag); infra = province-year
broadband users above their mean over the province-years 2010-2012; capital_intensive = CIC
division >= 25, ind_type = 1 - capital_intensive; high_tech, energy_raw from industry
attributes; private = reg type 171-174, soe = 110/141/143/151, foreign = 2xx/3xx; ln_assets =
ln total assets; SA = -0.737 size + 0.043 size^2 - 0.040 age, size = ln total assets in million
yuan, age = year - opening year + 1; gvc_top = the firm-year's export-weighted product
upstreamness >= its 90th percentile over the exporting survey firm-years, gvc_top_industry the
same with the firm's industry's upstreamness; general_trade = more than half of the firm-year's
export value under 一般贸易 (the pipeline's defaults in eq_assets/panels/p2.py and
quality/p2_steps.py).
"""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import pandas as pd

from eq_assets.sources.contract_p2 import (
    CITY_ATTRIBUTES, CITY_INNOVATION, EGOV_POLICY, EGOV_SCORES, INDUSTRY_ATTRIBUTES, INPUT_TARIFFS, PROVINCE_PANEL,
    WORK_REPORT,
)
from eq_assets.synth.p2 import SUBINDICES, P2World, policy_cities  # noqa: F401  (policy_cities: re-exported)
from eq_assets.synth.spill import release_memory
from eq_assets.synth.p2_latent import (  # noqa: F401  (re-exported: world.py, assemble.py and tests use them here)
    DRAW_COLUMNS, MODERATORS, PREV_SURVEY, PREV_SURVEY_COLUMNS, city_year_frame, firm_year_quality, latent_observations,
    latent_panel, latent_quality, matched_mask, matched_observations,
)

#: Tables the oracle computes truths for (Table 1 is descriptive).
TRUTH_TABLES: tuple[str, ...] = ("2", "3", "4", "5", "6", "7", "8", "9", "10")
#: Depvars of the specs -> their latent counterpart (None: no truth).
LATENT_DEPVAR = {"qua": "qua", "qua_sub": "qua_sub", "D_qua": "D_qua", "qua_price": "qua_price",
                 "qua_price_minmax": "qua_price_minmax"}


def oracle_world(world) -> SimpleNamespace:
    """What the P2 oracle reads of a :class:`~eq_assets.synth.world.World`: the parameters, the
    products, the P2 places and the firms' legal codes (the generator frees the rest first;
    at SCALE=paper the firms alone hold 0.4 GiB)."""
    return SimpleNamespace(params=world.params, products=world.products, p2=world.p2,
                           population=SimpleNamespace(firms=world.population.firms[["legal_code"]].copy()))


def reference_frames(p2w: P2World) -> list[tuple]:
    """P2's raw reference files: (contract_p2 source, canonical frame) pairs, deterministic order."""
    eg = p2w.egov[["city_code", "year", *SUBINDICES]].sort_values(["year", "city_code"]).reset_index(drop=True)
    attrs = p2w.city_attributes.drop(columns="_city")
    return [
        (EGOV_SCORES, eg),
        (CITY_ATTRIBUTES, attrs),
        (PROVINCE_PANEL, p2w.province_panel),
        (WORK_REPORT, p2w.work_report),
        (INDUSTRY_ATTRIBUTES, p2w.industry_attributes),
        (INPUT_TARIFFS, p2w.input_tariffs),
        (EGOV_POLICY, p2w.egov_policy),
        (CITY_INNOVATION, p2w.innovation),
    ]


# ---- truths ------------------------------------------------------------------------------------------

def _specs():
    from eq_assets.regressions.specs_p2 import P2_SPECS

    return [s for s in P2_SPECS if s.table in TRUTH_TABLES and LATENT_DEPVAR.get(s.depvar, None) is not None]


def oracle_specs(specs=None) -> list[tuple[object, object]]:
    """(published spec, oracle spec) pairs: OLS on the latent outcome, IV on the causal outcome."""
    out = []
    for s in specs if specs is not None else _specs():
        dep = LATENT_DEPVAR.get(s.depvar)
        if dep is None:
            continue
        if s.estimator == "iv" and "city" in s.cluster_columns:  # unconditional on u (docstring)
            dep = {"qua": "qua_causal", "D_qua": "D_qua_causal"}[dep]
        out.append((s, replace(s, depvar=dep)))
    return out


def _point_key(spec) -> object:
    """What a fit's point estimates depend on: everything but the vcov and the variant name."""
    return replace(spec, vcov="iid", variant="")


def fit_oracle(panel: pd.DataFrame, specs=None) -> pd.DataFrame:
    """Run the oracle specs on the latent panel; results rows keyed by the spec (with its variant).

    Specs that differ only in the vcov (the ``city_cluster`` variants) share one fit: the truth is
    a point estimand, the same whatever the standard errors."""
    from eq_assets.regressions.engine import run_specs

    rows, done = [], {}
    for pub, orc in oracle_specs(specs):
        key = _point_key(orc)
        if key not in done:
            res = run_specs([orc], lambda cols: panel[list(cols)])
            done[key] = res[res["term"].isin(pub.regressors)].copy()
        res = done[key].assign(paper=pub.paper, table=pub.table, column=pub.column, variant=pub.variant,
                               depvar_oracle=orc.depvar)
        rows.append(res)
    cols = ["paper", "table", "column", "variant", "term", "estimate", "std_error", "depvar_oracle"]
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=cols)


def bias_summary(panel: pd.DataFrame, spec=None) -> dict:
    """Causal effect vs OLS estimand of Table 2 col. 3 (or ``spec``; :func:`p2_truths` passes the
    city-clustered variant, whose SE covers the city-year shock behind the bias) on the latent panel."""
    from eq_assets.regressions.engine import fit_spec

    if spec is None:
        from eq_assets.regressions.specs_p2 import P2_SPECS

        spec = next(s for s in P2_SPECS if (s.table, s.column) == ("2", "3"))
    ols = fit_spec(spec, panel)
    causal = fit_spec(replace(spec, depvar="qua_causal"), panel)
    b_ols, b_c = ols.coef("egscore"), causal.coef("egscore")
    return {
        "ols_estimand": b_ols, "ols_se": ols.se("egscore"), "causal_effect": b_c, "causal_se": causal.se("egscore"),
        "ols_bias": b_ols - b_c, "bias_direction": "upward" if b_ols > b_c else "downward",
        "n_obs": ols.n_obs,
    }


def p2_truths(world, draws: dict, city_panel: pd.DataFrame, specs=None,
              prev_survey: pd.DataFrame | None = None) -> tuple[pd.DataFrame, dict, pd.DataFrame]:
    """truth.csv rows of P2 (basis 'oracle', with their ``variant``), the params.json summary
    (causal effect, bias, mechanisms) and the latent panel itself."""
    p = world.params
    q = latent_quality(world, draws)
    panel = latent_panel(world, draws, city_panel, q, prev_survey=prev_survey)
    mean_range = float(q.loc[q["range"].notna(), ["product", "range"]].groupby("product")["range"].first().mean())
    del q  # not needed by the fits (memory at SCALE=paper)
    release_memory()
    res = fit_oracle(panel, specs)
    truth = pd.DataFrame({
        "paper": "P2", "table": res["table"], "column": res["column"], "term": res["term"],
        "true_value": res["estimate"].astype(float).round(10), "basis": "oracle", "variant": res["variant"],
    })
    info = {
        "note": "truths are oracle values on the true quality in the published qua's units (min-max with the "
                "measured quality's range): OLS columns = OLS estimand on the latent panel (causal + "
                "omitted-shock bias, upward by construction); IV columns = the same 2SLS on qua_causal",
        "beta_eg_ln_lambda": p.p2_beta_eg,
        "mean_range_quality": mean_range,
        "panel_rows": int(len(panel)),
        "table2_col3": (bias_summary(panel, t23) if (t23 := next((s for s, _ in oracle_specs(specs) if (s.table, s.column, s.variant) == ("2", "3", "city_cluster")), None)) is not None else {}),
        "iv_causal": {f"6:{r.column}": r.estimate for r in res[(res["table"] == "6") & (res["variant"] == "city_cluster")
                                                               & (res["depvar_oracle"] == "qua_causal")].itertuples()},
        "iv_conditional_on_u": {f"6:{r.column}": r.estimate for r in res[(res["table"] == "6") & (res["variant"] == "")
                                                                         & ~res["column"].str.startswith("fs")].itertuples()},
        "mechanisms": {
            "fdi_on_egscore": p.p2_fdi_eg, "quality_on_ln_fdi": p.p2_fdi_quality,
            "innovation_score_on_egscore": p.p2_innov_eg, "quality_on_innovation_score": p.p2_innov_quality,
            "exit_on_egscore": 0.0, "variety_on_egscore": 0.0,
            "total_effect_on_ln_lambda": p.p2_beta_eg + p.p2_fdi_eg * p.p2_fdi_quality + p.p2_innov_eg * p.p2_innov_quality,
            "note": "egscore moves ln FDI and the innovation score (deviations from year means); exit and "
                    "product variety come from the survey presence and customs product lists shared with P1 "
                    "and are not moved by e-government",
        },
    }
    info = _rounded(info)
    return truth.reset_index(drop=True), info, panel


def _rounded(x):
    if isinstance(x, dict):
        return {k: _rounded(v) for k, v in x.items()}
    if isinstance(x, float):
        return round(x, 10)
    return x
