"""P2's structure in the synthetic world: e-government, its instruments, and its effect on quality.

P2 (Ma, Wang & Gong; SPEC section 5) regresses firm-year export quality ``qua_it`` (SPEC section
3, P2 variant) on the city e-government score ``egscore_ct`` (P2 eq. 8 and 14), 2010-2012. This
module draws, from its own seeded streams (``rng.stream(seed, "p2", ...)``), everything P2 needs
beyond P1's world and writes nothing itself (:mod:`eq_assets.synth.world` writes the frames).

City-year e-government (years 2010-2012), the latent level::

    e_ct = eg_mean + mu_c + trend (t - 2011) + pi_pt + b_w (W_ct - W_mean)
           + b_g rug_c (ln DOM_pt - ln DOM_p,2011) + phi_e u_ct + eta_ct

* ``pi_pt``: province-year component shared by the province's cities -> the neighbour-city
  instrument (mean score of same-province cities closest in GDP, P2 Table 6 cols. 1-3) moves
  egscore through it;
* ``W_ct``: digital-economy word frequency of the city's work report (IV_int, Table 6 col. 4);
* ``rug_c ln DOM_pt``: terrain ruggedness x ln province domain count (IV_gov, col. 5; b_g < 0,
  "flatter cities have a better basis for the digital economy", P2 section 4.2.4);
* ``u_ct ~ N(0,1)``: the unobserved city-year shock (P2's reverse-causality story: better firms,
  more revenue, more e-government). It raises e-government (``p2_shock_egscore`` > 0) AND firm
  log quality (``p2_shock_quality`` > 0), independently of every instrument and of pi, W, rug,
  DOM, so **OLS of qua on egscore is biased upwards** and the three instruments are valid;
* ``eta_ct``: exogenous noise.

The nine sub-indices (P2 eq. 14) are ``clip(e_ct + b_n + subindex noise, 0.01, 0.99)`` rounded
to 4 decimals, and ``egscore_ct`` is their mean: exactly what the pipeline computes from the file.

Mechanisms (P2 Table 10; :func:`_mechanisms`). E-government moves two of P2's mechanism
variables by known amounts, both city-year and written only to P2's reference files:

* ``ln FDI_ct`` (city panel, Table 10 col. 3 "外资流入") gains ``p2_fdi_eg (egscore_ct - egbar_t)``
  in 2010-2012 (the city panel's FDI is P2's alone);
* the city's patent-application score of the innovation index (``city_innovation``, Table 10 col.
  4 "创新引领", 0-100) = level_c + trend + ``p2_innov_eg (egscore_ct - egbar_t)`` + noise;

and each moves firm log quality: ``p2_fdi_quality (ln FDI_ct - mean_t)`` and
``p2_innov_quality (score_ct - mean_t)`` (the paper's channels: "外资...进而提升出口质量",
"创新...推动企业出口质量升级"). The total effect of egscore on ln lambda is then beta_eg +
p2_fdi_eg p2_fdi_quality + p2_innov_eg p2_innov_quality; the Table 10 truths are oracle values. The
other two mechanisms, ``exit`` (survey exits by city x industry) and ``imp`` (products exported),
are built from the survey firms' presence and the customs product lists shared with P1, so
e-government leaves them alone (moving them would change P1's samples); their truths are oracle
values on the world's own exits and product counts.

Firm log quality in 2010-2012 gains (:func:`firm_year_effects`)::

    beta_eg egscore_ct + (egscore_ct - egbar_t) sum_h delta_h H_ih
    + p2_fdi_quality fdi_dev_ct + p2_innov_quality innov_dev_ct + phi_q u_ct

with ``egbar_t`` the year's mean score over cities and ``H_ih`` time-invariant firm moderators
(P2 Tables 7-9: coastal city, e-government-policy city, smart-city pilot, FTZ province,
high-broadband province, labour-intensive and high-tech industry, private ownership, latent ln
assets and SA index, GVC top-decile industry, general-trade firm). Centering on ``egbar_t`` keeps the moderated part free of
any common trend, so within a firm it moves only with the city's own score deviations, which are
independent of P1's Eco, controls and instruments: P1's estimands are untouched (the P2 terms
are extra firm-year noise in 2010-2012 for P1). Digital patenting and P1's instruments (1984
phones/posts, internet ports, foreign patents) enter nothing here.

E-government policy cities (P2 Table 7 col. 3, :func:`_egov_policy`): a share
``p2_policy_share`` of the cities issue local e-government policies, each in some years of
2006-2014 (at least one); the list written is one row per city and policy year.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from eq_assets.settings import P1_YEARS, P2_YEARS
from eq_assets.synth import p2_catalog as pc
from eq_assets.synth import reference
from eq_assets.synth.catalog import INDUSTRIES, PROVINCES, cities_frame
from eq_assets.synth.params import P2_MODERATORS, WorldParams
from eq_assets.synth.population import KIND_INTERMEDIARY, MODE_GENERAL, Population
from eq_assets.synth.rng import stream

#: Sub-index columns of the egov_scores source (P2 eq. 14) and their offsets around e_ct.
SUBINDEX_OFFSETS: dict[str, float] = {
    "idf": 0.05, "enp": 0.03, "tax": 0.02, "int": -0.05, "emp": 0.0, "doc": 0.04, "tra": -0.03,
    "housing": -0.06, "info": 0.0,
}
SUBINDICES: tuple[str, ...] = tuple(SUBINDEX_OFFSETS)


@dataclass
class P2World:
    """P2's place-level draws (all years of the files) and the latent city-year components."""

    city_attributes: pd.DataFrame  # canonical columns of city_attributes (+ city index "_city")
    province_panel: pd.DataFrame  # canonical province_panel, 2004-2014
    egov: pd.DataFrame  # city-year 2010-2012: city_code, year, sub-indices, egscore + latent parts
    work_report: pd.DataFrame  # city_code, year, digital_word_freq (2010-2012)
    industry_attributes: pd.DataFrame  # cic, gvc_upstreamness, high_tech, energy_raw
    input_tariffs: pd.DataFrame  # cic, year, input_tariff (2004-2014)
    eg_year_mean: dict[int, float]  # mean egscore over cities per P2 year
    egov_policy: pd.DataFrame  # canonical egov_policy: city_code, city_name, year, n_policies
    city_panel: pd.DataFrame  # canonical city_panel (reference.city_panel) with FDI moved by egscore
    innovation: pd.DataFrame  # canonical city_innovation: city_code, year, patent_score (2010-2012)


