"""Kleibergen-Paap (2006) rank statistics, reported the way Stata's ivreg2 / ivreghdfe report them.

Neither pyfixest nor R fixest gives a clustered Kleibergen-Paap rk LM (under-identification) or
rk Wald F (weak identification) statistic, and P1 Table 7 (SPEC section 4) prints both. This module
computes them once, as pure functions on numpy arrays, for both papers.

What is followed, line for line
-------------------------------
* ``ranktest.ado`` 1.1.02 (Schaffer, based on code by Kleibergen) and ``ranktest.ado`` 2.0.04
  (Schaffer & Windmeijer, Mata ``s_jstat`` + ``m_svd``; the default "KP + SVD" path), which ivreg2
  calls as ``ranktest (endo) (exexog), partial(inexog) full [wald] robust|cluster()``:

  1. partial the included exogenous regressors W (constant, partialled and absorbed variables)
     out of X (n x K endogenous) and Z (n x L excluded instruments);
  2. ``Pi = (Z'Z)^{-1} Z'X``; ``Theta = F Pi G^{-1}`` with ``F = chol(Z'Z/N)'`` and
     ``G = chol(X'X/N)'`` (KP 2006, p. 103: any square roots; ranktest uses Cholesky factors and the
     statistic does not depend on which roots are used);
  3. full SVD ``Theta = U S V'``; for the null rank(Pi) = q (here q = K - 1, ivreg2's ``full``
     option) ``A_q = U[:, q:] U22^{-1} (U22 U22')^{1/2}``, ``B_q = (V22 V22')^{1/2} V22'^{-1} V[:, q:]'``
     (KP 2006 eqs. 19-21), ``lambda_q = (B_q kron A_q') vec(Theta)``;
  4. ``Omega_q = (B_q kron A_q') Vhat (B_q kron A_q')'`` where
     ``Vhat = (G'^{-1} kron F'^{-1}) S (G'^{-1} kron F'^{-1})'`` and ``S`` is the robust covariance of
     the moments ``e_i kron z_i`` (ivreg2's ``m_omega``): heteroskedasticity-robust
     ``sum_i s_i s_i' / N`` or cluster-robust ``sum_g (sum_{i in g} s_i)(...)' / N``, with no
     small-sample factor and no centering (ranktest defaults);
  5. ``rk = N lambda_q' Omega_q^{-1} lambda_q``, chi2 with ``(L - q)(K - q)`` = ``L - K + 1`` df.

  The **LM** version (ranktest default; ivreg2's under-identification test) builds ``S`` from the
  partialled X itself, i.e. the reduced-form "residuals" under the null Pi = 0 (ranktest:
  ``vhat = *py`` when LMflag). The **Wald** version (``wald`` option; ivreg2's weak-identification
  test) builds ``S`` from the unrestricted first-stage residuals ``X - Z Pi``.

* ``ivreg2.ado`` 4.1.x / ``ivreghdfe.ado`` 1.2 (the "Rank identification" block), which turns the
  ranktest chi2 into what is printed:

  ==========================  =================================================================
  printed                     formula (N obs, G clusters, l excluded instruments)
  ==========================  =================================================================
  rk LM statistic             non-cluster: ``chi2_LM / N * (N - dofminus)``; cluster: ``chi2_LM``
  rk LM df / p-value          ``l - K + 1``; ``P(chi2_df > rk LM)``
  rk Wald F                   non-cluster: ``chi2_W / N * (N - L - dofminus) / l``;
                              cluster: ``chi2_W / (N - 1) * (N - L) * (G - 1) / G / l``
  Cragg-Donald Wald F         ``cd * (N - L - dofminus) / l``, ``cd = r^2 / (1 - r^2)`` with
                              ``r`` the smallest canonical correlation of partialled X and Z
  ==========================  =================================================================

  where ``L = iv1_ct + sdofminus`` counts *all* exogenous variables: the l excluded instruments,
  the included exogenous regressors (constant included, collinear ones dropped), the partialled
  ones and, with ivreghdfe's ``absorb()``, the absorbed degrees of freedom ``e(df_a)`` (at least 1;
  fixed effects nested in the cluster variable count 0, as in reghdfe). ``dofminus`` is ivreg2's
  large-sample ``dofminus()`` option (default 0). The cluster rk Wald F is thus exactly the Wald
  statistic computed with Stata's small-sample cluster VCE ``G/(G-1) (N-1)/(N-L)`` divided by l,
  and the non-cluster rk Wald F uses HC1's ``N/(N-L)``: with one endogenous regressor it equals
  the first-stage F of the excluded instruments from ``regress x z w, vce(cluster g)`` + ``test z``.

  Under ``vce="iid"`` (ivreg2 without robust/cluster) the LM statistic is Anderson's canonical
  correlation LM ``N r^2_min`` and the weak-identification statistic is the Cragg-Donald F, as
  ivreg2 reports.

The per-endogenous ``first_stage_f`` is the Wald test that the l excluded-instrument coefficients of
one first-stage regression are zero, with the same small-sample factor as the rk Wald F (so that
with K = 1 it equals the rk Wald F, as in ivreg2's first-stage output).

References
----------
Kleibergen, F. and Paap, R. (2006). Generalized reduced rank tests using the singular value
decomposition. Journal of Econometrics 133(1), 97-126.
Baum, C. F., Schaffer, M. E. and Stillman, S. (2007). Enhanced routines for instrumental
variables/generalized method of moments estimation and testing. Stata Journal 7(4), 465-506,
section 4 (ivreg2's identification statistics).
Cragg, J. G. and Donald, S. G. (1993). Testing identifiability and specification in instrumental
variable models. Econometric Theory 9, 222-240.
Anderson, T. W. (1951). Estimating linear restrictions on regression coefficients for multivariate
normal distributions. Annals of Mathematical Statistics 22, 327-351.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

__all__ = [
    "KPResult",
    "kleibergen_paap",
    "kleibergen_paap_frame",
    "demean_by_fe",
    "absorbed_dof",
    "VCE_TYPES",
]

#: Covariance types: "iid" (Anderson LM / Cragg-Donald, ivreg2 default), "robust"
#: (heteroskedasticity-robust, ivreg2 ``robust``), "cluster" (ivreg2 ``cluster()``).
VCE_TYPES = ("iid", "robust", "cluster")

#: Relative tolerance under which a partialled column counts as collinear with the partialled-out
#: variables (its norm relative to its norm before partialling) and is dropped, as ivreg2 does.
COLLINEAR_TOL = 1e-9


@dataclass(frozen=True)
class KPResult:
    """Identification statistics as ivreg2 / ivreghdfe print them (see module docstring)."""

    #: Kleibergen-Paap rk LM statistic (under-identification), chi2(rk_lm_df).
    rk_lm: float
    #: Degrees of freedom of the rk LM test: l - K + 1.
    rk_lm_df: int
    #: p-value of the rk LM test.
    rk_lm_pvalue: float
    #: Raw ranktest Wald chi2 (``ranktest ..., wald``; no small-sample factor).
    rk_wald_chi2: float
    #: Kleibergen-Paap rk Wald F statistic (weak identification); Cragg-Donald F if vce="iid".
    rk_wald_f: float
    #: Cragg-Donald Wald F statistic (homoskedastic reference).
    cragg_donald_f: float
    #: Per-endogenous first-stage F of the excluded instruments (same factor as rk_wald_f).
    first_stage_f: tuple[float, ...]
    #: p-values of first_stage_f, from F(l, df_r) with df_r = N - L (non-cluster) or G - 1.
    first_stage_f_pvalue: tuple[float, ...]
    #: Canonical correlations between partialled X and Z, descending.
    canonical_correlations: tuple[float, ...]
    n_obs: int
    n_clusters: int | None
    n_endog: int
    n_excluded: int
    #: L = all exogenous variables incl. constant, partialled W and absorbed df (ivreg2's
    #: iv1_ct + sdofminus).
    n_exog_total: int
    #: Absorbed fixed-effect degrees of freedom counted in n_exog_total.
    df_absorbed: int
    vce: str
    dofminus: int
    #: Factor applied to chi2_W / l to obtain rk_wald_f.
    wald_f_factor: float
    endog_names: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, object]:
        """Flat dict for tables (tuples kept as tuples)."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


