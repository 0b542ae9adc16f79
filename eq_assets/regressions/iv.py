"""2SLS with absorbed fixed effects on a group's demeaned matrix, with first stage and KP rows.

Why not pyfixest's IV: in pyfixest 0.60 ``feols("y ~ w | fe | x ~ z")`` fails with the
``within`` (LSMR) demeaner that the OLS path uses, and with MAP it is heavy at P1's scale
(issue 3: 10M rows, 414 s and 13.8 GB peak). 2SLS needs nothing beyond what the OLS path has,
and by Frisch-Waugh-Lovell every piece is a block of the group's demeaned matrix
(:mod:`.groups`), which OLS columns on the same rows share:

1. the **first stage** ``x ~ z + w | fe`` is an ordinary OLS fit (:func:`.ols.fit_ols` on the same
   group: same rows, singletons removed, fixest small-sample correction); its coefficients are
   the printed first-stage column (P1 Table 7 columns 1, 3, 5);
2. the **second stage** is the textbook 2SLS on the demeaned arrays (written here by hand: a
   few lines of linear algebra no library exposes on pre-demeaned data with fixest's
   small-sample rules), from Gram blocks: ``Pi = (Z'Z)^-1 Z'X``, ``Xhat = Z Pi``,
   ``b = (Xhat'X)^-1 Xhat'y``, ``u = y - X b``, ``V = c (Xhat'Xhat)^-1 meat (Xhat'Xhat)^-1`` with
   meat ``Pi' [sum_g (Z_g'u_g)(Z_g'u_g)'] Pi`` (CRV1; ``Pi' Z'diag(u^2)Z Pi`` hetero; ``u'u/(N-1)
   Xhat'Xhat`` iid), ``c`` = fixest's ``G/(G-1) (N-1)/(N-K)`` with ``K`` = second-stage regressors
   + the absorbed FE degrees of freedom as pyfixest's ``get_ssc`` counts them (FE nested in the
   clusters left out) (hetero: ``N/(N-K)``; iid: ``(N-1)/(N-K)``), t p-values with ``G-1``
   (clustered) or ``N-K`` degrees of freedom. This is what pyfixest's ``Feiv`` computes; a test
   checks coefficients and SEs against pyfixest IV with the MAP demeaner;
3. **fit statistics** on the second-stage residuals ``y - X b`` (actual, not fitted, endogenous
   regressor), with fixest's definitions (``r2()``; pyfixest ``get_performance``): adjusted R2
   ``1 - (1 - R2)(N - 1)/(N - K - K_fe)`` with **every** FE level counted in ``K_fe`` =
   sum(levels - 1) + 1 (not the small-sample ``K``, which leaves out FE nested in the clusters:
   issue 11 point 13, R fixest 0.4744 where that count gave 0.4805); within R2 likewise;
4. **identification statistics** from :func:`eq_assets.instruments.kp.kleibergen_paap` on the
   demeaned arrays, the exogenous regressors partialled out here (:func:`identification`): Kleibergen-Paap rk LM (and p-value), rk Wald F and the first-stage F of the
   excluded instruments, as ivreg2/ivreghdfe print them (small-sample factors stated there).

Rows produced (results.csv layout): the second stage under ``spec.column``; the statistics
under ``spec.column`` as terms ``stat:kp_rk_lm`` (p_value = its chi2 p-value),
``stat:kp_rk_wald_f`` and ``stat:first_stage_f`` (p_value from F), std_error empty; with
``spec.first_stage_column`` the first stage's coefficients under that column.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import replace

import numpy as np
from scipy import stats

from eq_assets.instruments.kp import absorbed_dof, kleibergen_paap
from eq_assets.regressions.fitresult import FitResult, as_floats
from eq_assets.regressions.groups import INTERCEPT, EstimationGroup, SpecAccount
from eq_assets.regressions.ols import (
    cluster_sums, fit_ols, fit_stats, n_clusters, residuals, small_sample, vcov_kind, weighted_cross,
)
from eq_assets.regressions.options import EstimationSettings
from eq_assets.regressions.spec import RegressionSpec

#: Statistic terms written under an IV column.
STAT_KP_LM = "stat:kp_rk_lm"
STAT_KP_WALD_F = "stat:kp_rk_wald_f"
STAT_FIRST_STAGE_F = "stat:first_stage_f"
STAT_TERMS = (STAT_KP_LM, STAT_KP_WALD_F, STAT_FIRST_STAGE_F)


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


def check_iv(spec: RegressionSpec) -> tuple[str, str | None]:
    if len(spec.endogenous) != 1:
        raise ValueError(f"{spec.key}: the IV path handles one endogenous regressor")
    kind = vcov_kind(spec)
    if kind is None:
        raise ValueError(f"{spec.key}: IV vcov {spec.vcov!r} not supported (iid, hetero, one-way CRV1)")
    return kind


def fit_iv(spec: RegressionSpec, group: EstimationGroup, account: SpecAccount,
           settings: EstimationSettings) -> FitResult:
    """Fit ``spec`` (estimator="iv") on its group; the FitResult carries the IV rows."""
    kind, cluster = check_iv(spec)
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first = fit_ols(first_stage_spec(spec), group, account, settings)
    (endog,) = spec.endogenous
    const = [] if group.fixed_effects else [INTERCEPT]
    w_names = list(spec.exogenous) + const
    x_names = [endog] + w_names                       # endogenous, exogenous (+ intercept)
    z_names = list(spec.instruments) + w_names        # excluded instruments, exogenous
    terms = (endog, *spec.exogenous) + tuple(const)
    X, Z, yj = group.index(x_names), group.index(z_names), group.names.index(spec.depvar)
    G_ = group.gram
    ZZ, ZX, Zy = G_[np.ix_(Z, Z)], G_[np.ix_(Z, X)], G_[Z, yj]
    Pi = np.linalg.solve(ZZ, ZX)
    XhX = Pi.T @ ZX
    b = np.linalg.solve(XhX, Pi.T @ Zy)
    bread = np.linalg.inv(Pi.T @ ZZ @ Pi)
    u = residuals(group, yj, X, b)
    ssu = float(u @ u)
    n, K2 = group.n_obs, len(X)
    # absorbed FE degrees of freedom exactly as pyfixest counts them for this vcov (k = 0)
    _, fe_df, _, _ = small_sample(group, kind, cluster, 0, settings)
    df_k = fe_df + K2
    if kind == "CRV":
        G = n_clusters(group, cluster)
        S = cluster_sums(group, Z, u, cluster) @ Pi
        c = (G / (G - 1) if settings.ssc_G_adj else 1.0) * ((n - 1) / (n - df_k) if settings.ssc_k_adj else 1.0)
        V = c * bread @ (S.T @ S) @ bread
        df_t, clusters = G - 1, (G,)
    elif kind == "hetero":
        c = n / (n - df_k) if settings.ssc_k_adj else 1.0
        V = c * bread @ (Pi.T @ weighted_cross(group, Z, u * u) @ Pi) @ bread
        df_t, clusters = n - df_k, ()
    else:  # iid
        c = (n - 1) / (n - df_k) if settings.ssc_k_adj else 1.0
        V = c * ssu / (n - 1) * bread
        df_t, clusters = n - df_k, ()
    se = np.sqrt(np.diag(V))
    pval = 2 * stats.t.sf(np.abs(b / se), df_t)
    _, adj_r2, r2_w, adj_w = fit_stats(group, spec.depvar, ssu, K2)
    r2 = 1.0 - ssu / group.tss[spec.depvar]

    kp = identification(spec, group, kind, cluster, w_names, settings)
    extra = iv_extra_rows(spec, first, n, adj_r2, r2_w, adj_w, kp)
    return FitResult(
        spec=spec, terms=terms, estimate=as_floats(b), std_error=as_floats(se), p_value=as_floats(pval),
        n_obs=n, adj_r2=adj_r2, n_input=account.n_input, n_excluded=account.n_excluded,
        n_missing=account.n_missing, n_singletons=group.n_before_singletons - n, n_clusters=clusters,
        ssc_factor=float(c), df_k=df_k, backend=settings.demeaner_backend + "+2sls",
        seconds=time.perf_counter() - t0, messages=tuple(dict.fromkeys(str(w.message) for w in caught)),
        extra_rows=tuple(extra), r2=r2, r2_within=r2_w, adj_r2_within=adj_w, group=group.label,
    )


def identification(spec: RegressionSpec, group: EstimationGroup, kind: str, cluster: str | None,
                   w_names: list[str], settings: EstimationSettings):
    """Kleibergen-Paap statistics (ivreg2 / ivreghdfe conventions; see :mod:`eq_assets.instruments.kp`).

    The included exogenous regressors W are partialled out here, from Gram blocks (FWL:
    ``Xp = X - W (W'W)^-1 W'X`` column by column), and handed to ``kleibergen_paap`` as
    ``W=None`` with their count added to ``df_absorbed``: ivreg2 counts partialled regressors
    in ``L`` exactly as absorbed ones (``L = l + k2 + df_a``, the only place W's size enters),
    so the statistics are those of passing W itself, without the n x k copies and QR the
    partialling inside ``kleibergen_paap`` makes (about 2.5 GB at 10M rows with P1's controls).
    W's independent columns are counted by pyfixest's collinearity rule, as in the first stage.
    """
    from eq_assets.instruments.kp import COLLINEAR_TOL
    from eq_assets.regressions.ols import drop_collinear

    (endog,) = spec.endogenous
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w_kept, _ = drop_collinear(group, w_names, settings)
    wi = group.index(w_kept)
    ww = group.gram[np.ix_(wi, wi)]

    def partialled(name: str) -> np.ndarray:
        j = group.names.index(name)
        if not wi:
            return group.D[:, j]
        return residuals(group, j, wi, np.linalg.solve(ww, group.gram[wi, j]))

    Xp = partialled(endog)[:, None]
    Zp = np.column_stack([partialled(z) for z in spec.instruments])
    for what, names, arr in (("endogenous regressor", [endog], Xp), ("instrument", list(spec.instruments), Zp)):
        before = np.sqrt(np.diag(group.gram[np.ix_(group.index(names), group.index(names))]))
        if (np.linalg.norm(arr, axis=0) / np.maximum(before, 1e-300) < COLLINEAR_TOL * 1e3).any():
            raise ValueError(f"{spec.key}: an {what} is collinear with the included exogenous variables / FE")
    key = ("absorbed_dof", cluster)  # the same for every IV column of the group
    if key not in group.cache:
        group.cache[key] = absorbed_dof(group.fe_codes(), group.ids[cluster] if cluster else None,
                                        n=group.n_obs) if group.fixed_effects else 0
    df_abs = group.cache[key]
    return kleibergen_paap(
        Xp, Zp, None, clusters=group.ids[cluster] if cluster else None,
        vce={"CRV": "cluster", "hetero": "robust", "iid": "iid"}[kind],
        df_absorbed=df_abs + len(w_kept), add_constant=False, endog_names=[endog],
    )


def iv_extra_rows(spec: RegressionSpec, first: FitResult, n: int, adj_r2: float, r2_w: float,
                  adj_w: float, kp) -> list[dict]:
    """results.csv rows of an IV fit besides its coefficients: statistics and the first stage."""
    base = {"paper": spec.paper, "table": spec.table, "n_obs": n, "fixed_effects": spec.fixed_effects_label,
            "vcov": spec.vcov_label, "sample": spec.sample, "variant": spec.variant}
    rows = []
    for term, value, p in ((STAT_KP_LM, kp.rk_lm, kp.rk_lm_pvalue), (STAT_KP_WALD_F, kp.rk_wald_f, float("nan")),
                           (STAT_FIRST_STAGE_F, kp.first_stage_f[0], kp.first_stage_f_pvalue[0])):
        rows.append({**base, "column": spec.column, "term": term, "estimate": float(value),
                     "std_error": float("nan"), "p_value": float(p), "adj_r2": adj_r2,
                     "r2_within": r2_w, "adj_r2_within": adj_w})
    if spec.first_stage_column is not None:
        rows += [
            {**base, "column": spec.first_stage_column, "term": t, "estimate": float(b), "std_error": float(s),
             "p_value": float(p), "adj_r2": first.adj_r2, "r2_within": first.r2_within,
             "adj_r2_within": first.adj_r2_within}
            for t, b, s, p in zip(first.terms, first.estimate, first.std_error, first.p_value)
        ]
    return rows