def _city_attributes(seed: int) -> pd.DataFrame:
    c = cities_frame()
    rng = stream(seed, "p2", "ruggedness")
    rug = np.round(np.exp(rng.normal(-0.2, 0.6, len(c))), 4)
    prov = c["province_code"]
    return pd.DataFrame({
        "city_code": c["city_code"],
        "city_name": c["city_name"] + "市",
        "province_code": prov,
        "region": prov.map(pc.PROVINCE_REGION),
        "coastal": c["city_code"].isin(pc.COASTAL_CITIES).astype(int),
        "provincial_capital": c["city_code"].isin(pc.PROVINCIAL_CAPITALS).astype(int),
        "municipality": prov.isin(pc.MUNICIPALITY_PROVINCES).astype(int),
        "smart_city_year": pd.array(c["city_code"].map(pc.SMART_CITY_YEAR), dtype="Int64"),
        "terrain_ruggedness": rug,
    })


def _province_panel(seed: int) -> pd.DataFrame:
    """Real GDP, broadband users, domain counts and the FTZ flag, province-year 2004-2014."""
    rng = stream(seed, "p2", "province_panel")
    c = cities_frame()
    codes = [p for p, _ in PROVINCES]
    size = c.groupby("province_code")["weight"].sum().reindex(codes).to_numpy()
    n = len(codes)
    gdp0 = 1500.0 * size * np.exp(rng.normal(0, 0.15, n))  # 100 million 2004 yuan
    g_gdp = rng.normal(0.11, 0.015, n)
    high = np.isin(codes, sorted(pc.HIGH_BROADBAND_PROVINCES))
    bb0 = np.where(high, rng.uniform(560, 800, n), rng.uniform(60, 150, n))  # 10 thousand users
    dom0 = 0.8 * size * np.exp(rng.normal(0, 0.3, n))  # 10 thousand domain names
    g_dom = rng.normal(0.25, 0.10, n)
    rows = []
    for k, year in enumerate(P1_YEARS):
        rows.append(pd.DataFrame({
            "province_code": codes,
            "year": year,
            "real_gdp": np.round(gdp0 * np.exp(g_gdp * k + rng.normal(0, 0.01, n)), 2),
            "broadband_users": np.round(bb0 * 1.2 ** k * np.exp(rng.normal(0, 0.02, n)), 2),
            "domain_count": np.round(dom0 * np.exp(g_dom * k + rng.normal(0, 0.05, n)), 3),
            "ftz": np.isin(codes, sorted(pc.FTZ_PROVINCES)).astype(int),
        }))
    return pd.concat(rows, ignore_index=True)


