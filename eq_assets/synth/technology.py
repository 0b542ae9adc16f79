"""Firms' technology positions and the foreign-filing exposure behind IV_patent (P1 Table 7).

Each firm has home IPC entries: one per digital category (01-04) of the digital table and one
non-digital entry (``NONDIGITAL_IPC``), drawn uniformly from their own stream. A patent takes its
main IPC entry from the firm's home entry with probability ``WorldParams.tech_focus`` (else
uniformly: among the category's entries for a digital code, among the non-digital entries
otherwise); a digital patent's main code is its digital code with probability
:data:`DIGITAL_MAIN_SHARE` (``patents``: else it is digital through a secondary class only).

The expected share of the firm's patents whose main code lies in IPC subclass s is then

    w_is = d_i [m (f 1[home_c(i)] + (1-f) U_c) weighted by the category shares + (1-m) N_i]
           + (1 - d_i) N_i,          N_i = f 1[home_nd(i)] + (1-f) U_nd

(f = tech_focus, m = DIGITAL_MAIN_SHARE, U uniform over the entries, d_i the firm's digital
share of filings at its 2004 rates), and the structural driver of its digital patenting is
``sum_s w_is rel_st`` with ``rel_st = (ln F_st - ln F_s,2004)`` minus its cross-class mean
(``RefData.foreign_ipc``; frozen at 2014): :func:`class_driver`. The pipeline's IV_patent
estimates w from the firm's realized patents.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from eq_assets.synth.catalog import DIGITAL_IPC, NONDIGITAL_IPC
from eq_assets.synth.rng import stream

#: digital categories and their shares among digital filings (firmyear's CATEGORY_SHARES)
CATEGORIES = ("01", "02", "03", "04")
#: share of digital patents whose main code is the digital one (the rest: secondary only)
DIGITAL_MAIN_SHARE = 0.85


def subclass_of(entry: str) -> str:
    """IPC subclass (4 characters) of a table entry: "H04L 9/" -> "H04L"."""
    return entry.replace(" ", "").upper()[:4]


def ipc_subclasses() -> tuple[str, ...]:
    """Every IPC subclass of the world's digital and non-digital entries, sorted."""
    return tuple(sorted({subclass_of(e) for _, _, e in DIGITAL_IPC} | {subclass_of(e) for e in NONDIGITAL_IPC}))


def digital_entries_by_category() -> dict[str, np.ndarray]:
    """Category -> indices of its entries in DIGITAL_IPC."""
    cats = np.array([c[:2] for c, _, _ in DIGITAL_IPC])
    return {c: np.flatnonzero(cats == c) for c in CATEGORIES}


@dataclass(frozen=True)
class TechProfile:
    """Home entries of every firm (fid order): ``home_dig`` (n x 4, indices into DIGITAL_IPC,
    one per category) and ``home_nd`` (n, index into NONDIGITAL_IPC); ``dig_share`` the firm's
    digital share of filings at its 2004 rates (0 without patenting)."""

    home_dig: np.ndarray
    home_nd: np.ndarray
    dig_share: np.ndarray


def build_tech_profile(firms: pd.DataFrame, seed: int) -> TechProfile:
    rng = stream(seed, "technology")
    n = len(firms)
    by_cat = digital_entries_by_category()
    home_dig = np.column_stack([by_cat[c][rng.integers(0, len(by_cat[c]), n)] for c in CATEGORIES]).astype(np.int16)
    home_nd = rng.integers(0, len(NONDIGITAL_IPC), n).astype(np.int16)
    lam_d = np.exp(firms["dig_rate"].to_numpy())
    lam_n = np.exp(firms["nondig_rate"].to_numpy())
    tot = lam_d + lam_n
    share = np.divide(lam_d, tot, out=np.zeros(n), where=tot > 0)
    return TechProfile(home_dig=home_dig, home_nd=home_nd, dig_share=share.astype(np.float64))


def main_entries(tech: TechProfile, fid: np.ndarray, digital: np.ndarray, cats: np.ndarray, focus: float,
                 rng: np.random.Generator) -> np.ndarray:
    """Main-entry choice of patents of firms ``fid`` (-1: not a firm): for a digital patent of
    category ``cats`` (its digital code's entry) the index into DIGITAL_IPC, for a non-digital
    code the index into NONDIGITAL_IPC; home entry with probability ``focus``, else uniform."""
    n = len(fid)
    out = np.empty(n, dtype=np.int64)
    home = (fid >= 0) & (rng.random(n) < focus)
    by_cat = digital_entries_by_category()
    u = rng.random(n)
    for j, c in enumerate(CATEGORIES):
        m = digital & (cats == c)
        pool = by_cat[c]
        out[m] = pool[np.minimum((u[m] * len(pool)).astype(np.int64), len(pool) - 1)]
        hm = m & home
        out[hm] = tech.home_dig[fid[hm], j]
    nd = ~digital
    out[nd] = np.minimum((u[nd] * len(NONDIGITAL_IPC)).astype(np.int64), len(NONDIGITAL_IPC) - 1)
    hn = nd & home
    out[hn] = tech.home_nd[fid[hn]]
    return out


def class_driver(tech: TechProfile, fid: np.ndarray, rel: np.ndarray, focus: float,
                 category_shares: tuple[float, ...]) -> np.ndarray:
    """``sum_s w_is rel_s`` for firms ``fid`` (module docstring); ``rel`` per IPC subclass (the
    order of :func:`ipc_subclasses`) for one year."""
    subs = {s: k for k, s in enumerate(ipc_subclasses())}
    dig_sub = np.array([subs[subclass_of(e)] for _, _, e in DIGITAL_IPC])
    nd_sub = np.array([subs[subclass_of(e)] for e in NONDIGITAL_IPC])
    by_cat = digital_entries_by_category()
    f, m = focus, DIGITAL_MAIN_SHARE
    u_nd = rel[nd_sub].mean()
    nd_part = f * rel[nd_sub[tech.home_nd[fid]]] + (1 - f) * u_nd
    dig_part = np.zeros(len(fid))
    for j, (c, share) in enumerate(zip(CATEGORIES, category_shares)):
        u_c = rel[dig_sub[by_cat[c]]].mean()
        dig_part += share * (f * rel[dig_sub[tech.home_dig[fid, j]]] + (1 - f) * u_c)
    d = tech.dig_share[fid]
    return d * (m * dig_part + (1 - m) * nd_part) + (1 - d) * nd_part
