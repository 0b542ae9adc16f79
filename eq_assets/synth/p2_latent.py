"""The latent P2 panel: P2's constructions applied to the world's true variables (SPEC section 7).

Used by :mod:`eq_assets.synth.p2_oracle` for the truths of every P2 column.

What a P2 truth is. P2's outcome ``qua`` is a construct: a demand-regression residual per
observation, min-max standardized within HS6 (P2 eq. 12) and value-weighted to the firm-year. A
coefficient on ``qua`` is an effect on log quality divided by each product's min-max *range*, and
that range is a property of the data the pipeline reads, not of the world. The truth of a P2
coefficient is therefore the coefficient of the same regression on the **true quality in the
published qua's units**: quality computed from error-free records (true quantities and prices),
standardized with the min and range of the quality the pipeline measures from the written
records. Measurement error of the written records (quantities in whole units, and above all the
cap ``WorldParams.max_obs_value_usd`` on one observation's written value) is then what separates
the estimate from its truth, not the units. At SCALE=paper about 1,800 observations a year exceed
the cap; they are the top of their products' quality, so the measured ranges are narrower than
the latent ones, and truths on the latent range were 2.8% below the estimates (41 of 127
comparisons beyond 3 SE). On the measured range the default paper world's Table 2 (3) truth is
0.4615 against an estimate of 0.4596 (SE 0.0015): the capped observations' measured quality no
longer moves with egscore, and that small attenuation is the measurement error's, which the
comparison should see.

:func:`latent_panel` builds the panel (column names of ``prompts/p2_names.md``):

1. survey firms' observations of 2010-2012 that the cleaning keeps
   (:func:`matched_observations`; :func:`~eq_assets.synth.trade.kept_by_cleaning`: no defects,
   none below 50 USD or 1 unit) -- the pipeline estimates and standardizes P2's quality on the
   exports matched to the survey (``matched_exports``), so other exporters enter neither the
   regressions nor the min-max range -- summed over trade modes into firm x HS6 x destination x
   year (P2's observation, as the pipeline's ``p2_observations``), both the written totals and
   the latent ones (:func:`latent_observations`);
2. measured quality: the pipeline's estimator (:func:`~eq_assets.quality.p2.estimate_quality_p2`,
   2SLS per HS6 with the leave-one-out price, destination x year cells, ln province real GDP;
   OLS for ``qua_sub``) on the written totals; its sample (2+ destinations, no singleton cells,
   identified products) and its fitted equation per product; true quality: that fitted
   equation applied to the latent inputs, (ln q - b_p ln p - b_g ln GDP net of its cell mean) /
   (sigma - 1) -- with ``p2_alpha_price = 0`` the instrument is valid and ln q + sigma ln p =
   (sigma-1) ln lambda + cell terms, so this is ln lambda net of cell and GDP terms up to the
   estimator's sampling error, which the measured quality shares; ``quality_causal`` the same
   with ln q net of the confounder, ln q - (sigma-1) phi_q u_ct (ln lambda without it) at the
   same prices;
3. min-max within product over 2010-2012 with the min and range of the *measured* quality (for
   the causal one too, so all are on the scale of the published qua), value-weighted (written
   value) to the firm-year: ``qua``, ``qua_causal``, ``qua_sub``; the unit-value measures
   (``qua_price``, ``qua_price_minmax``), ``imp``, ``general_trade`` and
   ``gvc_upstreamness_firm`` by the pipeline's ``p2_firm_year`` on the latent prices;
4. every survey firm-year that exported (the pipeline's panel; ``balanced`` = a qua in every
   year), legal code = firm_id, with the controls computed from the *written* survey and
   reference values, egscore and sub-indices from the written scores, the instruments (the
   pipeline's own :func:`~eq_assets.instruments.neighbours.neighbour_iv`, IV_int = word
   frequency, IV_gov = ruggedness x ln domain count), moderators, interactions, sample flags.

Moderator definitions are in :mod:`eq_assets.synth.p2_oracle`'s docstring (the pipeline's defaults).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from eq_assets.panels.p2 import P2_CONTROL_COLUMNS, SOE_TYPES, exit_rate, top_share
from eq_assets.settings import P2_YEARS
from eq_assets.synth import p2_catalog as pc
from eq_assets.synth import reference
from eq_assets.synth.catalog import cities_frame
from eq_assets.synth.p2 import SUBINDICES, P2World, policy_cities
from eq_assets.synth.population import KIND_SURVEY, MODE_GENERAL
from eq_assets.synth.trade import kept_by_cleaning

#: Moderators and mechanisms with an interaction column egscore_<x> (Tables 7-10, and the variants).
MODERATORS: tuple[str, ...] = (
    "coastal", "egov_policy", "smart_city", "ftz", "infra", "ind_type", "capital_intensive", "high_tech",
    "private", "ln_assets", "SA", "gvc_top", "gvc_top_industry", "general_trade", "exit", "imp", "fdi", "innov",
    "innov_patents",
)
#: Spilled survey of the year before P2's first (exit rates of 2010 need it).
PREV_SURVEY = "p2_prev_survey"
PREV_SURVEY_COLUMNS: tuple[str, ...] = ("legal_code", "year", "admin_code", "cic")


#: The columns of a year's draw (:class:`eq_assets.synth.world.YearDraw` attributes) that
#: :func:`latent_quality` and :func:`latent_panel` read; the generator keeps only these of 2010-2012.
DRAW_COLUMNS: dict[str, tuple[str, ...]] = {
    "obs": ("year", "fid", "kind", "product", "dest", "mode", "ln_lambda", "ln_p", "ln_q", "value_usd", "quantity",
            "defect"),
    "firm_years": ("fid", "kind", "year", "city", "industry", "p2_u", "p2_causal", "n_dig", "n_nondig"),
    "asif": ("legal_code", "year", "reg_type", "open_year", "employees", "total_assets", "wage_bill",
             "export_delivery", "revenue", "cic", "admin_code"),
}


# ---- quality ------------------------------------------------------------------------------------

#: the synthetic world's names of P2's observation key -> the pipeline's (quality/p2_steps.OBS_KEY_P2)
_PIPELINE_NAMES = {"fid": "firm_id", "product": "hs6", "dest": "dest_code"}
_SYNTH_NAMES = {v: k for k, v in _PIPELINE_NAMES.items()}
_KEYS = ["year", "fid", "product", "dest"]


def matched_mask(obs: pd.DataFrame) -> pd.Series:
    """The survey firms' observations that the customs cleaning keeps: what the pipeline's
    matched exports hold (:func:`~eq_assets.synth.trade.kept_by_cleaning`)."""
    return (obs["kind"] == KIND_SURVEY) & kept_by_cleaning(obs)


def matched_observations(obs: pd.DataFrame) -> pd.DataFrame:
    """The rows of :func:`matched_mask`."""
    return obs[matched_mask(obs)]


def latent_observations(world, draws: dict) -> pd.DataFrame:
    """P2's observations of 2010-2012 (step 1 of the module docstring): one row per survey firm x
    product x destination x year of the observations the customs cleaning keeps, trade modes
    summed as the pipeline's :func:`~eq_assets.quality.p2_steps.p2_observations` sums them.

    Written totals: ``value_usd``, ``quantity``, ``general_value_usd`` (what the pipeline reads);
    latent: ``true_value`` = sum of p q and ``true_quantity`` = sum of q at the true prices and
    unrounded quantities, ``ln_lambda`` = the written-value-weighted latent log quality; and
    ``p2_u`` = phi_q u_ct (the confounding term of ln lambda, a firm-year constant), ``city``
    (true) and ``prov_gdp_real`` of its province."""
    prov_gdp = world.p2.province_panel.set_index(["province_code", "year"])["real_gdp"]
    prov_of_city = cities_frame()["province_code"].to_numpy()
    parts = []
    for year in P2_YEARS:
        o = matched_observations(draws[year].obs)
        q = np.exp(o["ln_q"].to_numpy())
        v = o["value_usd"].to_numpy()
        general = o["mode"].to_numpy() == MODE_GENERAL
        parts.append(pd.DataFrame({
            "year": o["year"].to_numpy(), "fid": o["fid"].to_numpy(), "product": o["product"].to_numpy(),
            "dest": o["dest"].to_numpy(), "value_usd": v, "quantity": o["quantity"].to_numpy(),
            "general_value_usd": np.where(general, v, 0.0), "true_value": np.exp(o["ln_p"].to_numpy()) * q,
            "true_quantity": q, "lv": o["ln_lambda"].to_numpy() * v}))
    g = pd.concat(parts, ignore_index=True).groupby(_KEYS, sort=True).sum().reset_index()
    del parts
    g["ln_lambda"] = g.pop("lv") / g["value_usd"]
    fy = pd.concat([draws[y].firm_years[["year", "fid", "p2_u", "city"]] for y in P2_YEARS], ignore_index=True)
    g = g.merge(fy.drop_duplicates(["year", "fid"]), on=["year", "fid"], how="left", validate="many_to_one")
    prov = prov_of_city[g["city"].to_numpy()]
    g["prov_gdp_real"] = prov_gdp.reindex(list(zip(prov, g["year"]))).to_numpy()
    g["kind"] = KIND_SURVEY
    return g


def _standardized(true: pd.Series, measured: pd.Series, product: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(true - min) / range with the min and range of the *measured* quality within product (P2
    eq. 12 on the data's quality: the scale of the published qua); also returns the range."""
    lo = measured.groupby(product).transform("min")
    span = measured.groupby(product).transform("max") - lo
    span = span.where(span > 0)
    return (true - lo) / span, span


