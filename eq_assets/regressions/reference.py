"""The per-spec path: each column prepared on its own and fitted by pyfixest ``feols``.

This is the engine as it was before work sharing (:mod:`.groups`), kept for three uses: the
second engine of the tests (the shared path must reproduce it to 1e-8 on every spec of both
papers), the columns whose vcov the shared path does not compute (multi-way clustering, CRV3,
HC2/HC3), and the benchmark's before/after figures. Nothing here is shared between specs.

OLS: :func:`prepare_frame` (sample filter, complete cases, int32 id codes, canonical row order)
then ``pf.feols`` with the ``within`` demeaner, ``copy_data=False``, ``store_data=False``,
``lean=True``. IV: the first stage through ``pf.feols``, then ``y, x, z, w`` demeaned together on
its rows and the 2SLS algebra on arrays (the original implementation; adjusted R2 here still
counts the FE with the small-sample K, the definition :mod:`.iv` corrected).

Determinism: pyfixest 0.60 orders FE by a string ``set``, so results depended on PYTHONHASHSEED;
:func:`_deterministic_fe_order` pins the formula's order for the duration of a fit.
"""

from __future__ import annotations

import contextlib
import re
import time
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyfixest as pf
from scipy import stats

from eq_assets.instruments.kp import absorbed_dof, kleibergen_paap
from eq_assets.regressions.fitresult import FitResult, as_floats, check_estimable
from eq_assets.regressions.groups import _row_hash
from eq_assets.regressions.options import DEFAULT_SETTINGS, EstimationSettings
from eq_assets.regressions.samples import get_sample
from eq_assets.regressions.spec import RegressionSpec


@dataclass(frozen=True)
class PreparedData:
    """The estimation frame of one spec and how many input rows were left out before fitting."""

    frame: pd.DataFrame
    n_input: int
    n_excluded: int
    n_missing: int


def prepare_frame(spec: RegressionSpec, data: pd.DataFrame, settings: EstimationSettings = DEFAULT_SETTINGS) -> PreparedData:
    """Only what the fit needs, complete cases, ids as int32 codes, canonical row order."""
    absent = [c for c in spec.columns_needed if c not in data.columns]
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
        numeric[col] = s.to_numpy(dtype="float64", na_value=np.nan)
        complete &= np.isfinite(numeric[col])
    id_cols = [c for c in spec.id_columns if c not in numeric]
    for col in id_cols:
        complete &= data[col].notna().to_numpy()
    keep = in_sample & complete
    out: dict[str, np.ndarray] = {}
    for col in id_cols:
        codes, _ = pd.factorize(data[col].to_numpy()[keep], sort=True)
        out[col] = codes.astype(np.int32)
    for col, arr in numeric.items():
        out[col] = arr[keep]
    if settings.sort_rows and keep.any():
        keys = [out[c] for c in id_cols] + [_row_hash([out[c] for c in spec.numeric_columns])]
        order = np.lexsort(tuple(reversed(keys)))
        out = {c: a[order] for c, a in out.items()}
    return PreparedData(frame=pd.DataFrame(out, copy=False), n_input=n_input,
                        n_excluded=int((~in_sample).sum()), n_missing=int((in_sample & ~complete).sum()))


def _encode_fixed_effects_in_order(fixed_effects: str, data: pd.DataFrame) -> str:
    """pyfixest 0.60's ``formula.utils._encode_fixed_effects`` with the formula's FE order kept."""
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


def _feols(spec: RegressionSpec, frame: pd.DataFrame, settings: EstimationSettings, *, copy: bool):
    with warnings.catch_warnings(record=True) as caught, _deterministic_fe_order():
        warnings.simplefilter("always")
        fit = pf.feols(
            spec.formula, data=frame, vcov=spec.vcov_arg, ssc=settings.ssc(),
            fixef_rm=spec.singleton_rule(settings.fixef_rm), collin_tol=settings.collin_tol,
            demeaner=settings.demeaner(), copy_data=copy, store_data=False, lean=True,
        )
    return fit, tuple(dict.fromkeys(str(w.message) for w in caught))


