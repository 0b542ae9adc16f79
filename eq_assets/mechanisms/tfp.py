"""Production-function TFP by control functions: Levinsohn-Petrin (2003) and Ackerberg-Caves-Frazer (2015).

P1 Table 8 (SPEC section 4) regresses firm TFP "by Levinsohn-Petrin" on digital patents, and builds
``DistTFP`` from it. No maintained Python library implements these estimators (statsmodels,
linearmodels and pyfixest do not; the reference implementations are Stata's ``levpet``, Petrin,
Poi & Levinsohn 2004, and ``prodest``, Rovigatti & Mollisi 2018), so they are written here as pure
functions on a pandas panel. All variables are logs (deflation is the caller's job).

Model (value added, Cobb-Douglas)::

    y_it = b_l l_it + b_k k_it + w_it + e_it,      w_it = g(w_it-1) + xi_it

with ``w`` productivity known to the firm, ``e`` noise, ``l`` free (chosen after ``w_it`` is seen),
``k`` a state (decided at t-1), and the proxy ``m_it = m(w_it, k_it)`` strictly increasing in ``w``
(LP's materials), so that ``w_it = h(k_it, m_it)``.

Levinsohn-Petrin (2003), :func:`levinsohn_petrin`
    Stage 1: OLS of y on l and a full polynomial of degree ``poly_degree`` in (k, m) (LP section 3;
    levpet's third-order polynomial), giving ``b_l`` and ``phi_hat = E[y | k, m] - b_l l``
    (= b_k k + w). Stage 2: for a candidate ``b_k``, ``w_t = phi_hat_t - b_k k_t`` and
    ``w_t-1 = phi_hat_t-1 - b_k k_t-1``; ``g`` is a polynomial of degree ``markov_degree`` in
    ``w_t-1`` fitted by OLS; ``xi = w_t - g_hat(w_t-1)``; ``b_k`` solves the moment
    ``E[xi_t k_t] = 0`` (k_t is decided at t-1, so orthogonal to the innovation). With
    ``value_added=False`` (gross output; ``phi = b_k k + b_m m + w``) the materials coefficient is
    identified in stage 2 too, with the extra moment ``E[xi_t m_t-1] = 0`` (LP eq. 13 uses lagged
    materials as instrument).
Ackerberg, Caves & Frazer (2015), :func:`ackerberg_caves_frazer`
    Stage 1 identifies no coefficient: ``phi_hat = E[y | l, k, m]`` (polynomial in l, k, m). Stage 2:
    ``w = phi_hat - b_l l - b_k k``, same ``g`` and ``xi``; moments ``E[xi_t k_t] = 0`` and
    ``E[xi_t l_t-1] = 0``. Value added only (with gross output and a flexible proxy the proxy
    coefficient is not identified from these moments; Gandhi, Navarro & Rivers 2020).

Modelling choices, each a named parameter
    ``poly_degree=3``: degree of the stage-1 polynomial (LP and levpet use a third-order one).
    ``markov_degree=3``: degree of the polynomial ``g`` (levpet: third order; 1 = AR(1) with drift).
    ``value_added=True``: P1 has value added (工业增加值) in ASIF; gross output is an option for LP.
    ``bootstrap_reps=50``: firm-level block bootstrap replications for standard errors (levpet's
    default ``reps(50)``); firms are resampled with replacement, each draw keeps its whole time
    series, and both stages are re-estimated. ``seed=0`` makes the draws deterministic.
    ``xi`` is computed from ``phi_hat`` (noise-free; as in ACF and ``prodest``) rather than from y as
    in LP's original NLLS; with k_t (and lagged inputs) as instruments both have the same
    probability limit, and ``phi_hat`` gives lower variance.
    The stage-2 moments are exactly identified; they are solved by minimising the GMM criterion
    ``m(b)' (Z'Z/n)^{-1} m(b)`` locally (Levenberg-Marquardt) from the OLS coefficients (the usual
    practice of a local optimiser started at OLS); bootstrap draws start from the full-sample
    estimate. ACF-type moments can have
    several roots (e.g. when labour has its own persistent shifter); the local solution nearest the
    OLS start is the one returned.
    Observations enter stage 2 only when the firm is also observed in year t-1 (no gap).

TFP: :meth:`ProductionFunctionResult.log_tfp` returns ``ln TFP_it = y_it - sum_j b_j x_jit``
(levpet's ``predict, omega`` in logs; it contains ``w_it + e_it`` and the level constant).

References
----------
Levinsohn, J. and Petrin, A. (2003). Estimating production functions using inputs to control for
unobservables. Review of Economic Studies 70(2), 317-341.
Ackerberg, D. A., Caves, K. and Frazer, G. (2015). Identification properties of recent production
function estimators. Econometrica 83(6), 2411-2451.
Olley, G. S. and Pakes, A. (1996). The dynamics of productivity in the telecommunications equipment
industry. Econometrica 64(6), 1263-1297.
Petrin, A., Poi, B. P. and Levinsohn, J. (2004). Production function estimation in Stata using
inputs to control for unobservables. Stata Journal 4(2), 113-123.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import combinations_with_replacement

import numpy as np
import pandas as pd
from scipy.optimize import least_squares

__all__ = [
    "DEFAULT_BOOTSTRAP_REPS",
    "ProductionFunctionResult",
    "levinsohn_petrin",
    "lp_first_stage",
    "ackerberg_caves_frazer",
    "polynomial_features",
    "tfp_by_group",
]

#: levpet's default number of bootstrap replications (``reps(50)``).
DEFAULT_BOOTSTRAP_REPS = 50
#: Half-width and points per coefficient of the stage-2 fallback grid.
GRID_RADIUS = 1.0
GRID_POINTS = 41


def polynomial_features(x: np.ndarray, degree: int, *, include_bias: bool = True) -> np.ndarray:
    """All monomials of total degree <= ``degree`` of the columns of ``x`` (n x p).

    Order: bias, then degree 1, 2, ... and, within a degree, lexicographic in the column index,
    e.g. for (k, m) and degree 2: ``1, k, m, k^2, k m, m^2``.
    """
    x = np.asarray(x, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    n, p = x.shape
    cols = [np.ones(n)] if include_bias else []
    for d in range(1, degree + 1):
        for combo in combinations_with_replacement(range(p), d):
            cols.append(np.prod(x[:, list(combo)], axis=1))
    return np.column_stack(cols) if cols else np.zeros((n, 0))


@dataclass(frozen=True)
class ProductionFunctionResult:
    """Estimated elasticities, bootstrap SEs and the data needed to compute TFP."""

    method: str
    output: str
    #: Names of the inputs, in the order of ``coef`` (free..., state..., [proxy]).
    inputs: tuple[str, ...]
    coef: dict[str, float]
    se: dict[str, float]
    n_obs: int
    n_obs_stage2: int
    n_firms: int
    bootstrap_reps: int
    bootstrap_failures: int
    settings: dict[str, object]
    #: OLS elasticities of y on the same inputs (the biased benchmark).
    ols_coef: dict[str, float]
    draws: np.ndarray = field(repr=False, default_factory=lambda: np.zeros((0, 0)))

    def log_tfp(self, df: pd.DataFrame) -> pd.Series:
        """``ln TFP = y - sum_j b_j x_j`` for every row of ``df`` (NaN where an input is missing)."""
        out = df[self.output].astype(float).copy()
        for name in self.inputs:
            out = out - self.coef[name] * df[name].astype(float)
        return out.rename(f"ln_tfp_{self.method.lower()}")

    def summary(self) -> pd.DataFrame:
        """One row per input: coefficient, bootstrap SE."""
        return pd.DataFrame(
            {"coef": [self.coef[k] for k in self.inputs], "se": [self.se[k] for k in self.inputs]},
            index=list(self.inputs),
        )


# ---------------------------------------------------------------------------------------------
# data
# ---------------------------------------------------------------------------------------------


@dataclass
class _Panel:
    y: np.ndarray
    free: np.ndarray  # n x pf
    state: np.ndarray  # n x ps
    proxy: np.ndarray  # n
    firm: np.ndarray  # codes 0..F-1
    t_idx: np.ndarray  # stage-2 pairs: row of year t
    lag_idx: np.ndarray  # row of year t-1, same firm
    rows_by_firm: list[np.ndarray]
    pairs_by_firm: list[np.ndarray]
    n_dropped: int


def _names(x: str | Sequence[str]) -> list[str]:
    return [x] if isinstance(x, str) else list(x)


def _prepare(df, output, free, state, proxy, firm, year) -> _Panel:
    cols = [output, *free, *state, proxy]
    d = df[[*cols, firm, year]].copy()
    num = d[cols].apply(pd.to_numeric, errors="coerce").astype(float)
    ok = np.isfinite(num.to_numpy()).all(axis=1) & d[firm].notna().to_numpy() & d[year].notna().to_numpy()
    n_dropped = int((~ok).sum())
    d, num = d[ok], num[ok]
    if d.duplicated([firm, year]).any():
        raise ValueError(f"duplicate ({firm}, {year}) rows")
    if len(d) == 0:
        raise ValueError("no complete observations")
    fcode, _ = pd.factorize(d[firm], sort=True)
    yr = d[year].to_numpy()
    if not np.allclose(yr, np.round(yr.astype(float))):
        raise ValueError(f"{year} must be integer years")
    yr = np.round(yr.astype(float)).astype(np.int64)
    n = len(d)
    key = pd.Series(np.arange(n), index=pd.MultiIndex.from_arrays([fcode, yr]))
    lag_pos = key.reindex(pd.MultiIndex.from_arrays([fcode, yr - 1])).to_numpy()
    has_lag = ~np.isnan(lag_pos)
    t_idx = np.flatnonzero(has_lag)
    lag_idx = lag_pos[has_lag].astype(np.int64)
    n_f = int(fcode.max()) + 1
    order = np.argsort(fcode, kind="stable")
    bounds = np.searchsorted(fcode[order], np.arange(n_f + 1))
    rows_by_firm = [order[bounds[f] : bounds[f + 1]] for f in range(n_f)]
    pf = fcode[t_idx]
    porder = np.argsort(pf, kind="stable")
    pbounds = np.searchsorted(pf[porder], np.arange(n_f + 1))
    pairs_by_firm = [porder[pbounds[f] : pbounds[f + 1]] for f in range(n_f)]
    return _Panel(
        y=num[output].to_numpy(),
        free=num[free].to_numpy(),
        state=num[state].to_numpy(),
        proxy=num[proxy].to_numpy(),
        firm=fcode,
        t_idx=t_idx,
        lag_idx=lag_idx,
        rows_by_firm=rows_by_firm,
        pairs_by_firm=pairs_by_firm,
        n_dropped=n_dropped,
    )


# ---------------------------------------------------------------------------------------------
# estimation
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Spec:
    method: str  # "LP" or "ACF"
    value_added: bool
    poly_degree: int
    markov_degree: int


def _standardize(x: np.ndarray) -> np.ndarray:
    """Centre and scale columns (full-panel moments): the polynomial of an affine transform spans
    the same space, so this changes numerics only."""
    sd = x.std(axis=0)
    return (x - x.mean(axis=0)) / np.where(sd > 0, sd, 1.0)


def _stage1(p: _Panel, spec: _Spec, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (phi_hat for all rows of the panel, stage-1 coefficients on the free inputs)."""
    pf = p.free.shape[1]
    if spec.method == "LP":
        poly_all = polynomial_features(_standardize(np.column_stack([p.state, p.proxy])), spec.poly_degree)
        design = np.column_stack([p.free[rows], poly_all[rows]])
        coef, *_ = np.linalg.lstsq(design, p.y[rows], rcond=None)
        return poly_all @ coef[pf:], coef[:pf]
    poly_all = polynomial_features(_standardize(np.column_stack([p.free, p.state, p.proxy])), spec.poly_degree)
    coef, *_ = np.linalg.lstsq(poly_all[rows], p.y[rows], rcond=None)
    return poly_all @ coef, np.zeros(0)


