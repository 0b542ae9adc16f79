"""Tests of P2's part of the synthetic world (eq_assets.synth.p2, p2_oracle; SPEC sections 5, 7).

Files and headers of P2's raw sources, their vocabularies and flags, e-government scores in [0, 1],
enough cities per province for the 5/7/10-neighbour instrument, instruments relevant for egscore
and independent of the unobserved city-year shock u_ct, truth rows, P1's years untouched, and on
the latent P2 panel (scale small, 2010-2012 only): OLS biased upwards relative to the causal
effect, 2SLS with each Table 6 instrument recovering it.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from eq_assets.settings import P1_YEARS, P2_YEARS
from eq_assets.sources import contract  # noqa: F401  (contract before contract_p2: import order)
from eq_assets.sources.contract_p2 import (
    CITY_ATTRIBUTES, EGOV_SCORES, INDUSTRY_ATTRIBUTES, INPUT_TARIFFS, P2_SOURCES, PROVINCE_PANEL, REGIONS,
    WORK_REPORT,
)
from eq_assets.synth import WorldParams, build_world, generate, simulate_year
from eq_assets.synth import p2_oracle as po
from eq_assets.synth import reference
from eq_assets.synth.catalog import INDUSTRIES
from eq_assets.synth.p2 import SUBINDICES

SEED = 7
SMALL_SEED = 20240801


@pytest.fixture(scope="module")
def p2_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth_p2") / "raw"
    summary = generate(out, scale="tiny", seed=SEED, years=P2_YEARS)
    return out, summary


@pytest.fixture(scope="module")
def small_latent():
    """Latent P2 panel of a small world (2010-2012 only) and its city-year frame."""
    logging.getLogger("eq_assets.regressions.engine").setLevel(logging.WARNING)
    p = WorldParams.for_scale("small", SMALL_SEED)
    world = build_world(p)
    draws = {y: simulate_year(world, y) for y in P2_YEARS}
    city_panel = world.p2.city_panel  # the written city panel (FDI moved by egscore)
    panel = po.latent_panel(world, draws, city_panel)
    return world, panel, po.city_year_frame(world.p2, city_panel)


def _read(root, source):
    return pd.read_csv(root / source.path_for(), dtype=str, keep_default_na=False)


def test_p2_files_have_contract_headers(p2_dir):
    root, summary = p2_dir
    for src in P2_SOURCES:
        path = root / src.path_for()
        assert path.exists(), src.name
        header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
        assert header == list(src.columns), src.name
        assert summary["files"][src.path_for()] > 0


def test_p2_vocabularies_and_flags(p2_dir):
    root, _ = p2_dir
    ca = _read(root, CITY_ATTRIBUTES)
    assert set(ca["地区"]) <= set(REGIONS)
    assert ca["城市代码"].is_unique and ca["城市代码"].str.fullmatch(r"\d{4}").all()
    muni = ca["直辖市"] == "1"
    assert set(ca.loc[muni, "省份代码"]) == {"11", "12", "31"}
    assert (ca.loc[ca["省份代码"].isin(["11", "12", "31", "50"]), "直辖市"] == "1").all()
    cap = ca[ca["省会城市"] == "1"]
    assert cap["省份代码"].is_unique and not (cap["直辖市"] == "1").any()
    assert set(cap["省份代码"]) == set(ca.loc[~muni, "省份代码"])  # one capital per province
    assert set(ca["智慧城市试点年份"]) <= {"", "2013", "2015"}
    assert set(ca["沿海城市"]) == {"0", "1"}
    assert (ca["地形起伏度"].astype(float) > 0).all()
    pp = _read(root, PROVINCE_PANEL)
    assert sorted(pp["年份"].astype(int).unique()) == list(P1_YEARS)
    assert set(pp["省份代码"]) == set(ca["省份代码"])
    assert (pp.groupby("省份代码")["自贸区省份"].nunique() == 1).all()  # FTZ: a province attribute
    for c in ("实际地区生产总值", "互联网宽带接入用户数", "域名数"):
        assert (pp[c].astype(float) > 0).all()
    # infra: the high-broadband provinces stay above the P2-years mean, the others below
    p2 = pp[pp["年份"].astype(int).isin(P2_YEARS)].assign(bb=lambda d: d["互联网宽带接入用户数"].astype(float))
    above = (p2["bb"] > p2["bb"].mean()).groupby(p2["省份代码"]).nunique()
    assert (above == 1).all()
    ia = _read(root, INDUSTRY_ATTRIBUTES)
    assert set(ia["行业代码"]) == {i[0] for i in INDUSTRIES}
    assert set(ia["高技术产业"]) == {"0", "1"} and set(ia["能源原材料行业"]) == {"0", "1"}
    tr = _read(root, INPUT_TARIFFS)
    assert len(tr) == len(INDUSTRIES) * len(P1_YEARS) and (tr["中间投入品关税"].astype(float) > 0).all()
    wr = _read(root, WORK_REPORT)
    assert sorted(wr["年份"].astype(int).unique()) == list(P2_YEARS)
    assert (wr["数字经济词频"].astype(float) >= 0).all()


def test_egscores_in_unit_interval_and_cover_cities(p2_dir):
    root, _ = p2_dir
    eg = _read(root, EGOV_SCORES)
    ca = _read(root, CITY_ATTRIBUTES)
    assert sorted(eg["年份"].astype(int).unique()) == list(P2_YEARS)
    assert len(eg) == len(ca) * len(P2_YEARS) and not eg.duplicated(["城市代码", "年份"]).any()
    vals = eg[list(EGOV_SCORES.columns)[2:]].astype(float)
    assert ((vals > 0) & (vals < 1)).all().all()
    score = vals.mean(axis=1)
    assert 0.25 < score.mean() < 0.75 and score.std() > 0.05


def test_enough_neighbour_cities(small_latent):
    """Provinces with 11+ eligible cities give distinct 5/7/10-neighbour instruments (Table 6)."""
    _, _, cy = small_latent
    elig = cy[(cy["provincial_capital"] == 0) & (cy["municipality"] == 0)]
    per_prov = elig.groupby("province_code")["city_code"].nunique()
    assert (per_prov >= 11).sum() >= 4 and (per_prov >= 6).all()
    ok = cy["egscore_size5"].notna()
    assert ok.sum() == len(elig)
    assert (cy.loc[ok, "egscore_size5"] != cy.loc[ok, "egscore_size10"]).mean() > 0.5
    assert cy.loc[cy["provincial_capital"] == 1, "egscore_size5"].isna().all()


def _within(cy: pd.DataFrame, cols) -> pd.DataFrame:
    d = cy[cols] - cy.groupby("city_code")[cols].transform("mean")
    return d - d.groupby(cy["year"]).transform("mean")


def test_instruments_relevant_and_independent_of_u(small_latent):
    """On the city-year data (within city and year): each instrument moves egscore, none moves u."""
    _, _, cy = small_latent
    ivs = ["egscore_size5", "egscore_size7", "egscore_size10", "IV_int", "IV_gov"]
    d = _within(cy.dropna(subset=ivs), ["egscore", "u", *ivs])
    n = len(d)
    for z in ivs:
        r_eg = np.corrcoef(d[z], d["egscore"])[0, 1]
        r_u = np.corrcoef(d[z], d["u"])[0, 1]
        assert abs(r_eg) * np.sqrt(n) > 4, (z, r_eg)  # relevant
        assert abs(r_u) * np.sqrt(n) < 3, (z, r_u)  # independent of the confounder
    assert np.corrcoef(d["u"], d["egscore"])[0, 1] > 0.2  # u raises egscore (the built-in bias)


def test_truth_rows(p2_dir):
    root, _ = p2_dir
    t = pd.read_csv(root / "truth.csv", dtype={"table": str, "column": str})
    p2 = t[t["paper"] == "P2"]
    assert (p2["basis"] == "oracle").all() and p2["true_value"].notna().all()
    keys = set(zip(p2["table"], p2["column"], p2["term"]))
    need = {("2", "3", "egscore"), ("4", "1", "egscore"), *[("6", c, "egscore") for c in "12345"]}
    need |= {("7", str(i), f"egscore_{x}") for i, x in enumerate(("coastal", "egov_policy", "ftz", "infra"), start=2)}
    need |= {("8", "1", "egscore_ind_type"), ("8", "2", "egscore_high_tech")}
    need |= {("9", str(i), f"egscore_{x}") for i, x in
             enumerate(("private", "ln_assets", "SA", "gvc_top", "general_trade"), start=1)}
    need |= {("10", str(i), t) for i, x in enumerate(("exit", "imp", "fdi", "innov"), start=1)
             for t in ("egscore", x, f"egscore_{x}")}
    assert need <= keys, need - keys
    # every P2 spec (published readings and variants) has a truth for each regressor of interest
    from eq_assets.regressions.specs_p2 import P2_SPECS

    tv = set(zip(p2["table"], p2["column"], p2["variant"].fillna(""), p2["term"]))
    want = {(s.table, s.column, s.variant, r) for s in P2_SPECS for r in s.regressors}
    assert want <= tv, sorted(want - tv)[:5]
    assert len(t[t["paper"] == "P1"]) > 0  # P1's truths still there


def test_p2_generation_is_deterministic(p2_dir, tmp_path):
    root, _ = p2_dir
    again = tmp_path / "raw"
    generate(again, scale="tiny", seed=SEED, years=P2_YEARS)
    for rel in [s.path_for() for s in P2_SOURCES] + ["truth.csv", "params.json", "asif/asif_2011.csv", "customs/customs_2011.csv"]:
        assert hashlib.sha256((root / rel).read_bytes()).digest() == hashlib.sha256((again / rel).read_bytes()).digest(), rel


def test_p1_years_untouched_and_p2_terms_independent_of_eco():
    """Outside 2010-2012 the P2 world draws exactly P1's world; inside, the P2 terms are
    independent of P1's Eco and controls (so P1's estimands are unchanged)."""
    world = build_world(WorldParams.for_scale("tiny", SEED))
    a = simulate_year(world, 2009)
    b = simulate_year(replace(world, p2=None), 2009)
    pd.testing.assert_frame_equal(a.obs, b.obs)
    pd.testing.assert_frame_equal(a.asif, b.asif)
    d = simulate_year(world, 2011)
    fy = d.firm_years[d.firm_years["kind"] != 2]
    within = fy["p2_effect"] - fy.groupby("city")["p2_effect"].transform("mean")
    assert abs(np.corrcoef(within, fy["Eco"])[0, 1]) < 0.1  # P1's regressor of interest: independent
    # the controls only weakly: the SA moderator is a function of firm age and size by P2's
    # definition (fn. 5), so the moderated part cannot be independent of Age and Size
    for c in ("Size", "Age", "Leverage"):
        assert abs(np.corrcoef(within, fy[c])[0, 1]) < 0.15, c


def _spec(table, column, variant=""):
    from eq_assets.regressions.specs_p2 import P2_SPECS

    return next(s for s in P2_SPECS if (s.table, s.column, s.variant) == (table, column, variant))


def test_latent_ols_biased_upwards(small_latent):
    _, panel, _ = small_latent
    s = po.bias_summary(panel, _spec("2", "3", "city_cluster"))  # SE over the city-year shocks
    assert s["bias_direction"] == "upward"
    assert s["ols_bias"] > 3 * s["ols_se"], s  # measurable (3.3 SE at scale small, default seed)
    assert s["causal_effect"] > 3 * s["causal_se"]


def test_latent_2sls_recovers_causal(small_latent):
    from eq_assets.regressions.engine import fit_spec

    _, panel, _ = small_latent
    causal = po.bias_summary(panel, _spec("2", "3", "city_cluster"))["causal_effect"]
    for col in "12345":
        # 2SLS on the confounded latent qua, SEs clustered by city (they cover the city-year shock)
        fit = fit_spec(_spec("6", col, "city_cluster"), panel)
        b, se = fit.coef("egscore"), fit.se("egscore")
        assert abs(b - causal) < 3 * se, (col, b, se, causal)


def _within_city_slope(df: pd.DataFrame, y: str, x: str) -> tuple[float, float]:
    """Slope and (iid) SE of y on x after removing city and year means (two-way within)."""
    d = _within(df, [y, x])
    b = float((d[x] * d[y]).sum() / (d[x] ** 2).sum())
    resid = d[y] - b * d[x]
    dof = len(d) - df["city_code"].nunique() - df["year"].nunique()
    se = float(np.sqrt((resid ** 2).sum() / dof / (d[x] ** 2).sum()))
    return b, se


def test_egscore_moves_fdi_and_innovation_by_the_known_effects(small_latent):
    """P2 Table 10 mechanisms: within city and year, ln FDI and the innovation score move with
    egscore by p2_fdi_eg and p2_innov_eg (their own noise is independent of egscore)."""
    world, _, cy = small_latent
    p = world.params
    cy = cy.assign(ln_fdi=np.log(cy["fdi"].astype(float)), innov=cy["innov"].astype(float))
    b, se = _within_city_slope(cy, "ln_fdi", "egscore")
    assert abs(b - p.p2_fdi_eg) < 4 * se + 0.05, (b, se)  # + rounding of FDI to 10k USD
    b, se = _within_city_slope(cy, "innov", "egscore")
    assert abs(b - p.p2_innov_eg) < 4 * se, (b, se)
    # and the mechanisms move quality: the firm-year causal term carries them
    eg = world.p2.egov
    assert eg["fdi_dev"].abs().max() > 0 and eg["innov_dev"].abs().max() > 0


def test_egov_policy_list_and_moderator(p2_dir, small_latent):
    """The policy list is one row per city and policy year (2006-2014, positive counts); the
    moderator marks the cities with a policy year in 2010-2012, about p2_policy_share of them."""
    from eq_assets.sources.contract_p2 import EGOV_POLICY

    root, _ = p2_dir
    pol = _read(root, EGOV_POLICY)
    assert not pol.duplicated(["城市代码", "发布年份"]).any()
    assert pol["发布年份"].astype(int).between(2006, 2014).all() and (pol["电子政务政策数"].astype(int) >= 1).all()
    world, panel, _ = small_latent
    cities = po.policy_cities(world.p2.egov_policy)
    inside = world.p2.egov_policy[world.p2.egov_policy["year"].between(2010, 2012)]
    assert cities == frozenset(inside["city_code"])
    share = len(cities) / world.p2.city_attributes["city_code"].nunique()
    assert 0.3 < share < 0.75, share
    assert set(panel["egov_policy"].unique()) == {0.0, 1.0}
    assert (panel["egov_policy"] == panel["city"].isin(cities)).all()


def test_latent_quality_is_standardized_over_the_matched_exports():
    """P2's oracle standardizes quality over what the pipeline estimates it on: survey firms'
    observations that the customs cleaning keeps (the matched exports), not every exporter's;
    the range is the measured quality's max - min within the product."""
    from eq_assets.synth.population import KIND_SURVEY
    from eq_assets.synth.trade import kept_by_cleaning

    world = build_world(WorldParams.for_scale("tiny", SEED))
    draws = {y: simulate_year(world, y) for y in P2_YEARS}
    q = po.latent_quality(world, draws)
    assert len(q) and (q["kind"] == KIND_SURVEY).all()
    kept = pd.concat([d.obs[(d.obs["kind"] == KIND_SURVEY) & kept_by_cleaning(d.obs)] for d in draws.values()])
    assert set(zip(q["year"], q["fid"], q["product"], q["dest"])) == set(zip(kept["year"], kept["fid"], kept["product"], kept["dest"]))
    q = q.dropna(subset=["rquality"])  # rows the estimator keeps
    assert len(q) > 1000
    span = q.groupby("product")["quality"].agg(lambda x: x.max() - x.min())
    assert np.allclose(q.groupby("product")["range"].first(), span)
    others = pd.concat([d.obs[d.obs["kind"] != KIND_SURVEY] for d in draws.values()])
    assert len(others)  # the world has other exporters, so the restriction is not vacuous


