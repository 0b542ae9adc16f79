"""The firm population: every firm's time-invariant attributes (SPEC section 7).

Three kinds of firms, in this order of ``fid``:

- ``survey`` (0): firms of the industrial survey (ASIF), a share of them exporters;
- ``nonsurvey`` (1): exporters below the survey's size threshold, in customs only (no match);
- ``intermediary`` (2): trade intermediaries, in customs only, names with 进出口/贸易/...

Each firm has an industry, city, registration type, opening year and a contiguous span of
active years; latent capability ``a`` (firm effect of log quality), a digital-patenting
propensity (log rate, mildly correlated with ``a``; the same distribution in every industry,
so that industry-year aggregates of Eco carry no industry-specific trend), non-digital
patenting, balance-sheet levels, and, for exporters, a product portfolio, destination
preferences, trade-mode type and customs identity (code, name spelling, phone, zip).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from eq_assets.settings import P1_YEARS
from eq_assets.synth import names as nm
from eq_assets.synth.catalog import (
    INDUSTRIES, INTERMEDIARY_WORDS, PRODUCTS_PER_INDUSTRY, REG_TYPES, Products, cities_frame,
    destinations_frame,
)
from eq_assets.synth.params import WorldParams
from eq_assets.synth.rng import stream

FIRST_YEAR, LAST_YEAR = P1_YEARS[0], P1_YEARS[-1]
KIND_SURVEY, KIND_NONSURVEY, KIND_INTERMEDIARY = 0, 1, 2
#: trade-mode types of an exporter
MODE_GENERAL, MODE_IMPORTED, MODE_ASSEMBLY, MODE_MIXED = 0, 1, 2, 3


@dataclass
class Population:
    """Firm attributes (``firms``, one row per fid) and exporters' portfolio matrices."""

    firms: pd.DataFrame
    portfolio: np.ndarray  # (n_firms, PRODUCTS_PER_INDUSTRY) product ids in preference order, -1 = none
    dest_keys: np.ndarray  # (n_firms, n_destinations) persistent destination preference keys
    #: (n_firms, PRODUCTS_PER_INDUSTRY) every product of the firm's industry in preference order
    #: (the home portfolio is its first n_products; Eco adds the next ones, WorldParams.variety_eco)
    preference: np.ndarray | None = None
    tech: "TechProfile | None" = None  # home IPC entries (technology.py)


def _years(rng: np.random.Generator, n: int, p: WorldParams) -> tuple[np.ndarray, np.ndarray]:
    first = np.where(rng.random(n) < p.incumbent_share, FIRST_YEAR, rng.integers(FIRST_YEAR + 1, LAST_YEAR + 1, n))
    last_early = first + np.floor(rng.random(n) * (LAST_YEAR - first)).astype(int)
    last = np.where(rng.random(n) < p.survivor_share, LAST_YEAR, last_early)
    return first, np.maximum(first, last)


def _open_year(rng: np.random.Generator, first: np.ndarray) -> np.ndarray:
    old = np.clip(first - 1 - np.round(rng.lognormal(np.log(7.0), 0.8, len(first))), 1949, None)
    new = first - rng.poisson(0.7, len(first))
    return np.where(first == FIRST_YEAR, old, new).astype(int)


def _unique_names(rng, city_names, trades, words, suffixes, bracket, taken: set[str]) -> np.ndarray:
    """Compose names, redrawing trade names until every normalized name is new."""
    out = np.empty(len(city_names), dtype=object)
    for i in range(len(city_names)):
        trade = trades[i]
        while True:
            name = nm.compose(city_names[i], trade, words[i], suffixes[i], bool(bracket[i]))
            key = nm.normalize(name)
            if key not in taken:
                break
            trade = nm.trade_names(rng, 1)[0]
        taken.add(key)
        trades[i] = trade
        out[i] = name
    return out