def _stage2_parts(p: _Panel, spec: _Spec, pairs: np.ndarray):
    """Inputs whose coefficients stage 2 estimates (values at t and t-1) and its instruments."""
    t, lag = p.t_idx[pairs], p.lag_idx[pairs]
    if spec.method == "LP":
        if spec.value_added:
            xs = p.state
            inst = p.state[t]
        else:
            xs = np.column_stack([p.state, p.proxy])
            inst = np.column_stack([p.state[t], p.proxy[lag]])
    else:
        xs = np.column_stack([p.free, p.state])
        inst = np.column_stack([p.state[t], p.free[lag]])
    return xs[t], xs[lag], inst, t, lag


def _moments_fn(phi: np.ndarray, p: _Panel, spec: _Spec, pairs: np.ndarray) -> Callable:
    xt, xl, inst, t, lag = _stage2_parts(p, spec, pairs)
    phi_t, phi_l = phi[t], phi[lag]
    n2 = len(t)
    wmat = np.linalg.inv(inst.T @ inst / n2)
    chol_w = np.linalg.cholesky(wmat)

    def resid(beta: np.ndarray) -> np.ndarray:
        w_t = phi_t - xt @ beta
        w_l = phi_l - xl @ beta
        basis = polynomial_features(w_l, spec.markov_degree)
        gcoef, *_ = np.linalg.lstsq(basis, w_t, rcond=None)
        xi = w_t - basis @ gcoef
        m = inst.T @ xi / n2
        return chol_w.T @ m  # ||.||^2 = m' W m

    return resid


