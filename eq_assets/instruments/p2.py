"""P2 Table 6 instruments, city-year (SPEC section 5).

* ``egscore_size{k}``, k = 5, 7, 10: ln of the mean egscore of the k same-province cities closest
  in GDP, municipalities and provincial capitals dropped (:func:`~.neighbours.neighbour_iv`).
* ``IV_int``: frequency of digital-economy words in the city government's work report (P2:
  "统计在地方政府工作报告中出现有关词汇的词频作为工具变量"), as given (level; P2 does not log it).
* ``IV_gov``: the city's terrain ruggedness x ln(the province's internet domain count) (P2:
  "选择城市地形起伏度与地区网络域名数对数值做交乘赋予其随时间变化的特征").
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from eq_assets.core.accounting import RowAccount
from eq_assets.instruments.neighbours import P2_NEIGHBOUR_KS, neighbour_iv
from eq_assets.settings import P2_YEARS


def p2_instruments(
    egov: pd.DataFrame,
    city_panel: pd.DataFrame,
    city_attributes: pd.DataFrame,
    province_panel: pd.DataFrame,
    work_report: pd.DataFrame,
    *,
    ks: Sequence[int] = P2_NEIGHBOUR_KS,
    years: Sequence[int] = P2_YEARS,
    gdp_metric: str = "level",
    short: str = "use_all",
) -> tuple[pd.DataFrame, RowAccount, dict]:
    """One row per city-year of ``city_panel`` in ``years`` with egscore_size{k}, IV_int, IV_gov.

    Instruments that cannot be formed stay missing (counted in the returned metadata, by
    instrument and reason), nothing is dropped: the regressions drop rows without their instrument.
    """
    acc = RowAccount(rows_in=len(city_panel), unit="city-years")
    inside = city_panel["year"].isin(list(years)).to_numpy()
    acc.drop("outside_p2_years", int((~inside).sum()))
    base = city_panel.loc[inside, ["city_code", "province_code", "year", "gdp"]].reset_index(drop=True)
    attrs = city_attributes[["city_code", "provincial_capital", "municipality", "terrain_ruggedness"]]
    cy = base.merge(attrs, on="city_code", how="left", validate="many_to_one")
    cy = cy.merge(egov[["city_code", "year", "egscore"]], on=["city_code", "year"], how="left", validate="one_to_one")
    cy["is_capital"] = pd.to_numeric(cy["provincial_capital"], errors="coerce").fillna(0).astype(bool)
    cy["is_municipality"] = pd.to_numeric(cy["municipality"], errors="coerce").fillna(0).astype(bool)
    out = cy[["city_code", "province_code", "year"]].copy()
    md: dict = {}
    for k in ks:
        nb, nacc = neighbour_iv(cy, k, gdp_metric=gdp_metric, short=short)
        col = f"egscore_size{k}"
        out = out.merge(nb[["city_code", "year", f"iv_nei{k}", "n_neighbours"]].rename(
            columns={f"iv_nei{k}": col, "n_neighbours": f"n_neighbours{k}"}), on=["city_code", "year"], how="left")
        md.update({f"{col}_{r}": v for r, v in nacc.dropped.items()})
        md[f"{col}_short_of_k"] = int(nb["short_of_k"].sum())
    wr = work_report[["city_code", "year", "digital_word_freq"]].rename(columns={"digital_word_freq": "IV_int"})
    out = out.merge(wr, on=["city_code", "year"], how="left", validate="one_to_one")
    pp = province_panel[["province_code", "year", "domain_count"]].copy()
    dc = pd.to_numeric(pp["domain_count"], errors="coerce").astype(float)
    pp["ln_domains"] = np.where(dc > 0, np.log(dc.where(dc > 0, 1.0)), np.nan)
    out = out.merge(pp[["province_code", "year", "ln_domains"]], on=["province_code", "year"], how="left",
                    validate="many_to_one")
    rug = cy.set_index(["city_code", "year"])["terrain_ruggedness"]
    out["terrain_ruggedness"] = pd.to_numeric(rug.reindex(pd.MultiIndex.from_frame(out[["city_code", "year"]])).to_numpy(),
                                              errors="coerce")
    out["IV_gov"] = out["terrain_ruggedness"] * out["ln_domains"]
    for c in [f"egscore_size{k}" for k in ks] + ["IV_int", "IV_gov"]:
        md[f"missing_{c}"] = int(out[c].isna().sum())
    out = out.sort_values(["year", "city_code"]).reset_index(drop=True)
    out["year"] = out["year"].astype("int64")
    return out, acc.finish(len(out)), md
