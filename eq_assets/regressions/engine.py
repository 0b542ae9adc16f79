"""One engine for every specification: specs that share rows and fixed effects share the work.

``run_specs(specs, load)`` fits many :class:`~eq_assets.regressions.spec.RegressionSpec` and
returns the results rows (``RESULT_COLUMNS``); ``fit_spec(spec, data)`` fits one and returns its
:class:`FitResult`. How the work is shared (:mod:`.groups`):

1. specs are gathered by (panel, sample, FE set, singleton rule); ``load(columns)`` is called
   once per panel with the union of the columns its specs need;
2. each spec's complete-case rows are computed; specs with exactly the same rows form a group
   (different row sets are never merged: every result is the one the spec gives alone);
3. per group, once: canonical row order, singletons (pyfixest ``detect_singletons``), the union
   of numeric columns demeaned by pyfixest's demeaner (``within`` by default) and ``D'D``;
4. per spec: OLS (:mod:`.ols`) or 2SLS with its first stage (:mod:`.iv`) on blocks of that
   matrix (Frisch-Waugh-Lovell), computed as pyfixest ``feols`` computes them.

Columns whose vcov the shared path does not compute (multi-way clustering, CRV3, HC2/3) are
fitted one by one through pyfixest (:mod:`.reference`, the engine before work sharing, also the
tests' second engine); their ``FitResult.backend`` ends in ``+pyfixest``.

Row accounting of a fit (nothing disappears silently): ``n_input`` rows handed in =
``n_excluded`` (outside the named sample) + ``n_missing`` (a needed variable missing or
non-finite) + ``n_singletons`` (dropped by the singleton rule) + ``n_obs`` (used).
``FitResult.seconds`` is the fit's own algebra plus an equal share of its group's set-up
(ordering, singletons, demeaning), so that the seconds of a table add up to its wall time.

Speed and memory (``python -m eq_assets.regressions.benchmark``; figures in
``docs/benchmarks.md`` and the benchmark module): per group the demeaned matrix (n x p float64)
and its raw copy are the only large arrays; nothing n x k is formed per spec.

Determinism: canonical row order per group (``EstimationSettings.sort_rows``), fixed FE order;
the multithreaded ``within`` solver may still jitter by one ulp between fits; results.csv
(``%.10g``) is identical. See ``EstimationSettings.demeaner_backend``.
"""

from __future__ import annotations

import gc
import logging
import time
from dataclasses import replace
from typing import Callable, Iterable, Mapping

import pandas as pd

from eq_assets.regressions.fitresult import FitResult, NotEstimable, check_estimable
from eq_assets.regressions.groups import EstimationGroup, SpecAccount, iter_groups, plan_candidates, union_columns
from eq_assets.regressions.options import DEFAULT_SETTINGS, EstimationSettings
from eq_assets.regressions.reference import PreparedData, fit_prepared, fit_spec_reference, prepare_frame
from eq_assets.regressions.results import results_frame
from eq_assets.regressions.spec import RegressionSpec

__all__ = [
    "FitResult", "Loader", "NotEstimable", "PreparedData", "fit_prepared", "fit_spec", "fit_spec_reference",
    "fit_summaries", "prepare_frame", "run_specs",
]

log = logging.getLogger(__name__)

#: ``load(columns) -> DataFrame`` with only those columns of the spec's panel.
Loader = Callable[[tuple[str, ...]], pd.DataFrame]


def shared_path_fits(spec: RegressionSpec) -> bool:
    """True when the shared path computes this spec's vcov (else pyfixest, one by one)."""
    from eq_assets.regressions.ols import vcov_kind

    return vcov_kind(spec) is not None


def _fit_in_group(spec: RegressionSpec, group: EstimationGroup | None, account: SpecAccount,
                  settings: EstimationSettings) -> FitResult:
    from eq_assets.regressions.iv import fit_iv
    from eq_assets.regressions.ols import fit_ols

    if group is None or group.n_before_singletons == 0:
        raise ValueError(f"{spec.key}: no rows left after sample filter and missing values")
    check_estimable(spec, group.n_before_singletons,
                    [v for v in spec.regressors + spec.instruments if v in group.no_variation])
    fit = (fit_iv if spec.estimator == "iv" else fit_ols)(spec, group, account, settings)
    log.info("fitted %s %s: %s", spec.key, spec.formula, fit.summary())
    return fit