def _solve(resid: Callable, start: np.ndarray) -> np.ndarray:
    """Stage-2 GMM: local minimiser of the criterion nearest the starting value.

    Levenberg-Marquardt on the weighted moments from ``start`` (OLS for the full sample; the
    full-sample estimate for bootstrap draws). The moments are
    exactly identified, so the minimum is usually a root (criterion ~ 0); when a sample has no root
    nearby, the local minimum is kept rather than jumping to a distant root (ACF-type moments can
    have several). Only if the local search fails numerically is the criterion scanned on a grid of
    ``GRID_POINTS`` per coefficient over ``start +- GRID_RADIUS`` (one or two coefficients) and
    the best grid point refined.
    """
    start = np.asarray(start, dtype=float)

    def refine(x0: np.ndarray) -> tuple[np.ndarray, float]:
        sol = least_squares(resid, x0, method="lm", xtol=1e-12, ftol=1e-14, gtol=1e-14, max_nfev=2000)
        crit = float(np.sum(sol.fun**2))
        ok = np.all(np.isfinite(sol.x)) and np.isfinite(crit)
        return sol.x, crit if ok else np.inf

    x, crit = refine(start)
    if np.isfinite(crit):
        return x
    p = len(start)
    if p > 2:
        raise RuntimeError("stage-2 GMM did not converge")
    pts = GRID_POINTS if p == 1 else 21
    axes = [np.linspace(s - GRID_RADIUS, s + GRID_RADIUS, pts) for s in start]
    mesh = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, p)
    vals = np.array([np.sum(resid(b) ** 2) for b in mesh])
    x, crit = refine(mesh[int(np.nanargmin(vals))])
    if not np.isfinite(crit):
        raise RuntimeError("stage-2 GMM did not converge")
    return x