# ---------------------------------------------------------------------------------------------
# fixed effects
# ---------------------------------------------------------------------------------------------


def _fe_codes(fe: object, n: int) -> np.ndarray:
    """Integer codes (n x m) 0..G_j-1 for one or several fixed-effect columns."""
    if fe is None:
        return np.zeros((n, 0), dtype=np.int64)
    if isinstance(fe, pd.Series):
        cols = [fe.to_numpy()]
    elif isinstance(fe, pd.DataFrame):
        cols = [fe[c].to_numpy() for c in fe.columns]
    else:
        arr = np.asarray(fe)
        if arr.ndim == 1:
            arr = arr[:, None]
        cols = [arr[:, j] for j in range(arr.shape[1])]
    out = np.empty((n, len(cols)), dtype=np.int64)
    for j, c in enumerate(cols):
        if len(c) != n:
            raise ValueError(f"fixed effect {j} has {len(c)} rows, expected {n}")
        codes, _ = pd.factorize(pd.Series(c), sort=False)
        if (codes < 0).any():
            raise ValueError(f"fixed effect {j} has missing values")
        out[:, j] = codes
    return out


def demean_by_fe(
    arrays: np.ndarray,
    fe: object,
    *,
    backend: str = "pyfixest",
    tol: float = 1e-10,
    maxiter: int = 100_000,
) -> np.ndarray:
    """Partial one or more fixed effects out of the columns of ``arrays`` (n x p).

    ``fe`` is a Series / DataFrame / array (n or n x m) of group labels. ``backend="pyfixest"``
    uses ``pyfixest.estimation.demean`` (alternating projections, compiled); ``"numpy"`` is a plain
    alternating-projection loop (method of alternating projections = Gauss-Seidel sweeps of group
    means until the largest change is below ``tol``). Both converge to the same within transform.
    """
    a = np.asarray(arrays, dtype=float)
    one_d = a.ndim == 1
    if one_d:
        a = a[:, None]
    n = a.shape[0]
    codes = _fe_codes(fe, n)
    if codes.shape[1] == 0:
        return a[:, 0].copy() if one_d else a.copy()
    if backend == "pyfixest":
        from pyfixest.estimation import demean as _pf_demean

        out, ok = _pf_demean(
            np.ascontiguousarray(a), codes.astype(np.uint64), np.ones(n), tol=tol, maxiter=maxiter
        )
        if not ok:
            raise RuntimeError("pyfixest demean did not converge")
        out = np.asarray(out)
    elif backend == "numpy":
        out = a.copy()
        counts = [np.bincount(codes[:, j]) for j in range(codes.shape[1])]
        for _ in range(maxiter):
            delta = 0.0
            for j in range(codes.shape[1]):
                g = codes[:, j]
                for c in range(out.shape[1]):
                    means = np.bincount(g, weights=out[:, c], minlength=len(counts[j])) / counts[j]
                    out[:, c] -= means[g]
                    delta = max(delta, float(np.abs(means).max()))
            if codes.shape[1] == 1 or delta < tol:
                break
        else:
            raise RuntimeError("alternating projections did not converge")
    else:
        raise ValueError(f"backend must be 'pyfixest' or 'numpy'; got {backend!r}")
    return out[:, 0] if one_d else out


