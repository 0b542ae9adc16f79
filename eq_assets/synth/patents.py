"""Patent applications of a year (SPEC sections 1 and 4: Eco).

Every firm-year's digital and non-digital counts (drawn in ``firmyear``) become application
records, plus patents of applicants that are not survey firms (universities, individuals;
below-scale exporters file under their own names, which match no survey firm either).

- application number "CN" + year + type digit (1 invention, 2 utility model, 3 design) +
  7-digit serial + check digit, unique;
- applicant: the firm's survey name, sometimes a spacing or bracket-width variant (both undone
  by name normalization), sometimes with a university co-applicant ("name;清华大学");
- IPC: a digital patent carries at least one code under an entry of the digital table (usually
  as main class; sometimes only as a secondary class); a non-digital patent carries none; the
  main entries of firms' patents follow their technology positions (``technology``: home entry
  with probability ``tech_focus``), which make the firm-level IV_patent exposure;
- forward citations: over-dispersed counts, more for inventions and for older filings, and for
  firm-years with more digital innovation (mean x exp(cite_eco * Eco));
- digital firm patents carry the type (发明/实用新型/外观设计) and digital category (01-04) drawn
  in ``firmyear`` (so Eco_invent, Eco_str, Eco_manu, Eco_apply, Eco_factor computed from this
  file are the ones that moved quality); every digital IPC code of one patent lies in the
  patent's category, so a patent's category is that of any of its digital codes;
- years 2004-2019 (firms alive in 2014 keep filing: P1 Table 3's industry digital patents).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from eq_assets.sources.contract import PATENT_TYPES
from eq_assets.synth import names as nm
from eq_assets.synth.catalog import DIGITAL_IPC, GIVEN, NONDIGITAL_IPC, SURNAMES, UNIVERSITIES, ipc_subgroup
from eq_assets.synth.firmyear import CATEGORY_CODES, CATEGORY_SHARES, DIGITAL_TYPE_SHARES
from eq_assets.synth.params import WorldParams
from eq_assets.synth.population import KIND_SURVEY, Population
from eq_assets.synth.rng import stream
from eq_assets.synth.technology import DIGITAL_MAIN_SHARE, main_entries

TYPE_NAMES = np.array(list(PATENT_TYPES), dtype=object)  # 发明, 实用新型, 外观设计
_CAT_WEIGHT = dict(zip(CATEGORY_CODES, CATEGORY_SHARES))  # categories of non-firm digital patents


def _codes(entries: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One concrete IPC code per row under the given table entries."""
    out = np.empty(len(entries), dtype=object)
    codes, uniques = pd.factorize(entries)  # hashing: no per-entry scan of an object array
    order = np.argsort(codes, kind="stable")
    bounds = np.r_[0, np.cumsum(np.bincount(codes, minlength=len(uniques)))]
    for k in sorted(range(len(uniques)), key=lambda j: uniques[j]):  # entries in sorted order (np.unique's)
        idx = order[bounds[k]:bounds[k + 1]]
        out[idx] = ipc_subgroup(uniques[k], rng, len(idx))
    return out


def _digital_entries(rng: np.random.Generator, n: int, cats: np.ndarray | None = None) -> np.ndarray:
    """Table entries for ``n`` digital codes: in the given categories ("01".."04"), or with
    categories drawn by _CAT_WEIGHT; entries equally likely within a category."""
    entries = np.array([e for _, _, e in DIGITAL_IPC], dtype=object)
    ecats = np.array([c[:2] for c, _, _ in DIGITAL_IPC])
    if cats is None:
        cats = np.array(list(_CAT_WEIGHT))[rng.choice(len(_CAT_WEIGHT), n, p=np.array(list(_CAT_WEIGHT.values())))]
    out = np.empty(n, dtype=object)
    for c in np.unique(cats):
        idx = np.flatnonzero(cats == c)
        pool = entries[ecats == c]
        out[idx] = pool[rng.integers(0, len(pool), len(idx))]
    return out