def _estimate(p: _Panel, spec: _Spec, rows: np.ndarray, pairs: np.ndarray, start: np.ndarray):
    phi, b_free = _stage1(p, spec, rows)
    beta2 = _solve(_moments_fn(phi, p, spec, pairs), start)
    return np.concatenate([b_free, beta2])


def _ols(p: _Panel, spec: _Spec) -> np.ndarray:
    xs = [p.free, p.state] + ([] if spec.value_added else [p.proxy[:, None]])
    design = np.column_stack([np.ones(len(p.y)), *xs])
    coef, *_ = np.linalg.lstsq(design, p.y, rcond=None)
    return coef[1:]


def _run(
    df: pd.DataFrame,
    *,
    method: str,
    output: str,
    free,
    state,
    proxy: str,
    firm: str,
    year: str,
    poly_degree: int,
    markov_degree: int,
    value_added: bool,
    bootstrap_reps: int,
    seed: int,
) -> ProductionFunctionResult:
    free, state = _names(free), _names(state)
    if poly_degree < 1 or markov_degree < 1:
        raise ValueError("poly_degree and markov_degree must be >= 1")
    spec = _Spec(method, value_added, poly_degree, markov_degree)
    p = _prepare(df, output, free, state, proxy, firm, year)
    inputs = tuple(free + state + ([] if value_added else [proxy]))
    n_f = len(p.rows_by_firm)
    all_rows = np.arange(len(p.y))
    all_pairs = np.arange(len(p.t_idx))
    if len(all_pairs) < 10 * len(inputs):
        raise ValueError(f"too few observations with a lag ({len(all_pairs)}) for stage 2")

    ols = _ols(p, spec)
    pf = len(free)
    start = ols[pf:] if method == "LP" else ols
    est = _estimate(p, spec, all_rows, all_pairs, start)

    rng = np.random.default_rng(seed)
    draws, failures = [], 0
    start_b = est[pf:] if method == "LP" else est
    for _ in range(int(bootstrap_reps)):
        pick = rng.integers(0, n_f, n_f)
        rows = np.concatenate([p.rows_by_firm[f] for f in pick])
        pairs = np.concatenate([p.pairs_by_firm[f] for f in pick])
        try:
            draws.append(_estimate(p, spec, rows, pairs, start_b))
        except (np.linalg.LinAlgError, RuntimeError, ValueError):
            failures += 1
    draws_arr = np.array(draws) if draws else np.zeros((0, len(inputs)))
    se = draws_arr.std(axis=0, ddof=1) if len(draws) > 1 else np.full(len(inputs), np.nan)

    return ProductionFunctionResult(
        method=method,
        output=output,
        inputs=inputs,
        coef=dict(zip(inputs, map(float, est))),
        se=dict(zip(inputs, map(float, se))),
        n_obs=int(len(p.y)),
        n_obs_stage2=int(len(p.t_idx)),
        n_firms=int(n_f),
        bootstrap_reps=len(draws),
        bootstrap_failures=failures,
        settings={
            "poly_degree": poly_degree,
            "markov_degree": markov_degree,
            "value_added": value_added,
            "bootstrap_reps_requested": int(bootstrap_reps),
            "seed": seed,
            "proxy": proxy,
            "n_dropped_missing": p.n_dropped,
        },
        ols_coef=dict(zip(inputs, map(float, ols))),
        draws=draws_arr,
    )