def _fit_on_written(g: pd.DataFrame, estimator: str) -> tuple[pd.Series, pd.DataFrame]:
    """The pipeline's estimator (:func:`~eq_assets.quality.p2.estimate_quality_p2` with the
    defaults ``export_quality_p2`` uses: per HS6, destination x year cells, GDP control, pooled
    2010-2012) on the written totals: the measured quality (aligned with ``g``) and the fitted
    coefficients per product."""
    from eq_assets.quality.p2 import estimate_quality_p2

    obs = g[["year", "fid", "product", "dest", "value_usd", "quantity", "prov_gdp_real"]].rename(columns=_PIPELINE_NAMES)
    res = estimate_quality_p2(obs, estimator=estimator)
    q = res.quality.rename(columns=_SYNTH_NAMES).set_index(_KEYS)["quality"]
    measured = pd.Series(q.reindex(pd.MultiIndex.from_frame(g[_KEYS])).to_numpy(), index=g.index)
    coefs = res.products[res.products["identified"]].rename(columns={"hs6": "product"})
    return measured, coefs[["product", "coef_ln_price", "coef_ln_gdp"]]


def _true_residual(g: pd.DataFrame, sample: pd.Series, coefs: pd.DataFrame, ln_q: np.ndarray) -> pd.Series:
    """The fitted demand equation applied to latent inputs: (ln q - b_p ln p - b_g ln GDP, net of
    its product x destination x year cell mean over ``sample``) / (sigma - 1), sigma = P2's 3."""
    from eq_assets.quality.p2 import P2_SIGMA

    c = coefs.set_index("product")
    prod = g["product"]
    ln_p = np.log(g["true_value"] / g["true_quantity"])
    u = (ln_q - prod.map(c["coef_ln_price"]) * ln_p - prod.map(c["coef_ln_gdp"]) * np.log(g["prov_gdp_real"])).where(sample)
    return (u - u.groupby([prod, g["dest"], g["year"]]).transform("mean")) / (P2_SIGMA - 1.0)


