"""Production-function TFP by control functions: Levinsohn-Petrin (2003) and Ackerberg-Caves-Frazer (2015).

P1 Table 8 (SPEC section 4) regresses firm TFP "by Levinsohn-Petrin" on digital patents and builds
``DistTFP`` from it. No maintained Python library implements these estimators (statsmodels,
linearmodels and pyfixest do not; the reference implementations are Stata's ``levpet``, Petrin,
Poi & Levinsohn 2004, and ``prodest``, Rovigatti & Mollisi 2018), so they are written here as pure
functions on a pandas panel (objectives and search in :mod:`eq_assets.mechanisms.tfp_solve`). All
variables are logs (deflation is the caller's job).

Model (value added, Cobb-Douglas)::

    y_it = b_l l_it + b_k k_it + w_it + e_it,      w_it = g(w_it-1) + xi_it

with ``w`` productivity known to the firm, ``e`` noise, ``l`` free, ``k`` a state (decided at t-1),
and the proxy ``m_it = m(w_it, k_it)`` strictly increasing in ``w`` (LP's materials).

Levinsohn-Petrin (2003), :func:`levinsohn_petrin`
    Stage 1: OLS of y on l and a full polynomial of degree ``poly_degree`` in (k, m) (levpet: third
    order), giving ``b_l``, ``phi_hat`` (fit net of b_l l) and ``r = y - b_l l``.
    Stage 2, ``second_stage="levpet"`` (default; LP 2003 section 4, levpet, R prodest's
    ``prodestLP``): ``b_k`` minimises the sum of squared *output-based* residuals
    ``r_t - b_k k_t - g_hat(w_t-1)``, with ``w = phi_hat - b_k k`` and ``g_hat`` the OLS fit of
    ``w_t`` on a polynomial of degree ``markov_degree`` in ``w_t-1`` (levpet: cubic). With
    ``value_added=False`` (levpet's ``revenue``: gross output, the proxy's coefficient estimated
    too) it is levpet's GMM: ``e = A - g_hat(B)``, ``A = r - b_k k - b_m m``,
    ``B = phi_hat_t-1 - b_k k_t-1 - b_m m_t-1``, moments ``E[e z] = 0`` with ``z`` = (k_t, k_t-1,
    m_t-1, m_t-2, l_t-1) (``revenue_instruments="overidentified"``, levpet's default) or (k_t, m_t-1)
    (``"just"``, levpet's ``justid``), identity weighting; levpet's linear ``g`` is
    ``markov_degree=1``.
    ``second_stage="moment"`` (the project's former default, kept as an option): ``xi = w_t -
    g_hat(w_t-1)`` built from ``phi_hat`` alone and the moment ``E[xi_t k_t] = 0`` (gross output:
    plus ``E[xi_t m_t-1] = 0``). Both are consistent under the model; they differ on data the
    model does not fit exactly (issue 13: capital 0.49 vs levpet's 0.12 on a real plant panel).
Ackerberg, Caves & Frazer (2015), :func:`ackerberg_caves_frazer`
    Stage 1 identifies no coefficient: ``phi_hat = E[y | l, k, m]`` (polynomial in l, k, m). Stage 2:
    ``w = phi_hat - b_l l - b_k k``, ``xi = w_t - g_hat(w_t-1)``, moments ``E[xi_t k_t] = 0`` and
    ``E[xi_t l_t-1] = 0`` (as prodest's ``prodestACF``). Value added only. The moments can have
    several roots and local minima that are not roots (issue 13); the system is solved from
    several starts (OLS, LP's stage-1 b_l with OLS b_k, the grid ``start_grid``, any ``starts``)
    and only a root (criterion below ``tolerance``) inside ``bounds`` counts as converged. Among
    several roots the one reached from the earliest start (OLS first) is kept, not the one with
    the smallest criterion: all roots have criteria at rounding level (below 1e-28), and on the
    synthetic world every industry also has a spurious root near (1.34, -0.19) whose criterion
    is as often the smaller; ``n_distinct_solutions`` reports how many roots the starts found.

Convergence, reported on every result: ``criterion`` (levpet: mean squared residual; moment
systems: the normalised GMM criterion, 0 at a root), ``converged``, ``start`` (which start gave the
solution) and ``starts_tried``. Bootstrap (firm blocks; levpet's default ``reps(50)``; a draw is
the panel with each firm's rows weighted by how often it was drawn, the same estimates as stacking
the copies, :mod:`eq_assets.mechanisms.tfp_panel`): each draw re-estimates both stages from the
full-sample solution (one coefficient: a local scan of ``+-DRAW_SCAN_RADIUS``, widened to the
full ``bounds`` if the minimum is at its edge; several: from the full-sample solution, then, if
the full sample converged, every start); draws that do not converge are counted in
``bootstrap_nonconverged`` and left out of the SEs. Observations enter stage 2 only when the firm
is also observed in year t-1 (and t-2 for levpet's over-identified revenue instruments).

TFP: :meth:`ProductionFunctionResult.log_tfp` returns ``ln TFP_it = y_it - sum_j b_j x_jit``
(levpet's ``predict, omega`` in logs; it contains ``w_it + e_it`` and the level constant).
:func:`eq_assets.mechanisms.tfp_groups.tfp_by_group` estimates one per group (e.g. 2-digit industry).

References: Levinsohn & Petrin (2003), RES 70(2) 317-341; Ackerberg, Caves & Frazer (2015),
Econometrica 83(6) 2411-2451; Petrin, Poi & Levinsohn (2004), Stata Journal 4(2) 113-123;
Rovigatti & Mollisi (2018), Stata Journal 18(3) 618-662.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import product

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from eq_assets.mechanisms import tfp_solve as S
from eq_assets.mechanisms.tfp_panel import Panel as _Panel, Sample, block_draw, full_sample
from eq_assets.mechanisms.tfp_panel import prepare as _prepare
from eq_assets.mechanisms.tfp_solve import TOLERANCE, polynomial_features, standardize

log = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_BOOTSTRAP_REPS", "ACF_START_GRID", "COEF_BOUNDS", "TOLERANCE", "ProductionFunctionResult",
    "ackerberg_caves_frazer", "levinsohn_petrin", "lp_first_stage", "polynomial_features",
]

#: levpet's default number of bootstrap replications (``reps(50)``).
DEFAULT_BOOTSTRAP_REPS = 50
#: Admissible interval of every stage-2 coefficient: a solution outside it is not converged (ACF's
#: moments have spurious roots at b_l ~ 10, b_k ~ -7 on simulated panels; levpet bounds the revenue
#: model's coefficients to (0, 1)). A single coefficient is scanned over it on SCAN_POINTS (step 0.05).
COEF_BOUNDS = (-1.0, 2.0)
SCAN_POINTS = 61
#: Bootstrap draws first scan the full-sample estimate +- this radius (11 points).
DRAW_SCAN_RADIUS = 0.25
#: Values of each stage-2 coefficient whose combinations are ACF's grid of starting points.
ACF_START_GRID = (0.2, 0.5, 0.8)


@dataclass(frozen=True)
class ProductionFunctionResult:
    """Estimated elasticities, bootstrap SEs, convergence and the data needed to compute TFP."""

    method: str
    output: str
    #: Names of the inputs, in the order of ``coef`` (free..., state..., [proxy]).
    inputs: tuple[str, ...]
    coef: dict[str, float]
    se: dict[str, float]
    n_obs: int
    n_obs_stage2: int
    n_firms: int
    #: Converged bootstrap draws used for the SEs; failures = errors + non-converged draws.
    bootstrap_reps: int
    bootstrap_failures: int
    settings: dict[str, object]
    #: OLS elasticities of y on the same inputs (the biased benchmark).
    ols_coef: dict[str, float]
    second_stage: str = "levpet"
    criterion: float = float("nan")
    converged: bool = False
    start: str = ""
    starts_tried: tuple = ()
    n_distinct_solutions: int = 0
    bootstrap_nonconverged: int = 0
    draws: np.ndarray = field(repr=False, default_factory=lambda: np.zeros((0, 0)))

    def log_tfp(self, df: pd.DataFrame) -> pd.Series:
        """``ln TFP = y - sum_j b_j x_j`` for every row of ``df`` (NaN where an input is missing)."""
        out = df[self.output].astype(float).copy()
        for name in self.inputs:
            out = out - self.coef[name] * df[name].astype(float)
        return out.rename(f"ln_tfp_{self.method.lower()}")

    def summary(self) -> pd.DataFrame:
        """One row per input: coefficient, bootstrap SE."""
        return pd.DataFrame({"coef": [self.coef[k] for k in self.inputs], "se": [self.se[k] for k in self.inputs]},
                            index=list(self.inputs))


# ---------------------------------------------------------------------------------------------
# data
# ---------------------------------------------------------------------------------------------


def _names(x: str | Sequence[str]) -> list[str]:
    return [x] if isinstance(x, str) else list(x)


# ---------------------------------------------------------------------------------------------
# estimation
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Spec:
    method: str  # "LP" or "ACF"
    second_stage: str  # "levpet" or "moment" (ACF: "moment")
    value_added: bool
    poly_degree: int
    markov_degree: int
    revenue_instruments: str = "overidentified"
    tolerance: float = TOLERANCE
    bounds: tuple[float, float] = COEF_BOUNDS

    @property
    def levpet_revenue(self) -> bool:
        return self.method == "LP" and self.second_stage == "levpet" and not self.value_added


def _stage1(p: _Panel, spec: _Spec, rows: np.ndarray, weights: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(phi_hat for the rows of the panel, stage-1 coefficients on the free inputs); ``weights``:
    frequency weights of ``rows`` (a bootstrap draw, :func:`~eq_assets.mechanisms.tfp_panel.block_draw`),
    whose phi_hat is computed on ``rows`` only (NaN elsewhere)."""
    pf = p.free.shape[1]
    key = ("poly", spec.method, spec.poly_degree)
    if key not in p.cache:
        x = np.column_stack([p.state, p.proxy]) if spec.method == "LP" else np.column_stack([p.free, p.state, p.proxy])
        poly = polynomial_features(standardize(x), spec.poly_degree)
        p.cache[key] = (poly, np.column_stack([p.free, poly]) if spec.method == "LP" else poly)
    poly, design = p.cache[key]  # (the design is built once: the draws only select its rows)
    b_free = slice(0, pf if spec.method == "LP" else 0)
    if weights is None:
        coef = S.ols(design[rows], p.y[rows])
        return poly @ coef[b_free.stop:], coef[b_free]
    # a draw: frequency-weighted least squares = least squares on rows scaled by sqrt(weight);
    # phi on the drawn firms' rows only (stage 2 reads no other row)
    sw = np.sqrt(weights)
    xs = np.take(design, rows, axis=0)
    xs *= sw[:, None]
    coef = S.ols(xs, p.y[rows] * sw)
    phi = np.full(len(p.y), np.nan)
    phi[rows] = xs @ np.concatenate([np.zeros(b_free.stop), coef[b_free.stop:]]) / sw
    return phi, coef[b_free]


