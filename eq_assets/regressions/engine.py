"""One engine for every specification: pyfixest ``feols`` on exactly the columns a spec needs.

``fit_spec(spec, data, settings=...)`` fits one :class:`~eq_assets.regressions.specs.RegressionSpec`
(OLS with absorbed fixed effects, or 2SLS for ``estimator="iv"``) and returns a
:class:`FitResult`; ``run_specs(specs, load)`` fits many, one at a time, asking ``load(columns)``
for only the columns each needs, and returns the results rows (``RESULT_COLUMNS``).

Row accounting of a fit (nothing disappears silently): ``n_input`` rows handed in =
``n_excluded`` (outside the named sample) + ``n_missing`` (a needed variable missing or
non-finite) + ``n_singletons`` (dropped by ``fixef_rm="singleton"``) + ``n_obs`` (used).

Memory (measured before this module was written, 4 FE at 10M rows: one ``within`` fit peaked at
12.9 GB): the frame handed to pyfixest holds only the needed columns as float64 / int32 codes,
pyfixest is told not to copy it (``copy_data=False``) nor keep it (``store_data=False``,
``lean=True``: the fitted object drops X, y, scores), and ``run_specs`` lets the loaded frame go
before fitting and collects garbage after each fit.

Demeaner timings (``python -m eq_assets.regressions.benchmark 1000000``; synthetic P1-like panel,
1,000,000 rows, 50,000 firms, 11 years, 300 cities, 400 industries, 5% of rows off the firm's
modal city/industry; Distance on Eco + 6 controls | firm_id + year + city + industry, CRV1 by
firm_id, tol 1e-8; 2 shared cores; each backend in a fresh process, "warm" = second fit there):

=========  ========  ========  ==============  =========  ===================================
backend    cold      warm      (of it feols)   peak RSS   Eco coef / SE vs within
=========  ========  ========  ==============  =========  ===================================
within     6.0 s     3.6 s     3.1 s           1.59 GB    reference
rust MAP   14.1 s    11.8 s    11.2 s          1.42 GB    |d coef| 8e-16, |d SE| 9e-13
=========  ========  ========  ==============  =========  ===================================

(A first run, before rows were ordered by hash instead of a lexsort on every column, gave
within 7.3 / 5.1 s and rust 16.0 / 14.3 s, feols 3.3 / 12.0 s.) ``warm - feols`` is
:func:`prepare_frame` (factorizing ids, canonical sort): ~0.6-0.8 s per 1M rows. Peak RSS
includes the synthetic panel itself (string firm ids) and two fits.

The cold ``within`` fit includes a one-off ~2 s start-up per process (the first fit in a
process, whatever its size; 20k rows: 2.1 s cold, 0.06 s warm). numba MAP is an optional extra
that is not installed in this environment (figures reported for this stack before this module
was written, 1M rows: within 2.1 s, rust 10.6 s, numba 11.9 s, same coefficients/SE to 1e-9).

Determinism: the frame is put in a canonical row order (``EstimationSettings.sort_rows``) and
pyfixest's FE order is pinned (:func:`_deterministic_fe_order`; pyfixest 0.60 orders FE by a
string ``set``, so results depended on PYTHONHASHSEED). The multithreaded ``within`` solver still
jitters by one ulp between fits; results.csv (``%.10g``) is identical. See
``EstimationSettings.demeaner_backend`` for bit-identical alternatives.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import re
import time
import warnings
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping

import numpy as np
import pandas as pd
import pyfixest as pf

from eq_assets.regressions.options import DEFAULT_SETTINGS, EstimationSettings
from eq_assets.regressions.results import results_frame
from eq_assets.regressions.samples import get_sample
from eq_assets.regressions.specs import RegressionSpec

log = logging.getLogger(__name__)

#: ``load(columns) -> DataFrame`` with only those columns of the spec's panel.
Loader = Callable[[tuple[str, ...]], pd.DataFrame]


@dataclass(frozen=True)
class PreparedData:
    """The estimation frame of one spec and how many input rows were left out before fitting."""

    frame: pd.DataFrame
    n_input: int
    n_excluded: int
    n_missing: int

    @property
    def n_before_singletons(self) -> int:
        return len(self.frame)


@dataclass(frozen=True)
class FitResult:
    """What one fit produced: coefficients and the accounting of its rows."""

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
            "seconds": round(self.seconds, 3),
        }


# ---- preparing the estimation frame ----------------------------------------------------------


def prepare_frame(spec: RegressionSpec, data: pd.DataFrame, settings: EstimationSettings = DEFAULT_SETTINGS) -> PreparedData:
    """Only what the fit needs, complete cases, ids as int32 codes, canonical row order.

    Rows outside the spec's sample and rows with a missing / non-finite model variable or a
    missing id (FE or cluster) are dropped and counted. Identifier columns become int32 codes
    of their sorted distinct values (``pd.factorize(sort=True)``), so codes, and with
    ``settings.sort_rows`` the row order, depend only on the set of rows, not on input order.
    """
    needed = spec.columns_needed
    absent = [c for c in needed if c not in data.columns]
    if absent:
        raise KeyError(f"{spec.paper} Table {spec.table} ({spec.column}): panel lacks columns {absent}")
    n_input = len(data)
    in_sample = get_sample(spec.sample).mask(data)

    numeric: dict[str, np.ndarray] = {}
    complete = np.ones(n_input, dtype=bool)
    for col in spec.numeric_columns:
        s = data[col]
        if not (pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)):
            raise TypeError(f"model variable {col!r} is not numeric (dtype {s.dtype})")
        arr = s.to_numpy(dtype="float64", na_value=np.nan)
        numeric[col] = arr
        complete &= np.isfinite(arr)
    id_cols = [c for c in spec.id_columns if c not in numeric]
    for col in id_cols:
        complete &= data[col].notna().to_numpy()

    keep = in_sample & complete
    n_excluded = int((~in_sample).sum())
    n_missing = int((in_sample & ~complete).sum())

    out: dict[str, np.ndarray] = {}
    for col in id_cols:
        codes, _ = pd.factorize(data[col].to_numpy()[keep], sort=True)
        out[col] = codes.astype(np.int32)
    for col, arr in numeric.items():
        out[col] = arr[keep]
    del numeric

    if settings.sort_rows and keep.any():
        # Canonical order: by identifier codes, then by a 64-bit hash of the row's model values
        # (a full lexsort on every float column costs more than the fit at 1M rows). Rows tied
        # on both are identical (or collide with probability ~2^-64), so order is irrelevant.
        keys = [out[c] for c in id_cols] + [_row_hash([out[c] for c in spec.numeric_columns])]
        order = np.lexsort(tuple(reversed(keys)))
        out = {c: a[order] for c, a in out.items()}
    frame = pd.DataFrame(out, copy=False)
    return PreparedData(frame=frame, n_input=n_input, n_excluded=n_excluded, n_missing=n_missing)


def _row_hash(columns: list[np.ndarray]) -> np.ndarray:
    """Deterministic uint64 hash of each row's values (pandas' hash_array, combined per column)."""
    h = np.zeros(len(columns[0]) if columns else 0, dtype=np.uint64)
    for arr in columns:
        h = h * np.uint64(1_000_003) ^ pd.util.hash_array(arr)
    return h


# ---- fitting ---------------------------------------------------------------------------------


def _encode_fixed_effects_in_order(fixed_effects: str, data: pd.DataFrame) -> str:
    """pyfixest 0.60's ``formula.utils._encode_fixed_effects`` with the formula's FE order kept.

    The original iterates ``set(fixed_effects.split("+"))``, so the order in which the FE are
    demeaned, and with it the last bits of every estimate, depends on PYTHONHASHSEED (the same
    fit in two processes differed by ~1e-17, measured). Same logic, ``dict.fromkeys`` order.
    """
    fes = list(dict.fromkeys(re.split(r"\s*\+\s*", fixed_effects)))
    for fe in fes:
        if "^" not in fe:
            continue
        parts = fe.split("^")
        data[fe.replace("^", "_")] = (
            data[parts[0]].astype(pd.StringDtype())
            .str.cat(data[parts[1:]].astype(pd.StringDtype()), sep="^", na_rep=None)
        )
    encoded = (f"__fixed_effect__({fe.replace('^', '_')})" for fe in fes)
    return f"{' + '.join(encoded)} - 1"


@contextlib.contextmanager
def _deterministic_fe_order():
    """Use :func:`_encode_fixed_effects_in_order` inside pyfixest for the duration of a fit."""
    try:
        from pyfixest.estimation.formula import model_matrix
    except ImportError:  # another pyfixest layout: nothing to patch
        yield
        return
    original = getattr(model_matrix, "_encode_fixed_effects", None)
    if original is None:
        yield
        return
    model_matrix._encode_fixed_effects = _encode_fixed_effects_in_order
    try:
        yield
    finally:
        model_matrix._encode_fixed_effects = original



class NotEstimable(ValueError):
    """A column cannot be estimated on its sample (too few rows, or no variation in a regressor
    of interest): e.g. a heterogeneity subsample that is (nearly) empty in a small world."""


def _check_estimable(spec: RegressionSpec, frame: pd.DataFrame) -> None:
    n = len(frame)
    k = len(spec.regressors) + len(spec.controls) + (0 if spec.fixed_effects else 1)
    where = f"{spec.paper} Table {spec.table} column {spec.column} (sample {spec.sample!r})"
    if n <= k:
        raise NotEstimable(f"{where}: {n} complete rows for {k} coefficients")
    flat = [v for v in spec.regressors + spec.instruments if v in frame and np.ptp(frame[v].to_numpy()) == 0]
    if flat:
        raise NotEstimable(f"{where}: no variation in {flat} over its {n} rows")


def fit_prepared(spec: RegressionSpec, prepared: PreparedData, settings: EstimationSettings = DEFAULT_SETTINGS) -> FitResult:
    """Fit ``spec`` on a frame from :func:`prepare_frame` (pyfixest may modify that frame)."""
    frame = prepared.frame
    if frame.empty:
        raise ValueError(f"{spec.key}: no rows left after sample filter and missing values")
    _check_estimable(spec, frame)
    if spec.estimator == "iv":
        return _fit_iv(spec, prepared, settings)
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught, _deterministic_fe_order():
        warnings.simplefilter("always")
        fit = pf.feols(
            spec.formula,
            data=frame,
            vcov=spec.vcov_arg,
            ssc=settings.ssc(),
            fixef_rm=settings.fixef_rm,
            collin_tol=settings.collin_tol,
            demeaner=settings.demeaner(),
            copy_data=False,
            store_data=False,
            lean=True,
        )
    seconds = time.perf_counter() - t0
    coef, se, pval = fit.coef(), fit.se(), fit.pvalue()
    n_obs = int(fit._N)
    n_before = len(frame)
    ssc = np.asarray(fit._ssc, dtype=float).ravel()
    result = FitResult(
        spec=spec,
        terms=tuple(str(t) for t in coef.index),
        estimate=tuple(float(v) for v in coef.to_numpy()),
        std_error=tuple(float(v) for v in se.to_numpy()),
        p_value=tuple(float(v) for v in pval.to_numpy()),
        n_obs=n_obs,
        adj_r2=float(fit._adj_r2),
        n_input=prepared.n_input,
        n_excluded=prepared.n_excluded,
        n_missing=prepared.n_missing,
        n_singletons=n_before - n_obs,
        # pyfixest's _G holds the G used in G/(G-1) per clustering term (3 entries, all min(G),
        # with G_df="min"); keep one per cluster variable of the spec.
        n_clusters=tuple(int(g) for g in (getattr(fit, "_G", None) or ()))[: len(spec.cluster_columns)],
        ssc_factor=float(ssc[0]) if ssc.size else float("nan"),
        df_k=int(getattr(fit, "_df_k", 0) or 0),
        dropped_collinear=tuple(str(v) for v in (getattr(fit, "_collin_vars", None) or ())),
        backend=settings.demeaner_backend,
        seconds=seconds,
        messages=tuple(dict.fromkeys(str(w.message) for w in caught)),
    )
    del fit
    missing_interest = [r for r in spec.regressors if r not in result.terms]
    if missing_interest:
        log.warning("%s: regressor(s) of interest %s not estimated (collinear?)", spec.key, missing_interest)
    log.info("fitted %s %s: %s", spec.key, spec.formula, result.summary())
    return result


def _fit_iv(spec: RegressionSpec, prepared: PreparedData, settings: EstimationSettings) -> FitResult:
    """2SLS through :func:`eq_assets.regressions.iv.fit_iv_frame` (FE-demeaned, first stage by pyfixest)."""
    from eq_assets.regressions.iv import fit_iv_frame, iv_rows

    fit = fit_iv_frame(spec, prepared.frame, settings)
    rows = iv_rows(spec, fit)
    n_main = len(fit.terms)
    result = FitResult(
        spec=spec, terms=fit.terms, estimate=tuple(map(float, fit.estimate)),
        std_error=tuple(map(float, fit.std_error)), p_value=tuple(map(float, fit.p_value)),
        n_obs=fit.n_obs, adj_r2=fit.adj_r2, n_input=prepared.n_input, n_excluded=prepared.n_excluded,
        n_missing=prepared.n_missing, n_singletons=fit.n_singletons, n_clusters=fit.n_clusters,
        ssc_factor=fit.ssc_factor, df_k=fit.df_k, backend=settings.demeaner_backend + "+2sls",
        seconds=fit.seconds, messages=fit.messages, extra_rows=tuple(rows[n_main:]),
    )
    log.info("fitted %s %s: %s", spec.key, spec.formula, result.summary())
    return result


def fit_spec(spec: RegressionSpec, data: pd.DataFrame, *, settings: EstimationSettings = DEFAULT_SETTINGS) -> FitResult:
    """Fit one specification on ``data`` (a panel holding at least ``spec.columns_needed``)."""
    return fit_prepared(spec, prepare_frame(spec, data, settings), settings)


def _loader_for(load: Loader | Mapping[str, Loader], spec: RegressionSpec) -> Loader:
    if isinstance(load, Mapping):
        try:
            return load[spec.panel]
        except KeyError:
            raise KeyError(f"no loader for panel {spec.panel!r} (needed by {spec.key})") from None
    return load


def run_specs(
    specs: Iterable[RegressionSpec],
    load: Loader | Mapping[str, Loader],
    *,
    settings: EstimationSettings = DEFAULT_SETTINGS,
    fit_log: list[FitResult] | None = None,
    skipped: list[str] | None = None,
) -> pd.DataFrame:
    """Fit ``specs`` one at a time and return the results rows (``RESULT_COLUMNS``, stable order).

    ``load(columns)`` must return the spec's panel with only ``columns`` (a mapping
    ``{panel name: load}`` serves specs on several panels). The loaded frame is released before
    the fit starts (only the prepared copy lives on). Pass a list as ``fit_log`` to receive each
    :class:`FitResult` (row accounting, singletons, timing).
    """
    rows: list[dict] = []
    for spec in specs:
        loader = _loader_for(load, spec)
        # The loaded frame is a temporary: it is freed as soon as prepare_frame returns.
        prepared = prepare_frame(spec, loader(spec.columns_needed), settings)
        try:
            result = fit_prepared(spec, prepared, settings)
        except NotEstimable as exc:
            if skipped is None:
                raise
            # the column is left out of the table, and the reason is reported (asset metadata)
            log.warning("skipped: %s", exc)
            skipped.append(str(exc))
            continue
        del prepared
        gc.collect()
        rows.extend(result.rows())
        if fit_log is not None:
            fit_log.append(result)
    return results_frame(rows)


def fit_summaries(fits: Iterable[FitResult]) -> pd.DataFrame:
    """One row per fit: row accounting (N before/after singletons), clusters, timing."""
    return pd.DataFrame([f.summary() for f in fits])
