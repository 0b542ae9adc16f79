"""OLS with absorbed fixed effects on a group's demeaned matrix, computed as pyfixest's ``feols``.

pyfixest cannot be handed data that is already demeaned (``feols`` always builds its model
matrix and demeans it itself), so the few lines of algebra after the demeaning are written here
by hand, each step the one pyfixest 0.60 ``Feols`` performs (``get_fit``, ``vcov``,
``get_inference``, ``get_performance``), on blocks of the group's Gram matrix ``D'D``:

* collinear regressors dropped by pyfixest's own ``find_collinear_variables`` on ``X'X``
  (tolerance ``EstimationSettings.collin_tol``), then ``b = (X'X)^-1 X'y``, ``u = y - X b``;
* vcov ``c * (X'X)^-1 meat (X'X)^-1`` with meat ``sum_g s_g s_g'`` (CRV1, ``s_g`` the cluster
  sums of ``x_i u_i``), ``X' diag(u^2) X`` (hetero) or ``u'u/(N-1) (X'X)`` (iid); the
  small-sample factor ``c``, the ``df_k`` it uses and the t degrees of freedom come from
  pyfixest's ``get_ssc`` with the same inputs ``Feols.vcov`` gives it (FE levels, FE nested in
  the clusters from pyfixest's ``count_fixef_fully_nested_all``);
* p-values ``2 (1 - F_t(|t|, df))``; R2, adjusted R2, within R2 and adjusted within R2 as
  ``Feols.get_performance`` (fixest's definitions, see :class:`~.fitresult.FitResult`).

Memory: nothing of size n x k is formed; residuals and cluster sums are built column by column
from views of the Fortran-ordered matrix (one n-vector at a time).
"""

from __future__ import annotations

import time
import warnings

import numpy as np
from scipy import stats

from eq_assets.regressions.fitresult import FitResult, as_floats
from eq_assets.regressions.groups import INTERCEPT, EstimationGroup, SpecAccount
from eq_assets.regressions.options import EstimationSettings
from eq_assets.regressions.spec import RegressionSpec


def vcov_kind(spec: RegressionSpec) -> tuple[str, str | None] | None:
    """("iid"|"hetero"|"CRV", cluster column) for the vcov types computed here; None otherwise
    (multi-way clustering, CRV3, HC2/HC3: those columns go through pyfixest, :mod:`.reference`)."""
    if isinstance(spec.vcov, str):
        if spec.vcov in ("iid", "hetero", "HC1"):
            return ("hetero" if spec.vcov == "HC1" else spec.vcov), None
        return None
    pairs = dict(spec.vcov)
    if set(pairs) != {"CRV1"} or "+" in pairs["CRV1"]:
        return None
    return "CRV", pairs["CRV1"].strip()


def model_terms(spec: RegressionSpec, group: EstimationGroup) -> list[str]:
    """The regressors as pyfixest orders them: intercept first (without FE), then the formula's."""
    return ([INTERCEPT] if not group.fixed_effects else []) + list(spec.exogenous)


def n_clusters(group: EstimationGroup, cluster: str) -> int:
    return int(group.ids[cluster].max()) + 1 if group.n_obs else 0


def nested_fe(group: EstimationGroup, cluster: str, settings: EstimationSettings) -> tuple[int, int]:
    """(FE levels nested in the clusters, number of fully nested FE), as ``Feols.vcov`` counts them."""
    if not group.fixed_effects or settings.ssc_k_fixef != "nonnested":
        return 0, 0
    key = ("nested", cluster)
    if key not in group.cache:
        from pyfixest.core.nested_fixed_effects import count_fixef_fully_nested_all

        flag, n_full = count_fixef_fully_nested_all(
            all_fixef_array=np.array(group.fixed_effects, dtype=str),
            cluster_colnames=np.array([cluster], dtype=str),
            cluster_data=group.ids[cluster].astype(np.uintp)[:, None],
            fe_data=group.fe_codes().astype(np.uintp),
        )
        levels = np.asarray(group.fe_levels)
        group.cache[key] = (int(levels[np.asarray(flag, dtype=bool)].sum()) if n_full > 0 else 0, int(n_full))
    return group.cache[key]


def small_sample(group: EstimationGroup, kind: str, cluster: str | None, k: int,
                 settings: EstimationSettings) -> tuple[float, int, int, int]:
    """(factor, df_k, df_t, G) from pyfixest's ``get_ssc`` with ``Feols.vcov``'s arguments."""
    from pyfixest.utils.utils import get_ssc

    n = group.n_obs
    nested, n_full, G = 0, 0, 1
    if kind == "CRV":
        nested, n_full = nested_fe(group, cluster, settings)
        G = n_clusters(group, cluster)
    elif kind == "hetero":
        G = n
    ssc, df_k, df_t = get_ssc(
        ssc_dict=settings.ssc(), N=n, k=k, k_fe=int(sum(group.fe_levels)), k_fe_nested=nested,
        n_fe=len(group.fixed_effects), n_fe_fully_nested=n_full, G=G, vcov_sign=1, vcov_type=kind,
    )
    return float(np.asarray(ssc).ravel()[0]), int(df_k), int(df_t), G


def residuals(group: EstimationGroup, y: int, x: list[int], b: np.ndarray) -> np.ndarray:
    u = group.D[:, y].copy()
    for j, bj in zip(x, b):
        u -= bj * group.D[:, j]
    return u