def _usable_pairs(p: _Panel, spec: _Spec, pairs: np.ndarray, weights: np.ndarray | None = None):
    """(pairs, weights) that enter stage 2."""
    if spec.levpet_revenue and spec.revenue_instruments == "overidentified":
        keep = p.lag2_idx[pairs] >= 0
        return pairs[keep], None if weights is None else weights[keep]
    return pairs, weights


def _pair_inputs(p: _Panel, spec: _Spec) -> tuple[np.ndarray, ...]:
    """Stage-2 inputs of every pair (built once per panel; a sample selects its pairs):
    x_t, x_t-1 (the inputs of ``b``), instruments, y_t and the free inputs at t."""
    key = ("pairs", spec.method, spec.value_added, spec.second_stage, spec.revenue_instruments)
    if key not in p.cache:
        t, lag, lag2 = p.t_idx, p.lag_idx, p.lag2_idx  # (lag2 = -1: pairs _usable_pairs leaves out)
        if spec.method == "ACF":
            xs = np.column_stack([p.free, p.state])
            inst = np.column_stack([p.state[t], p.free[lag]])
        elif spec.value_added:
            xs, inst = p.state, p.state[t]
        else:
            xs = np.column_stack([p.state, p.proxy])
            if spec.second_stage == "levpet" and spec.revenue_instruments == "overidentified":
                inst = np.column_stack([p.state[t], p.state[lag], p.proxy[lag], p.proxy[lag2], p.free[lag]])
            else:
                inst = np.column_stack([p.state[t], p.proxy[lag]])
        p.cache[key] = (xs[t], xs[lag], inst, p.y[t], p.free[t])
    return p.cache[key]


