"""What one fit produces (:class:`FitResult`) and the one reason a column may be skipped.

Shared by the estimation paths (:mod:`.ols`, :mod:`.iv`, :mod:`.reference`) and re-exported by
:mod:`.engine`; kept apart so that those modules do not import the engine (no import cycles).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from eq_assets.regressions.spec import RegressionSpec


class NotEstimable(ValueError):
    """A column cannot be estimated on its sample (too few rows, or no variation in a regressor
    of interest): e.g. a heterogeneity subsample that is (nearly) empty in a small world."""


def check_estimable(spec: RegressionSpec, n_rows: int, no_variation: list[str]) -> None:
    """Raise :class:`NotEstimable` when a spec has no more rows than coefficients, or when one of
    ``no_variation`` (regressors / instruments constant over the complete rows) is non-empty.

    ``n_rows`` counts complete rows before singletons are removed (as the engine always did).
    """
    k = len(spec.regressors) + len(spec.controls) + (0 if spec.fixed_effects else 1)
    where = f"{spec.paper} Table {spec.table} column {spec.column} (sample {spec.sample!r})"
    if n_rows <= k:
        raise NotEstimable(f"{where}: {n_rows} complete rows for {k} coefficients")
    if no_variation:
        raise NotEstimable(f"{where}: no variation in {no_variation} over its {n_rows} rows")


@dataclass(frozen=True)
class FitResult:
    """What one fit produced: coefficients, fit statistics and the accounting of its rows.

    Row accounting (nothing disappears silently): ``n_input`` rows handed in = ``n_excluded``
    (outside the named sample) + ``n_missing`` (a needed variable missing or non-finite) +
    ``n_singletons`` (removed by the singleton rule) + ``n_obs`` (used).

    Fit statistics follow R fixest (``r2()``) / pyfixest: ``adj_r2`` = 1 - (1 - R2)(N - 1) /
    (N - K - K_fe) with every absorbed FE level counted (K_fe = sum(levels - 1) + 1);
    ``r2_within`` = 1 - SSR / sum(y demeaned ^ 2) (reghdfe's "Within R-sq.", Stata ``xtreg, fe``
    "R-sq within" with one FE), ``adj_r2_within`` = 1 - (1 - R2_w)(N - K_fe) / (N - K_fe - K);
    both NaN without fixed effects (as fixest).
    """

    spec: RegressionSpec
    terms: tuple[str, ...]
    estimate: tuple[float, ...]
    std_error: tuple[float, ...]
    p_value: tuple[float, ...]
    n_obs: int
    adj_r2: float
    n_input: int
    n_excluded: int
    n_missing: int
    n_singletons: int
    n_clusters: tuple[int, ...] = ()
    ssc_factor: float = float("nan")
    df_k: int = 0
    dropped_collinear: tuple[str, ...] = ()
    backend: str = ""
    seconds: float = 0.0
    messages: tuple[str, ...] = field(default=(), compare=False)
    #: IV fits: identification statistics and first-stage rows (see :mod:`.iv`).
    extra_rows: tuple[dict, ...] = field(default=(), compare=False)
    r2: float = float("nan")
    r2_within: float = float("nan")
    adj_r2_within: float = float("nan")
    #: label of the estimation group whose demeaned matrix the fit used (shared work)
    group: str = ""

    @property
    def n_before_singletons(self) -> int:
        """N after the sample filter and missing values, before singletons are removed."""
        return self.n_obs + self.n_singletons

    def coef(self, term: str) -> float:
        return self.estimate[self.terms.index(term)]

    def se(self, term: str) -> float:
        return self.std_error[self.terms.index(term)]

    def rows(self) -> list[dict]:
        """One results row per estimated coefficient (regressors, controls, intercept if any)."""
        s = self.spec
        return [
            {
                "paper": s.paper, "table": s.table, "column": s.column, "term": t,
                "estimate": b, "std_error": se, "p_value": p, "n_obs": self.n_obs,
                "adj_r2": self.adj_r2, "fixed_effects": s.fixed_effects_label,
                "vcov": s.vcov_label, "sample": s.sample,
                "r2_within": self.r2_within, "adj_r2_within": self.adj_r2_within, "variant": s.variant,
                "r2": self.r2,
            }
            for t, b, se, p in zip(self.terms, self.estimate, self.std_error, self.p_value)
        ] + [dict(r) for r in self.extra_rows]

    def summary(self) -> dict:
        """Accounting and diagnostics of the fit (for logs and Dagster metadata)."""
        s = self.spec
        return {
            "paper": s.paper, "table": s.table, "column": s.column, "formula": s.formula,
            "n_input": self.n_input, "n_excluded": self.n_excluded, "n_missing": self.n_missing,
            "n_before_singletons": self.n_before_singletons, "n_singletons": self.n_singletons,
            "n_obs": self.n_obs, "n_clusters": ",".join(map(str, self.n_clusters)),
            "ssc_factor": self.ssc_factor, "df_k": self.df_k,
            "dropped_collinear": ",".join(self.dropped_collinear), "backend": self.backend,
            "group": self.group, "seconds": round(self.seconds, 3),
        }


def as_floats(values) -> tuple[float, ...]:
    return tuple(float(v) for v in np.asarray(values, dtype=float).ravel())