def _firm_digital(has: pd.DataFrame, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Type (0 invention, 1 utility, 2 design) and category of each digital patent of the
    firm-years in ``has`` (counts drawn in ``firmyear``), in fid order; categories are paired
    with types at random within the firm-year."""
    tcounts = has[["n_invent", "n_utility", "n_design"]].to_numpy()
    ccounts = has[[f"n_cat{c}" for c in CATEGORY_CODES]].to_numpy()
    ptype = np.repeat(np.tile(np.arange(3), len(has)), tcounts.ravel())
    cats = np.repeat(np.tile(np.array(CATEGORY_CODES), len(has)), ccounts.ravel())
    group = np.repeat(np.arange(len(has)), has["n_dig"].to_numpy())
    cats = cats[np.lexsort((rng.random(len(cats)), group))]
    return ptype.astype(int), cats


def patent_rows(fy: pd.DataFrame, pop: Population, p: WorldParams, year: int) -> pd.DataFrame:
    """All patent applications filed in ``year`` (canonical column names)."""
    rng = stream(p.seed, "patents", year)
    f = pop.firms
    has = fy[(fy["n_dig"] > 0) | (fy["n_nondig"] > 0)]
    fid = np.r_[np.repeat(has["fid"].to_numpy(), has["n_dig"].to_numpy()),
                np.repeat(has["fid"].to_numpy(), has["n_nondig"].to_numpy())]
    digital = np.r_[np.ones(int(has["n_dig"].sum()), bool), np.zeros(int(has["n_nondig"].sum()), bool)]
    n_f = len(fid)
    dig_type, dig_cat = _firm_digital(has, rng)

    # applicant names of firm patents
    names = f["name"].to_numpy()[fid].copy()
    u = rng.random(n_f)
    brk = f["bracket"].to_numpy()[fid]
    for i in np.flatnonzero(u < 0.15):
        names[i] = nm.bracket_variant(names[i]) if (brk[i] and u[i] < 0.06) else nm.spacing_variant(names[i], rng)
    co = rng.random(n_f) < p.coapplicant_rate
    names[co] = names[co] + ";" + rng.choice(np.array(UNIVERSITIES, dtype=object), int(co.sum()))

    # patents of universities and individuals (not survey firms)
    n_survey_active = int((fy["kind"] == KIND_SURVEY).sum())
    n_o = int(rng.poisson(p.nonfirm_patents_per_firm * n_survey_active))
    univ = rng.random(n_o) < 0.6
    onames = np.where(
        univ,
        rng.choice(np.array(UNIVERSITIES, dtype=object), n_o),
        np.char.add(rng.choice(np.array(list(SURNAMES)), n_o), np.char.add(rng.choice(np.array(list(GIVEN)), n_o), np.where(rng.random(n_o) < 0.6, rng.choice(np.array(list(GIVEN)), n_o), ""))).astype(object),
    )
    two = univ & (rng.random(n_o) < 0.1)
    onames[two] = onames[two] + ";" + rng.choice(np.array(UNIVERSITIES, dtype=object), int(two.sum()))
    odig = rng.random(n_o) < np.where(univ, 0.45, 0.2)

    applicant = np.r_[names, onames]
    is_dig = np.r_[digital, odig]
    n = len(applicant)
    ptype = np.where(is_dig, rng.choice(3, n, p=list(DIGITAL_TYPE_SHARES)), rng.choice(3, n, p=[0.30, 0.50, 0.20]))
    ptype = np.where(np.r_[np.zeros(n_f, bool), univ], 0, ptype) if n_o else ptype  # universities file inventions
    n_fd = len(dig_type)
    ptype[:n_fd] = dig_type  # firm digital patents: the types drawn in firmyear
    cat = np.array(list(_CAT_WEIGHT))[rng.choice(len(_CAT_WEIGHT), n, p=np.array(list(_CAT_WEIGHT.values())))]
    cat[:n_fd] = dig_cat

    # IPC codes: main + 0-3 secondary; every digital code of a patent is in the patent's category;
    # the entries follow the firm's technology position (home entries, technology.py)
    owner = np.r_[fid, np.full(n_o, -1)]
    dig_entries = np.array([e for _, _, e in DIGITAL_IPC], dtype=object)
    dig_code = _codes(dig_entries[main_entries(pop.tech, owner, np.ones(n, bool), cat, p.tech_focus, rng)], rng)
    nd_code = _codes(np.array(NONDIGITAL_IPC, dtype=object)[main_entries(pop.tech, owner, np.zeros(n, bool), cat, p.tech_focus, rng)], rng)
    dig_secondary = is_dig & (rng.random(n) < 1.0 - DIGITAL_MAIN_SHARE)  # digital only through a secondary class
    main = np.where(is_dig & ~dig_secondary, dig_code, nd_code)
    n_extra = np.minimum(rng.poisson(0.9, n), 3)
    # secondary codes in slots (None: empty): the digital code if digital only through a
    # secondary class, then up to 3 drawn codes, each kept if it repeats neither the main code
    # nor a code already kept (column-wise, so memory stays a few arrays at millions of patents)
    slots = [np.where(dig_secondary, dig_code, None)]
    for k in range(3):
        idx = np.flatnonzero(n_extra > k)
        dig_x = is_dig[idx] & (rng.random(len(idx)) < 0.4)
        ent = np.where(dig_x, _digital_entries(rng, len(idx), cat[idx]), rng.choice(np.array(NONDIGITAL_IPC, dtype=object), len(idx)))
        codes = _codes(ent, rng)
        keep = codes != main[idx]
        for s in slots:
            keep &= codes != s[idx]
        slot = np.full(n, None, dtype=object)
        slot[idx[keep]] = codes[keep]
        slots.append(slot)
    ipc_all = main.copy()
    for s in slots:
        has_code = np.not_equal(s, None)
        ipc_all[has_code] = ipc_all[has_code] + ";" + s[has_code]
    del slots, dig_code, nd_code  # the codes not used as main or secondary go now

    # citations: negative binomial, mean by type and age of the filing (x exp(cite_eco * Eco) for firms)
    eco = np.r_[np.repeat(has["Eco"].to_numpy(), has["n_dig"].to_numpy()),
                np.repeat(has["Eco"].to_numpy(), has["n_nondig"].to_numpy()), np.zeros(n_o)]
    base = np.array([4.0, 1.2, 0.3])[ptype] * max(2021 - year, 1) / 8.0 * np.exp(p.cite_eco * eco)
    cites = rng.poisson(rng.gamma(0.8, base / 0.8))

    # application numbers: unique serials within (year, type), in random order
    serial = np.empty(n, dtype=np.int64)
    for t in range(3):
        idx = np.flatnonzero(ptype == t)
        serial[idx] = 1_000_000 + rng.choice(8_999_999, len(idx), replace=False)
    # body = year (4 digits) + type digit + serial (7 digits): 12 digits, as an integer
    body = np.int64(year) * 10**8 + (ptype + 1).astype(np.int64) * 10**7 + serial
    weights = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)  # of the body's digits, left to right
    check = sum(((body // 10 ** (11 - i)) % 10) * w for i, w in enumerate(weights)) % 10
    number = body * 10 + check
    # application numbers are "CN" + 13 digits: their string order is the order of ``number``,
    # so the rows are put in application-number order (stable) before any string is built
    order = np.argsort(number, kind="stable")
    return pd.DataFrame({
        "application_no": np.array([f"CN{v}" for v in number[order].tolist()], dtype=object),
        "applicant": applicant[order],
        "app_year": year,
        "patent_type": TYPE_NAMES[ptype[order]],
        "ipc_main": main[order],
        "ipc_all": ipc_all[order],
        "citations": cites[order],
        "_fid": np.r_[fid, np.full(n_o, -1)][order],
        "_digital": is_dig[order],
    })
