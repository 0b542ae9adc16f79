"""A synthetic panel holding every column a set of specifications reads (engine tests, benchmark).

:func:`synthetic_spec_panel` draws one observation-level frame with the panel column names of the
given specs (P1 and P2 alike): firms with a varying number of rows (some alone: singletons),
years, cities and industries that a few rows leave, cells; numeric variables with firm and year
components, a few missing values in controls and regressors (so that specs with and without
controls use different rows), moderators constant within firm (absorbed by the firm FE, dropped
as collinear), interaction terms ``egscore_<x>``, endogenous regressors driven by their
instruments, and the string / 0-1 columns the named samples filter on. It has no economics: it
exists to exercise the engine on the papers' own specifications.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

from eq_assets.regressions.samples import get_sample
from eq_assets.regressions.spec import RegressionSpec

#: String columns the named samples filter on, with the values drawn (a missing share added).
CATEGORIES: dict[str, tuple[str, ...]] = {
    "op_status": ("营业", "营业", "营业", "营业", "停业", "撤销", "筹建"),
    "ownership": ("soe", "private", "private", "other"),
    "firm_trade_class": ("pure_general", "pure_processing", "mixed"),
    "dest_development": ("developed", "developing", "least_developed"),
}
#: Variables drawn constant within firm (P2's firm-level moderators).
FIRM_CONSTANT = ("coastal", "smart_city", "ftz", "east", "city_changer", "industry_changer", "energy_raw", "balanced")
ID_COLUMNS = ("firm_id", "year", "city", "industry", "cell_id")


def synthetic_spec_panel(specs: Iterable[RegressionSpec], n_obs: int, *, seed: int = 0,
                         mean_rows_per_firm: float = 6.0, missing_share: float = 0.02,
                         n_years: int = 11) -> pd.DataFrame:
    """Rows with every column in ``columns_needed`` of ``specs`` (see the module docstring)."""
    specs = list(specs)
    rng = np.random.default_rng(seed)
    per_firm = rng.poisson(mean_rows_per_firm - 1, size=max(n_obs, 1)) + 1
    firm = np.repeat(np.arange(len(per_firm)), per_firm)[:n_obs]
    n_firms = int(firm.max()) + 1
    year = rng.integers(0, n_years, n_obs)
    city = rng.integers(0, max(n_firms // 20, 5), n_firms)[firm]
    city = np.where(rng.random(n_obs) < 0.05, rng.integers(0, max(n_firms // 20, 5), n_obs), city)
    industry = rng.integers(0, max(n_firms // 15, 5), n_firms)[firm]
    industry = np.where(rng.random(n_obs) < 0.05, rng.integers(0, max(n_firms // 15, 5), n_obs), industry)
    alpha = rng.normal(size=n_firms)
    gamma = rng.normal(scale=0.3, size=n_years)
    out: dict[str, np.ndarray] = {
        "firm_id": pd.Series(firm).map("F{:07d}".format).to_numpy(),
        "year": (2004 + year).astype("int64"), "city": city.astype("int64"), "industry": industry.astype("int64"),
        "cell_id": rng.integers(0, max(n_obs // 8, 5), n_obs).astype("int64"),
    }
    needed = list(dict.fromkeys(c for s in specs for c in s.columns_needed))
    numeric = list(dict.fromkeys(c for s in specs for c in s.numeric_columns))
    instruments = {z for s in specs for z in s.instruments}
    endog = {x: [z for s in specs if x in s.endogenous for z in s.instruments] for s in specs for x in s.endogenous}
    depvars = {s.depvar for s in specs} - set(endog)

    def draw(firm_level: bool = False) -> np.ndarray:
        if firm_level:
            return rng.normal(size=n_firms)[firm]
        return 0.6 * alpha[firm] + gamma[year] + rng.normal(size=n_obs)

    for c in numeric:
        if c in out or c in depvars or c in endog or c.startswith("egscore_") and c[8:] in numeric:
            continue
        out[c] = draw(firm_level=c in FIRM_CONSTANT)
    for c in instruments:
        out.setdefault(c, draw())
    for x, zs in endog.items():
        out[x] = sum(0.6 * out[z] for z in dict.fromkeys(zs)) + draw()
    for c in numeric:  # interactions egscore_<x> = egscore * x
        if c not in out and c.startswith("egscore_") and c[8:] in out:
            out[c] = out["egscore"] * out[c[8:]]
    regressors = [c for c in numeric if c in out and c not in ID_COLUMNS]
    for c in depvars:
        if c in out:
            continue
        slope = [r for r in regressors if r not in depvars][:6]
        out[c] = sum(0.1 * out[r] for r in slope) + alpha[firm] + gamma[year] + rng.normal(size=n_obs)
    # missing values: controls on one common set of rows (e.g. firms without survey data);
    # every other remaining model variable on rows of its own; the rest complete
    controls = {c for s in specs for c in s.controls}
    joint = rng.random(n_obs) < missing_share
    for k, c in enumerate(c for c in numeric if c in out and c not in ID_COLUMNS):
        if c in controls:
            out[c] = np.where(joint, np.nan, out[c])
        elif k % 2 == 0:
            out[c] = np.where(rng.random(n_obs) < missing_share, np.nan, out[c])
    for c in needed:
        if c in out:
            continue
        if c in CATEGORIES:
            vals = np.asarray(CATEGORIES[c], dtype=object)[rng.integers(0, len(CATEGORIES[c]), n_firms)][firm]
            out[c] = np.where(rng.random(n_obs) < missing_share, None, vals)
        else:  # a 0/1 sample flag
            firm_level = c in FIRM_CONSTANT
            out[c] = (rng.random(n_firms)[firm] if firm_level else rng.random(n_obs)) < 0.5
            out[c] = out[c].astype("int64")
    frame = pd.DataFrame({c: out[c] for c in dict.fromkeys(list(ID_COLUMNS) + needed) if c in out})
    for s in {s.sample for s in specs}:  # every named sample must select rows
        if not get_sample(s).mask(frame).any():
            raise ValueError(f"synthetic panel: sample {s!r} selects no row; add its column to CATEGORIES")
    return frame
