"""The steps of P2's quality measure as the graph runs them (wired in ``assets_p2.py``).

1. :func:`p2_observations` (one year): matched exports -> P2 observations (firm x HS6 x
   destination x year; P2 eq. 9 has no trade-mode dimension, so the trade modes of an
   observation are summed, and the general-trade value is kept for ``general_trade``), with the
   province's real GDP. No estimation here.
2. :func:`p2_estimate_quality` (all P2 years at once): P2 eq. 10 estimated product by product on
   the panel of ``years`` (default 2010-2012) with destination x year dummies (P2: chi_ft
   "出口目的国-年份的虚拟变量"; one price coefficient per HS6 for all years, as the Shi & Shao (2014)
   method P2 follows), by 2SLS with the leave-one-out price (-> ``quality``, P2's baseline) and by
   OLS (-> ``quality_ols``, for ``qua_sub``); see :func:`~.p2.estimate_quality_p2`.
   Estimating each product-*year* separately would be a different estimator: a third of the
   observations per regression, destination dummies only, a price coefficient per year. Its
   sampling noise in the price coefficient enters every residual of the product-year
   (``(-sigma_hat - b) ln p``), widens the min-max range of eq. 12 and attenuates everything
   measured with ``qua`` (on the tiny synthetic world the Table 2 col. 3 estimate fell from
   0.45 to 0.07 against a truth of 0.63; ``estimation="yearly"`` keeps that variant).
3. :func:`p2_firm_year` (all P2 years at once): min-max within HS6 over all firms, years and
   destinations (P2 eq. 12), value-weighted firm-year means (eq. 13) -> ``qua``, ``qua_sub``,
   ``qua_price`` (unstandardized log unit value) and ``qua_price_minmax``; plus ``imp`` =
   ln(number of HS6 exported), ``general_trade`` and ``gvc_upstreamness_firm`` (Tables 9-10).
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import numpy as np
import pandas as pd

from eq_assets.core.accounting import RowAccount
from eq_assets.core.sql import count, run_sql, run_transform
from eq_assets.quality.p2 import (
    P2_SIGMA, estimate_quality_p2, firm_year_quality, minmax_standardize, qua_price,
)
from eq_assets.settings import P2_YEARS

OBS_KEY_P2 = ("year", "firm_id", "hs6", "dest_code")
GENERAL_TRADE = "general"


def p2_observations_sql(con: duckdb.DuckDBPyConnection) -> tuple[str, RowAccount, dict]:
    """One year's P2 observations: values, quantities, general-trade value, province real GDP.

    Runs on ``con`` with the year's matched export rows bound as ``m`` and the province panel as
    ``pp`` (:func:`eq_assets.core.sql.bind`); returns (SQL of the observations, account, metadata).
    Every observation is kept (``qua_price`` needs only the unit value). The estimation, with the
    leave-one-out price instrument, runs on all P2 years at once (:func:`p2_estimate_quality`).
    ``n_other_destinations`` counts the other destinations of the firm's product that year (0:
    no instrument, P2's 2SLS cannot use the observation). Account: rows in = matched export rows;
    the trade modes of one firm x HS6 x destination are merged ("merged_trade_modes"). The
    province panel has one row per province and year (its key), so the join adds no rows.
    """
    n_in = count(con, "m")
    con.execute(
        f"""
        create or replace temp table _p2_obs as
        with o as (
            select year::BIGINT as year, firm_id, hs6, dest_code,
                   sum(value_usd) as value_usd, sum(quantity) as quantity,
                   sum(case when trade_mode = '{GENERAL_TRADE}' then value_usd else 0 end) as general_value_usd,
                   count(*)::BIGINT as n_trade_modes,
                   min(city) as city
            from m group by year, firm_id, hs6, dest_code
        )
        select o.year, o.firm_id, o.hs6, o.dest_code, o.value_usd, o.quantity, o.general_value_usd,
               o.n_trade_modes, o.city, left(o.city, 2) as province, g.real_gdp::DOUBLE as prov_gdp_real,
               (count(*) over (partition by o.year, o.firm_id, o.hs6) - 1)::BIGINT as n_other_destinations,
               o.value_usd / o.quantity as unit_value
        from o left join pp as g on g.province_code = left(o.city, 2) and g.year::BIGINT = o.year
        order by o.year, o.firm_id, o.hs6, o.dest_code
        """
    )
    n_out, n_single = con.execute(
        "select count(*), count(*) filter (where n_other_destinations = 0) from _p2_obs").fetchone()
    acc = RowAccount(rows_in=n_in, unit="observations")
    acc.drop("merged_trade_modes", n_in - int(n_out))
    md = {"without_instrument_single_destination": int(n_single)}
    return "select * from _p2_obs order by year, firm_id, hs6, dest_code", acc.finish(int(n_out)), md


def p2_observations(matched: pd.DataFrame, province_panel: pd.DataFrame) -> tuple[pd.DataFrame, RowAccount, dict]:
    """:func:`p2_observations_sql` on data frames (tests, notebooks)."""
    return run_transform(p2_observations_sql, inputs={"m": matched, "pp": province_panel})


#: How eq. 10 is estimated over the years: "pooled" (default) = one regression per product on all
#: P2 years with destination x year dummies (P2 eq. 10); "yearly" = one per product and year.
ESTIMATION_MODES = ("pooled", "yearly")


def p2_estimate_quality(
    obs: pd.DataFrame,
    *,
    years: Sequence[int] = P2_YEARS,
    sigma: float = P2_SIGMA,
    estimation: str = "pooled",
    instrument_average: str = "mean_log",
    singletons: str = "drop",
    missing_instrument: str = "drop",
    group_by: str | Sequence[str] | None = "hs6",
) -> tuple[pd.DataFrame, dict]:
    """``obs`` with ``quality`` (2SLS) and ``quality_ols`` (OLS) estimated on ``years`` (nullable).

    P2 eq. 10 per ``group_by`` (HS6) with destination x year cells, on all ``years`` at once
    (``estimation="pooled"``, P2; see the module docstring) or per year (``"yearly"``). Rows an
    estimator drops (no other destination for the instrument, singleton cell, product not
    identified, no province GDP) keep a missing quality, as do rows outside ``years``; counts by
    reason and a summary of the
    per-product fits (``iv_median_sigma_hat``, ``iv_products_weak_first_stage`` = identified
    products with first-stage F < 10) are returned as metadata. Row order: ``OBS_KEY_P2``.
    """
    if estimation not in ESTIMATION_MODES:
        raise ValueError(f"estimation must be one of {ESTIMATION_MODES}; got {estimation!r}")
    cols = list(OBS_KEY_P2)
    o = obs.drop(columns=["quality", "quality_ols"], errors="ignore").sort_values(cols).reset_index(drop=True)
    est = o[o["year"].isin(list(years))]
    md: dict = {"estimation": estimation}
    base = cols + ["value_usd", "quantity", "prov_gdp_real"] + [
        c for c in ([group_by] if isinstance(group_by, str) else list(group_by or ())) if c not in cols]
    kw = dict(group_by=group_by, fe=("dest_code", "year"), instrument_average=instrument_average, singletons=singletons)
    if not len(est):
        return o.assign(quality=np.nan, quality_ols=np.nan), md
    chunks = [est[base]] if estimation == "pooled" else [g[base] for _, g in est.groupby("year", sort=True)]
    for label, extra in (("iv", {"missing_instrument": missing_instrument}), ("ols", {})):
        quals, prods = [], []
        for chunk in chunks:
            res = estimate_quality_p2(chunk, sigma, estimator=label, **kw, **extra)
            for r, v in res.account.dropped.items():
                md[f"{label}_dropped_{r}"] = md.get(f"{label}_dropped_{r}", 0) + int(v)
            quals.append(res.quality[cols + ["quality"]])
            prods.append(res.products)
        q = pd.concat(quals, ignore_index=True)
        p = pd.concat(prods, ignore_index=True)
        md[f"{label}_products"] = int(len(p))
        ok = p[p["identified"]] if len(p) else p
        md[f"{label}_products_identified"] = int(len(ok))
        if len(ok):
            md[f"{label}_median_sigma_hat"] = float((-ok["coef_ln_price"]).median())
            md[f"{label}_iqr_sigma_hat"] = float((-ok["coef_ln_price"]).quantile(0.75) - (-ok["coef_ln_price"]).quantile(0.25))
            if label == "iv":
                md["iv_products_weak_first_stage"] = int((ok["first_stage_f"] < 10).sum())
                md["iv_median_first_stage_f"] = float(ok["first_stage_f"].median())
        name = "quality" if label == "iv" else "quality_ols"
        o = o.merge(q.rename(columns={"quality": name}), on=cols, how="left", validate="one_to_one")
    return o, md


def p2_firm_year(
    obs: pd.DataFrame,
    *,
    years: Sequence[int] = P2_YEARS,
    by: str | Sequence[str] = "hs6",
    degenerate: str = "drop",
    price_log: bool = True,
    price_standardize: bool = False,
    general_trade_share: float = 0.5,
    upstreamness: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, RowAccount, dict]:
    """Firm-year ``qua``, ``qua_sub``, ``qua_price``, ``qua_price_minmax``, ``imp``,
    ``general_trade`` and ``gvc_upstreamness_firm`` over ``years``.

    Min-max within ``by`` (HS6) over all observations of ``years`` at once (P2 eq. 12: "所有企业在所
    有年份对所有国家"), then export-value-weighted means per firm-year (eq. 13), separately for the
    2SLS quality (``qua``) and the OLS quality (``qua_sub``). ``qua_price``: the value-weighted
    mean (log, ``price_log``) unit value, min-max standardized first only with
    ``price_standardize`` (see :func:`~.p2.qua_price`); ``qua_price_minmax`` is always the
    standardized one (the variant ``price_minmax``). A firm-year is kept if it exported
    anything; its measures are missing where none of its observations has that measure.
    ``imp`` = ln(number of distinct HS6 exported); ``general_trade`` = 1 if general trade is more
    than ``general_trade_share`` of export value. ``gvc_upstreamness_firm`` (P2 Table 9 col. 4,
    "将产品层面的 GVC 汇总到企业层面"): the export-value-weighted mean over the firm-year's
    observations of their HS6's upstreamness (``upstreamness``: hs6, gvc_upstreamness;
    observations of products without one are left out of the mean; missing if none has one or
    ``upstreamness`` is None).
    """
    acc = RowAccount(rows_in=len(obs), unit="observations")
    o = obs[obs["year"].isin(list(years))].reset_index(drop=True)
    acc.drop("outside_p2_years", len(obs) - len(o))
    md: dict = {}
    base = run_sql(
        """
        select firm_id, year, count(*)::BIGINT as n_obs, sum(value_usd) as value_usd,
               ln(count(distinct hs6)) as imp,
               case when sum(general_value_usd) > ? * sum(value_usd) then 1.0 else 0.0 end as general_trade
        from o group by firm_id, year order by firm_id, year
        """,
        [general_trade_share],
        o=o[["firm_id", "year", "hs6", "value_usd", "general_value_usd"]],
    )
    acc.drop("merged_into_firm_years", len(o) - len(base))
    out = base
    for col, name in (("quality", "qua"), ("quality_ols", "qua_sub")):
        sub = o[o[col].notna()]
        md[f"{name}_observations"] = int(len(sub))
        if len(sub):
            rq, a1 = minmax_standardize(sub, by, col=col, out="rq", degenerate=degenerate)
            fy, _ = firm_year_quality(rq, col="rq", out=name)
            md.update({f"{name}_dropped_{r}": v for r, v in a1.dropped.items()})
            fy = fy[["firm_id", "year", name]]
        else:
            fy = pd.DataFrame({"firm_id": pd.Series(dtype=str), "year": pd.Series(dtype="int64"), name: pd.Series(dtype=float)})
        out = out.merge(fy, on=["firm_id", "year"], how="left", validate="one_to_one")
    for name, std in (("qua_price", price_standardize), ("qua_price_minmax", True)):
        if len(o):
            fp, ap = qua_price(o, by, log=price_log, standardize=std, out=name, degenerate=degenerate)
            md.update({f"{name}_dropped_{r}": v for r, v in ap.dropped.items()})
            out = out.merge(fp[["firm_id", "year", name]], on=["firm_id", "year"], how="left", validate="one_to_one")
        else:
            out[name] = np.nan
    if upstreamness is not None and len(o):
        up = upstreamness[["hs6", "gvc_upstreamness"]].dropna().drop_duplicates("hs6")
        g = o[["firm_id", "year", "hs6", "value_usd"]].merge(up, on="hs6", how="inner", validate="many_to_one")
        g = run_sql(
            """select firm_id, year, sum(value_usd * gvc_upstreamness) / sum(value_usd) as gvc_upstreamness_firm
               from g group by firm_id, year""", g=g)
        md["observations_without_upstreamness"] = int(len(o) - o["hs6"].isin(up["hs6"]).sum())
        out = out.merge(g.astype({"year": "int64"}), on=["firm_id", "year"], how="left", validate="one_to_one")
    else:
        out["gvc_upstreamness_firm"] = np.nan
    out["year"] = out["year"].astype("int64")
    out = out.sort_values(["firm_id", "year"]).reset_index(drop=True)
    return out, acc.finish(len(out)), md
