"""Neighbour-city instrument for e-government performance (P2 Table 6, cols. 1-3; SPEC section 5).

P2 (section 4.2.4), following Li Kunwang (李坤望 2015): "去除直辖市与省会城市样本后选取与目标城市同省份
且国民生产总值最相近的若干座城市，以这些城市的政府网站绩效评分计算均值取对数作为工具变量" -- after removing
the municipalities and the provincial capitals from the sample, take the several cities of the
target city's province whose GDP is closest to the target's, and use the log of the mean of their
government-website scores as the instrument. Table 6 uses 5, 7 and 10 such cities
(``egscore_size5/7/10``).

Reading of the text, and the choices it leaves open (each a named parameter):

* Municipalities (直辖市: Beijing 11, Tianjin 12, Shanghai 31, Chongqing 50) and provincial
  capitals are removed *from the sample*: they are neither targets (no instrument, so they leave
  the IV regressions -- consistent with N falling from 76,767 to 49,118 in Table 6) nor
  neighbours. ``exclude_municipalities`` / ``exclude_capitals`` (default True for both).
* Closeness is the absolute difference in GDP *level* in the same year (``gdp_metric="level"``;
  ``"log"`` uses |ln GDP difference|, which ranks differently). The target itself is never its
  own neighbour. Candidate neighbours need a GDP and an egscore that year.
* Ties in GDP distance (*) are broken deterministically by the smaller ``city_code`` (then the
  neighbour set does not depend on row order).
* Fewer than k eligible other cities in the province (*): ``short="use_all"`` (default) averages
  all of them and sets ``short_of_k``; ``short="drop"`` drops the target ("fewer_than_k_neighbours").
  A target with no eligible neighbour at all is always dropped ("no_eligible_neighbour").
* The mean is logged (``log=True``, P2 "取对数"); a non-positive mean has no log and the target is
  dropped ("nonpositive_mean_egscore") (*: cannot happen with positive scores).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from eq_assets.core.accounting import RowAccount
from eq_assets.core.errors import InputDataError
from eq_assets.core.sql import run_sql

__all__ = ["MUNICIPALITY_PROVINCES", "P2_NEIGHBOUR_KS", "neighbour_iv"]

#: Province codes of the four municipalities (直辖市): Beijing, Tianjin, Shanghai, Chongqing.
MUNICIPALITY_PROVINCES: tuple[str, ...] = ("11", "12", "31", "50")

#: Numbers of neighbours in P2 Table 6 columns 1-3.
P2_NEIGHBOUR_KS: tuple[int, ...] = (5, 7, 10)

_REQUIRED = ("year", "city_code", "province_code", "gdp", "egscore", "is_capital", "is_municipality")


def _code_str(s: pd.Series) -> pd.Series:
    """Administrative codes as strings ("11"), whether given as int, float or str."""
    if pd.api.types.is_numeric_dtype(s):
        return s.map(lambda v: str(int(v)) if pd.notna(v) else None)
    return s.astype("string").str.strip().astype(object)


def neighbour_iv(
    city_year: pd.DataFrame,
    k: int = 5,
    *,
    exclude_municipalities: bool = True,
    exclude_capitals: bool = True,
    municipality_provinces: tuple[str, ...] = MUNICIPALITY_PROVINCES,
    gdp_metric: str = "level",
    short: str = "use_all",
    log: bool = True,
) -> tuple[pd.DataFrame, RowAccount]:
    """Mean egscore of the ``k`` same-province cities closest in GDP, logged (P2 Table 6 IV_nei).

    ``city_year``: one row per city-year with year, city_code, province_code, gdp, egscore,
    is_capital, is_municipality (missing flags count as False). A city is a municipality if
    ``is_municipality`` or its province code is in ``municipality_provinces``.

    Returns one row per target city-year with an instrument: year, city_code, province_code,
    ``iv_nei{k}`` (ln of the mean if ``log`` else the mean), ``egscore_nei{k}`` (the mean),
    ``n_neighbours``, ``short_of_k`` and ``neighbours`` (their city codes, closest first, ";"-joined,
    for audit). Account (unit: city-years) drops by reason: "municipality", "provincial_capital",
    "missing_gdp", "no_eligible_neighbour", "fewer_than_k_neighbours" (``short="drop"``),
    "nonpositive_mean_egscore". Same-province and same-year matching is a DuckDB self-join;
    ranking with ``row_number() over (order by distance, city_code)``.
    """
    if int(k) != k or k < 1:
        raise ValueError(f"k must be a positive integer; got {k!r}")
    k = int(k)
    if gdp_metric not in ("level", "log"):
        raise ValueError(f"gdp_metric must be 'level' or 'log'; got {gdp_metric!r}")
    if short not in ("use_all", "drop"):
        raise ValueError(f"short must be 'use_all' or 'drop'; got {short!r}")
    missing = [c for c in _REQUIRED if c not in city_year.columns]
    if missing:
        raise InputDataError("neighbour_iv", "missing columns", column=", ".join(missing),
                             expected=f"columns {list(_REQUIRED)}")
    df = city_year.reset_index(drop=True)
    dup = df.duplicated(["city_code", "year"], keep=False)
    if dup.any():
        raise InputDataError("neighbour_iv", "duplicate city-years", column="city_code, year",
                             rows=list(df.index[dup]), examples=df.loc[dup, ["city_code", "year"]].head(5).values.tolist(),
                             expected="one row per city-year")

    acc = RowAccount(rows_in=len(df), unit="city-years")
    prov = _code_str(df["province_code"])
    muni = df["is_municipality"].fillna(False).astype(bool) | prov.isin([str(p) for p in municipality_provinces])
    cap = df["is_capital"].fillna(False).astype(bool)
    gdp = pd.to_numeric(df["gdp"], errors="coerce").astype(float)
    eg = pd.to_numeric(df["egscore"], errors="coerce").astype(float)
    drop_muni = muni if exclude_municipalities else pd.Series(False, index=df.index)
    drop_cap = cap & ~drop_muni if exclude_capitals else pd.Series(False, index=df.index)
    bad_gdp = ~(gdp > 0) if gdp_metric == "log" else gdp.isna()
    drop_gdp = bad_gdp & ~drop_muni & ~drop_cap
    acc.drop("municipality", int(drop_muni.sum()))
    acc.drop("provincial_capital", int(drop_cap.sum()))
    acc.drop("missing_gdp", int(drop_gdp.sum()))
    eligible = ~(drop_muni | drop_cap | drop_gdp)

    base = pd.DataFrame(
        {
            "_row": np.arange(len(df)),
            "year": df["year"].to_numpy(),
            "city_code": df["city_code"].to_numpy(),
            "_prov": prov.to_numpy(),
            "_x": np.log(gdp.where(gdp > 0)) if gdp_metric == "log" else gdp,
            "_eg": eg,
        }
    )[eligible.to_numpy()]
    nb = run_sql(
        """
        with cand as (select * from base where _eg is not null),
        pairs as (
            select t._row, c.city_code as nb, c._eg as nb_eg,
                   row_number() over (partition by t._row order by abs(c._x - t._x), c.city_code) as rk
            from base t join cand c
              on t._prov = c._prov and t.year = c.year and t.city_code <> c.city_code
        )
        select _row, count(*) as n_neighbours, avg(nb_eg) as mean_eg,
               string_agg(nb::VARCHAR, ';' order by rk) as neighbours
        from pairs where rk <= ? group by _row order by _row
        """,
        [k],
        base=base,
    )
    out = base[["_row", "year", "city_code"]].merge(nb, on="_row", how="left")
    out["n_neighbours"] = out["n_neighbours"].fillna(0).astype("int64")
    none = out["n_neighbours"] == 0
    acc.drop("no_eligible_neighbour", int(none.sum()))
    out = out[~none]
    out["short_of_k"] = out["n_neighbours"] < k
    if short == "drop":
        acc.drop("fewer_than_k_neighbours", int(out["short_of_k"].sum()))
        out = out[~out["short_of_k"]]
    nonpos = ~(out["mean_eg"] > 0)
    if log:
        acc.drop("nonpositive_mean_egscore", int(nonpos.sum()))
        out = out[~nonpos]
    out = out.sort_values("_row").reset_index(drop=True)
    res = pd.DataFrame(
        {
            "year": out["year"].to_numpy(),
            "city_code": out["city_code"].to_numpy(),
            "province_code": df["province_code"].to_numpy()[out["_row"].to_numpy()],
            f"iv_nei{k}": np.log(out["mean_eg"].to_numpy()) if log else out["mean_eg"].to_numpy(),
            f"egscore_nei{k}": out["mean_eg"].to_numpy(),
            "n_neighbours": out["n_neighbours"].to_numpy(),
            "short_of_k": out["short_of_k"].to_numpy(dtype=bool),
            "neighbours": out["neighbours"].to_numpy(),
        }
    )
    return res, acc.finish(len(res))