def build_population(p: WorldParams, products: Products) -> Population:
    """Draw all firms of the world (deterministic in ``p.seed`` and ``p.n_survey_firms``)."""
    rng = stream(p.seed, "population")
    cities = cities_frame()
    dests = destinations_frame()
    n_s = p.n_survey_firms
    exporter = rng.random(n_s)  # decided below, after ownership
    reg_idx_s = rng.choice(len(REG_TYPES), n_s, p=_norm([r[1] for r in REG_TYPES]))
    foreign_s = np.array([REG_TYPES[k][3] for k in reg_idx_s])
    p_exp = np.where(foreign_s, 1.6, 0.85)
    p_exp = p.exporter_share * p_exp / p_exp.mean()
    exporter = exporter < p_exp
    n_exp = int(exporter.sum())
    n_ns = int(round(n_exp * p.nonsurvey_exporter_share / (1 - p.nonsurvey_exporter_share)))
    n_int = int(round((n_exp + n_ns) * p.intermediary_ratio))
    n = n_s + n_ns + n_int
    kind = np.r_[np.full(n_s, KIND_SURVEY), np.full(n_ns, KIND_NONSURVEY), np.full(n_int, KIND_INTERMEDIARY)]
    f = pd.DataFrame({"fid": np.arange(n), "kind": kind})
    f["exporter"] = np.r_[exporter, np.ones(n_ns + n_int, dtype=bool)]

    f["industry"] = rng.choice(len(INDUSTRIES), n, p=_norm([i[6] for i in INDUSTRIES]))
    f["city"] = rng.choice(len(cities), n, p=_norm(cities["weight"]))
    f["district"] = _districts(rng, cities, f["city"].to_numpy())
    reg_idx = np.r_[reg_idx_s, rng.choice(len(REG_TYPES), n - n_s, p=_norm([r[1] for r in REG_TYPES]))]
    reg_idx[kind == KIND_INTERMEDIARY] = 6  # intermediaries: private limited companies (173)
    f["reg_type"] = [REG_TYPES[k][0] for k in reg_idx]
    f["foreign"] = [REG_TYPES[k][3] for k in reg_idx]
    suffix = np.array([REG_TYPES[k][2] for k in reg_idx], dtype=object)
    first, last = _years(rng, n, p)
    f["first_year"], f["last_year"] = first, last
    f["open_year"] = _open_year(rng, first)

    # movers (survey firms): one change of city or of 4-digit industry, in a year inside the span
    span_ok = (last > first) & (kind == KIND_SURVEY)
    f["move_city_year"] = np.where(span_ok & (rng.random(n) < p.mover_city_rate), first + 1 + np.floor(rng.random(n) * np.maximum(last - first, 1)).astype(int), 0)
    f["city2"] = (f["city"] + rng.integers(1, len(cities), n)) % len(cities)
    f["district2"] = _districts(rng, cities, f["city2"].to_numpy())
    f["move_ind_year"] = np.where(span_ok & (rng.random(n) < p.mover_industry_rate), first + 1 + np.floor(rng.random(n) * np.maximum(last - first, 1)).astype(int), 0)
    f["industry2"] = (f["industry"] + rng.integers(1, len(INDUSTRIES), n)) % len(INDUSTRIES)

    # latent capability and patenting propensities
    z_a = rng.standard_normal(n)
    f["a"] = p.sd_capability * z_a
    dig_share = np.where(f["exporter"], p.digital_firm_share_exporters, p.digital_firm_share_others)
    digital = (rng.random(n) < dig_share) & (kind != KIND_INTERMEDIARY)
    rho = p.rho_propensity_capability
    f["dig_rate"] = np.where(digital, p.digital_rate_mean + p.digital_rate_sd * (rho * z_a + np.sqrt(1 - rho**2) * rng.standard_normal(n)), -np.inf)
    nondig = (rng.random(n) < p.nondigital_firm_share) & (kind != KIND_INTERMEDIARY)
    f["nondig_rate"] = np.where(nondig, p.nondigital_rate_mean + 0.8 * rng.standard_normal(n), -np.inf)

    # balance-sheet levels (SPEC section 4 controls; thousand yuan)
    f["le"] = np.where(kind == KIND_SURVEY, rng.normal(5.0, 0.9, n), rng.normal(3.8, 0.6, n))
    f["g_emp"] = rng.normal(0.02, 0.04, n)
    f["k_int"] = rng.normal(5.6, 0.6, n)
    f["f_fix"] = rng.normal(-0.5, 0.6, n)
    f["f_cur"] = rng.normal(1.5, 0.6, n)
    f["f_lev"] = rng.normal(0.3, 0.7, n)
    f["f_cl"] = rng.normal(1.7, 0.6, n)
    f["f_prof"] = rng.normal(np.log(0.05), 0.6, n)
    f["tfp"] = 0.3 * f["a"] + rng.normal(0.0, 0.3, n)

    # trade attributes
    f["cost"] = rng.normal(0.0, p.sd_cost_firm, n)
    f["n_products"] = np.minimum(1 + rng.poisson(p.mean_products - 1, n), PRODUCTS_PER_INDUSTRY)
    f.loc[kind == KIND_INTERMEDIARY, "n_products"] = 3
    f["mu_dest"] = rng.lognormal(np.log(p.mean_destinations) - 0.06, 0.35, n)
    proc = np.where(f["foreign"], 2.5 * p.processing_share, p.processing_share)
    u = rng.random(n)
    mixed_share = np.where(f["foreign"], 1.5 * p.mixed_mode_share, p.mixed_mode_share)
    mode = np.where(u < mixed_share, MODE_MIXED, np.where(u < mixed_share + proc, np.where(rng.random(n) < 0.75, MODE_IMPORTED, MODE_ASSEMBLY), MODE_GENERAL))
    f["mode_type"] = np.where(kind == KIND_INTERMEDIARY, MODE_GENERAL, mode)

    # product portfolio: Gumbel-top-k over the industry's products with Zipf-like weights
    pt = products.table
    w = p.product_zipf * np.log(pt["weight"].to_numpy()).reshape(len(INDUSTRIES), PRODUCTS_PER_INDUSTRY)
    keys = w[f["industry"].to_numpy()] + rng.gumbel(size=(n, PRODUCTS_PER_INDUSTRY))
    order = np.argsort(-keys, axis=1)
    portfolio = (f["industry"].to_numpy()[:, None] * PRODUCTS_PER_INDUSTRY + order).astype(np.int32)
    # intermediaries trade anything: their portfolio is drawn over all products
    inter_idx = np.flatnonzero(kind == KIND_INTERMEDIARY)
    keys_all = p.product_zipf * np.log(pt["weight"].to_numpy())[None, :] + rng.gumbel(size=(len(inter_idx), len(pt)))
    portfolio[inter_idx] = np.argsort(-keys_all, axis=1)[:, :PRODUCTS_PER_INDUSTRY]
    preference = portfolio.copy()
    portfolio[np.arange(PRODUCTS_PER_INDUSTRY)[None, :] >= f["n_products"].to_numpy()[:, None]] = -1
    dest_keys = (p.destination_zipf * np.log(dests["weight"].to_numpy())[None, :] + rng.gumbel(size=(n, len(dests)))).astype(np.float32)

    # names and identifiers
    city_names = cities["city_name"].to_numpy()[f["city"]]
    words = np.array([INDUSTRIES[k][2] for k in f["industry"]], dtype=object)
    inter = kind == KIND_INTERMEDIARY
    words[inter] = rng.choice(np.array(INTERMEDIARY_WORDS, dtype=object), int(inter.sum()))
    bracket = (rng.random(n) < 0.15) & ~inter
    trades = nm.trade_names(rng, n)
    f["name"] = _unique_names(rng, city_names, trades, words, suffix, bracket, set())
    f["trade"], f["word"], f["suffix"], f["bracket"] = trades, words, suffix, bracket
    f["legal_code"] = np.where(kind == KIND_SURVEY, nm.legal_codes(rng, n), None)
    f["phone"] = nm.phones(rng, cities["area_code"].to_numpy()[f["city"]])
    f["zip"] = nm.zips(rng, cities["zip_base"].to_numpy()[f["city"]])
    _customs_identity(f, rng, p, cities)
    from eq_assets.synth.technology import build_tech_profile

    return Population(firms=f, portfolio=portfolio, dest_keys=dest_keys, preference=preference,
                      tech=build_tech_profile(f, p.seed))


