"""Reference tables of the synthetic world (SPEC section 1), in canonical column names.

- the digital-economy IPC table (categories 01-04, entries at three IPC levels);
- the HS concordance: (revision, HS6) -> HS2002 for HS2002, HS2007 and HS2012, identity rows
  for unchanged codes included (one-to-one here);
- customs partner codes -> ISO3;
- the prefecture-city panel (GDP in 10 thousand yuan, GDP per capita in yuan, population in 10
  thousand, number of industrial firms), drawn from a fixed stream: the same at every scale.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from eq_assets.settings import P1_YEARS
from eq_assets.synth.catalog import DIGITAL_IPC, Products, cities_frame, destinations_frame
from eq_assets.synth.rng import stream


def digital_ipc_table() -> pd.DataFrame:
    return pd.DataFrame(DIGITAL_IPC, columns=["de_code", "de_name", "ipc"])


def hs_concordance(products: Products) -> pd.DataFrame:
    t = products.table
    parts = [
        pd.DataFrame({"hs_version": v, "hs6": t[col], "hs6_base": t["hs6"]})
        for v, col in (("HS2002", "hs6"), ("HS2007", "hs6_2007"), ("HS2012", "hs6_2012"))
    ]
    return pd.concat(parts, ignore_index=True).sort_values(["hs_version", "hs6"]).reset_index(drop=True)


def country_codes() -> pd.DataFrame:
    return destinations_frame()[["dest_code", "dest_name", "iso3"]].sort_values("dest_code").reset_index(drop=True)


def city_panel(seed: int) -> pd.DataFrame:
    rng = stream(seed, "city_panel")
    c = cities_frame()
    n = len(c)
    pop0 = 300.0 * c["weight"].to_numpy() * np.exp(rng.normal(0, 0.2, n))  # 10k persons
    gdppc0 = 25_000.0 * np.exp(rng.normal(0, 0.3, n)) * (1 + 0.1 * c["weight"].to_numpy())  # yuan
    growth = rng.normal(0.12, 0.02, n)
    firms0 = 1500.0 * c["weight"].to_numpy() * np.exp(rng.normal(0, 0.3, n))
    fdi0 = 20_000.0 * c["weight"].to_numpy() * np.exp(rng.normal(0, 0.5, n))  # 10k USD
    students0 = 40_000.0 * c["weight"].to_numpy() * np.exp(rng.normal(0, 0.5, n))  # persons
    rows = []
    for k, year in enumerate(P1_YEARS):
        popu = pop0 * (1.01 ** k) * np.exp(rng.normal(0, 0.01, n))
        gdppc = gdppc0 * np.exp(growth * k + rng.normal(0, 0.02, n))
        rows.append(pd.DataFrame({
            "city_code": c["city_code"],
            "city_name": c["city_name"] + "市",
            "province_code": c["province_code"],
            "year": year,
            "gdp": np.round(gdppc * popu, 0),  # yuan x 10k persons = 10k yuan
            "gdp_pc": np.round(gdppc, 0),
            "population": np.round(popu, 2),
            "n_industrial_firms": np.round(firms0 * (1.06 ** k) * np.exp(rng.normal(0, 0.03, n))).astype(int),
            "fdi": np.round(fdi0 * (1.08 ** k) * np.exp(rng.normal(0, 0.1, n)), 0),
            "college_students": np.round(students0 * (1.05 ** k) * np.exp(rng.normal(0, 0.03, n))).astype(int),
        }))
    return pd.concat(rows, ignore_index=True)
