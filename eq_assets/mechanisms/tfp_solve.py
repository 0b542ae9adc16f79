"""Second-stage objectives of the control-function estimators and the search for their solution.

Written by hand: no maintained Python library implements these objectives (see ``tfp.py``).
Every objective is a function of the stage-2 coefficients ``b`` whose value is a residual vector;
the criterion is built from it. Three objectives (``tfp.py`` says which estimator uses which):

``levpet``  (Levinsohn & Petrin 2003, section 4; Stata ``levpet``'s ``lp_bs_ss``; R ``prodest``'s
    ``gOPLP``). With ``phi`` the stage-1 fit net of the free inputs and ``r = y - b_free'x_free``
    (levpet's ``rssterm``): ``w_t = phi_t - b'x_t``, ``w_t-1 = phi_t-1 - b'x_t-1``; ``g`` is the
    OLS fit of ``w_t`` on a polynomial in ``w_t-1``; the residual is the *output-based*
    ``r_t - b'x_t - g(w_t-1)`` and the criterion its mean square (levpet minimises the sum).
``levpet_revenue``  (levpet's ``revenue`` model: ``lp_gmm``/``nllp_bs_gmm``). ``A_t = r_t - b'x_t``
    (x = capital and the proxy), ``B_t-1 = phi_t-1 - b'x_t-1``, ``e = A - g(B)`` with ``g`` the OLS
    fit of ``A`` on a polynomial in ``B`` (levpet: linear), moments ``mean(e z)`` for instruments
    ``z``, criterion their sum of squares (levpet's identity weighting). In bootstrap draws of an
    over-identified model the moments are re-centred at the full-sample value (as levpet does).
``moment``  (ACF 2015; the project's former LP second stage): ``xi = w_t - g(w_t-1)`` built from
    ``phi`` alone, moments ``mean(xi z)``, criterion ``m' (Z'Z/n)^-1 m / mean(xi^2)``: the
    (uncentred) R^2 of ``xi`` on the instruments, 0 at an exact root, scale free.

Every objective takes optional frequency ``weights`` of its pairs: a firm-block bootstrap draw is
the sample with each firm's rows weighted by how often the firm was drawn
(:func:`eq_assets.mechanisms.tfp_panel.block_draw`); sums, means and ``g`` are then weighted, the
same numbers as on the stacked copies up to the order of the floating-point sums.

Search (:func:`solve`). One coefficient: the criterion is scanned on a grid over ``bounds`` and
Brent's bounded method refines the bracket around the best grid point (a global search on the
interval, the analogue of levpet's line search). Several coefficients: Levenberg-Marquardt from
every starting point given, the best solution kept. Exactly identified moment systems
(``kind="root"``) are *converged* only when the criterion is below ``tol``; among the starts that
reach it, the first in the order given is kept (their criteria are all numerically zero, so
ordering by them would be ordering by rounding noise); when none reaches it, the smallest
criterion is returned with ``converged=False``. Least-squares objectives (``kind="minimum"``) are
converged when the optimiser reports success and the minimum is inside ``bounds``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import combinations_with_replacement

import numpy as np
from scipy.optimize import least_squares, minimize_scalar

#: Normalised GMM criterion below which an exactly identified system counts as solved. A root
#: found by Levenberg-Marquardt is at 1e-20 or below; the non-solution of issue 13 was 7.8e-6.
TOLERANCE = 1e-10


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


def _mv(x: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``x @ b`` for a tall x with a few columns (one column: a scaling, not a BLAS call)."""
    return x[:, 0] * b[0] if x.shape[1] == 1 else x @ b


def standardize(x: np.ndarray) -> np.ndarray:
    """Centre and scale columns: a polynomial of an affine transform spans the same space, so
    this changes numerics only."""
    sd = x.std(axis=0)
    return (x - x.mean(axis=0)) / np.where(sd > 0, sd, 1.0)