def _customs_identity(f: pd.DataFrame, rng: np.random.Generator, p: WorldParams, cities: pd.DataFrame) -> None:
    """Customs code, name spelling, phone and zip of every exporter (SPEC section 2 defects)."""
    n = len(f)
    type_digit = np.where(f["reg_type"].str[0] == "1", np.where(f["reg_type"].isin(["110", "120", "151"]), 1, 9), np.where(f["reg_type"].str[0] == "2", 2, 3))
    code = nm.customs_codes(rng, cities["city_code"].to_numpy()[f["city"]], type_digit)
    f["customs_code"] = np.where(f["exporter"], code, None)
    kinds = np.full(n, "exact", dtype=object)
    survey_exp = (f["kind"] == KIND_SURVEY) & f["exporter"]
    u = rng.random(n)
    hard = survey_exp & (u < p.hard_name_rate)
    soft = survey_exp & ~hard & (u < p.hard_name_rate + p.name_variant_rate)
    pick = rng.random(n)
    bracket = f["bracket"].to_numpy()
    soft_kind = np.where(bracket & (pick < 0.6), "bracket_width", np.where(pick < 0.55, "spacing", "suffix"))
    kinds[soft] = soft_kind[soft]
    kinds[hard] = "hard_phone_zip"
    kinds[(f["kind"] == KIND_NONSURVEY).to_numpy()] = "no_survey_firm"
    kinds[(f["kind"] == KIND_INTERMEDIARY).to_numpy()] = "intermediary"
    cname = f["name"].to_numpy().copy()
    city_names = cities["city_name"].to_numpy()[f["city"]]
    for i in np.flatnonzero(kinds != "exact"):
        k = kinds[i]
        if k == "spacing":
            cname[i] = nm.spacing_variant(cname[i], rng)
        elif k == "bracket_width":
            cname[i] = nm.bracket_variant(cname[i])
        elif k == "suffix":
            cname[i] = nm.suffix_variant(cname[i])
        elif k == "hard_phone_zip":
            cname[i] = nm.hard_variant(city_names[i], f["trade"].iat[i], f["word"].iat[i], f["suffix"].iat[i], rng)
    f["name_variant_kind"] = np.where(f["exporter"], kinds, None)
    f["customs_name"] = np.where(f["exporter"], cname, None)
    # a share of name-matchable exporters report another phone to customs (not needed to match)
    other = survey_exp & ~hard & (rng.random(n) < p.customs_phone_differs)
    new_phone = nm.phones(rng, cities["area_code"].to_numpy()[f["city"]])
    new_phone = np.char.add(new_phone.astype(str), "").astype(object)
    # keep customs phones distinct from every survey phone: use the 9xxxxxxx range
    new_phone = np.array([ph.split("-")[0] + "-9" + ph.split("-")[1][1:] for ph in new_phone], dtype=object)
    f["customs_phone"] = np.where(other, new_phone, f["phone"])
    f["customs_zip"] = f["zip"]


def _districts(rng: np.random.Generator, cities: pd.DataFrame, city: np.ndarray) -> np.ndarray:
    """A district code (XX of PPCCXX) of each firm's city, uniformly among the city's list."""
    width = max(len(d) for d in cities["districts"])
    table = np.array([list(d) + [d[0]] * (width - len(d)) for d in cities["districts"]], dtype=object)
    n_d = np.array([len(d) for d in cities["districts"]])
    pick = np.floor(rng.random(len(city)) * n_d[city]).astype(int)
    return table[city, pick]


def _norm(w) -> np.ndarray:
    w = np.asarray(w, dtype=float)
    return w / w.sum()