def cluster_sums(group: EstimationGroup, x: list[int], u: np.ndarray, cluster: str) -> np.ndarray:
    """G x k matrix of per-cluster sums of x_j * u (the CRV1 scores summed within clusters)."""
    codes, G = group.ids[cluster], n_clusters(group, cluster)
    return np.column_stack([np.bincount(codes, weights=group.D[:, j] * u, minlength=G) for j in x]) \
        if x else np.zeros((G, 0))


def weighted_cross(group: EstimationGroup, x: list[int], w: np.ndarray) -> np.ndarray:
    """X' diag(w) X, one column pair at a time."""
    k = len(x)
    out = np.empty((k, k))
    for a in range(k):
        xa_w = group.D[:, x[a]] * w
        for b in range(a, k):
            out[a, b] = out[b, a] = float(xa_w @ group.D[:, x[b]])
    return out


def fit_stats(group: EstimationGroup, depvar: str, ssu: float, k: int) -> tuple[float, float, float, float]:
    """(R2, adjusted R2, within R2, adjusted within R2) as pyfixest's ``get_performance``."""
    n = group.n_obs
    r2 = 1.0 - ssu / group.tss[depvar] if group.tss[depvar] > 0 else float("nan")
    if group.fixed_effects:
        k_fe = int(np.sum(np.asarray(group.fe_levels) - 1)) + 1
        adj = 1.0 - (ssu / group.tss[depvar]) * (n - 1) / (n - k - k_fe)
        j = group.names.index(depvar)
        ssy_w = float(group.gram[j, j])
        r2_w = 1.0 - ssu / ssy_w if ssy_w > 0 else float("nan")
        adj_w = 1.0 - (ssu / ssy_w) * (n - k_fe) / (n - k - k_fe) if ssy_w > 0 else float("nan")
        return r2, adj, r2_w, adj_w
    adj = 1.0 - (ssu / group.tss[depvar]) * (n - 1) / (n - k)
    return r2, adj, float("nan"), float("nan")


def drop_collinear(group: EstimationGroup, names: list[str], settings: EstimationSettings) -> tuple[list[str], list[str]]:
    """(kept, dropped) regressors by pyfixest's ``find_collinear_variables`` on X'X (warns as pyfixest)."""
    from pyfixest.core.collinear import find_collinear_variables

    if not names:
        return [], []
    idx = group.index(names)
    xtx = np.ascontiguousarray(group.gram[np.ix_(idx, idx)])
    id_excl, n_excl, all_removed = find_collinear_variables(xtx, settings.collin_tol)
    if all_removed:
        raise ValueError("All variables are collinear. Maybe your model specification introduces multicollinearity?")
    if n_excl == 0:
        return list(names), []
    excl = np.asarray(id_excl).ravel()  # a boolean mask over the regressors (as pyfixest uses it)
    drop = set(np.flatnonzero(excl).tolist()) if excl.dtype == bool else {int(i) for i in excl}
    dropped = [n for i, n in enumerate(names) if i in drop]
    warnings.warn(f"{len(dropped)} variables dropped due to multicollinearity: {dropped}.")
    return [n for i, n in enumerate(names) if i not in drop], dropped


def fit_ols(spec: RegressionSpec, group: EstimationGroup, account: SpecAccount,
            settings: EstimationSettings) -> FitResult:
    """Fit one OLS spec on its group (see the module docstring for every step)."""
    t0 = time.perf_counter()
    kind, cluster = vcov_kind(spec)  # type: ignore[misc]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        terms, dropped = drop_collinear(group, model_terms(spec, group), settings)
    x = group.index(terms)
    y = group.names.index(spec.depvar)
    xtx = group.gram[np.ix_(x, x)]
    b = np.linalg.solve(xtx, group.gram[x, y])
    u = residuals(group, y, x, b)
    ssu = float(u @ u)
    bread = np.linalg.inv(xtx)
    k = len(x)
    c, df_k, df_t, G = small_sample(group, kind, cluster, k, settings)
    if kind == "CRV":
        S = cluster_sums(group, x, u, cluster)
        V = c * bread @ (S.T @ S) @ bread
    elif kind == "hetero":
        V = c * bread @ weighted_cross(group, x, u * u) @ bread
    else:
        V = c * bread * (ssu / (group.n_obs - 1))
    se = np.sqrt(np.diag(V))
    pval = 2 * (1 - stats.t.cdf(np.abs(b / se), df_t))
    r2, adj, r2_w, adj_w = fit_stats(group, spec.depvar, ssu, k)
    return FitResult(
        spec=spec, terms=tuple(terms), estimate=as_floats(b), std_error=as_floats(se), p_value=as_floats(pval),
        n_obs=group.n_obs, adj_r2=adj, n_input=account.n_input, n_excluded=account.n_excluded,
        n_missing=account.n_missing, n_singletons=group.n_before_singletons - group.n_obs,
        n_clusters=(G,) if kind == "CRV" else (), ssc_factor=c, df_k=df_k, dropped_collinear=tuple(dropped),
        backend=settings.demeaner_backend, seconds=time.perf_counter() - t0,
        messages=tuple(dict.fromkeys(str(w.message) for w in caught)),
        r2=r2, r2_within=r2_w, adj_r2_within=adj_w, group=group.label,
    )