def _objective(p: _Panel, spec: _Spec, phi, b_free, pairs, center=None, weights=None) -> S.Objective:
    # np.take: a row gather of a C-ordered matrix ten times faster than indexing (numpy 2.4);
    # the inputs of b column-major for the products with b
    xt, xl, inst, y_t, free_t = (np.take(a, pairs, axis=0) for a in _pair_inputs(p, spec))
    xt, xl = np.asfortranarray(xt), np.asfortranarray(xl)
    rss_t = y_t - (free_t @ b_free if len(b_free) else 0.0)
    parts = (np.take(phi, np.take(p.t_idx, pairs)), np.take(phi, np.take(p.lag_idx, pairs)), rss_t)
    if spec.method == "LP" and spec.second_stage == "levpet":
        if spec.value_added:
            return S.levpet(parts, xt, xl, spec.markov_degree, weights)
        return S.levpet_revenue(parts, xt, xl, inst, spec.markov_degree, center, weights)
    return S.moment(parts, xt, xl, inst, spec.markov_degree, weights)


def _estimate(p, spec, sample: Sample, starts, scan, center=None):
    """Both stages on one (weighted) sample: (coefficients, Solution, objective)."""
    phi, b_free = _stage1(p, spec, sample.rows, sample.row_weights)
    pairs, weights = _usable_pairs(p, spec, sample.pairs, sample.pair_weights)
    obj = _objective(p, spec, phi, b_free, pairs, center, weights)
    sol = S.solve(obj, starts, tol=spec.tolerance, bounds=scan[0], scan_points=scan[1])
    return np.concatenate([b_free, sol.x]), sol, obj