def lp_first_stage(
    df: pd.DataFrame,
    *,
    output: str,
    free: str | Sequence[str],
    state: str | Sequence[str],
    proxy: str,
    poly_degree: int = 3,
) -> tuple[dict[str, float], pd.Series]:
    """LP stage 1 alone: OLS of ``output`` on ``free`` and a degree-``poly_degree`` polynomial in
    (state, proxy). Returns the free-input coefficients and ``phi_hat`` (fitted value minus the
    free inputs' contribution) on the complete rows of ``df``."""
    free, state = _names(free), _names(state)
    cols = [output, *free, *state, proxy]
    d = df[cols].apply(pd.to_numeric, errors="coerce").astype(float).dropna()
    empty = np.zeros(0, dtype=np.int64)
    panel = _Panel(
        y=d[output].to_numpy(),
        free=d[free].to_numpy(),
        state=d[state].to_numpy(),
        proxy=d[proxy].to_numpy(),
        firm=empty,
        t_idx=empty,
        lag_idx=empty,
        rows_by_firm=[],
        pairs_by_firm=[],
        n_dropped=len(df) - len(d),
    )
    phi, b = _stage1(panel, _Spec("LP", True, poly_degree, 1), np.arange(len(d)))
    return dict(zip(free, map(float, b))), pd.Series(phi, index=d.index, name="phi_hat")