def _fit_candidate(specs: list[RegressionSpec], frame: pd.DataFrame, settings: EstimationSettings,
                   on_result: Callable[[int, FitResult | Exception], None]) -> None:
    """Fit one candidate's specs on its loaded frame; report each result (or error) by index."""
    for group, members, accounts in iter_groups(specs, frame, settings, build=shared_path_fits):
        shared = [i for i in members if shared_path_fits(specs[i])]
        share = group.seconds / len(shared) if group is not None and shared else 0.0
        for i in members:
            try:
                if i in shared:
                    fit = _fit_in_group(specs[i], group, accounts[i], settings)
                    fit = replace(fit, seconds=fit.seconds + share)
                else:
                    fit = fit_spec_reference(specs[i], frame, settings)
            except NotEstimable as exc:
                on_result(i, exc)
                continue
            on_result(i, fit)
        del group


def fit_spec(spec: RegressionSpec, data: pd.DataFrame, *, settings: EstimationSettings = DEFAULT_SETTINGS) -> FitResult:
    """Fit one specification on ``data`` (a panel holding at least ``spec.columns_needed``)."""
    out: dict[int, FitResult | Exception] = {}
    _fit_candidate([spec], data, settings, out.__setitem__)
    result = out[0]
    if isinstance(result, Exception):
        raise result
    return result


def _loader_for(load: Loader | Mapping[str, Loader], spec: RegressionSpec) -> Loader:
    if isinstance(load, Mapping):
        try:
            return load[spec.panel]
        except KeyError:
            raise KeyError(f"no loader for panel {spec.panel!r} (needed by {spec.key})") from None
    return load


# frames above this size are followed by a full garbage collection when released (pandas' blocks
# can sit in reference cycles; at paper scale a panel is GiBs). A collection costs ~0.1 s in a
# process with many live objects, so small frames (tiny/small scale, the synthetic oracle's
# 84 fits) skip it.
_COLLECT_ABOVE_BYTES = 64 * 2**20


def _is_big(frame: pd.DataFrame | None) -> bool:
    return frame is not None and int(frame.memory_usage(index=True, deep=False).sum()) > _COLLECT_ABOVE_BYTES


def run_specs(
    specs: Iterable[RegressionSpec],
    load: Loader | Mapping[str, Loader],
    *,
    settings: EstimationSettings = DEFAULT_SETTINGS,
    fit_log: list[FitResult] | None = None,
    skipped: list[str] | None = None,
) -> pd.DataFrame:
    """Fit ``specs`` sharing work where rows and FE allow; return the results rows (stable order).

    ``load(columns)`` must return the spec's panel with only ``columns`` (a mapping
    ``{panel name: load}`` serves specs on several panels); it is called once per panel with the
    union of the columns its specs read (again only if the specs come back to a panel after
    another one), and the frame is released before the next load. A column that is not estimable (:class:`NotEstimable`)
    raises, or with a list as ``skipped`` is left out and its reason appended there. Pass a list
    as ``fit_log`` to receive each :class:`FitResult` (in the order of ``specs``).
    """
    specs = list(specs)
    results: dict[int, FitResult | Exception] = {}
    t0 = time.perf_counter()
    plan = plan_candidates(specs, settings)
    frame, loaded = None, (None, frozenset())
    for k, members in enumerate(plan):
        subset = [specs[i] for i in members]
        panel = subset[0].panel
        if loaded[0] != panel or not set(union_columns(subset)) <= loaded[1]:
            # one load per panel: the columns of every candidate still to come on it (a table's
            # samples and FE sets read the same panel; reading it once per candidate cost ~2.5 s
            # per load at paper scale)
            big, frame = _is_big(frame), None
            if big:
                gc.collect()
            rest = [specs[i] for m in plan[k:] for i in m if specs[i].panel == panel]
            frame = _loader_for(load, subset[0])(union_columns(rest))
            loaded = (panel, frozenset(frame.columns))
        _fit_candidate(subset, frame, settings, lambda j, r, members=members: results.__setitem__(members[j], r))
    big, frame = _is_big(frame), None
    if big:
        gc.collect()
    rows: list[dict] = []
    for i in range(len(specs)):
        r = results[i]
        if isinstance(r, NotEstimable):
            if skipped is None:
                raise r
            # the column is left out of the table, and the reason is reported (asset metadata)
            log.warning("skipped: %s", r)
            skipped.append(str(r))
            continue
        rows.extend(r.rows())
        if fit_log is not None:
            fit_log.append(r)
    log.info("run_specs: %d specs in %.2fs", len(specs), time.perf_counter() - t0)
    return results_frame(rows)


def fit_summaries(fits: Iterable[FitResult]) -> pd.DataFrame:
    """One row per fit: row accounting (N before/after singletons), clusters, group, timing."""
    return pd.DataFrame([f.summary() for f in fits])

