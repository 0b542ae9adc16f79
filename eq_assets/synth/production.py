"""Productivity, capital and labour paths of every firm (P1 Table 8 TFP; SPEC section 4).

Drawn once per world (one stream), for 2003-2019, so any year can be simulated alone and
the dynamics still hold. Real (2004-price) variables, logs:

    omega_it = rho_omega omega_i,t-1 + xi_it                 (AR(1), stationary sd sd_omega)
    k_it     = kbar_it + capital_rho (k_i,t-1 - kbar_i,t-1) + capital_omega omega_i,t-1 + eta_i,t-1
    l_it     = le_i + g_i (t - 2009) + labour_omega omega_it + s_it,   s AR(1)(0.5)
    ln VA_it = va_constant + beta_l,j l_it + beta_k,j k_it + omega_it + e_it   (j: the firm-year's 2-digit industry)
    ln M_it  = m0 + materials_omega omega_it + materials_k k_it

``kbar_it = le_i + k_int_i + ln logistic(f_fix_i) + g_i (t - 2009)`` is the firm's capital
target (the balance-sheet levels of ``population``). Capital is decided at t-1 (predetermined:
uncorrelated with xi_it), labour is chosen knowing omega_it (so OLS overstates beta_l), and
the intermediate input is strictly increasing in omega given k with no other shock (the
Levinsohn-Petrin proxy condition). omega has no firm mean (first-order Markov exactly, as LP
and ACF assume). ``firmyear`` writes employees = round(exp(l)) and computes ln VA from the
written employees, so the pipeline's l is the l of the production function. The elasticities
(beta_l,j, beta_k,j) are those of the firm-year's 2-digit CIC industry
(``WorldParams.industry_elasticities``, :func:`industry_elasticities`); the level constant and the
productivity process are common, so ``ln VA - beta_l,j l - beta_k,j k = va_constant + omega + e``
in every industry.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from eq_assets.synth.catalog import INDUSTRIES
from eq_assets.synth.params import WorldParams
from eq_assets.synth.rng import stream

#: first simulated year (a pre-sample year so that 2004's capital is predetermined)
PATH_START = 2003
PATH_END = 2019
#: ln M = MATERIALS_CONSTANT + ...: about 2.7 times value added at the mean (ASIF's ratio)
MATERIALS_CONSTANT = 4.7


@dataclass
class ProductionPaths:
    omega: np.ndarray  # (n_firms, years) float64
    k: np.ndarray  # ln real capital
    labour_shock: np.ndarray

    def col(self, year: int) -> int:
        return year - PATH_START


def production_paths(firms, p: WorldParams) -> ProductionPaths:
    rng = stream(p.seed, "production")
    n = len(firms)
    n_y = PATH_END - PATH_START + 1
    xi = rng.standard_normal((n, n_y)) * p.sd_omega * np.sqrt(1.0 - p.rho_omega**2)
    eta = rng.normal(0.0, 0.08, (n, n_y))
    s_innov = rng.standard_normal((n, n_y)) * p.sd_labour_shock * np.sqrt(1.0 - 0.25)
    omega = np.empty((n, n_y))
    k = np.empty((n, n_y))
    s = np.empty((n, n_y))
    le, g = firms["le"].to_numpy(), firms["g_emp"].to_numpy()
    kbase = le + firms["k_int"].to_numpy() + np.log(1.0 / (1.0 + np.exp(-firms["f_fix"].to_numpy())))
    omega[:, 0] = rng.standard_normal(n) * p.sd_omega
    s[:, 0] = rng.standard_normal(n) * p.sd_labour_shock
    kbar0 = kbase + g * (PATH_START - 2009)
    k[:, 0] = kbar0 + rng.normal(0.0, 0.15, n)
    for t in range(1, n_y):
        year = PATH_START + t
        kbar_prev = kbase + g * (year - 1 - 2009)
        kbar = kbase + g * (year - 2009)
        k[:, t] = kbar + p.capital_rho * (k[:, t - 1] - kbar_prev) + p.capital_omega * omega[:, t - 1] + eta[:, t - 1]
        omega[:, t] = p.rho_omega * omega[:, t - 1] + xi[:, t]
        s[:, t] = 0.5 * s[:, t - 1] + s_innov[:, t]
    return ProductionPaths(omega=omega, k=k, labour_shock=s)


def industry_elasticities(p: WorldParams) -> dict[str, tuple[float, float]]:
    """(beta_l, beta_k) of every 2-digit CIC industry of the catalog, in code order (industries
    absent from ``p.industry_elasticities`` have (p.beta_l, p.beta_k))."""
    codes = sorted({row[0][:2] for row in INDUSTRIES})
    return {c: tuple(map(float, p.industry_elasticities.get(c, (p.beta_l, p.beta_k)))) for c in codes}


def va_elasticities(industry: np.ndarray, p: WorldParams) -> tuple[np.ndarray, np.ndarray]:
    """(beta_l, beta_k) arrays for catalog industry indices ``industry`` (4-digit -> its 2-digit)."""
    el = industry_elasticities(p)
    pairs = np.array([el[row[0][:2]] for row in INDUSTRIES])
    idx = np.asarray(industry, dtype=np.int64)
    return pairs[idx, 0], pairs[idx, 1]