def levinsohn_petrin(
    df: pd.DataFrame,
    *,
    output: str,
    free: str | Sequence[str],
    state: str | Sequence[str],
    proxy: str,
    firm: str,
    year: str,
    poly_degree: int = 3,
    markov_degree: int = 3,
    value_added: bool = True,
    bootstrap_reps: int = DEFAULT_BOOTSTRAP_REPS,
    seed: int = 0,
) -> ProductionFunctionResult:
    """Levinsohn & Petrin (2003) two-step estimator (see the module docstring).

    ``output``, ``free`` (e.g. ln employment), ``state`` (e.g. ln real capital) and ``proxy``
    (ln real intermediate inputs) are log columns of ``df``; ``firm`` and ``year`` identify the
    panel. ``value_added=True``: ``output`` is ln value added and the coefficients are (free,
    state); ``False``: ln gross output, and the proxy's coefficient is estimated in stage 2 with
    the moment ``E[xi_t m_t-1] = 0`` -- identified only if the proxy has variation beyond
    (w, k) that is not itself Markov (Gandhi, Navarro & Rivers 2020 show it generally is not;
    P1 uses value added). Defaults: ``poly_degree=3``, ``markov_degree=3`` (levpet's
    third-order polynomials), ``bootstrap_reps=50`` (levpet's default), ``seed=0``.
    """
    return _run(
        df,
        method="LP",
        output=output,
        free=free,
        state=state,
        proxy=proxy,
        firm=firm,
        year=year,
        poly_degree=poly_degree,
        markov_degree=markov_degree,
        value_added=value_added,
        bootstrap_reps=bootstrap_reps,
        seed=seed,
    )


def ackerberg_caves_frazer(
    df: pd.DataFrame,
    *,
    output: str,
    free: str | Sequence[str],
    state: str | Sequence[str],
    proxy: str,
    firm: str,
    year: str,
    poly_degree: int = 3,
    markov_degree: int = 3,
    value_added: bool = True,
    bootstrap_reps: int = DEFAULT_BOOTSTRAP_REPS,
    seed: int = 0,
) -> ProductionFunctionResult:
    """Ackerberg, Caves & Frazer (2015) estimator with the LP proxy (value added only).

    Stage 1 ``phi_hat = E[y | l, k, m]`` (polynomial of degree ``poly_degree``); stage 2 moments
    ``E[xi_t k_t] = 0``, ``E[xi_t l_t-1] = 0``. Same defaults as :func:`levinsohn_petrin`.

    Caveat: these moments can have several roots or a near-flat ridge in (b_l, b_k) (when labour
    has its own persistent shifter); the root reached from the OLS start is returned and the
    bootstrap, whose draws start there, conditions on it, so its SEs can understate uncertainty.
    LP (whose b_l comes from stage 1) is the better-identified default for P1.
    """
    if not value_added:
        raise NotImplementedError(
            "ACF with gross output is not identified by these moments (Gandhi, Navarro & Rivers "
            "2020); use value added or levinsohn_petrin(value_added=False)"
        )
    return _run(
        df,
        method="ACF",
        output=output,
        free=free,
        state=state,
        proxy=proxy,
        firm=firm,
        year=year,
        poly_degree=poly_degree,
        markov_degree=markov_degree,
        value_added=True,
        bootstrap_reps=bootstrap_reps,
        seed=seed,
    )


def tfp_by_group(
    df: pd.DataFrame,
    by: str | Sequence[str],
    *,
    estimator: Callable[..., ProductionFunctionResult] = levinsohn_petrin,
    min_obs: int = 50,
    **kwargs,
) -> tuple[pd.Series, dict[object, ProductionFunctionResult]]:
    """Estimate separately within each group (e.g. 2-digit industry) and stack ln TFP.

    Groups with fewer than ``min_obs`` complete rows get NaN TFP and no result (a production
    function per industry is the usual practice for ASIF; the grouping is the caller's choice).
    Returns the ln TFP series aligned with ``df.index`` and the per-group results.
    """
    by = _names(by)
    out = pd.Series(np.nan, index=df.index, dtype=float)
    results: dict[object, ProductionFunctionResult] = {}
    for key, g in df.groupby(by, sort=True, dropna=True):
        key = key[0] if isinstance(key, tuple) and len(key) == 1 else key
        if len(g) < min_obs:
            continue
        try:
            res = estimator(g, **kwargs)
        except ValueError:
            continue
        results[key] = res
        out.loc[g.index] = res.log_tfp(g).to_numpy()
    return out.rename(f"ln_tfp_{estimator.__name__}"), results