def _ols(p: _Panel, spec: _Spec) -> np.ndarray:
    xs = [p.free, p.state] + ([] if spec.value_added else [p.proxy[:, None]])
    coef, *_ = np.linalg.lstsq(np.column_stack([np.ones(len(p.y)), *xs]), p.y, rcond=None)
    return coef[1:]


def _starts(p: _Panel, spec: _Spec, ols: np.ndarray, grid: Sequence[float], extra) -> list[tuple[str, np.ndarray]]:
    pf = p.free.shape[1]
    b2 = ols if spec.method == "ACF" else ols[pf:]
    out = [("ols", b2)]
    if spec.method == "ACF":
        _, b_l = _stage1(p, _Spec("LP", "levpet", True, spec.poly_degree, 1), np.arange(len(p.y)))
        out.append(("lp_first_stage", np.concatenate([b_l, ols[pf:]])))
    out += [(f"grid{tuple(g)}", np.array(g, dtype=float)) for g in product(grid, repeat=len(b2))]
    out += [(f"user{i}", np.asarray(s, dtype=float)) for i, s in enumerate(extra)]
    return out


#: A firm-block draw as frequency weights; tests swap in tfp_panel.stacked_draw (levpet's copies).
_bootstrap_sample = block_draw


# One BLAS thread: the draws' products are small (rows x ~20); threads waking for each of them cost
# several times the work when the cores are shared (stage-1 OLS measured 37 ms vs 7 ms).
@threadpool_limits.wrap(limits=1, user_api="blas")
def _run(df: pd.DataFrame, *, method: str, second_stage: str, output: str, free, state, proxy: str, firm: str,
         year: str, poly_degree: int, markov_degree: int, value_added: bool, bootstrap_reps: int, seed: int,
         revenue_instruments: str = "overidentified", tolerance: float = TOLERANCE, bounds=COEF_BOUNDS,
         scan_points: int = SCAN_POINTS, start_grid: Sequence[float] = ACF_START_GRID, starts=()) -> ProductionFunctionResult:
    free, state = _names(free), _names(state)
    if poly_degree < 1 or markov_degree < 1:
        raise ValueError("poly_degree and markov_degree must be >= 1")
    if second_stage not in ("levpet", "moment"):
        raise ValueError("second_stage must be 'levpet' or 'moment'")
    if revenue_instruments not in ("overidentified", "just"):
        raise ValueError("revenue_instruments must be 'overidentified' or 'just'")
    spec = _Spec(method, second_stage, value_added, poly_degree, markov_degree, revenue_instruments, tolerance, tuple(bounds))
    p = _prepare(df, output, free, state, proxy, firm, year)
    inputs = tuple(free + state + ([] if value_added else [proxy]))
    n_f = p.n_firms
    n2 = len(_usable_pairs(p, spec, np.arange(len(p.t_idx)))[0])
    if n2 < 10 * len(inputs):
        raise ValueError(f"too few observations with a lag ({n2}) for stage 2")
    ols = _ols(p, spec)
    pf = len(free)
    scan = (spec.bounds, scan_points if method == "LP" and len(inputs) - pf == 1 else 0)
    start_list = _starts(p, spec, ols, start_grid, starts)
    est, sol, obj = _estimate(p, spec, full_sample(p), start_list, scan)
    if not sol.converged:
        log.warning("%s (%s) did not converge: criterion %.3g from start %s", method, second_stage, sol.criterion, sol.start)
    # levpet re-centres an over-identified model's bootstrap moments at the full-sample value
    center = obj.residuals(sol.x) if spec.levpet_revenue and obj.kind == "minimum" else None

    rng = np.random.default_rng(seed)
    draws, errors, nonconv = [], 0, 0
    b_hat = est[pf:] if method == "LP" else est
    for _ in range(int(bootstrap_reps)):
        draw = _bootstrap_sample(p, rng.integers(0, n_f, n_f))
        try:
            if scan[1]:
                local = (b_hat[0] - DRAW_SCAN_RADIUS, b_hat[0] + DRAW_SCAN_RADIUS)
                d, s, _ = _estimate(p, spec, draw, [], (local, 11), center)
                if not s.converged:
                    d, s, _ = _estimate(p, spec, draw, [], scan, center)
            else:
                d, s, _ = _estimate(p, spec, draw, [("full_sample", b_hat)], scan, center)
                if not s.converged and sol.converged:  # (a failed full sample: no costly retries)
                    d, s, _ = _estimate(p, spec, draw, start_list, scan, center)
        except (np.linalg.LinAlgError, RuntimeError, ValueError):
            errors += 1
            continue
        if s.converged:
            draws.append(d)
        else:
            nonconv += 1
    draws_arr = np.array(draws) if draws else np.zeros((0, len(inputs)))
    se = draws_arr.std(axis=0, ddof=1) if len(draws) > 1 else np.full(len(inputs), np.nan)
    return ProductionFunctionResult(
        method=method, output=output, inputs=inputs,
        coef=dict(zip(inputs, map(float, est))), se=dict(zip(inputs, map(float, se))),
        n_obs=int(len(p.y)), n_obs_stage2=int(n2), n_firms=int(n_f),
        bootstrap_reps=len(draws), bootstrap_failures=errors + nonconv,
        settings={"poly_degree": poly_degree, "markov_degree": markov_degree, "value_added": value_added,
                  "second_stage": second_stage, "revenue_instruments": revenue_instruments, "tolerance": tolerance,
                  "bootstrap_reps_requested": int(bootstrap_reps), "seed": seed, "proxy": proxy,
                  "n_dropped_missing": p.n_dropped, "bootstrap_errors": errors},
        ols_coef=dict(zip(inputs, map(float, ols))), second_stage=second_stage,
        criterion=float(sol.criterion), converged=bool(sol.converged), start=sol.start, starts_tried=sol.tried,
        n_distinct_solutions=sol.n_distinct_solutions,
        bootstrap_nonconverged=nonconv, draws=draws_arr,
    )


