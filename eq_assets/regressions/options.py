"""Named modelling choices of the estimation engine, defaulting to what the papers did.

Neither paper prints its estimation command; both are Chinese-literature Stata papers with
high-dimensional fixed effects and firm-clustered errors, i.e. ``reghdfe``. The defaults below
reproduce reghdfe's (equivalently R fixest's) behaviour on pyfixest, and each one is a field
so that a robustness run changes it by name, never by editing a constant.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyfixest as pf
from pyfixest.demeaners import LsmrDemeaner, MapDemeaner

DEMEANER_BACKENDS = ("within", "rust", "numba")


@dataclass(frozen=True)
class EstimationSettings:
    """How a specification is fitted (everything that is not the specification itself)."""

    fixef_rm: str = "singleton"
    """Drop singleton observations (an FE level with one row) before fitting, iteratively
    across all FE dimensions. This is reghdfe's default (Correia 2015, "Singletons, cluster-robust
    standard errors and fixed effects": singletons do not change the coefficients but inflate N
    and bias clustered SEs downward) and fixest/pyfixest's ``fixef_rm="singleton"``. The number of
    dropped rows is recorded (``FitResult.n_singletons``). ``"none"`` keeps them. A column may
    override this with ``RegressionSpec.fixef_rm`` (e.g. a paper estimated with Stata's
    ``xtreg, fe``, which keeps singletons)."""

    ssc_k_adj: bool = True
    """Multiply the CRV1 variance by (N-1)/(N-K) (fixest ``ssc(adj=TRUE)``, reghdfe default)."""

    ssc_k_fixef: str = "nonnested"
    """How fixed effects count in K. ``"nonnested"`` = fixest's default ``fixef.K="nested"``: FE
    levels nested in the clusters (firm FE when clustering by firm) are not counted, except one
    for each fully nested FE (it stands in for the intercept). With firm + year FE clustered by
    firm, K = k + T (k slopes, T years): the same as reghdfe, which marks the firm FE as
    redundant ("nested within cluster") and counts the constant and T-1 year dummies.
    ``"full"`` counts every FE level (K = k + G + T - 1, the dummy-variable regression)."""

    ssc_G_adj: bool = True
    """Multiply a clustered variance by G/(G-1) (fixest ``cluster.adj=TRUE``, Stata default)."""

    ssc_G_df: str = "min"
    """Multi-way clustering only: use min(G) in G/(G-1) (fixest's default ``cluster.df="min"``)."""

    demeaner_backend: str = "within"
    """Fixed-effects solver. ``"within"``: pyfixest 0.60's LSMR demeaner with an additive-Schwarz
    preconditioner (``pyfixest.demeaners.LsmrDemeaner(backend="within")``); ``"rust"``/``"numba"``:
    alternating projections (MAP, ``MapDemeaner``; numba is an optional extra, not installed here).
    They give the same coefficients and SEs (measured: |d coef| ~1e-15, |d SE| ~1e-12 at
    tolerance 1e-8, see the timings in :mod:`eq_assets.regressions.engine`); ``within`` is ~3-4x
    faster on the 4-FE P1 model. MAP is known to need many sweeps (and can hit its cap) on
    sparse, weakly connected FE structures such as firms that move city or industry; the
    preconditioned LSMR solver is built for those.

    Bit-reproducibility (measured, 4 FE, 300k rows): ``within`` runs its LSMR in parallel
    (rayon) and its floating-point reductions are not order-stable, so repeated fits of the same
    frame differ in the last bit (max relative difference 2e-16; 4 distinct results in 60 fits
    of a 4k-row 4-FE panel). Written with ``%.10g`` (results.csv) they are identical. For
    bit-identical floats set ``RAYON_NUM_THREADS=1`` in the environment before the process
    starts (then identical across processes; feols 7.3 s instead of 3.1 s at 1M rows) or use
    ``"rust"`` (bit-identical across fits and processes even multithreaded, 11.2 s)."""

    fixef_tol: float = 1e-8
    """Demeaning tolerance: reghdfe's default ``tolerance(1e-8)`` (fixest/pyfixest MAP default is
    1e-6). For ``within`` it is LSMR's atol = btol."""

    fixef_maxiter: int = 10_000
    """Iteration cap (MAP sweeps or LSMR iterations). pyfixest raises ``ValueError("Demeaning
    failed after N iterations")`` when it is hit: a fit never silently returns unconverged."""

    collin_tol: float = 1e-9
    """Tolerance of pyfixest's collinearity check (its default); dropped variables are recorded."""

    compress_fe_cells: bool = True
    """Demean on fixed-effect cells (rows sharing every FE level, weighted by their row count)
    when there are at most half as many cells as rows (:func:`eq_assets.regressions.cells.fe_cells`).
    The same projection, solved on a smaller problem: P1's 10.3M product x destination rows fall
    into 0.6M firm-year cells, and a 4-FE column is demeaned in ~0.4 s instead of ~5 s; results
    agree with the row-level solve to the solver's tolerance (tested to 1e-8 against pyfixest's
    ``feols``). Not a modelling choice (neither paper says how its demeaning was solved);
    ``False`` gives the row-level solve that fixest/reghdfe/pyfixest run."""

    sort_rows: bool = True
    """Sort the estimation frame canonically (by FE and cluster codes, then a hash of the model
    variables) before fitting, so that the same rows in any input order give the same floats
    (floating-point sums depend on order; measured: without sorting a shuffled 2.7k-row panel
    changed the last bits of every estimate). Costs ~0.6 s per 1M rows."""

    def __post_init__(self) -> None:
        if self.demeaner_backend not in DEMEANER_BACKENDS:
            raise ValueError(f"demeaner_backend must be one of {DEMEANER_BACKENDS}")
        if self.fixef_rm not in ("singleton", "none"):
            raise ValueError("fixef_rm must be 'singleton' or 'none'")

    def demeaner(self) -> LsmrDemeaner | MapDemeaner:
        """The typed pyfixest demeaner (0.60 API; ``demeaner_backend=`` is deprecated there)."""
        if self.demeaner_backend == "within":
            return LsmrDemeaner(
                backend="within", fixef_atol=self.fixef_tol, fixef_btol=self.fixef_tol,
                fixef_maxiter=self.fixef_maxiter,
            )
        return MapDemeaner(backend=self.demeaner_backend, fixef_tol=self.fixef_tol, fixef_maxiter=self.fixef_maxiter)

    def ssc(self) -> dict:
        """pyfixest's small-sample-correction dict."""
        return pf.ssc(k_adj=self.ssc_k_adj, k_fixef=self.ssc_k_fixef, G_adj=self.ssc_G_adj, G_df=self.ssc_G_df)


#: The papers' choices.
DEFAULT_SETTINGS = EstimationSettings()