def _n_components(a: np.ndarray, b: np.ndarray) -> int:
    """Connected components of the bipartite graph linking levels of two fixed effects."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    na, nb = int(a.max()) + 1, int(b.max()) + 1
    g = coo_matrix((np.ones(len(a)), (a, b + na)), shape=(na + nb, na + nb))
    return int(connected_components(g, directed=False)[0])


def absorbed_dof(fe: object, clusters: object | None = None, *, n: int | None = None) -> int:
    """Degrees of freedom absorbed by the fixed effects, counted as reghdfe's ``e(df_a)``.

    * A fixed effect nested in the cluster variable (every level inside one cluster) absorbs 0
      degrees of freedom (reghdfe's default with clustering).
    * Otherwise: first fixed effect = number of levels (it absorbs the intercept); second =
      levels minus the number of connected components of the (FE1, FE2) bipartite graph (exact,
      as reghdfe); each further one = levels - 1 (reghdfe's conservative count). If one fixed
      effect is nested (and so already absorbs the intercept), every other one counts levels - 1.
    * As ivreghdfe does (``if absorb_ct==0 absorb_ct = 1``) the result is at least 1.
    """
    if n is None:
        n = len(fe) if hasattr(fe, "__len__") else None
    codes = _fe_codes(fe, int(n))  # type: ignore[arg-type]
    nested = [False] * codes.shape[1]
    if clusters is not None:
        cl, _ = pd.factorize(pd.Series(np.asarray(clusters)))
        for j in range(codes.shape[1]):
            pairs = pd.DataFrame({"f": codes[:, j], "c": cl}).drop_duplicates()
            nested[j] = bool(pairs["f"].is_unique)
    levels = [int(codes[:, j].max()) + 1 for j in range(codes.shape[1])]
    df_a = 0
    if any(nested):
        df_a = sum(lv - 1 for lv, ne in zip(levels, nested) if not ne)
    else:
        for j, lv in enumerate(levels):
            if j == 0:
                df_a += lv
            elif j == 1:
                df_a += lv - _n_components(codes[:, 0], codes[:, 1])
            else:
                df_a += lv - 1
    return max(1, df_a)


# ---------------------------------------------------------------------------------------------
# core
# ---------------------------------------------------------------------------------------------


def _as2d(a: object, n: int | None = None, name: str = "array") -> np.ndarray:
    if a is None:
        return np.zeros((n or 0, 0))
    arr = np.asarray(a, dtype=float)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 1-d or 2-d")
    if n is not None and arr.shape[0] != n:
        raise ValueError(f"{name} has {arr.shape[0]} rows, expected {n}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} has missing or non-finite values")
    return arr


def _independent_columns(w: np.ndarray, ref_norms: np.ndarray) -> np.ndarray:
    """Drop columns of w that vanish relative to ``ref_norms`` or are collinear (pivoted QR)."""
    if w.shape[1] == 0:
        return w
    norms = np.linalg.norm(w, axis=0)
    keep = norms > COLLINEAR_TOL * np.maximum(ref_norms, 1e-300)
    w = w[:, keep]
    if w.shape[1] == 0:
        return w
    from scipy.linalg import qr

    ws = w / np.linalg.norm(w, axis=0)
    _, r, piv = qr(ws, mode="economic", pivoting=True)
    d = np.abs(np.diag(r))
    rank = int((d > COLLINEAR_TOL * 1e3 * d[0]).sum()) if d.size else 0
    return w[:, np.sort(piv[:rank])]


def _residualize(a: np.ndarray, w: np.ndarray) -> np.ndarray:
    if w.shape[1] == 0:
        return a
    coef, *_ = np.linalg.lstsq(w, a, rcond=None)
    return a - w @ coef


def _cluster_codes(clusters: object, n: int) -> tuple[np.ndarray, int]:
    cl = np.asarray(clusters)
    if cl.ndim != 1 or len(cl) != n:
        raise ValueError("clusters must be a 1-d array with one label per observation")
    codes, uniq = pd.factorize(pd.Series(cl))
    if (codes < 0).any():
        raise ValueError("clusters have missing values")
    return codes, len(uniq)


def _moment_cov(e: np.ndarray, z: np.ndarray, codes: np.ndarray | None, n_groups: int) -> np.ndarray:
    """ivreg2's m_omega (robust / cluster, no centering, no small-sample factor): S, (KL x KL).

    Moments are ``e_i kron z_i`` (ordering = vec of the L x K matrix z_i e_i', column-major), so
    that ``S`` conforms with ``vec(Pi)``.
    """
    n, k = e.shape
    ell = z.shape[1]
    s = (e[:, :, None] * z[:, None, :]).reshape(n, k * ell)
    if codes is not None:
        sg = np.empty((n_groups, k * ell))
        for j in range(k * ell):
            sg[:, j] = np.bincount(codes, weights=s[:, j], minlength=n_groups)
        s = sg
    return s.T @ s / n


def _sqrtm_psd(a: np.ndarray) -> np.ndarray:
    ev, vec = np.linalg.eigh(a)
    ev = np.clip(ev, 0.0, None)
    return (vec * np.sqrt(ev)) @ vec.T


def _rk_svd(theta: np.ndarray, kpvar: np.ndarray, q: int, n: int) -> float:
    """ranktest 2.0 ``m_svd``: KP rk statistic for H0: rank(Theta) = q."""
    ell, k = theta.shape
    u, _, vt = np.linalg.svd(theta, full_matrices=True)
    v = vt.T
    u22 = u[q:, q:]
    v22 = v[q:, q:]
    u22h = _sqrtm_psd(u22 @ u22.T)
    v22h = _sqrtm_psd(v22 @ v22.T)
    try:
        iu22 = np.linalg.inv(u22)
        iv22t = np.linalg.inv(v22.T)
    except np.linalg.LinAlgError:  # ranktest: luqrinv falls back to a QR-based inverse
        iu22 = np.linalg.pinv(u22)
        iv22t = np.linalg.pinv(v22.T)
    aq = u[:, q:] @ iu22 @ u22h  # (u12 \ u22) * luinv(u22) * u22h
    bq = v22h @ iv22t @ v[:, q:].T  # v22h * luinv(v22') * (v12 \ v22)'
    kr = np.kron(bq, aq.T)
    lab = kr @ theta.reshape(-1, order="F")
    vlab = kr @ kpvar @ kr.T
    vlab = (vlab + vlab.T) / 2
    return float(lab @ np.linalg.solve(vlab, lab) * n)


def kleibergen_paap(
    X: object,
    Z: object,
    W: object | None = None,
    *,
    clusters: object | None = None,
    vce: str | None = None,
    fe: object | None = None,
    df_absorbed: int | None = None,
    add_constant: bool = True,
    dofminus: int = 0,
    fe_backend: str = "pyfixest",
    endog_names: Sequence[str] | None = None,
) -> KPResult:
    """Kleibergen-Paap rk LM and rk Wald F (plus Cragg-Donald F and first-stage F's).

    Parameters
    ----------
    X : (n, K) endogenous regressors.
    Z : (n, l) excluded instruments, l >= K.
    W : (n, k2) included exogenous regressors, or None. Collinear columns (also those collinear
        with the fixed effects, which vanish once partialled) are dropped and not counted, as ivreg2.
    clusters : (n,) cluster labels, or None.
    vce : "iid", "robust" or "cluster". Default: "cluster" if ``clusters`` is given, else
        "robust" (P1 clusters by firm; P2 reports robust statistics).
    fe : fixed effects to absorb (Series/DataFrame/array of labels). X, Z, W are then demeaned
        with :func:`demean_by_fe` and, unless ``df_absorbed`` is given, the absorbed degrees of
        freedom are counted by :func:`absorbed_dof` (reghdfe's ``e(df_a)``, nested-in-cluster FE
        count 0, at least 1).
    df_absorbed : absorbed degrees of freedom (intercept included) when X, Z, W were demeaned
        beforehand (``fe=None``), e.g. reghdfe's/pyfixest's count. 0 means nothing absorbed.
    add_constant : add an intercept to W when nothing is absorbed (ivreg2 default; set False for
        ivreg2's ``noconstant``).
    dofminus : ivreg2's large-sample ``dofminus()`` option (default 0; ivreghdfe leaves it 0 and
        counts absorbed df in ``L`` instead).
    fe_backend : "pyfixest" (default) or "numpy", see :func:`demean_by_fe`.
    endog_names : labels for ``first_stage_f``.

    Small-sample factors (all stated; see the module docstring for their ivreg2 source):
    rk LM: ``(N - dofminus)/N`` non-cluster, none under clustering; rk Wald F:
    ``(N - L - dofminus)/N / l`` non-cluster, ``(N - L)/(N - 1) * (G - 1)/G / l`` cluster;
    Cragg-Donald F: ``(N - L - dofminus)/l``; first-stage F: as rk Wald F. No factor enters the
    moment covariance itself.
    """
    Xa = _as2d(X, name="X")
    n = Xa.shape[0]
    Za = _as2d(Z, n, "Z")
    Wa = _as2d(W, n, "W")
    k, ell = Xa.shape[1], Za.shape[1]
    if k < 1 or ell < k:
        raise ValueError(f"need at least as many excluded instruments ({ell}) as endogenous ({k})")

    codes = None
    n_groups = None
    if vce is None:
        vce = "cluster" if clusters is not None else "robust"
    if vce not in VCE_TYPES:
        raise ValueError(f"vce must be one of {VCE_TYPES}; got {vce!r}")
    if vce == "cluster":
        if clusters is None:
            raise ValueError("vce='cluster' needs clusters")
        codes, n_groups = _cluster_codes(clusters, n)
    elif clusters is not None:
        raise ValueError(f"clusters given but vce={vce!r}")

    ref_w = np.linalg.norm(Wa, axis=0)
    ref_x, ref_z = np.linalg.norm(Xa, axis=0), np.linalg.norm(Za, axis=0)
    if fe is not None:
        if df_absorbed is None:
            df_absorbed = absorbed_dof(fe, clusters if vce == "cluster" else None, n=n)
        stacked = demean_by_fe(np.hstack([Xa, Za, Wa]), fe, backend=fe_backend)
        Xa, Za, Wa = stacked[:, :k], stacked[:, k : k + ell], stacked[:, k + ell :]
    df_absorbed = int(df_absorbed or 0)
    # a W column counts as collinear if it vanishes relative to its own pre-partialling norm or
    # to the scale of the data (covers inputs demeaned by the caller).
    ref_w = np.maximum(ref_w, np.linalg.norm(np.hstack([Xa, Za]), axis=0).max())
    if df_absorbed == 0 and add_constant:
        Wa = np.hstack([np.ones((n, 1)), Wa])
        ref_w = np.concatenate([[np.sqrt(n)], ref_w])
    Wa = _independent_columns(Wa, ref_w)
    k2 = Wa.shape[1]

    Xp = _residualize(Xa, Wa)
    Zp = _residualize(Za, Wa)
    for name, before, after in (("endogenous regressor", ref_x, Xp), ("instrument", ref_z, Zp)):
        ratio = np.linalg.norm(after, axis=0) / np.maximum(before, 1e-300)
        if (ratio < COLLINEAR_TOL * 1e3).any():
            raise ValueError(f"an {name} is collinear with the included exogenous variables / FE")
    # ranktest 2.0 standardizes (stdflag); the statistics are scale invariant, this is numerics.
    sx = Xp.std(axis=0, ddof=1)
    sz = Zp.std(axis=0, ddof=1)
    Xp = Xp / sx
    Zp = Zp / sz

    qzz = Zp.T @ Zp / n
    qxx = Xp.T @ Xp / n
    qzx = Zp.T @ Xp / n
    pihat = np.linalg.solve(qzz, qzx)  # L x K
    lz = np.linalg.cholesky(qzz)  # qzz = lz lz'
    lx = np.linalg.cholesky(qxx)
    theta = lz.T @ pihat @ np.linalg.inv(lx.T)  # ranktest: rQzz' * pihat * irQyy
    cc = np.linalg.svd(theta, compute_uv=False)
    cc = np.clip(cc, 0.0, 1.0)
    ev = cc**2
    if abs(1 - cc[0]) < 1e-10:
        raise ValueError("collinearities between endogenous regressors and instruments")

    n_exog_total = ell + k2 + df_absorbed  # iv1_ct + sdofminus
    q = k - 1
    df_lm = ell - k + 1
    ev_min = float(ev[-1])
    cd = ev_min / (1 - ev_min)
    cd_f = cd * (n - n_exog_total - dofminus) / ell

    if vce == "iid":
        chi2_lm = n * ev_min  # Anderson canonical-correlation LM (ranktest iid branch)
        chi2_w = n * cd  # Cragg-Donald Wald chi2
        rk_lm = chi2_lm / n * (n - dofminus)
        wald_factor = (n - n_exog_total - dofminus) / n
        rk_f = cd_f
    else:
        ilz = np.linalg.inv(lz)  # irQzz' in ranktest
        ilx = np.linalg.inv(lx)  # irQyy'
        tr = np.kron(ilx, ilz)
        s_lm = _moment_cov(Xp, Zp, codes, n_groups or 0)
        s_w = _moment_cov(Xp - Zp @ pihat, Zp, codes, n_groups or 0)
        chi2_lm = _rk_svd(theta, tr @ s_lm @ tr.T, q, n)
        chi2_w = _rk_svd(theta, tr @ s_w @ tr.T, q, n)
        if vce == "cluster":
            rk_lm = chi2_lm
            wald_factor = (n - n_exog_total) / (n - 1) * (n_groups - 1) / n_groups
        else:
            rk_lm = chi2_lm / n * (n - dofminus)
            wald_factor = (n - n_exog_total - dofminus) / n
        rk_f = chi2_w * wald_factor / ell

    # per-endogenous first-stage F of the excluded instruments
    fs_f: list[float] = []
    df_r = (n_groups - 1) if vce == "cluster" else (n - n_exog_total - dofminus)
    izz = np.linalg.inv(Zp.T @ Zp)
    for j in range(k):
        b = pihat[:, j]
        e = Xp[:, [j]] - Zp @ pihat[:, [j]]
        if vce == "iid":
            sigma2 = float(e[:, 0] @ e[:, 0]) / n
            v = sigma2 * izz
        else:
            meat = _moment_cov(e, Zp, codes, n_groups or 0) * n
            v = izz @ meat @ izz
        wj = float(b @ np.linalg.solve(v, b))
        fs_f.append(wj * wald_factor / ell)
    fs_p = [float(stats.f.sf(f, ell, df_r)) for f in fs_f]

    if endog_names is None:
        endog_names = tuple(f"x{j + 1}" for j in range(k))
    return KPResult(
        rk_lm=float(rk_lm),
        rk_lm_df=int(df_lm),
        rk_lm_pvalue=float(stats.chi2.sf(rk_lm, df_lm)),
        rk_wald_chi2=float(chi2_w),
        rk_wald_f=float(rk_f),
        cragg_donald_f=float(cd_f),
        first_stage_f=tuple(fs_f),
        first_stage_f_pvalue=tuple(fs_p),
        canonical_correlations=tuple(float(c) for c in cc),
        n_obs=int(n),
        n_clusters=int(n_groups) if n_groups is not None else None,
        n_endog=int(k),
        n_excluded=int(ell),
        n_exog_total=int(n_exog_total),
        df_absorbed=int(df_absorbed),
        vce=vce,
        dofminus=int(dofminus),
        wald_f_factor=float(wald_factor),
        endog_names=tuple(endog_names),
    )


def kleibergen_paap_frame(
    df: pd.DataFrame,
    *,
    endog: Sequence[str] | str,
    instruments: Sequence[str] | str,
    exog: Sequence[str] = (),
    fe: Sequence[str] = (),
    cluster: str | None = None,
    vce: str | None = None,
    add_constant: bool = True,
    dropna: bool = True,
) -> KPResult:
    """:func:`kleibergen_paap` on columns of a DataFrame (rows with missing values dropped).

    ``fe`` names the fixed-effect columns to absorb (their df counted by :func:`absorbed_dof`),
    ``cluster`` the cluster column.
    """
    endog = [endog] if isinstance(endog, str) else list(endog)
    instruments = [instruments] if isinstance(instruments, str) else list(instruments)
    cols = [*endog, *instruments, *exog, *fe] + ([cluster] if cluster else [])
    d = df[cols]
    if dropna:
        d = d.dropna()
    return kleibergen_paap(
        d[endog].to_numpy(float),
        d[instruments].to_numpy(float),
        d[list(exog)].to_numpy(float) if exog else None,
        clusters=d[cluster].to_numpy() if cluster else None,
        vce=vce,
        fe=d[list(fe)] if fe else None,
        add_constant=add_constant,
        endog_names=endog,
    )