def lp_first_stage(df: pd.DataFrame, *, output: str, free: str | Sequence[str], state: str | Sequence[str], proxy: str,
                   poly_degree: int = 3) -> tuple[dict[str, float], pd.Series]:
    """LP stage 1 alone: OLS of ``output`` on ``free`` and a degree-``poly_degree`` polynomial in
    (state, proxy). Returns the free-input coefficients and ``phi_hat`` (fitted value minus the
    free inputs' contribution) on the complete rows of ``df``."""
    free, state = _names(free), _names(state)
    d = df[[output, *free, *state, proxy]].apply(pd.to_numeric, errors="coerce").astype(float).dropna()
    empty = np.zeros(0, dtype=np.int64)
    panel = _Panel(y=d[output].to_numpy(), free=d[free].to_numpy(), state=d[state].to_numpy(), proxy=d[proxy].to_numpy(),
                   t_idx=empty, lag_idx=empty, lag2_idx=empty, row_firm=empty, n_firms=0, n_dropped=len(df) - len(d))
    phi, b = _stage1(panel, _Spec("LP", "levpet", True, poly_degree, 1), np.arange(len(d)))
    return dict(zip(free, map(float, b))), pd.Series(phi, index=d.index, name="phi_hat")


def levinsohn_petrin(df: pd.DataFrame, *, output: str, free: str | Sequence[str], state: str | Sequence[str], proxy: str,
                     firm: str, year: str, second_stage: str = "levpet", poly_degree: int = 3, markov_degree: int = 3,
                     value_added: bool = True, revenue_instruments: str = "overidentified",
                     bounds: tuple[float, float] = COEF_BOUNDS, scan_points: int = SCAN_POINTS,
                     start_grid: Sequence[float] = ACF_START_GRID, tolerance: float = TOLERANCE,
                     bootstrap_reps: int = DEFAULT_BOOTSTRAP_REPS, seed: int = 0) -> ProductionFunctionResult:
    """Levinsohn & Petrin (2003) two-step estimator (see the module docstring for the objectives).

    ``output``, ``free`` (e.g. ln employment), ``state`` (ln real capital) and ``proxy`` (ln real
    intermediate inputs) are log columns of ``df``; ``firm`` and ``year`` identify the panel.
    ``second_stage``: "levpet" (LP 2003 / levpet / prodest: least squares on the output-based
    residual; default) or "moment" (``E[xi_t k_t] = 0`` on the phi-based residual).
    ``value_added=True``: ``output`` is ln value added, coefficients (free, state); ``False``: ln
    gross output (levpet's ``revenue``), the proxy's coefficient is estimated in stage 2 with
    ``revenue_instruments`` "overidentified" (levpet's default) or "just" (levpet's ``justid``).
    One stage-2 coefficient is found by scanning ``bounds`` on ``scan_points`` points and
    refining (Brent); several by Levenberg-Marquardt from OLS and the ``start_grid`` combinations.
    Defaults: third-order polynomials (levpet), ``bootstrap_reps=50`` (levpet), ``seed=0``.
    """
    return _run(df, method="LP", second_stage=second_stage, output=output, free=free, state=state, proxy=proxy,
                firm=firm, year=year, poly_degree=poly_degree, markov_degree=markov_degree, value_added=value_added,
                bootstrap_reps=bootstrap_reps, seed=seed, revenue_instruments=revenue_instruments, tolerance=tolerance,
                bounds=bounds, scan_points=scan_points, start_grid=start_grid)


