"""Export product quality, P2 variant (Ma, Wang & Gong; Shi 2013; Shi & Shao 2014).

P2 (section 3.2.1, eqs. 9-13; SPEC section 3 "P2 variant") measures the quality of firm i's
product g exported to country f in year t from the CES demand ``q = p^(-sigma) lambda^(sigma-1)
E/P`` (P2 eq. 9). In logs (P2 eq. 10)::

    ln q_igft = chi_ft - sigma ln p_igft + mu_igft,      mu_igft = (sigma - 1) ln lambda_igft

where ``chi_ft = ln E_ft - ln P_ft`` are destination x year dummies. To limit the influence of
horizontal differentiation and price endogeneity, P2 (i) adds the real GDP of each province as a
measure of domestic market size (P2 citing Khandelwal 2010: "加入各省份实际 GDP 衡量国内市场需求规模")
and (ii) instruments the firm's price to f with the average price of the same firm's same product
to the *other* destinations (P2 citing Shi & Shao 2014 and Nevo 2001). The quality of the
observation is then (P2 eq. 11)::

    quality_igft = ln lambda_hat = mu_hat / (sigma - 1) = (ln q - ln q_hat) / (sigma - 1),   sigma = 3

standardized within product g over all firms, years and destinations (P2 eq. 12)::

    rquality = (quality - min_g) / (max_g - min_g)

and aggregated to the firm-year with export-value weights (P2 eq. 13)::

    qua_it = sum_{(g,f) in Delta_it} value_igft / sum value_igft * rquality_igft

What is estimated and what is imposed
-------------------------------------
* Estimated, separately for each HS6 product (``group_by="hs6"``): the coefficient on ln p
  (``-sigma_hat_g``), the coefficient on ln(province real GDP) and the destination x year
  intercepts ``chi_ft``, by just-identified 2SLS with the leave-one-out price as the excluded
  instrument. P2 does not print the grouping; product-by-product estimation is how the Shi / Shi &
  Shao method is applied (prices and quantities of different products are in different units,
  and eq. 12 standardizes within product g), so it is the default; ``group_by`` can pool products
  or use an industry instead.
* Imposed: ``sigma = 3`` (P2: "令 sigma=3"; Shi & Shao 2014) only in the conversion of the
  residual, quality = residual / (sigma - 1). The residual is ``ln q - ln q_hat`` with ``ln q_hat``
  the fitted value at the *observed* price (the 2SLS structural residual).
* Because residual / (sigma - 1) is an increasing affine map with the same coefficients for every
  observation, the min-max standardization of eq. 12 removes sigma entirely: ``rquality`` and
  ``qua_it`` do not depend on the imposed sigma (tested). sigma only matters for the unstandardized
  ``quality`` column.

The estimator is hand-written (per-product within transformation by destination x year cell,
Frisch-Waugh-Lovell partialling of the GDP control, scalar just-identified IV), vectorized over
all products at once: the cross products are sums computed in DuckDB, so thousands of small
product regressions cost one aggregation. It equals pyfixest's ``feols("lnq ~ lngdp | cell |
lnp ~ z")`` to 1e-8 (tested).

Robustness measures (P2 Table 4)
--------------------------------
* ``qua_price``: the unit value (Schott 2004; Hallak 2006; Hummels & Klenow 2005 -- P2 section
  4.2.1 "利用企业出口产品的贸易单价衡量其产品质量"), by default *not* standardized: the
  export-value-weighted firm-year mean of the log unit value. P2 says nothing of standardizing it,
  and its Table 4 col. 1 coefficient (0.489, ten times the 0.046 of the [0, 1] qua in the same
  specification) fits a log price, not a [0, 1] index. ``standardize=True`` applies eqs. 12-13
  to the log unit value instead (column ``qua_price_minmax``, the variant ``price_minmax``). See
  :func:`qua_price`.
* ``qua_sub``: P2 describes it as quality "inferred ex post" following Shi (2013) ("国内最早由施炳展
  （2013）采用事后推理的方式测算产品质量") and gives no further detail. P2 attributes the
  other-market price instrument to Shi & Shao (2014), not to Shi (2013), so the pipeline reads
  ``qua_sub`` as the Shi (2013) demand-residual measure without that instrument: the same
  product-level regression estimated by OLS (``estimator="ols"``; single-destination observations
  are then kept, as no instrument is needed). This reading is the pipeline's choice (SPEC section
  6), a named parameter of :func:`qua_sub`. See :func:`qua_sub`.

References
----------
Shi, B. (2013). 中国企业出口产品质量异质性：测度与事实. 经济学(季刊) 13(1).
Shi, B. and Shao, W. (2014). 中国企业出口产品质量测算及其决定因素. 管理世界 2014(9).
Khandelwal, A. (2010). The long and short (of) quality ladders. Review of Economic Studies 77(4).
Nevo, A. (2001). Measuring market power in the ready-to-eat cereal industry. Econometrica 69(2).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd

from eq_assets.core.accounting import RowAccount
from eq_assets.core.errors import InputDataError
from eq_assets.core.sql import run_sql

__all__ = [
    "P2_SIGMA",
    "INSTRUMENT_AVERAGES",
    "ESTIMATORS",
    "P2QualityResult",
    "loo_price_instrument",
    "estimate_quality_p2",
    "minmax_standardize",
    "firm_year_quality",
    "firm_quality_p2",
    "qua_price",
    "qua_sub",
]

#: sigma imposed in P2 eq. 11 ("令 sigma=3"; Shi & Shao 2014; Su et al. 2018; Chen & Dai 2021).
P2_SIGMA = 3.0

#: How the "average price to other destinations" (P2: "企业 i 对其他国家出口的产品 g 的平均价格")
#: is averaged: "mean_log" = mean of the log unit values (default; the regression is in logs),
#: "log_mean" = log of the arithmetic mean of the unit values.
INSTRUMENT_AVERAGES = ("mean_log", "log_mean")

#: "iv": 2SLS with the leave-one-out price as instrument (Shi & Shao 2014; P2's baseline);
#: "ols": no instrument (Shi 2013; P2's ``qua_sub``).
ESTIMATORS = ("iv", "ols")

#: Relative tolerance for a regressor that the within transformation leaves (numerically) empty
#: and for an instrument with no partial correlation with the price.
COLLINEAR_TOL = 1e-9

_KEY = ("year", "firm_id", "hs6", "dest_code")
_REQUIRED = (*_KEY, "value_usd", "quantity")


def _as_cols(cols: str | Sequence[str] | None) -> tuple[str, ...]:
    if cols is None:
        return ()
    if isinstance(cols, str):
        return (cols,)
    return tuple(cols)


def _check_columns(df: pd.DataFrame, cols: Sequence[str], source: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise InputDataError(
            source, "missing columns", column=", ".join(missing), expected=f"columns {list(cols)}"
        )


def _check_positive(df: pd.DataFrame, cols: Sequence[str], source: str) -> None:
    for c in cols:
        bad = ~(pd.to_numeric(df[c], errors="coerce") > 0)
        if bad.any():
            raise InputDataError(
                source,
                "non-positive or missing values where a logarithm is taken",
                column=c,
                rows=list(df.index[bad][:10]),
                n_rows=int(bad.sum()),
                examples=df.loc[bad, c].head(5).tolist(),
                expected="> 0 (customs cleaning drops value < 50 USD and quantity < 1)",
            )


# ---------------------------------------------------------------------------------- instrument
def loo_price_instrument(
    obs: pd.DataFrame,
    *,
    average: str = "mean_log",
    firm_col: str = "firm_id",
    product_col: str = "hs6",
    dest_col: str = "dest_code",
    year_col: str = "year",
) -> pd.DataFrame:
    """Leave-one-out price instrument of Shi & Shao (2014), used by P2 (section 3.2.1).

    For each observation (firm i, product g, destination f, year t) the instrument is the average
    price of the same firm's same product in the same year to the *other* destinations (P2:
    "选取企业 i 对其他国家出口的产品 g 的平均价格作为该企业对 f 国出口的产品 g 价格的工具变量";
    a Hausman-Nevo "other markets" instrument, Nevo 2001). It shares the firm-product cost
    component of the price but not the destination-specific demand shock.

    Computed with DuckDB window sums: (sum over firm x product x year) minus (sum over firm x
    product x year x destination), divided by the matching counts. Subtracting the own
    *destination* (not only the own row) keeps the instrument "other destinations" even if the
    input were finer than firm x HS6 x destination x year.

    Adds ``unit_value = value_usd / quantity``, ``ln_price = ln(unit_value)``,
    ``n_other_dest_obs`` (observations of the firm-product-year to other destinations) and
    ``ln_price_loo``, which is NaN (not zero) where the firm sells the product to one destination
    only that year. ``average`` (see :data:`INSTRUMENT_AVERAGES`): "mean_log" (default) averages
    log unit values; "log_mean" logs the arithmetic mean unit value. Row order is preserved.
    """
    if average not in INSTRUMENT_AVERAGES:
        raise ValueError(f"average must be one of {INSTRUMENT_AVERAGES}; got {average!r}")
    _check_columns(obs, (firm_col, product_col, dest_col, year_col, "value_usd", "quantity"), "loo_price_instrument")
    _check_positive(obs, ("value_usd", "quantity"), "loo_price_instrument")
    nokey = obs[[firm_col, product_col, dest_col, year_col]].isna().any(axis=1).to_numpy()
    if nokey.any():
        raise InputDataError(
            "loo_price_instrument", "missing firm, product, destination or year",
            column=", ".join((firm_col, product_col, dest_col, year_col)),
            rows=list(obs.index[nokey][:10]), n_rows=int(nokey.sum()),
            expected="non-missing keys (customs cleaning drops rows with missing keys)",
        )
    src = obs.reset_index(drop=True).assign(_row=np.arange(len(obs), dtype=np.int64))
    fy = f'"{firm_col}", "{product_col}", "{year_col}"'
    fyd = f'{fy}, "{dest_col}"'
    x = "ln_price" if average == "mean_log" else "unit_value"
    out = run_sql(
        f"""
        with o as (
            select *, value_usd::DOUBLE / quantity::DOUBLE as unit_value,
                   ln(value_usd::DOUBLE / quantity::DOUBLE) as ln_price
            from src
        ), w as (
            select *,
                   count(*) over (partition by {fy}) - count(*) over (partition by {fyd}) as n_other_dest_obs,
                   sum({x}) over (partition by {fy}) - sum({x}) over (partition by {fyd}) as _s_other
            from o
        )
        select * exclude (_s_other),
               case when n_other_dest_obs > 0 then
                    {"_s_other / n_other_dest_obs" if average == "mean_log" else "ln(_s_other / n_other_dest_obs)"}
               end as ln_price_loo
        from w
        order by _row
        """,
        src=src,
    )
    out = out.drop(columns="_row")
    out.index = obs.index
    out["n_other_dest_obs"] = out["n_other_dest_obs"].astype("int64")
    out["ln_price_loo"] = out["ln_price_loo"].astype("float64")
    return out


# ---------------------------------------------------------------------------------- estimation
class P2QualityResult(NamedTuple):
    """Output of :func:`estimate_quality_p2`: unpacks as ``quality, products, account``."""

    #: Observations kept, with ln_q, ln_price, ln_price_loo, ln_gdp, resid, quality, cell_size.
    quality: pd.DataFrame
    #: One row per estimation group (product): coefficients, SEs, first-stage F, status.
    products: pd.DataFrame
    #: Observations in / out / dropped by reason.
    account: RowAccount


def _group_ids(df: pd.DataFrame, cols: tuple[str, ...]) -> np.ndarray:
    if not cols:
        return np.zeros(len(df), dtype=np.int64)
    return df.groupby(list(cols), sort=True, dropna=False).ngroup().to_numpy(dtype=np.int64)


def estimate_quality_p2(
    obs: pd.DataFrame,
    sigma: float = P2_SIGMA,
    *,
    group_by: str | Sequence[str] | None = "hs6",
    fe: Sequence[str] = ("dest_code", "year"),
    estimator: str = "iv",
    gdp_col: str | None = "prov_gdp_real",
    instrument_average: str = "mean_log",
    missing_instrument: str = "drop",
    singletons: str = "drop",
    min_dof: int = 1,
) -> P2QualityResult:
    """Estimate P2 eq. 10 product by product and return observation quality (P2 eq. 11).

    Per estimation group g (default: each HS6 product; see the module docstring)::

        ln q = chi_cell - sigma_g ln p + b_g ln(prov_gdp_real) + e,   cell = group x ``fe``

    ``fe`` defaults to destination x year (P2: chi_ft "出口目的国-年份的虚拟变量"). With
    ``estimator="iv"`` (default) ln p is instrumented by :func:`loo_price_instrument`
    (just-identified 2SLS); ``"ols"`` gives Shi (2013)'s uninstrumented version. The structural
    residual ``e_hat = ln q - ln q_hat`` (observed price, fitted chi and GDP term) is converted with
    the *imposed* ``sigma`` (P2: 3): ``quality = e_hat / (sigma - 1)``. The estimated elasticity
    ``-coef_ln_price`` is reported per product in ``products`` but not used in the conversion
    (that is P2's choice; set ``sigma`` to change it; min-max standardization makes it irrelevant).

    Named choices (the paper is silent on the ones marked *):

    * ``group_by``: estimation grouping; "hs6" (default), any column(s) such as an industry code
      (per-industry), or ``None`` for one pooled regression (then consider adding "hs6" to ``fe``).
    * ``gdp_col``: province real GDP control (P2; Khandelwal 2010), logged; ``None`` to omit.
      Rows with missing / non-positive GDP are dropped ("missing_prov_gdp"). Where ln GDP has no
      variation within the cells of a product it is omitted from that product's regression
      (collinear with chi, as Stata / pyfixest do) and ``gdp_omitted`` is set.
    * ``missing_instrument`` (*, IV only): observations whose firm sold the product to one
      destination that year have no instrument. ``"drop"`` (default; what a 2SLS command does):
      dropped and counted ("no_instrument_single_destination"). ``"predict"``: coefficients are
      estimated on instrumented observations and the residual of every observation is computed
      from them, ``e = ln q - b'x - chi_hat_cell`` with chi_hat from the cell's instrumented rows;
      observations in cells without instrumented rows are dropped ("cell_without_instrumented_obs").
    * ``singletons`` (*): cells (group x fe) with a single estimation observation have a residual
      of exactly 0 by construction. ``"drop"`` (default; as reghdfe, and as the P1 quality step)
      drops them ("singleton_cell"); ``"keep"`` keeps them (quality 0).
    * ``min_dof`` (*): products with fewer than ``min_dof`` residual degrees of freedom
      (n - cells - regressors), or whose instrument has no partial correlation with the price,
      are not identified; their rows are dropped ("product_not_identified").

    ``obs`` needs year, firm_id, hs6, dest_code, value_usd, quantity, the ``group_by`` and ``fe``
    columns and ``gdp_col``. SEs in ``products`` are conventional (iid) 2SLS SEs with
    ``n - cells - k`` degrees of freedom, equal to pyfixest's ``vcov="iid"``.
    """
    if sigma <= 1:
        raise ValueError(f"sigma must exceed 1 (CES); got {sigma}")
    if estimator not in ESTIMATORS:
        raise ValueError(f"estimator must be one of {ESTIMATORS}; got {estimator!r}")
    if missing_instrument not in ("drop", "predict"):
        raise ValueError(f"missing_instrument must be 'drop' or 'predict'; got {missing_instrument!r}")
    if singletons not in ("drop", "keep"):
        raise ValueError(f"singletons must be 'drop' or 'keep'; got {singletons!r}")
    if min_dof < 1:
        raise ValueError(f"min_dof must be >= 1; got {min_dof}")
    groups = _as_cols(group_by)
    fe = _as_cols(fe)
    need = list(dict.fromkeys([*_REQUIRED, *groups, *fe] + ([gdp_col] if gdp_col else [])))
    _check_columns(obs, need, "estimate_quality_p2")

    acc = RowAccount(rows_in=len(obs), unit="observations")
    df = loo_price_instrument(obs, average=instrument_average).reset_index(drop=True)
    df["ln_q"] = np.log(df["quantity"].astype(float))

    if gdp_col:
        gdp = pd.to_numeric(df[gdp_col], errors="coerce").astype(float)
        bad = ~(gdp > 0)
        acc.drop("missing_prov_gdp", int(bad.sum()))
        df = df[~bad].reset_index(drop=True)
        df["ln_gdp"] = np.log(gdp[~bad].to_numpy())
    else:
        df["ln_gdp"] = 0.0

    if estimator == "iv":
        df["_z"] = df["ln_price_loo"]
        has_z = df["_z"].notna().to_numpy()
        if missing_instrument == "drop":
            acc.drop("no_instrument_single_destination", int((~has_z).sum()))
            df = df[has_z].reset_index(drop=True)
            has_z = np.ones(len(df), dtype=bool)
    else:  # OLS = IV with the price as its own instrument
        df["_z"] = df["ln_price"]
        has_z = np.ones(len(df), dtype=bool)
    df["_est"] = has_z

    df["_grp"] = _group_ids(df, groups)
    df["_cell"] = _group_ids(df, groups + fe)
    n_est_cell = df.groupby("_cell")["_est"].transform("sum").to_numpy()
    no_est = n_est_cell == 0
    if estimator == "iv" and missing_instrument == "predict":
        acc.drop("cell_without_instrumented_obs", int(no_est.sum()))
    keep = ~no_est
    if singletons == "drop":
        single = n_est_cell == 1
        acc.drop("singleton_cell", int(single.sum()))
        keep &= ~single
    df = df[keep].reset_index(drop=True)

    products = _fit_groups(df[df["_est"]], min_dof=min_dof)
    if groups:
        labels = df[["_grp", *groups]].drop_duplicates("_grp")
        products = products.merge(labels, on="_grp", how="left", validate="one_to_one")
        products = products[[*groups, *[c for c in products.columns if c not in groups]]]
    ok = products.loc[products["identified"], "_grp"]
    in_ok = df["_grp"].isin(ok).to_numpy()
    acc.drop("product_not_identified", int((~in_ok).sum()))
    df = df[in_ok].reset_index(drop=True)

    coefs = products.loc[products["identified"], ["_grp", "coef_ln_price", "coef_ln_gdp"]]
    df = df.merge(coefs, on="_grp", how="left", validate="many_to_one")
    df["_u"] = df["ln_q"] - df["coef_ln_price"] * df["ln_price"] - df["coef_ln_gdp"] * df["ln_gdp"]
    resid = run_sql(
        """
        select _u - avg(case when _est then _u end) over (partition by _cell) as resid,
               count(*) filter (where _est) over (partition by _cell) as cell_size
        from df order by _row
        """,
        df=df[["_u", "_est", "_cell"]].assign(_row=np.arange(len(df))),
    )
    df["resid"] = resid["resid"].to_numpy()
    df["cell_size"] = resid["cell_size"].to_numpy().astype("int64")
    df["quality"] = df["resid"] / (sigma - 1.0)
    df["estimated_on"] = np.where(df["_est"], "estimation_sample", "predicted")
    if not gdp_col:
        df = df.drop(columns="ln_gdp")
    df = df.drop(columns=["_z", "_est", "_grp", "_cell", "_u", "coef_ln_price", "coef_ln_gdp"])
    acc.finish(len(df))

    products = products.drop(columns="_grp")
    products.insert(0, "estimator", estimator)
    return P2QualityResult(df, products, acc)


def _fit_groups(est: pd.DataFrame, *, min_dof: int) -> pd.DataFrame:
    """Just-identified 2SLS of ln_q on ln_price (instrument _z) and ln_gdp, within _cell, per _grp.

    Frisch-Waugh-Lovell: after the within-cell transformation (tilde), partial ln_gdp out of
    y, p and z; then b_p = z'y / z'p, b_gdp = (g'y - b_p g'p) / g'g. Cross products are per-group
    sums computed in DuckDB; the solve is vectorized numpy.
    """
    sums = run_sql(
        """
        with d as (
            select _grp, _cell,
                   ln_q - avg(ln_q) over (partition by _cell) as y,
                   ln_price - avg(ln_price) over (partition by _cell) as p,
                   _z - avg(_z) over (partition by _cell) as z,
                   ln_gdp - avg(ln_gdp) over (partition by _cell) as g,
                   ln_gdp as g_raw
            from est
        )
        select _grp, count(*) as n_obs, count(distinct _cell) as n_cells,
               sum(y*y) as yy, sum(p*p) as pp, sum(z*z) as zz, sum(g*g) as gg,
               sum(z*y) as zy, sum(z*p) as zp, sum(z*g) as zg, sum(g*y) as gy, sum(g*p) as gp,
               sum(p*y) as py, sum(g_raw*g_raw) as gg_raw
        from d group by _grp order by _grp
        """,
        est=est[["_grp", "_cell", "ln_q", "ln_price", "_z", "ln_gdp"]],
    )
    s = {c: sums[c].to_numpy(dtype=float) for c in sums.columns if c != "_grp"}
    gdp_omitted = s["gg"] <= COLLINEAR_TOL * s["gg_raw"]
    with np.errstate(divide="ignore", invalid="ignore"):
        ginv = np.where(gdp_omitted, 0.0, 1.0 / np.where(gdp_omitted, 1.0, s["gg"]))
        zp = s["zp"] - s["zg"] * s["gp"] * ginv
        zz = s["zz"] - s["zg"] ** 2 * ginv
        pp = s["pp"] - s["gp"] ** 2 * ginv
        zy = s["zy"] - s["zg"] * s["gy"] * ginv
        k = np.where(gdp_omitted, 1, 2)
        dof = s["n_obs"] - s["n_cells"] - k
        relevant = (zz > 0) & (pp > 0) & (np.abs(zp) > COLLINEAR_TOL * np.sqrt(np.abs(zz * pp)))
        identified = relevant & (dof >= min_dof)
        b_p = np.where(identified, zy / zp, np.nan)
        b_g = np.where(identified, np.where(gdp_omitted, 0.0, (s["gy"] - b_p * s["gp"]) * ginv), np.nan)
        # residual sum of squares of the structural equation, from the sums
        ee = (
            s["yy"] + b_p**2 * s["pp"] + b_g**2 * s["gg"]
            - 2 * b_p * s["py"] - 2 * b_g * s["gy"] + 2 * b_p * b_g * s["gp"]
        )
        s2 = np.clip(ee, 0.0, None) / dof
        # iid 2SLS: Var(b_p) = s2 * z~'z~ / (z~'p~)^2  (FWL)
        se_p = np.sqrt(s2 * zz / zp**2)
        # full iid 2SLS covariance for the GDP coefficient: s2 (Z'X)^-1 Z'Z (X'Z)^-1,
        # Z = [z, g], X = [p, g] (within-transformed)
        full = identified & ~gdp_omitted
        a = np.stack([np.stack([s["zp"], s["zg"]], -1), np.stack([s["gp"], s["gg"]], -1)], -2)
        a[~full] = np.eye(2)
        zz_full = np.stack([np.stack([s["zz"], s["zg"]], -1), np.stack([s["zg"], s["gg"]], -1)], -2)
        ainv = np.linalg.inv(a)
        v = s2[:, None, None] * ainv @ zz_full @ np.swapaxes(ainv, -1, -2)
        se_g = np.where(full, np.sqrt(np.abs(v[:, 1, 1])), np.nan)
        # first stage of p~ on z~ (partial F of the excluded instrument)
        rss1 = pp - zp**2 / zz
        fs_f = (zp**2 / zz) / (rss1 / dof)
    status = np.where(
        identified, "ok", np.where(dof < min_dof, "insufficient_dof", "instrument_without_variation")
    )
    out = pd.DataFrame(
        {
            "_grp": sums["_grp"].to_numpy(),
            "n_obs": s["n_obs"].astype("int64"),
            "n_cells": s["n_cells"].astype("int64"),
            "dof": dof.astype("int64"),
            "coef_ln_price": b_p,
            "se_ln_price": np.where(identified, se_p, np.nan),
            "sigma_hat": -b_p,
            "coef_ln_gdp": b_g,
            "se_ln_gdp": se_g,
            "gdp_omitted": gdp_omitted,
            "first_stage_f": np.where(identified, fs_f, np.nan),
            "identified": identified,
            "status": status,
        }
    )
    return out


# ---------------------------------------------------------------------------------- standardization
def minmax_standardize(
    q: pd.DataFrame,
    by: str | Sequence[str] = "hs6",
    *,
    col: str = "quality",
    out: str = "rquality",
    degenerate: str = "drop",
) -> tuple[pd.DataFrame, RowAccount]:
    """Min-max standardize ``col`` within product (P2 eq. 12; Shi & Shao 2014).

    ``rquality = (quality - min_g) / (max_g - min_g)`` where min and max are taken "over all firms,
    all years and all countries" for product g (P2: "max 和 min 分别表示所有企业在所有年份对所有国家出口
    的产品 g 质量的最大值和最小值"). The caller must therefore pass every year at once; the result
    lies in [0, 1] with 0 and 1 attained in each product. Because it is invariant to increasing
    affine maps of ``col``, ``rquality`` does not depend on the sigma used in quality = e/(sigma-1).

    Rows with missing ``col`` are dropped ("missing_<col>"). A product whose values are all equal
    (max == min, e.g. a product with a single observation) has no defined standardization (*: the
    paper is silent): ``degenerate="drop"`` (default) drops its rows ("degenerate_range");
    ``"nan"`` keeps them with ``out`` NaN (then :func:`firm_year_quality` drops and counts them).
    Adds ``<out>`` and keeps all other columns; row order is preserved.
    """
    if degenerate not in ("drop", "nan"):
        raise ValueError(f"degenerate must be 'drop' or 'nan'; got {degenerate!r}")
    by = _as_cols(by)
    _check_columns(q, [*by, col], "minmax_standardize")
    acc = RowAccount(rows_in=len(q), unit="observations")
    v = pd.to_numeric(q[col], errors="coerce").astype(float)
    missing = v.isna().to_numpy()
    acc.drop(f"missing_{col}", int(missing.sum()))
    df = q[~missing].reset_index(drop=True)
    src = df[list(by)].assign(_v=v[~missing].to_numpy(), _row=np.arange(len(df)))
    part = ", ".join(f'"{c}"' for c in by) if by else "1"
    mm = run_sql(
        f"""
        select min(_v) over (partition by {part}) as _lo, max(_v) over (partition by {part}) as _hi
        from src order by _row
        """,
        src=src,
    )
    lo, hi = mm["_lo"].to_numpy(), mm["_hi"].to_numpy()
    span = hi - lo
    degen = ~(span > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(degen, np.nan, (src["_v"].to_numpy() - lo) / np.where(degen, 1.0, span))
    df[out] = np.clip(r, 0.0, 1.0)  # clip only removes rounding below 0 / above 1
    if degenerate == "drop":
        acc.drop("degenerate_range", int(degen.sum()))
        df = df[~degen].reset_index(drop=True)
    return df, acc.finish(len(df))


def firm_year_quality(
    rq: pd.DataFrame,
    *,
    col: str = "rquality",
    out: str = "qua",
    value_col: str = "value_usd",
    keys: Sequence[str] = ("firm_id", "year"),
) -> tuple[pd.DataFrame, RowAccount]:
    """Firm-year export quality, the value-weighted mean of ``rquality`` (P2 eq. 13).

    ``qua_it = sum_{(g,f) in Delta_it} value_igft / sum_{Delta_it} value * rquality_igft``, Delta_it
    being everything firm i exported in year t. The weights are renormalized over the observations
    that have a standardized quality (*: observations without one, e.g. single-destination
    observations without the instrument, cannot enter; the shares of the rest sum to one).
    Aggregation in DuckDB.

    Returns one row per firm-year with ``<out>``, ``n_obs`` and ``value_usd`` (the value the
    weights are built from). Account (unit: observations): rows with missing ``col`` or
    non-positive value are dropped ("missing_<col>", "nonpositive_value"); the rest are merged
    into firm-years ("merged_into_firm_years"), so rows_in = rows_out + dropped holds.
    """
    keys = tuple(keys)
    _check_columns(rq, [*keys, col, value_col], "firm_year_quality")
    acc = RowAccount(rows_in=len(rq), unit="observations")
    v = pd.to_numeric(rq[col], errors="coerce")
    w = pd.to_numeric(rq[value_col], errors="coerce")
    miss = v.isna().to_numpy()
    acc.drop(f"missing_{col}", int(miss.sum()))
    nonpos = ~miss & ~(w > 0).to_numpy()
    acc.drop("nonpositive_value", int(nonpos.sum()))
    ok = ~miss & ~nonpos
    src = rq.loc[ok, list(keys)].assign(_v=v[ok].astype(float), _w=w[ok].astype(float))
    kk = ", ".join(f'"{c}"' for c in keys)
    res = run_sql(
        f"""
        select {kk}, sum(_w * _v) / sum(_w) as "{out}", count(*) as n_obs, sum(_w) as "{value_col}"
        from src group by {kk} order by {kk}
        """,
        src=src,
    )
    res["n_obs"] = res["n_obs"].astype("int64")
    acc.drop("merged_into_firm_years", int(ok.sum()) - len(res))
    return res, acc.finish(len(res))


def _chain(rows_in: int, *accounts: RowAccount, unit: str = "observations") -> RowAccount:
    """Combine the accounts of successive steps into one (rows_in of the first step)."""
    acc = RowAccount(rows_in=rows_in, unit=unit)
    for a in accounts:
        for reason, n in a.dropped.items():
            acc.drop(reason, n)
    return acc.finish(accounts[-1].rows_out or 0)


def firm_quality_p2(
    obs: pd.DataFrame,
    sigma: float = P2_SIGMA,
    *,
    out: str = "qua",
    by: str | Sequence[str] = "hs6",
    degenerate: str = "drop",
    **estimate_kwargs,
) -> tuple[pd.DataFrame, pd.DataFrame, RowAccount]:
    """P2's firm-year quality ``qua`` (eqs. 10-13): estimate, standardize within product, aggregate.

    :func:`estimate_quality_p2` (``sigma`` and ``estimate_kwargs`` passed on) ->
    :func:`minmax_standardize` (within ``by``, over all years of ``obs``) ->
    :func:`firm_year_quality`. Pass all years at once (eq. 12 standardizes across years). Returns
    ``(firm_year, products, account)``; the account covers all three steps.
    """
    q, products, a1 = estimate_quality_p2(obs, sigma, **estimate_kwargs)
    rq, a2 = minmax_standardize(q, by, col="quality", out="rquality", degenerate=degenerate)
    fy, a3 = firm_year_quality(rq, col="rquality", out=out)
    return fy, products, _chain(len(obs), a1, a2, a3)


def qua_sub(
    obs: pd.DataFrame,
    sigma: float = P2_SIGMA,
    *,
    out: str = "qua_sub",
    **kwargs,
) -> tuple[pd.DataFrame, pd.DataFrame, RowAccount]:
    """P2 Table 4 col. 2 ``qua_sub``: residual-based quality without the price instrument.

    P2 (section 4.2.1) replaces qua by quality "inferred ex post" as in Shi (2013) ("国内最早由施炳展
    （2013）采用事后推理的方式测算产品质量") without giving details. P2 credits the other-market
    price instrument to Shi & Shao (2014), its baseline; the pipeline therefore reads ``qua_sub``
    as the same product-by-product demand regression (destination x year dummies, GDP control)
    without the instrument: :func:`firm_quality_p2` with ``estimator="ols"`` (default here; pass
    ``estimator="iv"`` plus other options to change the reading). No observation is lost for lack
    of an instrument. Other choices (grouping, GDP control, singletons, sigma) are the baseline's
    unless overridden in ``kwargs``. Returns ``(firm_year, products, account)``.
    """
    kwargs.setdefault("estimator", "ols")
    return firm_quality_p2(obs, sigma, out=out, **kwargs)


def qua_price(
    obs: pd.DataFrame,
    by: str | Sequence[str] = "hs6",
    *,
    log: bool = True,
    standardize: bool = False,
    out: str = "qua_price",
    degenerate: str = "drop",
) -> tuple[pd.DataFrame, RowAccount]:
    """P2 Table 4 col. 1 ``qua_price``: the unit value as quality.

    Unit values proxy quality in Schott (2004), Hallak (2006), Hummels & Klenow (2005) (P2 section
    4.2.1: "利用企业出口产品的贸易单价衡量其产品质量"). The observation's unit value is
    ``value_usd / quantity``, in logs by default (``log``; *: P2 does not say; unit values of one
    product differ by orders of magnitude and quality itself is a log). Default
    (``standardize=False``, P2's most plausible reading, see the module docstring): the
    export-value-weighted firm-year mean of it (the weights of eq. 13), unstandardized.
    ``standardize=True``: min-max within ``by`` over all firms, years and destinations first (eq.
    12 applied to prices; min-max is not invariant to the log, so ``log`` matters there too).
    Uses every observation (no instrument needed). Returns ``(firm_year, account)``.
    """
    _check_columns(obs, [*_as_cols(by), "firm_id", "year", "value_usd", "quantity"], "qua_price")
    _check_positive(obs, ("value_usd", "quantity"), "qua_price")
    uv = obs["value_usd"].astype(float) / obs["quantity"].astype(float)
    col = "ln_unit_value" if log else "unit_value"
    o = obs.assign(**{col: np.log(uv) if log else uv})
    if not standardize:
        fy, a1 = firm_year_quality(o, col=col, out=out)
        return fy, _chain(len(obs), a1)
    rq, a1 = minmax_standardize(o, by, col=col, out="rprice", degenerate=degenerate)
    fy, a2 = firm_year_quality(rq, col="rprice", out=out)
    return fy, _chain(len(obs), a1, a2)