def test_true_quality_is_on_the_measured_scale():
    """P2's truth is the true quality in the published qua's units (p2_latent's docstring): the
    pipeline's estimator fitted on the written totals of the matched exports (trade modes
    summed), its fitted equation applied to the true quantities and prices, min-max standardized
    with the *measured* quality's min and range, value-weighted to the firm-year. Rebuilt here by
    hand from the draws and the pipeline's pure functions."""
    from eq_assets.quality.p2 import P2_SIGMA, estimate_quality_p2
    from eq_assets.synth.catalog import cities_frame
    from eq_assets.synth.population import KIND_SURVEY
    from eq_assets.synth.trade import kept_by_cleaning

    world = build_world(WorldParams.for_scale("tiny", SEED))
    draws = {y: simulate_year(world, y) for y in P2_YEARS}
    rows = []
    for y, d in draws.items():
        o = d.obs[(d.obs["kind"] == KIND_SURVEY) & kept_by_cleaning(d.obs)]
        fy = d.firm_years.set_index("fid")
        prov = cities_frame()["province_code"].to_numpy()[fy["city"].reindex(o["fid"]).to_numpy()]
        rows.append(pd.DataFrame({"year": y, "firm_id": o["fid"].to_numpy(), "hs6": o["product"].to_numpy(),
                                  "dest_code": o["dest"].to_numpy(), "quantity": o["quantity"].to_numpy(),
                                  "value_usd": o["value_usd"].to_numpy(), "q_true": np.exp(o["ln_q"].to_numpy()),
                                  "v_true": np.exp(o["ln_p"].to_numpy() + o["ln_q"].to_numpy()), "province": prov}))
    keys = ["year", "firm_id", "hs6", "dest_code"]
    obs = pd.concat(rows).groupby(keys, as_index=False).agg(
        quantity=("quantity", "sum"), value_usd=("value_usd", "sum"), q_true=("q_true", "sum"), v_true=("v_true", "sum"),
        province=("province", "first"))
    gdp = world.p2.province_panel.set_index(["province_code", "year"])["real_gdp"]
    obs["prov_gdp_real"] = gdp.reindex(list(zip(obs["province"], obs["year"]))).to_numpy()
    est, products, _ = estimate_quality_p2(obs)  # written totals
    b = products.set_index("hs6")
    est["true"] = (np.log(est["q_true"]) - est["hs6"].map(b["coef_ln_price"]) * np.log(est["v_true"] / est["q_true"])
                   - est["hs6"].map(b["coef_ln_gdp"]) * np.log(est["prov_gdp_real"]))
    est["true"] = (est["true"] - est.groupby(["hs6", "dest_code", "year"])["true"].transform("mean")) / (P2_SIGMA - 1)
    lo = est.groupby("hs6")["quality"].transform("min")
    est["rq"] = (est["true"] - lo) / (est.groupby("hs6")["quality"].transform("max") - lo)
    want = est.set_index(keys)[["quality", "true", "rq"]].sort_index()

    q = po.latent_quality(world, draws)
    got = q.dropna(subset=["quality"]).rename(columns={"fid": "firm_id", "product": "hs6", "dest": "dest_code"})
    got = got.set_index(keys)[["quality", "quality_true", "rquality"]].sort_index()
    assert len(want) > 1000 and got.index.equals(want.index)
    assert np.allclose(got.to_numpy(), want.to_numpy(), rtol=1e-9, atol=1e-9)
    assert not np.allclose(got["quality"], got["quality_true"], atol=1e-6)  # rounding: written != latent
    # the true quality tracks the world's ln lambda (net of cell means), rank-wise (tiny products
    # have weak instruments)
    lat = q.dropna(subset=["quality"])
    lw = lat["ln_lambda"] - lat.groupby(["product", "dest", "year"])["ln_lambda"].transform("mean")
    assert lat["quality_true"].corr(lw, method="spearman") > 0.5

    panel = po.latent_panel(world, draws, world.p2.city_panel, q)
    w = est.assign(wv=est["rq"] * est["value_usd"]).groupby(["firm_id", "year"])[["wv", "value_usd"]].sum()
    m = panel.set_index(["fid", "year"])["qua"].dropna()
    want_qua = (w["wv"] / w["value_usd"]).rename_axis(["fid", "year"]).reindex(m.index)
    assert len(m) > 100 and np.allclose(m, want_qua, rtol=1e-9, atol=1e-12)