def ackerberg_caves_frazer(df: pd.DataFrame, *, output: str, free: str | Sequence[str], state: str | Sequence[str],
                           proxy: str, firm: str, year: str, poly_degree: int = 3, markov_degree: int = 3,
                           value_added: bool = True, bounds: tuple[float, float] = COEF_BOUNDS, start_grid: Sequence[float] = ACF_START_GRID,
                           starts: Sequence[Sequence[float]] = (), tolerance: float = TOLERANCE,
                           bootstrap_reps: int = DEFAULT_BOOTSTRAP_REPS, seed: int = 0) -> ProductionFunctionResult:
    """Ackerberg, Caves & Frazer (2015) estimator with the LP proxy (value added only).

    Stage 1 ``phi_hat = E[y | l, k, m]`` (polynomial of degree ``poly_degree``); stage 2 moments
    ``E[xi_t k_t] = 0``, ``E[xi_t l_t-1] = 0``, solved by Levenberg-Marquardt from OLS, from LP's
    stage-1 b_l with OLS b_k, from every combination of ``start_grid`` values and from ``starts``
    (user-supplied, e.g. prodest's ``theta0``); the first start that reaches a root (normalised
    criterion below ``tolerance``) inside ``bounds`` is kept, else the smallest criterion with
    ``converged=False``.
    """
    if not value_added:
        raise NotImplementedError("ACF with gross output is not identified by these moments (Gandhi, Navarro & Rivers "
                                  "2020); use value added or levinsohn_petrin(value_added=False)")
    return _run(df, method="ACF", second_stage="moment", output=output, free=free, state=state, proxy=proxy,
                firm=firm, year=year, poly_degree=poly_degree, markov_degree=markov_degree, value_added=True,
                bootstrap_reps=bootstrap_reps, seed=seed, tolerance=tolerance, bounds=bounds, start_grid=start_grid,
                starts=starts)
