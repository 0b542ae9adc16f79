"""The latent P2 panel: P2's constructions applied to the world's true variables (SPEC section 7).

Used by :mod:`eq_assets.synth.p2_oracle` for the truths of every P2 column.

:func:`latent_panel` builds that panel (column names of ``prompts/p2_names.md``):

1. survey firms' observations of 2010-2012 that the cleaning keeps
   (:func:`~eq_assets.synth.trade.kept_by_cleaning`: no defects, none below 50 USD or 1 unit) --
   the pipeline estimates and standardizes P2's quality on the exports matched to the survey
   (``matched_exports``), so other exporters enter neither the regressions nor the min-max range;
   at SCALE=paper their observations stretched the latent range and the truths were 3.6% below
   the estimates -- summed over
   trade modes into firm x HS6 x destination x year (P2's observation; latent ln lambda
   value-weighted), kept where the firm sold the product to 2+ destinations that year (the
   leave-one-out price instrument exists), singleton product x destination x year cells dropped,
   products with positive residual degrees of freedom;
2. true quality = ln lambda residualized, per product, on product x destination x year effects and
   ln province real GDP -- exactly what P2's estimator recovers, since with
   ``p2_alpha_price = 0`` its price instrument is valid and ln q + sigma ln p = (sigma-1) ln lambda
   + cell terms; ``quality_causal`` the same for ln lambda minus the confounding term phi_q u_ct;
3. min-max within product over 2010-2012 (min and range of the *actual* quality also for the
   causal one, so both are on the scale of the published qua), value-weighted to firm-year:
   ``qua`` and ``qua_causal``;
4. survey firm-years (legal code = firm_id) with the controls computed from the *written* survey
   and reference values, egscore and sub-indices from the written scores, the instruments (the
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

def _within(df: pd.DataFrame, cols: list[str], by: str) -> pd.DataFrame:
    return df[cols] - df.groupby(by)[cols].transform("mean")


def latent_quality(world, draws: dict) -> pd.DataFrame:
    """Observation-level true P2 quality (steps 1-3 of the module docstring) for 2010-2012."""
    pop = world.population
    parts = []
    for year in P2_YEARS:
        d = draws[year]
        o = d.obs[(d.obs["kind"] == KIND_SURVEY) & kept_by_cleaning(d.obs)]  # the matched exports
        o = o[["year", "fid", "kind", "product", "dest", "mode", "ln_lambda", "value_usd", "quantity"]]
        fy = d.firm_years.set_index("fid")
        o = o.assign(p2_u=fy["p2_u"].reindex(o["fid"]).to_numpy(), city=fy["city"].reindex(o["fid"]).to_numpy(),
                     general=(o["mode"] == MODE_GENERAL).astype(float) * o["value_usd"])
        parts.append(o)
    o = pd.concat(parts, ignore_index=True)
    o["lv"] = o["ln_lambda"] * o["value_usd"]
    keys = ["year", "fid", "product", "dest"]
    g = o.groupby(keys, sort=True).agg(value_usd=("value_usd", "sum"), quantity=("quantity", "sum"), lv=("lv", "sum"),
                                       p2_u=("p2_u", "first"), city=("city", "first"), kind=("kind", "first"),
                                       general=("general", "sum")).reset_index()
    g["ln_lambda"] = g["lv"] / g["value_usd"]
    # leave-one-out price instrument needs another destination of the same firm-product-year
    n_dest = g.groupby(["year", "fid", "product"])["dest"].transform("size")
    g = g[n_dest >= 2].reset_index(drop=True)
    g["cell"] = g.groupby(["product", "dest", "year"]).ngroup()
    g = g[g.groupby("cell")["cell"].transform("size") > 1].reset_index(drop=True)
    n_cells = g.groupby("product")["cell"].transform("nunique")
    n_prod = g.groupby("product")["cell"].transform("size")
    g = g[(n_prod - n_cells - 2) >= 1].reset_index(drop=True)
    # ln province real GDP of the firm's province-year
    prov_gdp = world.p2.province_panel.set_index(["province_code", "year"])["real_gdp"]
    prov = cities_frame()["province_code"].to_numpy()[g["city"].to_numpy()]
    g["ln_gdp"] = np.log(prov_gdp.reindex(list(zip(prov, g["year"]))).to_numpy())
    g["ln_lambda_causal"] = g["ln_lambda"] - g["p2_u"]
    w = _within(g, ["ln_lambda", "ln_lambda_causal", "ln_gdp"], "cell")
    w["product"] = g["product"]
    sxx = (w["ln_gdp"] ** 2).groupby(w["product"]).transform("sum")
    for y, q in (("ln_lambda", "quality"), ("ln_lambda_causal", "quality_causal")):
        sxy = (w["ln_gdp"] * w[y]).groupby(w["product"]).transform("sum")
        b = np.where(sxx > 1e-12 * np.maximum(1.0, sxy.abs()), sxy / sxx.where(sxx > 0, 1.0), 0.0)
        g[q] = w[y] - b * w["ln_gdp"]
    lo = g.groupby("product")["quality"].transform("min")
    hi = g.groupby("product")["quality"].transform("max")
    span = (hi - lo).where(hi > lo)
    g["rquality"] = (g["quality"] - lo) / span
    g["rquality_causal"] = (g["quality_causal"] - lo) / span
    g["range"] = span
    return g.dropna(subset=["rquality"]).reset_index(drop=True)


def _firm_year_quality(q: pd.DataFrame) -> pd.DataFrame:
    q = q.assign(_a=q["rquality"] * q["value_usd"], _c=q["rquality_causal"] * q["value_usd"])
    fy = q.groupby(["fid", "year"], sort=True).agg(_a=("_a", "sum"), _c=("_c", "sum"), v=("value_usd", "sum"),
                                                  kind=("kind", "first")).reset_index()
    fy["qua"] = fy["_a"] / fy["v"]
    fy["qua_causal"] = fy["_c"] / fy["v"]
    return fy[fy["kind"] == KIND_SURVEY][["fid", "year", "qua", "qua_causal"]]


def export_side(world, draws: dict) -> pd.DataFrame:
    """Per survey firm-year, from every clean observation (what the pipeline's matched exports hold):
    ``imp`` = ln number of products, ``general``/``v`` = general-trade and total value,
    ``qua_price`` = value-weighted mean of the latent log unit value (trade modes summed: ln of
    sum p q / sum q at the true, unrounded quantities), ``qua_price_minmax`` = the same after
    min-max within product over 2010-2012, ``gvc_upstreamness_firm`` = value-weighted mean of the
    products' industry upstreamness (the hs6 -> CIC reference table)."""
    parts = []
    for year in P2_YEARS:
        o = draws[year].obs
        o = o[(o["kind"] == KIND_SURVEY) & kept_by_cleaning(o)]
        q = np.exp(o["ln_q"].to_numpy())
        parts.append(pd.DataFrame({
            "fid": o["fid"].to_numpy(), "year": o["year"].to_numpy(), "product": o["product"].to_numpy(),
            "dest": o["dest"].to_numpy(), "value_usd": o["value_usd"].to_numpy(),
            "general": np.where(o["mode"].to_numpy() == MODE_GENERAL, o["value_usd"].to_numpy(), 0.0),
            "pq": np.exp(o["ln_p"].to_numpy()) * q, "q": q}))
    o = pd.concat(parts, ignore_index=True)
    g = o.groupby(["fid", "year", "product", "dest"], sort=True).agg(
        value_usd=("value_usd", "sum"), general=("general", "sum"), pq=("pq", "sum"), q=("q", "sum")).reset_index()
    g["ln_uv"] = np.log(g["pq"] / g["q"])
    lo = g.groupby("product")["ln_uv"].transform("min")
    span = g.groupby("product")["ln_uv"].transform("max") - lo
    g["r_uv"] = ((g["ln_uv"] - lo) / span.where(span > 0)).clip(0.0, 1.0)
    hs = world.products.table["hs6"].to_numpy()[g["product"].to_numpy()]
    up = reference.hs6_cic(world.products).merge(world.p2.industry_attributes[["cic", "gvc_upstreamness"]], on="cic")
    g["up"] = pd.Series(hs).map(dict(zip(up["hs6"], up["gvc_upstreamness"]))).to_numpy()
    g["w_uv"], g["w_up"] = g["ln_uv"] * g["value_usd"], g["up"] * g["value_usd"]
    g["w_r"] = g["r_uv"] * g["value_usd"]
    g["v_r"] = g["value_usd"].where(g["r_uv"].notna())
    f = g.groupby(["fid", "year"], sort=True).agg(
        n_prod=("product", "nunique"), general=("general", "sum"), v=("value_usd", "sum"), w_uv=("w_uv", "sum"),
        w_up=("w_up", "sum"), w_r=("w_r", "sum"), v_r=("v_r", "sum")).reset_index()
    return pd.DataFrame({
        "fid": f["fid"], "year": f["year"], "imp": np.log(f["n_prod"].astype(float)), "general": f["general"],
        "v": f["v"], "qua_price": f["w_uv"] / f["v"], "qua_price_minmax": f["w_r"] / f["v_r"].where(f["v_r"] > 0),
        "gvc_upstreamness_firm": f["w_up"] / f["v"]})


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
    """The latent P2 panel: one row per survey firm-year with a quality, 2010-2012 (module docstring).

    ``q``: the observation-level :func:`latent_quality` if already computed; ``prev_survey``: the
    written survey of 2009 (legal_code, year, admin_code, cic), for the exit rates of 2010."""
    p2w = world.p2
    q = latent_quality(world, draws) if q is None else q
    fq = _firm_year_quality(q)
    ex = export_side(world, draws)
    ex["gvc_top"] = top_share(ex["gvc_upstreamness_firm"], 0.9)
    frames = []
    for year in P2_YEARS:
        d = draws[year]
        fy = d.firm_years[d.firm_years["kind"] == KIND_SURVEY][["fid", "year", "city", "industry", "p2_u", "p2_causal",
                                                                 "n_dig", "n_nondig"]]
        frames.append(fy)
    fy = pd.concat(frames, ignore_index=True)
    panel = fq.merge(fy, on=["fid", "year"], how="left")
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
    panel = panel.merge(ex, on=["fid", "year"], how="left")
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
    panel["general_trade"] = (panel["general"] > 0.5 * panel["v"]).astype(float)
    for x in MODERATORS:
        panel[f"egscore_{x}"] = panel["egscore"] * panel[x]
    # sample flags and first differences
    panel = panel.sort_values(["firm_id", "year"]).reset_index(drop=True)
    g = panel.groupby("firm_id")
    panel["city_changer"] = (g["city"].transform("nunique") > 1).astype(float)
    panel["industry_changer"] = (g["industry"].transform("nunique") > 1).astype(float)
    panel["balanced"] = (g["year"].transform("size") == len(P2_YEARS)).astype(float)
    consecutive = (panel["year"] - g["year"].shift(1)) == 1
    for v in ("qua", "qua_causal", "egscore", *P2_CONTROL_COLUMNS):
        panel[f"D_{v}"] = (panel[v] - g[v].shift(1)).where(consecutive)
    panel["D_qua_causal"] = panel.pop("D_qua_causal")
    return panel
