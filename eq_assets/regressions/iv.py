"""2SLS with absorbed fixed effects, sized for 10M rows, with first stage and Kleibergen-Paap rows.

Why not pyfixest's IV: in pyfixest 0.60 ``feols("y ~ w | fe | x ~ z")`` fails with the
``within`` (LSMR) demeaner that the OLS path uses, and with MAP it is heavy at P1's scale
(issue 3: 10M rows, 414 s and 13.8 GB peak). 2SLS needs nothing beyond what the OLS path has:

1. the **first stage** ``x ~ z + w | fe`` is an ordinary OLS fit, run through the same pyfixest
   path as every other column (``within`` demeaner, singletons dropped, fixest small-sample
   correction); its coefficients are the printed first-stage column (P1 Table 7 columns 1, 3, 5)
   and its degrees-of-freedom count ``df_k`` gives the absorbed FE degrees of freedom exactly as
   pyfixest counts them;
2. ``y, x, z, w`` are demeaned together with the same demeaner
   (``pyfixest.estimation.internals.demean_.dispatch_demean``), on the rows the first stage used
   (pyfixest's own ``detect_singletons``);
3. the **second stage** is the textbook 2SLS on the demeaned arrays (written here by hand: a
   few lines of linear algebra no library exposes on pre-demeaned data with fixest's
   small-sample rules): ``Xhat = Z (Z'Z)^-1 Z'X``, ``b = (Xhat'X)^-1 Xhat'y``, ``u = y - X b``,
   ``V = c (Xhat'Xhat)^-1 [sum_g (Xhat_g'u_g)(Xhat_g'u_g)'] (Xhat'Xhat)^-1`` (CRV1), ``c`` =
   fixest's ``G/(G-1) (N-1)/(N-K)`` with ``K`` = second-stage regressors + the absorbed FE
   degrees of freedom counted as in step 1 (hetero: ``N/(N-K)``; iid: ``u'u/(N-K)``), t
   p-values with ``G-1`` (clustered) or ``N-K`` degrees of freedom. This is what pyfixest's
   ``Feiv`` computes (its meat ``X'Z (Z'Z)^-1 S (Z'Z)^-1 Z'X`` is the same matrix); a test
   checks coefficients and SEs against pyfixest IV with the MAP demeaner;
4. **identification statistics** from :func:`eq_assets.instruments.kp.kleibergen_paap` on the
   demeaned arrays: Kleibergen-Paap rk LM (and p-value), rk Wald F and the first-stage F of the
   excluded instruments, as ivreg2/ivreghdfe print them (small-sample factors stated there).

Rows produced (results.csv layout): the second stage under ``spec.column``; the statistics
under ``spec.column`` as terms ``stat:kp_rk_lm`` (p_value = its chi2 p-value),
``stat:kp_rk_wald_f`` and ``stat:first_stage_f`` (p_value from F), std_error empty; with
``spec.first_stage_column`` the first stage's coefficients under that column.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import pyfixest as pf
from scipy import stats

from eq_assets.instruments.kp import absorbed_dof, kleibergen_paap
from eq_assets.regressions.options import DEFAULT_SETTINGS, EstimationSettings
from eq_assets.regressions.spec import RegressionSpec

#: Statistic terms written under an IV column.
STAT_KP_LM = "stat:kp_rk_lm"
STAT_KP_WALD_F = "stat:kp_rk_wald_f"
STAT_FIRST_STAGE_F = "stat:first_stage_f"
STAT_TERMS = (STAT_KP_LM, STAT_KP_WALD_F, STAT_FIRST_STAGE_F)


@dataclass(frozen=True)
class IVFit:
    """Second stage, first stage and identification statistics of one IV specification."""

    terms: tuple[str, ...]
    estimate: np.ndarray
    std_error: np.ndarray
    p_value: np.ndarray
    n_obs: int
    adj_r2: float
    n_singletons: int
    n_clusters: tuple[int, ...]
    ssc_factor: float
    df_k: int
    first_terms: tuple[str, ...]
    first_estimate: np.ndarray
    first_std_error: np.ndarray
    first_p_value: np.ndarray
    first_adj_r2: float
    kp_rk_lm: float
    kp_rk_lm_p: float
    kp_rk_wald_f: float
    first_stage_f: float
    first_stage_f_p: float
    seconds: float
    messages: tuple[str, ...] = ()


def first_stage_spec(spec: RegressionSpec) -> RegressionSpec:
    """The OLS first stage of an IV spec: endogenous ~ instruments + exogenous | same FE."""
    (endog,) = spec.endogenous
    return replace(
        spec,
        column=spec.first_stage_column or spec.column,
        depvar=endog,
        regressors=spec.instruments,
        controls=tuple(v for v in spec.regressors + spec.controls if v not in spec.endogenous),
        estimator="ols",
        endogenous=(),
        instruments=(),
        first_stage_column=None,
    )


def _vcov_kind(spec: RegressionSpec) -> tuple[str, str | None]:
    if isinstance(spec.vcov, str):
        if spec.vcov in ("iid", "hetero", "HC1"):
            return ("hetero" if spec.vcov == "HC1" else spec.vcov), None
        raise ValueError(f"{spec.key}: IV vcov {spec.vcov!r} not supported (iid, hetero, CRV1)")
    pairs = dict(spec.vcov)
    if set(pairs) != {"CRV1"} or "+" in pairs["CRV1"]:
        raise ValueError(f"{spec.key}: IV supports one-way CRV1 clustering only, got {spec.vcov}")
    return "CRV", pairs["CRV1"]


def fit_iv_frame(spec: RegressionSpec, frame: pd.DataFrame, settings: EstimationSettings = DEFAULT_SETTINGS) -> IVFit:
    """Fit ``spec`` (estimator="iv") on a prepared frame (complete cases, int codes for ids)."""
    if len(spec.endogenous) != 1:
        raise ValueError(f"{spec.key}: the IV path handles one endogenous regressor")
    kind, cluster = _vcov_kind(spec)
    t0 = time.perf_counter()
    fs = first_stage_spec(spec)
    from eq_assets.regressions.engine import _deterministic_fe_order

    with warnings.catch_warnings(record=True) as caught, _deterministic_fe_order():
        warnings.simplefilter("always")
        first = pf.feols(
            fs.formula, data=frame, vcov=spec.vcov_arg, ssc=settings.ssc(), fixef_rm=settings.fixef_rm,
            collin_tol=settings.collin_tol, demeaner=settings.demeaner(), copy_data=True, store_data=False,
            lean=True,
        )
    fe = list(spec.fixed_effects)
    exog = [v for v in spec.regressors + spec.controls if v not in spec.endogenous]
    (endog,) = spec.endogenous
    z_names = list(spec.instruments)

    # rows the first stage used: singletons removed as pyfixest does
    keep = np.ones(len(frame), dtype=bool)
    if fe and settings.fixef_rm == "singleton":
        from pyfixest.estimation import detect_singletons

        ids = np.column_stack([frame[c].to_numpy() for c in fe]).astype(np.uint32)
        keep = ~np.asarray(detect_singletons(ids), dtype=bool)
    n = int(keep.sum())
    if n != int(first._N):
        raise RuntimeError(f"{spec.key}: first stage used {first._N} rows, singleton filter kept {n}")
    sub = frame.loc[keep]
    cols = [spec.depvar, endog, *exog, *z_names]
    M = np.column_stack([sub[c].to_numpy(dtype=float) for c in cols])
    if fe:
        from pyfixest.estimation.internals.demean_ import dispatch_demean

        flist = np.column_stack([sub[c].to_numpy() for c in fe]).astype(np.uintp)
        Md, ok, _ = dispatch_demean(np.ascontiguousarray(M), flist, None, settings.demeaner())
        if not ok:
            raise RuntimeError(f"{spec.key}: demeaning did not converge")
        Md = np.asarray(Md)
        const = np.zeros((n, 0))
    else:
        Md = M
        const = np.ones((n, 1))
    y = Md[:, 0]
    X = np.column_stack([Md[:, 1:2 + len(exog)], const])  # endogenous, exogenous (+ intercept)
    W = np.column_stack([Md[:, 2:2 + len(exog)], const])
    Zx = Md[:, 2 + len(exog):]
    Z = np.column_stack([Zx, W])
    terms = (endog, *exog) + (("Intercept",) if not fe else ())

    ZZ = Z.T @ Z
    Pi = np.linalg.solve(ZZ, Z.T @ X)
    Xhat = Z @ Pi
    XhX = Xhat.T @ X
    b = np.linalg.solve(XhX, Xhat.T @ y)
    u = y - X @ b
    bread = np.linalg.inv(Xhat.T @ Xhat)
    K2 = X.shape[1]
    # absorbed FE degrees of freedom exactly as pyfixest counted them in the first stage
    df_k = int(first._df_k) - int(first._k) + K2
    if kind == "CRV":
        g_codes, _ = pd.factorize(sub[cluster].to_numpy(), sort=True)
        G = int(g_codes.max()) + 1
        scores = Xhat * u[:, None]
        S = np.zeros((G, K2))
        np.add.at(S, g_codes, scores)
        meat = S.T @ S
        c = (G / (G - 1) if settings.ssc_G_adj else 1.0) * ((n - 1) / (n - df_k) if settings.ssc_k_adj else 1.0)
        V = c * bread @ meat @ bread
        df_t = G - 1
        n_clusters: tuple[int, ...] = (G,)
    elif kind == "hetero":
        scores = Xhat * u[:, None]
        c = n / (n - df_k) if settings.ssc_k_adj else 1.0
        V = c * bread @ (scores.T @ scores) @ bread
        df_t, n_clusters = n - df_k, ()
    else:  # iid
        c = (n - 1) / (n - df_k) if settings.ssc_k_adj else 1.0
        V = c * (u @ u) / (n - 1) * bread
        df_t, n_clusters = n - df_k, ()
    se = np.sqrt(np.diag(V))
    pval = 2 * stats.t.sf(np.abs(b / se), df_t)

    # adjusted R2 of the second stage on the original y (FE count as regressors), as pyfixest
    y_raw = M[:, 0]
    tss = float(((y_raw - y_raw.mean()) ** 2).sum())
    r2 = 1.0 - float(u @ u) / tss if tss > 0 else float("nan")
    k_full = K2 + (int(first._df_k) - int(first._k) if fe else 0)
    adj_r2 = 1.0 - (1.0 - r2) * (n - 1) / (n - k_full) if n > k_full else float("nan")

    # identification statistics (ivreg2 / ivreghdfe conventions; see instruments.kp)
    kp_vce = {"CRV": "cluster", "hetero": "robust", "iid": "iid"}[kind]
    df_abs = absorbed_dof(sub[fe], sub[cluster] if cluster else None, n=n) if fe else 0
    kp = kleibergen_paap(
        X[:, :1], Zx, W if W.shape[1] else None,
        clusters=sub[cluster].to_numpy() if cluster else None, vce=kp_vce,
        df_absorbed=df_abs, add_constant=False, endog_names=[endog],
    )

    fcoef, fse, fp = first.coef(), first.se(), first.pvalue()
    return IVFit(
        terms=terms, estimate=b, std_error=se, p_value=pval, n_obs=n, adj_r2=adj_r2,
        n_singletons=len(frame) - n, n_clusters=n_clusters, ssc_factor=float(c), df_k=df_k,
        first_terms=tuple(str(t) for t in fcoef.index), first_estimate=fcoef.to_numpy(float),
        first_std_error=fse.to_numpy(float), first_p_value=fp.to_numpy(float),
        first_adj_r2=float(first._adj_r2),
        kp_rk_lm=float(kp.rk_lm), kp_rk_lm_p=float(kp.rk_lm_pvalue), kp_rk_wald_f=float(kp.rk_wald_f),
        first_stage_f=float(kp.first_stage_f[0]), first_stage_f_p=float(kp.first_stage_f_pvalue[0]),
        seconds=time.perf_counter() - t0, messages=tuple(dict.fromkeys(str(w.message) for w in caught)),
    )


def iv_rows(spec: RegressionSpec, fit: IVFit) -> list[dict]:
    """results.csv rows of an IV fit: second stage, statistics, and (optionally) first stage."""
    base = {"paper": spec.paper, "table": spec.table, "n_obs": fit.n_obs,
            "fixed_effects": spec.fixed_effects_label, "vcov": spec.vcov_label, "sample": spec.sample}
    rows = [
        {**base, "column": spec.column, "term": t, "estimate": float(b), "std_error": float(s),
         "p_value": float(p), "adj_r2": fit.adj_r2}
        for t, b, s, p in zip(fit.terms, fit.estimate, fit.std_error, fit.p_value)
    ]
    for term, value, p in ((STAT_KP_LM, fit.kp_rk_lm, fit.kp_rk_lm_p), (STAT_KP_WALD_F, fit.kp_rk_wald_f, float("nan")),
                           (STAT_FIRST_STAGE_F, fit.first_stage_f, fit.first_stage_f_p)):
        rows.append({**base, "column": spec.column, "term": term, "estimate": value, "std_error": float("nan"),
                     "p_value": p, "adj_r2": fit.adj_r2})
    if spec.first_stage_column is not None:
        rows += [
            {**base, "column": spec.first_stage_column, "term": t, "estimate": float(b), "std_error": float(s),
             "p_value": float(p), "adj_r2": fit.first_adj_r2}
            for t, b, s, p in zip(fit.first_terms, fit.first_estimate, fit.first_std_error, fit.first_p_value)
        ]
    return rows