def fit_prepared(spec: RegressionSpec, prepared: PreparedData, settings: EstimationSettings = DEFAULT_SETTINGS) -> FitResult:
    """Fit ``spec`` on a frame from :func:`prepare_frame` (pyfixest may modify that frame)."""
    frame = prepared.frame
    if frame.empty:
        raise ValueError(f"{spec.key}: no rows left after sample filter and missing values")
    flat = [v for v in spec.regressors + spec.instruments if v in frame and np.ptp(frame[v].to_numpy()) == 0]
    check_estimable(spec, len(frame), flat)
    if spec.estimator == "iv":
        return _fit_iv(spec, prepared, settings)
    t0 = time.perf_counter()
    fit, messages = _feols(spec, frame, settings, copy=False)
    coef, se, pval = fit.coef(), fit.se(), fit.pvalue()
    ssc = np.asarray(fit._ssc, dtype=float).ravel()
    return FitResult(
        spec=spec, terms=tuple(str(t) for t in coef.index), estimate=as_floats(coef), std_error=as_floats(se),
        p_value=as_floats(pval), n_obs=int(fit._N), adj_r2=float(fit._adj_r2), n_input=prepared.n_input,
        n_excluded=prepared.n_excluded, n_missing=prepared.n_missing, n_singletons=len(frame) - int(fit._N),
        # pyfixest's _G holds one G per clustering term (3 entries with G_df="min")
        n_clusters=tuple(int(g) for g in (getattr(fit, "_G", None) or ()))[: len(spec.cluster_columns)],
        ssc_factor=float(ssc[0]) if ssc.size else float("nan"), df_k=int(getattr(fit, "_df_k", 0) or 0),
        dropped_collinear=tuple(str(v) for v in (getattr(fit, "_collin_vars", None) or ())),
        backend=settings.demeaner_backend + "+pyfixest", seconds=time.perf_counter() - t0, messages=messages,
        r2=float(fit._r2), r2_within=float(fit._r2_within), adj_r2_within=float(fit._adj_r2_within),
    )


def fit_spec_reference(spec: RegressionSpec, data: pd.DataFrame, settings: EstimationSettings = DEFAULT_SETTINGS) -> FitResult:
    """Fit one specification on its own (no shared work)."""
    return fit_prepared(spec, prepare_frame(spec, data, settings), settings)