def ols(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """OLS coefficients from the normal equations with one step of iterative refinement (as
    accurate as an SVD least squares on the standardised polynomial designs used here, and tens
    of times faster on tall matrices); numpy's SVD least squares if the cross-product is singular."""
    xtx = x.T @ x
    try:
        b = np.linalg.solve(xtx, x.T @ y)
        return b + np.linalg.solve(xtx, x.T @ (y - x @ b))
    except np.linalg.LinAlgError:
        return np.linalg.lstsq(x, y, rcond=None)[0]


class LawOfMotion:
    """``g``: the OLS fit of a target on a polynomial of degree ``degree`` (with a constant) in
    ``w_t-1(b) = phi_t-1 - x_t-1 b``, with frequency ``weights``; the hot loop of every second stage.

    Built once per sample: the (weighted) means of ``phi_t-1`` and ``x_t-1``, the cross-products
    of their centred values (the variance of ``w_t-1(b)`` is then ``b' S b``, no pass over the
    data; computed directly where that formula loses its precision, ``w`` nearly constant) and a
    buffer for the powers. For each ``b``: ``w_t-1`` standardised (for conditioning only: a
    polynomial in an affine transform of ``w`` spans the same space), its powers, the normal
    equations from their weighted moments (a Hankel system of size degree + 1, a few passes over
    the data instead of a tall least squares) and the fitted values; numpy's SVD least squares if
    that system is singular.
    """

    def __init__(self, phi_l: np.ndarray, xl: np.ndarray, degree: int, weights: np.ndarray | None = None):
        self.weights = np.ones(len(phi_l)) if weights is None else weights
        w = self.weights
        self.degree, self.total = degree, float(w.sum())
        self.pc = phi_l - np.dot(w, phi_l) / self.total
        self.xc = np.asfortranarray(xl - (w @ xl) / self.total)  # (column-major: fast products with b)
        wp = w * self.pc
        self.spp = float(np.dot(wp, self.pc))
        self.spx = self.xc.T @ wp
        self.sxx = (self.xc * w[:, None]).T @ self.xc
        self.powers = np.empty((2 * degree + 1, len(phi_l)))  # z^j, j = 0..2 degree
        self.powers[0] = 1.0

    def __call__(self, target: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Fitted values of ``g`` for ``target`` at coefficients ``b``."""
        u, w, d = self.powers, self.weights, self.degree
        np.subtract(self.pc, _mv(self.xc, b), out=u[1])
        var = (self.spp - 2 * (b @ self.spx) + b @ self.sxx @ b) / self.total
        if not var > 1e-8 * self.spp / self.total:
            var = np.dot(w * u[1], u[1]) / self.total
        if var > 0:
            u[1] /= np.sqrt(var)
        for j in range(2, 2 * d + 1):
            np.multiply(u[j - 1], u[1], out=u[j])
        moments = u @ w
        idx = np.arange(d + 1)
        basis = u[: d + 1]
        try:
            coef = np.linalg.solve(moments[np.add.outer(idx, idx)], basis @ (w * target))
        except np.linalg.LinAlgError:
            sw = np.sqrt(w)
            coef = np.linalg.lstsq(basis.T * sw[:, None], target * sw, rcond=None)[0]
        return coef @ basis


@dataclass(frozen=True)
class Objective:
    """A stage-2 objective: ``residuals(b)`` (what LM works on), ``criterion(b)`` (reported),
    ``kind`` "root" (exactly identified moments: solved at criterion 0) or "minimum"."""

    residuals: Callable[[np.ndarray], np.ndarray]
    criterion: Callable[[np.ndarray], float]
    kind: str
    n_params: int


def levpet(phi, xt, xl, degree, weights=None) -> Objective:
    """Levinsohn-Petrin / levpet value-added second stage (see the module docstring).

    ``phi``: (stage-1 fit net of the free inputs at t, the same at t-1, output net of the free
    inputs at t); ``xt``/``xl``: state inputs at t and t-1;
    ``weights``: frequency weights of the pairs (a bootstrap draw; None: 1 each).
    """
    phi_t, phi_l, rss_t = phi
    g = LawOfMotion(phi_l, xl, degree, weights)

    def res(b):
        xb = _mv(xt, b)
        return rss_t - xb - g(phi_t - xb, b)

    def crit(b):
        r = res(b)
        return float(np.sum(g.weights * r * r) / g.total)

    # least squares on sqrt(w) * residual: the sum of squares over the repeated rows
    sw = None if weights is None else np.sqrt(weights)
    return Objective(res if sw is None else (lambda b: sw * res(b)), crit, "minimum", xt.shape[1])


def levpet_revenue(phi, xt, xl, inst, degree, center=None, weights=None) -> Objective:
    """levpet's revenue (gross output) second stage: GMM with identity weighting."""
    _, phi_l, rss_t = phi
    g = LawOfMotion(phi_l, xl, degree, weights)
    inst_w = inst if weights is None else inst * weights[:, None]

    def res(b):
        a = rss_t - _mv(xt, b)
        m = inst_w.T @ (a - g(a, b)) / g.total
        return m if center is None else m - center

    kind = "root" if inst.shape[1] == xt.shape[1] else "minimum"
    return Objective(res, lambda b: float(np.sum(res(b) ** 2)), kind, xt.shape[1])


def moment(phi, xt, xl, inst, degree, weights=None) -> Objective:
    """Moment second stage on ``xi`` built from ``phi`` (ACF 2015; the LP 'moment' option)."""
    phi_t, phi_l, _ = phi
    g = LawOfMotion(phi_l, xl, degree, weights)
    n = g.total
    inst_w = inst if weights is None else inst * weights[:, None]
    chol_w = np.linalg.cholesky(np.linalg.inv(inst_w.T @ inst / n))

    def xi(b):
        w_t = phi_t - _mv(xt, b)
        return w_t - g(w_t, b)

    def moments(e):
        return chol_w.T @ (inst_w.T @ e / n)  # ||.||^2 = m' W m

    def crit(b):
        e = xi(b)
        mse = np.sum(g.weights * e * e) / n
        return float(np.sum(moments(e) ** 2) / max(mse, np.finfo(float).tiny))

    kind = "root" if inst.shape[1] == xt.shape[1] else "minimum"
    return Objective(lambda b: moments(xi(b)), crit, kind, xt.shape[1])


# ---------------------------------------------------------------------------------------------
# search
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Solution:
    """Where the search ended: coefficients, criterion, convergence, the start used, and every
    start tried as (name, start, end, criterion, converged)."""

    x: np.ndarray
    criterion: float
    converged: bool
    start: str
    tried: tuple[tuple[str, tuple[float, ...], tuple[float, ...], float, bool], ...] = field(default=())

    @property
    def n_distinct_solutions(self) -> int:
        """Distinct converged end points (|difference| > 1e-6): more than 1 = several roots."""
        ends: list[np.ndarray] = []
        for *_, end, _c, ok in self.tried:
            e = np.asarray(end)
            if ok and not any(np.max(np.abs(e - f)) <= 1e-6 for f in ends):
                ends.append(e)
        return len(ends)


def _safe(f: Callable[[np.ndarray], float], x: np.ndarray) -> float:
    try:
        v = f(x)
    except (np.linalg.LinAlgError, ValueError, FloatingPointError):
        return np.inf
    return v if np.isfinite(v) else np.inf


def _scalar(obj: Objective, bounds: tuple[float, float], points: int, tol: float) -> Solution:
    lo, hi = bounds
    grid = np.linspace(lo, hi, points)
    vals = np.array([_safe(obj.criterion, np.array([g])) for g in grid])
    if not np.isfinite(vals).any():
        return Solution(np.array([np.nan]), np.inf, False, "scan")
    i = int(np.argmin(vals))
    a, b = grid[max(i - 1, 0)], grid[min(i + 1, points - 1)]
    r = minimize_scalar(lambda v: _safe(obj.criterion, np.array([v])), bounds=(a, b), method="bounded",
                        options={"xatol": 1e-10, "maxiter": 500})
    x, crit = (float(r.x), float(r.fun)) if r.fun <= vals[i] else (float(grid[i]), float(vals[i]))
    interior = 0 < i < points - 1 and lo < x < hi
    ok = bool(r.success) and interior and (crit < tol if obj.kind == "root" else True)
    return Solution(np.array([x]), crit, ok, "scan", (("scan", (float(grid[i]),), (x,), crit, ok),))


def _lm(obj: Objective, x0: np.ndarray, tol: float, bounds) -> tuple[np.ndarray, float, bool]:
    try:
        r = least_squares(obj.residuals, x0, method="lm", xtol=1e-12, ftol=1e-14, gtol=1e-14, max_nfev=400 * len(x0))
    except (np.linalg.LinAlgError, ValueError):
        return np.full(len(x0), np.nan), np.inf, False
    x = r.x
    crit = _safe(obj.criterion, x) if np.all(np.isfinite(x)) else np.inf
    inside = bool(np.all((x > bounds[0]) & (x < bounds[1])))
    ok = np.isfinite(crit) and inside and (crit < tol if obj.kind == "root" else r.status > 0)
    return x, crit, bool(ok)


def solve(
    obj: Objective,
    starts: Sequence[tuple[str, np.ndarray]],
    *,
    tol: float = TOLERANCE,
    bounds: tuple[float, float] = (-np.inf, np.inf),
    scan_points: int = 0,
) -> Solution:
    """Solve ``obj``: a grid scan + Brent when it has one coefficient and ``scan_points`` > 0,
    else Levenberg-Marquardt from each of ``starts`` (see the module docstring for the choice).
    A solution outside ``bounds`` (each coefficient) is not converged."""
    if obj.n_params == 1 and scan_points > 0:
        return _scalar(obj, bounds, scan_points, tol)
    tried = []
    for name, x0 in starts:
        x0 = np.asarray(x0, dtype=float)
        x, crit, ok = _lm(obj, x0, tol, bounds)
        tried.append((name, tuple(map(float, x0)), tuple(map(float, x)), float(crit), ok))
    if not tried:
        raise ValueError("no starting point")
    conv = [t for t in tried if t[4]]
    inside = [t for t in tried if np.all((np.asarray(t[2]) > bounds[0]) & (np.asarray(t[2]) < bounds[1]))]
    if obj.kind == "root" and conv:
        best = conv[0]
    else:  # the smallest criterion inside the bounds (min keeps the first of equal criteria)
        best = min(inside or tried, key=lambda t: t[3])
    return Solution(np.asarray(best[2]), best[3], best[4], best[0], tuple(tried))