def latent_quality(world, draws: dict, obs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Observation-level true P2 quality (steps 1-3 of the module docstring) for 2010-2012.

    Every row of :func:`latent_observations` (``obs`` if given) with

    * ``quality`` / ``quality_ols``: P2's quality *as measured*, the pipeline's estimator (2SLS /
      OLS) on the written totals (missing where the estimator drops the row: its sample);
    * ``quality_true`` / ``quality_sub_true``: the same fitted equations applied to the latent
      inputs (true quantities and prices); ``quality_causal``: the 2SLS one with ln q net of the
      confounder, ln q - (sigma - 1) p2_u at the same prices;
    * ``rquality``, ``rquality_causal``, ``rquality_sub``: the true ones min-max standardized
      with the measured quality's min and ``range`` (``range_sub`` for the OLS one)."""
    g = latent_observations(world, draws) if obs is None else obs
    ln_q = np.log(g["true_quantity"])
    g["quality"], iv = _fit_on_written(g, "iv")
    g["quality_true"] = _true_residual(g, g["quality"].notna(), iv, ln_q)
    g["quality_causal"] = _true_residual(g, g["quality"].notna(), iv, ln_q - (world.params.sigma - 1.0) * g["p2_u"])
    g["rquality"], g["range"] = _standardized(g["quality_true"], g["quality"], g["product"])
    g["rquality_causal"], _ = _standardized(g["quality_causal"], g["quality"], g["product"])
    g["quality_ols"], ols = _fit_on_written(g, "ols")
    g["quality_sub_true"] = _true_residual(g, g["quality_ols"].notna(), ols, ln_q)
    g["rquality_sub"], g["range_sub"] = _standardized(g["quality_sub_true"], g["quality_ols"], g["product"])
    return g


def _upstreamness(world) -> pd.DataFrame:
    """(hs6 = product id, gvc_upstreamness): the products' industry upstreamness, as the pipeline
    joins the written hs6 -> CIC table and the industry attributes."""
    up = reference.hs6_cic(world.products).merge(world.p2.industry_attributes[["cic", "gvc_upstreamness"]], on="cic")
    by_code = dict(zip(up["hs6"], up["gvc_upstreamness"]))
    t = world.products.table
    return pd.DataFrame({"hs6": t["product"].to_numpy(),
                         "gvc_upstreamness": t["hs6"].map(by_code).to_numpy(dtype=float)}).dropna()


def firm_year_quality(world, q: pd.DataFrame) -> pd.DataFrame:
    """Per survey firm-year that exported (what the pipeline's export_quality_p2 holds):
    ``qua``, ``qua_causal``, ``qua_sub`` = export-value-weighted means of ``rquality``,
    ``rquality_causal``, ``rquality_sub`` (P2 eq. 13, the pipeline's
    :func:`~eq_assets.quality.p2.firm_year_quality`); and, by the pipeline's
    :func:`~eq_assets.quality.p2_steps.p2_firm_year` on the latent prices (true values over true
    quantities), ``qua_price`` (value-weighted latent log unit value), ``qua_price_minmax``,
    ``imp``, ``general_trade``, ``gvc_upstreamness_firm``."""
    from eq_assets.quality.p2 import firm_year_quality as weighted
    from eq_assets.quality.p2_steps import p2_firm_year

    o = q.rename(columns=_PIPELINE_NAMES, copy=False)  # no copy of the observations (memory at SCALE=paper, issue 8)
    prices = o[["year", "firm_id", "hs6", "dest_code", "true_value", "true_quantity"]].rename(
        columns={"true_value": "value_usd", "true_quantity": "quantity"})
    prices["general_value_usd"] = o["general_value_usd"] / o["value_usd"] * prices["value_usd"]
    fy, _, _ = p2_firm_year(prices.assign(quality=np.nan, quality_ols=np.nan), upstreamness=_upstreamness(world))
    fy = fy.drop(columns=["qua", "qua_sub", "n_obs", "value_usd"])
    for col, name in (("rquality", "qua"), ("rquality_causal", "qua_causal"), ("rquality_sub", "qua_sub")):
        w, _ = weighted(o.loc[o[col].notna(), ["firm_id", "year", col, "value_usd"]], col=col, out=name)  # the columns it reads
        fy = fy.merge(w[["firm_id", "year", name]], on=["firm_id", "year"], how="left", validate="one_to_one")
    return fy.rename(columns={"firm_id": "fid"})


def _survey_frame(draws: dict, prev_survey: pd.DataFrame | None) -> pd.DataFrame:
    """Written survey identities (legal code, year, city, cic) of 2010-2012 and, if given, 2009."""
    cols = ["legal_code", "year", "admin_code", "cic"]
    frames = [draws[y].asif[cols] for y in P2_YEARS] + ([prev_survey[cols]] if prev_survey is not None else [])
    f = pd.concat(frames, ignore_index=True).drop_duplicates(["legal_code", "year"])
    return f.assign(city=f["admin_code"].astype(str).str[:4])


# ---- the panel -------------------------------------------------------------------------------------

def city_year_frame(p2w: P2World, city_panel: pd.DataFrame) -> pd.DataFrame:
    """City-year 2010-2012: written egscore, GDP, flags, and the three instruments of Table 6."""
    from eq_assets.instruments.neighbours import neighbour_iv

    cp = city_panel[city_panel["year"].isin(P2_YEARS)][["city_code", "year", "gdp", "gdp_pc", "n_industrial_firms",
                                                       "fdi", "college_students"]]
    eg = p2w.egov[["city_code", "province_code", "year", "egscore", *SUBINDICES, "u", "e_latent", "pi"]]
    at = p2w.city_attributes.drop(columns=["city_name", "province_code", "_city"])
    cy = eg.merge(cp, on=["city_code", "year"], how="left").merge(at, on="city_code", how="left")
    cy["is_capital"] = cy["provincial_capital"] == 1
    cy["is_municipality"] = cy["municipality"] == 1
    for k in (5, 7, 10):
        nb, _ = neighbour_iv(cy[["year", "city_code", "province_code", "gdp", "egscore", "is_capital", "is_municipality"]], k)
        cy = cy.merge(nb[["year", "city_code", f"iv_nei{k}"]].rename(columns={f"iv_nei{k}": f"egscore_size{k}"}),
                      on=["year", "city_code"], how="left")
    wr = p2w.work_report.rename(columns={"digital_word_freq": "IV_int"})
    cy = cy.merge(wr, on=["city_code", "year"], how="left")
    cy = cy.merge(p2w.innovation.rename(columns={"patent_score": "innov"}), on=["city_code", "year"], how="left")
    pp = p2w.province_panel
    cy = cy.merge(pp[["province_code", "year", "broadband_users", "domain_count", "ftz"]], on=["province_code", "year"], how="left")
    cy["IV_gov"] = cy["terrain_ruggedness"] * np.log(cy["domain_count"])
    bb = pp[pp["year"].isin(P2_YEARS)]["broadband_users"].mean()
    cy["infra"] = (cy["broadband_users"] > bb).astype(float)
    return cy.sort_values(["year", "city_code"]).reset_index(drop=True)


def latent_panel(world, draws: dict, city_panel: pd.DataFrame, q: pd.DataFrame | None = None,
                 prev_survey: pd.DataFrame | None = None) -> pd.DataFrame:
    """The latent P2 panel: one row per survey firm-year that exported, 2010-2012 (``qua`` missing
    where none of its observations has a quality; module docstring).

    ``q``: the observation-level :func:`latent_quality` if already computed; ``prev_survey``: the
    written survey of 2009 (legal_code, year, admin_code, cic), for the exit rates of 2010."""
    p2w = world.p2
    q = latent_quality(world, draws) if q is None else q
    ex = firm_year_quality(world, q)  # every exporting survey firm-year, as the pipeline's panel
    ex["gvc_top"] = top_share(ex["gvc_upstreamness_firm"], 0.9)
    frames = []
    for year in P2_YEARS:
        d = draws[year]
        fy = d.firm_years[d.firm_years["kind"] == KIND_SURVEY][["fid", "year", "city", "industry", "p2_u", "p2_causal",
                                                                 "n_dig", "n_nondig"]]
        frames.append(fy)
    fy = pd.concat(frames, ignore_index=True)
    panel = ex[["fid", "year", "qua", "qua_causal", "qua_sub"]].merge(fy, on=["fid", "year"], how="left")
    f = world.population.firms
    panel["firm_id"] = f["legal_code"].to_numpy()[panel["fid"].to_numpy()]
    # written survey values (first row of a legal code-year; duplicates are stale copies after it)
    asif = pd.concat([draws[y].asif for y in P2_YEARS], ignore_index=True).drop_duplicates(["legal_code", "year"])
    panel = panel.merge(asif.rename(columns={"legal_code": "firm_id"})[
        ["firm_id", "year", "reg_type", "open_year", "employees", "total_assets", "wage_bill", "export_delivery", "revenue", "cic"]],
        on=["firm_id", "year"], how="left")
    cities = cities_frame()
    panel["city"] = cities["city_code"].to_numpy()[panel["city"].to_numpy()]
    panel["province"] = panel["city"].str[:2]
    panel["industry"] = panel["cic"]
    cy = city_year_frame(p2w, city_panel)
    keep_cy = ["city_code", "year", "egscore", *SUBINDICES, "gdp_pc", "n_industrial_firms", "college_students", "fdi",
               "innov",
               "region", "coastal", "smart_city_year", "ftz", "infra", "broadband_users", "egscore_size5",
               "egscore_size7", "egscore_size10", "IV_int", "IV_gov"]
    panel = panel.merge(cy[keep_cy].rename(columns={"city_code": "city"}), on=["city", "year"], how="left")
    for s in SUBINDICES:
        panel = panel.rename(columns={s: f"egscore_{s}"})
    ind = p2w.industry_attributes
    panel = panel.merge(ind, on="cic", how="left")
    panel = panel.merge(p2w.input_tariffs.rename(columns={"input_tariff": "Con_tariff"}), on=["cic", "year"], how="left")
    panel = panel.merge(ex.drop(columns=["qua", "qua_causal", "qua_sub"]), on=["fid", "year"], how="left")
    # industry-level GVC cut over the same firm-years as the firm-level one (exporting survey firm-years)
    ind_up = ex[["fid", "year"]].merge(panel[["fid", "year", "gvc_upstreamness"]], on=["fid", "year"], how="left")
    cut = ind_up["gvc_upstreamness"].quantile(0.9)
    panel["gvc_top_industry"] = np.where(panel["gvc_upstreamness"].notna(), (panel["gvc_upstreamness"] >= cut).astype(float),
                                         np.nan)
    # exit: the city x 2-digit-industry exit rate of the written survey (as the pipeline)
    ex_rate = exit_rate(_survey_frame(draws, prev_survey), industry_digits=2, years=P2_YEARS)
    panel["exit_industry"] = panel["cic"].astype(str).str[:2]
    panel = panel.merge(ex_rate[["year", "city", "exit_industry", "exit"]], on=["year", "city", "exit_industry"],
                        how="left").drop(columns="exit_industry")

    emp = pd.to_numeric(panel["employees"], errors="coerce").astype(float)
    ta = panel["total_assets"].astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        panel["Con_wag"] = np.log(panel["wage_bill"].astype(float) / emp)
        panel["Con_inc"] = np.log(panel["revenue"].astype(float).where(panel["revenue"] > 0))
        panel["Con_exp"] = np.log(panel["export_delivery"].astype(float).where(panel["export_delivery"] > 0))
    panel["fdi"] = np.log(panel["fdi"].astype(float))
    panel["innov_patents"] = np.log1p((panel["n_dig"] + panel["n_nondig"]).astype(float))
    panel["Con_gdp"] = np.log(panel["gdp_pc"].astype(float))
    panel["Con_num"] = np.log(panel["n_industrial_firms"].astype(float))
    panel["Con_inf"] = np.log(panel["broadband_users"].astype(float))
    age = (panel["year"] - panel["open_year"]).astype(float)
    panel["Con_age"] = np.log(np.maximum(age, 0.0) + 1.0)
    panel["Con_asset"] = np.log(ta)
    panel["Con_college"] = np.log(panel["college_students"].astype(float))
    panel["soe"] = panel["reg_type"].isin(list(SOE_TYPES)).astype(float)
    panel["foreign"] = panel["reg_type"].map(pc.is_foreign).astype(float)
    # moderators
    panel["east"] = (panel["region"] == "东部").astype(float)
    panel["coastal"] = panel["coastal"].astype(float)
    panel["smart_city"] = panel["smart_city_year"].notna().astype(float)
    panel["egov_policy"] = panel["city"].isin(sorted(policy_cities(p2w.egov_policy))).astype(float)
    panel["ftz"] = panel["ftz"].astype(float)
    panel["capital_intensive"] = panel["cic"].map(pc.capital_intensive).astype(float)
    panel["ind_type"] = 1.0 - panel["capital_intensive"]
    panel["high_tech"] = panel["high_tech"].astype(float)
    panel["energy_raw"] = panel["energy_raw"].astype(float)
    panel["private"] = panel["reg_type"].isin(sorted(pc.PRIVATE_REG_TYPES)).astype(float)
    panel["ln_assets"] = np.log(ta)
    size = panel["ln_assets"] - np.log(1000.0)  # million yuan, as the pipeline's sa_index
    panel["SA"] = -0.737 * size + 0.043 * size**2 - 0.040 * (age + 1.0)
    for x in MODERATORS:
        panel[f"egscore_{x}"] = panel["egscore"] * panel[x]
    # sample flags and first differences
    panel = panel.sort_values(["firm_id", "year"]).reset_index(drop=True)
    g = panel.groupby("firm_id")
    panel["city_changer"] = (g["city"].transform("nunique") > 1).astype(float)
    panel["industry_changer"] = (g["industry"].transform("nunique") > 1).astype(float)
    # a firm with a qua in every year (the pipeline's balanced_flag(require="qua"))
    panel["balanced"] = (panel["year"].where(panel["qua"].notna()).groupby(panel["firm_id"]).transform("nunique")
                         == len(P2_YEARS)).astype(float)
    consecutive = (panel["year"] - g["year"].shift(1)) == 1
    for v in ("qua", "qua_causal", "egscore", *P2_CONTROL_COLUMNS):
        panel[f"D_{v}"] = (panel[v] - g[v].shift(1)).where(consecutive)
    panel["D_qua_causal"] = panel.pop("D_qua_causal")
    return panel