def _fit_iv(spec: RegressionSpec, prepared: PreparedData, settings: EstimationSettings) -> FitResult:
    """The original 2SLS: first stage by pyfixest, then y, x, z, w demeaned on its rows."""
    from eq_assets.regressions.iv import check_iv, first_stage_spec, iv_extra_rows

    kind, cluster = check_iv(spec)
    frame = prepared.frame
    t0 = time.perf_counter()
    fs = first_stage_spec(spec)
    first, messages = _feols(fs, frame, settings, copy=True)
    fe = list(spec.fixed_effects)
    exog = list(spec.exogenous)
    (endog,) = spec.endogenous
    keep = np.ones(len(frame), dtype=bool)
    if fe and spec.singleton_rule(settings.fixef_rm) == "singleton":
        from pyfixest.estimation import detect_singletons

        ids = np.column_stack([frame[c].to_numpy() for c in fe]).astype(np.uint32)
        keep = ~np.asarray(detect_singletons(ids), dtype=bool)
    n = int(keep.sum())
    if n != int(first._N):
        raise RuntimeError(f"{spec.key}: first stage used {first._N} rows, singleton filter kept {n}")
    sub = frame.loc[keep]
    M = np.column_stack([sub[c].to_numpy(dtype=float) for c in [spec.depvar, endog, *exog, *spec.instruments]])
    if fe:
        from pyfixest.estimation.internals.demean_ import dispatch_demean

        flist = np.column_stack([sub[c].to_numpy() for c in fe]).astype(np.uintp)
        Md, ok, _ = dispatch_demean(np.ascontiguousarray(M), flist, None, settings.demeaner())
        if not ok:
            raise RuntimeError(f"{spec.key}: demeaning did not converge")
        Md, const = np.asarray(Md), np.zeros((n, 0))
    else:
        Md, const = M, np.ones((n, 1))
    y = Md[:, 0]
    X = np.column_stack([Md[:, 1:2 + len(exog)], const])
    W = np.column_stack([Md[:, 2:2 + len(exog)], const])
    Zx = Md[:, 2 + len(exog):]
    Z = np.column_stack([Zx, W])
    Xhat = Z @ np.linalg.solve(Z.T @ Z, Z.T @ X)
    b = np.linalg.solve(Xhat.T @ X, Xhat.T @ y)
    u = y - X @ b
    bread = np.linalg.inv(Xhat.T @ Xhat)
    K2 = X.shape[1]
    fe_df = int(first._df_k) - int(first._k)
    df_k = fe_df + K2
    if kind == "CRV":
        g_codes, _ = pd.factorize(sub[cluster].to_numpy(), sort=True)
        G = int(g_codes.max()) + 1
        S = np.zeros((G, K2))
        np.add.at(S, g_codes, Xhat * u[:, None])
        c = (G / (G - 1) if settings.ssc_G_adj else 1.0) * ((n - 1) / (n - df_k) if settings.ssc_k_adj else 1.0)
        V, df_t, clusters = c * bread @ (S.T @ S) @ bread, G - 1, (G,)
    elif kind == "hetero":
        scores = Xhat * u[:, None]
        c = n / (n - df_k) if settings.ssc_k_adj else 1.0
        V, df_t, clusters = c * bread @ (scores.T @ scores) @ bread, n - df_k, ()
    else:
        c = (n - 1) / (n - df_k) if settings.ssc_k_adj else 1.0
        V, df_t, clusters = c * (u @ u) / (n - 1) * bread, n - df_k, ()
    se = np.sqrt(np.diag(V))
    pval = 2 * stats.t.sf(np.abs(b / se), df_t)
    # the original adjusted R2: FE counted with the small-sample K (nested FE left out)
    y_raw = M[:, 0]
    ssu, tss = float(u @ u), float(((y_raw - y_raw.mean()) ** 2).sum())
    k_full = K2 + (fe_df if fe else 0)
    adj_r2 = 1.0 - ssu / tss * (n - 1) / (n - k_full) if n > k_full else float("nan")
    if fe:
        k_fe = int(sum(sub[c].nunique() - 1 for c in fe)) + 1
        r2_w = 1.0 - ssu / float(y @ y)
        adj_w = 1.0 - ssu / float(y @ y) * (n - k_fe) / (n - K2 - k_fe)
    else:
        r2_w = adj_w = float("nan")
    kp = kleibergen_paap(
        X[:, :1], Zx, W if W.shape[1] else None, clusters=sub[cluster].to_numpy() if cluster else None,
        vce={"CRV": "cluster", "hetero": "robust", "iid": "iid"}[kind],
        df_absorbed=absorbed_dof(sub[fe], sub[cluster] if cluster else None, n=n) if fe else 0,
        add_constant=False, endog_names=[endog],
    )
    fcoef, fse, fp = first.coef(), first.se(), first.pvalue()
    first_fit = FitResult(
        spec=fs, terms=tuple(str(t) for t in fcoef.index), estimate=as_floats(fcoef), std_error=as_floats(fse),
        p_value=as_floats(fp), n_obs=n, adj_r2=float(first._adj_r2), n_input=prepared.n_input,
        n_excluded=prepared.n_excluded, n_missing=prepared.n_missing, n_singletons=len(frame) - n,
        r2_within=float(first._r2_within), adj_r2_within=float(first._adj_r2_within),
    )
    return FitResult(
        spec=spec, terms=(endog, *exog) + (("Intercept",) if not fe else ()), estimate=as_floats(b),
        std_error=as_floats(se), p_value=as_floats(pval), n_obs=n, adj_r2=adj_r2, n_input=prepared.n_input,
        n_excluded=prepared.n_excluded, n_missing=prepared.n_missing, n_singletons=len(frame) - n,
        n_clusters=clusters, ssc_factor=float(c), df_k=df_k, backend=settings.demeaner_backend + "+pyfixest+2sls",
        seconds=time.perf_counter() - t0, messages=messages,
        extra_rows=tuple(iv_extra_rows(spec, first_fit, n, adj_r2, r2_w, adj_w, kp)),
        r2=1.0 - ssu / tss, r2_within=r2_w, adj_r2_within=adj_w,
    )
