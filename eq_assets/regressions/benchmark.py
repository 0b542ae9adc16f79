"""Synthetic P1-like panels with known coefficients, and a timing of the demeaner backends.

``synthetic_p1_panel`` draws an observation-level panel shaped like P1's (firms with many
product-destination rows per year, each firm in one city and industry with a few rows elsewhere)
from ``Distance = beta * Eco + controls + firm effect + year effect + firm-clustered noise``, so
that tests can check recovery of a known beta and the backends can be timed on a realistic
sparsity pattern. Run ``python -m eq_assets.regressions.benchmark 1000000`` to time each backend
(each in a fresh process: a cold and a warm fit, peak RSS).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from dataclasses import replace

import numpy as np
import pandas as pd

from eq_assets.regressions.options import DEFAULT_SETTINGS
from eq_assets.regressions.specs import P1_CONTROLS, P1_TABLE1

#: Coefficients of the synthetic data-generating process.
TRUE_BETA_ECO = -0.02
TRUE_BETA_CONTROLS = dict(zip(P1_CONTROLS, (0.03, -0.01, 0.02, 0.0, -0.02, 0.01)))


def synthetic_p1_panel(
    n_obs: int,
    *,
    seed: int = 0,
    rows_per_firm: int = 20,
    n_years: int = 11,
    n_cities: int = 300,
    n_industries: int = 400,
    move_share: float = 0.05,
    beta: float = TRUE_BETA_ECO,
) -> pd.DataFrame:
    """A panel with the P1 Table 1 columns and a known ``beta`` on Eco.

    Eco is correlated with the firm effect (so pooled OLS is biased and the firm FE matters);
    the error has a firm-level component per year (so errors are correlated within firm and
    clustering matters).
    """
    rng = np.random.default_rng(seed)
    n_firms = max(n_obs // rows_per_firm, 10)
    firm = np.sort(rng.integers(0, n_firms, n_obs))
    year = rng.integers(0, n_years, n_obs)
    city = rng.integers(0, n_cities, n_firms)[firm]
    industry = rng.integers(0, n_industries, n_firms)[firm]
    moved = rng.random(n_obs) < move_share
    city = np.where(moved, rng.integers(0, n_cities, n_obs), city)
    moved = rng.random(n_obs) < move_share
    industry = np.where(moved, rng.integers(0, n_industries, n_obs), industry)
    alpha = rng.normal(size=n_firms)
    gamma = rng.normal(scale=0.3, size=n_years)
    eco = np.log1p(rng.poisson(np.exp(0.5 * alpha[firm] + 0.05 * year)))
    controls = {c: rng.normal(size=n_obs) for c in P1_CONTROLS}
    firm_year_shock = rng.normal(scale=0.5, size=(n_firms, n_years))[firm, year]
    y = (beta * eco + sum(TRUE_BETA_CONTROLS[c] * v for c, v in controls.items())
         + alpha[firm] + gamma[year] + firm_year_shock + rng.normal(size=n_obs))
    return pd.DataFrame({
        "Distance": y, "Eco": eco, **controls,
        "firm_id": pd.Series(firm).map("F{:07d}".format).to_numpy(),
        "year": (2004 + year).astype("int64"),
        "city": city.astype("int64"), "industry": industry.astype("int64"),
    })


def _time_one(backend: str, n_obs: int) -> dict:
    from eq_assets.regressions.engine import fit_spec

    spec = P1_TABLE1[3]
    data = synthetic_p1_panel(n_obs)
    settings = replace(DEFAULT_SETTINGS, demeaner_backend=backend)
    times, fits = [], []
    for _ in range(2):
        t0 = time.perf_counter()
        fits.append(fit_spec(spec, data, settings=settings))
        times.append(time.perf_counter() - t0)
    f = fits[-1]
    return {"backend": backend, "n_obs": f.n_obs, "cold_s": times[0], "warm_s": times[1],
            "fit_s": f.seconds, "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6,
            "coef": f.coef("Eco"), "se": f.se("Eco")}


def main(argv: list[str]) -> None:
    n_obs = int(argv[0]) if argv else 1_000_000
    backends = argv[1:] or ["within", "rust"]
    out = []
    for b in backends:
        res = subprocess.run([sys.executable, "-m", "eq_assets.regressions.benchmark", "--one", b, str(n_obs)],
                             capture_output=True, text=True, check=True)
        out.append(json.loads(res.stdout.strip().splitlines()[-1]))
    ref = out[0]
    for r in out:
        print(f"{r['backend']:7s} N={r['n_obs']:,} cold={r['cold_s']:.2f}s warm={r['warm_s']:.2f}s "
              f"(feols {r['fit_s']:.2f}s) peakRSS={r['peak_rss_gb']:.2f}GB coef={r['coef']:.12g} se={r['se']:.12g} "
              f"|dcoef|={abs(r['coef'] - ref['coef']):.1e} |dse|={abs(r['se'] - ref['se']):.1e}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--one":
        print(json.dumps(_time_one(sys.argv[2], int(sys.argv[3]))))
    else:
        main(sys.argv[1:])