def _industries(seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    cics = [i[0] for i in INDUSTRIES]
    attrs = pd.DataFrame({
        "cic": cics,
        "gvc_upstreamness": [pc.GVC_UPSTREAMNESS[k] for k in cics],
        "high_tech": [int(k in pc.HIGH_TECH_INDUSTRIES) for k in cics],
        "energy_raw": [int(k in pc.ENERGY_RAW_INDUSTRIES) for k in cics],
    })
    rng = stream(seed, "p2", "tariffs")
    lvl = rng.uniform(4.0, 14.0, len(cics))
    rows = [pd.DataFrame({"cic": cics, "year": y,
                          "input_tariff": np.round(lvl * 0.97 ** (y - 2004) + rng.normal(0, 0.3, len(cics)), 2)})
            for y in P1_YEARS]
    return attrs, pd.concat(rows, ignore_index=True)


#: Years of the e-government policy list (P2 counts the cities with a policy in 2010-2012).
POLICY_YEARS: tuple[int, ...] = tuple(range(2006, 2015))
#: The window of P2 Table 7 col. 3's moderator.
POLICY_WINDOW: tuple[int, int] = (min(P2_YEARS), max(P2_YEARS))


def _egov_policy(seed: int, attrs: pd.DataFrame, p: WorldParams) -> pd.DataFrame:
    """One row per city and year with local e-government policies (PKU Law counts), 2006-2014."""
    rng = stream(seed, "p2", "egov_policy")
    n, k = len(attrs), len(POLICY_YEARS)
    has = rng.random(n) < p.p2_policy_share
    years = rng.random((n, k)) < p.p2_policy_year_prob
    first = rng.integers(0, k, n)
    years[np.arange(n), first] = True  # every listed city has at least one policy year
    counts = 1 + rng.poisson(0.6, (n, k))
    r, c = np.nonzero(years & has[:, None])
    return pd.DataFrame({
        "city_code": attrs["city_code"].to_numpy()[r], "city_name": attrs["city_name"].to_numpy()[r],
        "year": np.array(POLICY_YEARS)[c], "n_policies": counts[r, c],
    }).sort_values(["city_code", "year"]).reset_index(drop=True)


def policy_cities(policy: pd.DataFrame, window: tuple[int, int] = POLICY_WINDOW) -> frozenset[str]:
    """Cities with a policy year inside ``window`` (P2 Table 7 col. 3's moderator)."""
    lo, hi = window
    return frozenset(policy.loc[policy["year"].between(lo, hi), "city_code"].astype(str))


def _mechanisms(seed: int, egov: pd.DataFrame, p: WorldParams) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The city panel with FDI moved by e-government, the innovation score, and each city-year's
    deviations of ln FDI and the score from their year means (module docstring)."""
    cp = reference.city_panel(seed)
    dev = egov[["city_code", "year", "egscore"]].copy()
    dev["eg_dev"] = dev["egscore"] - dev.groupby("year")["egscore"].transform("mean")
    key = ["city_code", "year"]
    cp = cp.merge(dev[key + ["eg_dev"]], on=key, how="left")
    shift = np.exp(p.p2_fdi_eg * cp["eg_dev"].fillna(0.0).to_numpy())
    cp["fdi"] = np.round(cp["fdi"].to_numpy() * shift, 0)
    cp = cp.drop(columns="eg_dev")
    rng = stream(seed, "p2", "innovation")
    cities = egov["city_code"].drop_duplicates().sort_values().to_numpy()
    level = dict(zip(cities, p.p2_innov_mean + p.p2_innov_city_sd * rng.standard_normal(len(cities))))
    noise = p.p2_innov_noise_sd * rng.standard_normal(len(dev))
    score = (dev["city_code"].map(level).to_numpy() + p.p2_innov_trend * (dev["year"].to_numpy() - 2011)
             + p.p2_innov_eg * dev["eg_dev"].to_numpy() + noise)
    inn = pd.DataFrame({"city_code": dev["city_code"].to_numpy(), "year": dev["year"].to_numpy(),
                        "patent_score": np.round(np.clip(score, 0.0, 100.0), 2)})
    m = dev[key].merge(cp[key + ["fdi"]], on=key, how="left").merge(inn, on=key, how="left")
    lnf = np.log(m["fdi"].astype(float))
    m["fdi_dev"] = lnf - lnf.groupby(m["year"]).transform("mean")
    m["innov_dev"] = m["patent_score"] - m.groupby("year")["patent_score"].transform("mean")
    inn = inn.sort_values(["year", "city_code"]).reset_index(drop=True)
    return cp, inn, m[key + ["fdi_dev", "innov_dev"]]


def build_p2(p: WorldParams) -> P2World:
    """Draw P2's places and the city-year e-government scores (P2 eq. 14) with their components."""
    attrs = _city_attributes(p.seed)
    prov = _province_panel(p.seed)
    ind, tariffs = _industries(p.seed)
    n = len(attrs)
    years = np.array(P2_YEARS)
    rng = stream(p.seed, "p2", "egov")
    mu = p.p2_eg_city_sd * rng.standard_normal(n)
    prov_codes = [q for q, _ in PROVINCES]
    pi = p.p2_eg_province_year_sd * rng.standard_normal((len(prov_codes), len(years)))
    w_city = p.p2_words_city_sd * rng.standard_normal(n)
    w_year = p.p2_words_year_sd * rng.standard_normal((n, len(years)))
    u = rng.standard_normal((n, len(years)))
    eta = p.p2_eg_noise_sd * rng.standard_normal((n, len(years)))
    sub_noise = p.p2_subindex_sd * rng.standard_normal((n, len(years), len(SUBINDICES)))

    pidx = np.array([prov_codes.index(q) for q in attrs["province_code"]])
    dom = prov.set_index(["province_code", "year"])["domain_count"]
    ln_dom_ref = np.log(dom.loc[list(zip(attrs["province_code"], [int(years[1])] * n))].to_numpy())
    rows, words = [], []
    for j, year in enumerate(years):
        w = np.round(np.maximum(0.0, p.p2_words_mean + w_city + w_year[:, j]), 2)
        ln_dom = np.log(dom.loc[list(zip(attrs["province_code"], [int(year)] * n))].to_numpy())
        # within-city part only: the city level of rug x ln DOM is part of mu_c
        rd = attrs["terrain_ruggedness"].to_numpy() * (ln_dom - ln_dom_ref)
        rows.append(dict(year=int(year), w=w, rd=rd, j=j))
        words.append(pd.DataFrame({"city_code": attrs["city_code"], "year": int(year), "digital_word_freq": w}))
    frames = []
    for r in rows:
        j = r["j"]
        e = (p.p2_eg_mean + mu + p.p2_eg_trend * (r["year"] - 2011) + pi[pidx, j]
             + p.p2_eg_words * (r["w"] - p.p2_words_mean) + p.p2_eg_rugged_domain * r["rd"]
             + p.p2_shock_egscore * u[:, j] + eta[:, j])
        f = pd.DataFrame({"_city": np.arange(n), "city_code": attrs["city_code"], "province_code": attrs["province_code"],
                          "year": r["year"]})
        for k, s in enumerate(SUBINDICES):
            f[s] = np.round(np.clip(e + SUBINDEX_OFFSETS[s] + sub_noise[:, j, k], 0.01, 0.99), 4)
        f["egscore"] = f[list(SUBINDICES)].mean(axis=1)
        f["e_latent"], f["u"], f["pi"], f["mu"] = e, u[:, j], pi[pidx, j], mu
        f["words"], f["rugged_ln_domain"] = r["w"], r["rd"]
        frames.append(f)
    egov = pd.concat(frames, ignore_index=True)
    eg_mean = egov.groupby("year")["egscore"].mean().to_dict()
    cp, inn, dev = _mechanisms(p.seed, egov, p)
    egov = egov.merge(dev, on=["city_code", "year"], how="left", validate="one_to_one")
    return P2World(
        city_attributes=attrs.assign(_city=np.arange(n)),
        province_panel=prov,
        egov=egov,
        work_report=pd.concat(words, ignore_index=True),
        industry_attributes=ind,
        input_tariffs=tariffs,
        eg_year_mean={int(k): float(v) for k, v in eg_mean.items()},
        egov_policy=_egov_policy(p.seed, attrs, p),
        city_panel=cp,
        innovation=inn,
    )


def firm_moderators(fy: pd.DataFrame, pop: Population, p: WorldParams, p2w: P2World | None = None) -> pd.DataFrame:
    """The time-invariant structural moderators H_ih of each firm-year row (P2 Tables 7-9).

    City/province/industry moderators use the firm-year's city and industry; ln_assets and SA use
    the latent firm size ``s_i = le + k_int`` (the mean of ln total assets) and the firm's age in
    2011, so they do not move with the year-to-year balance sheet (P1's controls)."""
    f = pop.firms
    attrs = cities_frame()
    city_code = attrs["city_code"].to_numpy()[fy["city"].to_numpy()]
    prov = np.array([c[:2] for c in city_code])
    cic = np.array([INDUSTRIES[k][0] for k in range(len(INDUSTRIES))], dtype=object)[fy["industry"].to_numpy()]
    fid = fy["fid"].to_numpy()
    s = f["le"].to_numpy()[fid] + f["k_int"].to_numpy()[fid]
    age = 2011 - f["open_year"].to_numpy()[fid]
    out = pd.DataFrame({
        "coastal": np.isin(city_code, sorted(pc.COASTAL_CITIES)),
        "egov_policy": np.isin(city_code, sorted(policy_cities(p2w.egov_policy))) if p2w is not None else False,
        "smart_city": np.isin(city_code, sorted(pc.SMART_CITY_YEAR)),
        "ftz": np.isin(prov, sorted(pc.FTZ_PROVINCES)),
        "infra": np.isin(prov, sorted(pc.HIGH_BROADBAND_PROVINCES)),
        "ind_type": ~np.array([pc.capital_intensive(c) for c in cic], dtype=bool),
        "high_tech": np.isin(cic, sorted(pc.HIGH_TECH_INDUSTRIES)),
        "private": f["reg_type"].isin(sorted(pc.PRIVATE_REG_TYPES)).to_numpy()[fid],
        "ln_assets": s - p.p2_size_center,
        "SA": -0.737 * (s - np.log(1000.0)) + 0.043 * (s - np.log(1000.0)) ** 2 - 0.040 * (age + 1) - p.p2_sa_center,
        "gvc_top": np.isin(cic, sorted(pc.GVC_TOP_INDUSTRIES)),
        "general_trade": f["mode_type"].to_numpy()[fid] == MODE_GENERAL,
    }, index=fy.index).astype(float)
    return out[list(P2_MODERATORS)]


def firm_year_effects(fy: pd.DataFrame, pop: Population, p2w: P2World, p: WorldParams, year: int) -> pd.DataFrame:
    """Add P2's terms of firm log quality to the firm-year frame (zero outside 2010-2012).

    Columns added: ``egscore`` (the firm's city-year score, NaN outside P2's years),
    ``p2_causal`` = beta_eg egscore + (egscore - egbar_t) sum_h delta_h H_ih + the mechanism
    terms (FDI and innovation deviations, module docstring), ``p2_u`` = phi_q u_ct (the
    confounding part) and ``p2_effect`` = their sum (enters ln lambda in
    :func:`eq_assets.synth.trade.observations`). Intermediaries get zeros (they never enter P2)."""
    fy = fy.copy()
    if year not in P2_YEARS:
        fy["egscore"] = np.nan
        fy["p2_causal"] = fy["p2_u"] = fy["p2_effect"] = 0.0
        return fy
    eg = p2w.egov[p2w.egov["year"] == year].set_index("_city")
    city = fy["city"].to_numpy()
    egscore = eg["egscore"].reindex(city).to_numpy()
    u = eg["u"].reindex(city).to_numpy()
    H = firm_moderators(fy, pop, p, p2w)
    slope = H.to_numpy() @ np.array([p.p2_delta[h] for h in P2_MODERATORS])
    mech = (p.p2_fdi_quality * eg["fdi_dev"].reindex(city).to_numpy()
            + p.p2_innov_quality * eg["innov_dev"].reindex(city).to_numpy())
    causal = p.p2_beta_eg * egscore + (egscore - p2w.eg_year_mean[year]) * slope + mech
    conf = p.p2_shock_quality * u
    inter = (fy["kind"] == KIND_INTERMEDIARY).to_numpy()
    fy["egscore"] = egscore
    fy["p2_causal"] = np.where(inter, 0.0, causal)
    fy["p2_u"] = np.where(inter, 0.0, conf)
    fy["p2_effect"] = fy["p2_causal"] + fy["p2_u"]
    return fy


def survey_exports(exports_usd: pd.Series, fy: pd.DataFrame, p: WorldParams) -> pd.Series:
    """Customs exports (USD, by fid) as the survey's export delivery value sees them in 2010-2012.

    With CES demand a firm's export value moves with (sigma-1) x its log quality, so the survey's
    export delivery value -- and revenue, which covers it -- would carry the e-government terms
    and the shock u_ct, turning P2's controls Con_exp and Con_inc into mediators of egscore (bad
    controls; P2 treats them as given firm characteristics, eq. 8). The world keeps to P2's
    identifying assumptions except the one it breaks on purpose (u_ct): the survey value is the
    customs value net of exp((sigma-1) (p2_effect_it - mean_t p2_effect)), so it keeps all
    other firm-year variation (products, markets, demand, quality noise)."""
    eff = fy.set_index("fid")["p2_effect"]
    live = fy["kind"] != KIND_INTERMEDIARY
    centered = eff - float(fy.loc[live, "p2_effect"].mean())
    adj = np.exp(-(p.sigma - 1.0) * centered.reindex(exports_usd.index).fillna(0.0))
    return exports_usd * adj
