"""P2 (Ma, Wang & Gong) city-year variables: controls, e-government index, regional attributes.

Pure transforms (wired in :mod:`eq_assets.panels.assets_p2`); the definitions are listed in the
docstring of :mod:`eq_assets.panels.p2` ("City-year").
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from eq_assets.core.accounting import RowAccount
from eq_assets.panels.p2 import EGOV_COLUMNS, safe_log
from eq_assets.settings import P2_YEARS

#: Years whose e-government policies mark a city in P2 Table 7 col. 3 ("2010-2012年间共有 177 座城市陆续开展电子政务建设").
EGOV_POLICY_YEARS: tuple[int, int] = (min(P2_YEARS), max(P2_YEARS))


def egov_policy_dummy(cities: pd.Series, policy: pd.DataFrame, *,
                      window: tuple[int, int] = EGOV_POLICY_YEARS) -> np.ndarray:
    """P2 Table 7 col. 3 moderator: 1 if the city issued a local e-government policy in ``window``.

    P2 (section 4.3.1): "根据北大法宝数据库选择地方带"电子政务"关键词的政策进行统计可得 2010-2012年间共有 177
    座城市陆续开展电子政务建设" -- the column's moderator marks those 177 cities (the table heads the
    column 智慧城市 and prints egscore x sma_city, but the text defines the group by the e-government
    policies; the smart-city pilots start in 2013, after P2's sample, and are the variant
    ``smart_city_pilot``). ``policy``: the egov_policy source (city_code, year, n_policies), one
    row per city and year with policies. A city with a policy year within ``window`` (inclusive)
    is 1; a city with policies only outside it, or none, is 0 (P2's 177 cities are those with
    policies "in 2010-2012"; the dummy does not vary over the years, as a city-level group).
    """
    lo, hi = window
    yr = pd.to_numeric(policy["year"], errors="coerce")
    inside = set(policy.loc[yr.between(lo, hi), "city_code"].astype(str))
    return cities.astype(str).isin(inside).to_numpy(dtype=float)


def city_year_p2(
    egov: pd.DataFrame,
    city_panel: pd.DataFrame,
    city_attributes: pd.DataFrame,
    province_panel: pd.DataFrame,
    egov_policy: pd.DataFrame | None = None,
    city_innovation: pd.DataFrame | None = None,
    *,
    years: Sequence[int] = P2_YEARS,
    east_label: str = "东部",
    policy_window: tuple[int, int] = EGOV_POLICY_YEARS,
) -> tuple[pd.DataFrame, RowAccount]:
    """City-year controls, e-government index and regional attributes for ``years``.

    One row per city-year of ``city_panel`` within ``years`` (the city universe); egov scores,
    attributes, province variables and the innovation score are left-joined (missing stays
    missing). Adds Con_gdp, Con_num, Con_college, fdi, east, coastal, egov_policy
    (:func:`egov_policy_dummy`; missing without the source), smart_city, is_capital,
    is_municipality, Con_inf, ftz, infra, innov (``city_innovation`` patent_score) and the egscore
    columns.
    """
    acc = RowAccount(rows_in=len(city_panel), unit="city-years")
    inside = city_panel["year"].isin(list(years)).to_numpy()
    acc.drop("outside_p2_years", int((~inside).sum()))
    c = city_panel[inside].reset_index(drop=True)
    out = c[["city_code", "province_code", "year", "gdp"]].copy()
    out["Con_gdp"] = safe_log(c["gdp_pc"])
    out["Con_num"] = safe_log(c["n_industrial_firms"])
    out["Con_college"] = safe_log(c["college_students"])
    out["fdi"] = safe_log(c["fdi"])
    a = city_attributes[["city_code", "region", "coastal", "provincial_capital", "municipality", "smart_city_year", "terrain_ruggedness"]]
    out = out.merge(a, on="city_code", how="left", validate="many_to_one")
    out["east"] = np.where(out["region"].isna(), np.nan, (out["region"] == east_label).astype(float))
    out["coastal"] = pd.to_numeric(out["coastal"], errors="coerce").astype(float)
    out["smart_city"] = np.where(out["city_code"].isin(a["city_code"]), out["smart_city_year"].notna().astype(float), np.nan)
    out["is_capital"] = pd.to_numeric(out["provincial_capital"], errors="coerce").fillna(0).astype(bool)
    out["is_municipality"] = pd.to_numeric(out["municipality"], errors="coerce").fillna(0).astype(bool)
    p = province_panel[["province_code", "year", "broadband_users", "ftz"]].copy()
    p["Con_inf"] = safe_log(p["broadband_users"])
    pin = p[p["year"].isin(list(years))]
    mean_bb = pd.to_numeric(pin["broadband_users"], errors="coerce").mean()
    p["infra"] = np.where(p["broadband_users"].notna(), (p["broadband_users"] > mean_bb).astype(float), np.nan)
    p["ftz"] = pd.to_numeric(p["ftz"], errors="coerce").astype(float)
    out = out.merge(p[["province_code", "year", "Con_inf", "ftz", "infra"]], on=["province_code", "year"], how="left",
                    validate="many_to_one")
    eg = egov[["city_code", "year", *EGOV_COLUMNS]]
    out = out.merge(eg, on=["city_code", "year"], how="left", validate="one_to_one")
    out["egov_policy"] = (egov_policy_dummy(out["city_code"], egov_policy, window=policy_window)
                          if egov_policy is not None else np.nan)
    if city_innovation is not None:
        inn = city_innovation[["city_code", "year", "patent_score"]].rename(columns={"patent_score": "innov"})
        out = out.merge(inn, on=["city_code", "year"], how="left", validate="one_to_one")
        out["innov"] = pd.to_numeric(out["innov"], errors="coerce").astype(float)
    else:
        out["innov"] = np.nan
    out = out.drop(columns=["region", "provincial_capital", "municipality", "smart_city_year"])
    out = out.sort_values(["year", "city_code"]).reset_index(drop=True)
    out["year"] = out["year"].astype("int64")
    return out, acc.finish(len(out))
