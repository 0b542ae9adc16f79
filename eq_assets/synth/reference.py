"""Reference tables of the synthetic world (SPEC section 1), in canonical column names.

- the digital-economy IPC table (categories 01-04, entries at three IPC levels);
- the HS concordance: (revision, HS6) -> HS2002 for HS2002, HS2007 and HS2012, identity rows
  for unchanged codes included (one-to-one here);
- customs partner codes -> ISO3;
- the prefecture-city panel (GDP in 10 thousand yuan, GDP per capita in yuan, population in 10
  thousand, number of industrial firms), drawn from a fixed stream: the same at every scale.
"""

from __future__ import annotations

from dataclasses import dataclass

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


# --- P1 Tables 3-11 reference sources (eq_assets.sources.contract_p1) --------------------------
# Drawn from fixed streams of the seed: the same at every scale. The instrument sources
# (1984 city data, internet ports, foreign patents) and the industry PPI also enter the
# structure (firmyear: digital-patent rate; asif: nominal values), through :class:`RefData`.

#: years of the P1 reference panels (P1 Table 3's aggregate runs to 2019)
REF_YEARS: tuple[int, ...] = tuple(range(2004, 2020))

#: UN development status (World Economic Situation and Prospects country classification, as
#: P1 Table 11 uses it) of the world's destinations, by ISO3; others are developing.
DEVELOPED_ISO3 = frozenset({"USA", "JPN", "DEU", "NLD", "GBR", "FRA", "ITA", "AUS", "CAN", "ESP", "BEL", "POL", "SWE", "NZL"})
LEAST_DEVELOPED_ISO3 = frozenset({"BGD", "MMR", "KHM", "ETH", "TZA", "NPL"})


@dataclass(frozen=True)
class RefData:
    """Reference data that the structure uses, indexed by the catalog's positions.

    ``comm`` (city): latent 1984 communications capacity C_c; ``phones``/``posts`` (city): its
    noisy measures as written; ``ports`` (province x REF_YEARS); ``province_of_city``;
    ``foreign`` (cic2 x REF_YEARS) foreign-origin patent filings; ``foreign_ipc`` (IPC subclass
    x REF_YEARS, subclasses ``ipc_subclasses``) the same by technology class; ``ppi`` (cic2 x
    REF_YEARS, 2004 = 100); ``cic2_of_industry`` (catalog industry -> cic2 position);
    ``cic2_codes``; ``internet_scale`` S = 2014 mean over cities of C_c * ports (informational).
    """

    comm: np.ndarray
    phones: np.ndarray
    posts: np.ndarray
    province_of_city: np.ndarray
    ports: np.ndarray
    foreign: np.ndarray
    ppi: np.ndarray
    cic2_codes: tuple[str, ...]
    cic2_of_industry: np.ndarray
    internet_scale: float
    foreign_ipc: np.ndarray
    ipc_subclasses: tuple[str, ...]

    def year_index(self, year: int) -> int:
        return year - REF_YEARS[0]

    def internet_driver(self, city: np.ndarray, year: int) -> np.ndarray:
        """(C_c / mean C) * ln(ports_pt / ports_p,2004): the structural driver behind IV_phone
        and IV_post (a city's 1984 communications legacy scales how much its province's
        internet roll-out raises digital patenting; the level C_c * ln ports_p,2004 is a firm
        constant, so the pipeline's ``phones_1984 * ln(internet_ports)`` carries the same
        within-firm variation up to the measurement noise of phones).

        After 2014 (the survey's end) the driver stays at its 2014 value: the structure of
        2015-2019 only feeds the aggregate and the patents."""
        t = self.year_index(min(year, 2014))
        p = self.province_of_city[city]
        return self.comm[city] / self.comm.mean() * np.log(self.ports[p, t] / self.ports[p, 0])

    def foreign_driver(self, industry: np.ndarray, year: int) -> np.ndarray:
        """ln foreign filings of the firm's cic2-year minus the cross-industry mean of that year,
        minus the industry's own 2004 value (absorbed by firm FE anyway): its relative growth."""
        t = self.year_index(min(year, 2014))
        lf = np.log(self.foreign)
        rel = (lf[:, t] - lf[:, 0]) - (lf[:, t] - lf[:, 0]).mean()
        return rel[self.cic2_of_industry[industry]]

    def foreign_class_rel(self, year: int) -> np.ndarray:
        """Per IPC subclass: growth of ln foreign filings since 2004 minus its cross-class mean
        (frozen at 2014), the shifts of the firms' exposure (``technology.class_driver``)."""
        t = self.year_index(min(year, 2014))
        lf = np.log(self.foreign_ipc)
        g = lf[:, t] - lf[:, 0]
        return g - g.mean()

    def ppi_of(self, industry: np.ndarray, year: int) -> np.ndarray:
        return self.ppi[self.cic2_of_industry[industry], self.year_index(year)]


def build_refdata(seed: int) -> RefData:
    from eq_assets.synth.catalog import INDUSTRIES, PROVINCES

    rng = stream(seed, "reference", "p1")
    c = cities_frame()
    n_c, n_y = len(c), len(REF_YEARS)
    prov_codes = [p for p, _ in PROVINCES]
    prov_of_city = np.array([prov_codes.index(pc) for pc in c["province_code"]])
    ln_comm = 0.5 * np.log(c["weight"].to_numpy()) + rng.normal(0.0, 0.45, n_c)
    comm = np.exp(ln_comm)
    phones = np.round(3.0 * np.exp(ln_comm + rng.normal(0.0, 0.25, n_c)), 2)  # 10k sets
    posts = np.round(60.0 * np.exp(0.8 * ln_comm + rng.normal(0.0, 0.3, n_c)))  # offices
    n_p = len(prov_codes)
    p0 = 150.0 * np.exp(rng.normal(0.0, 0.4, n_p))
    growth = rng.normal(0.18, 0.07, n_p)
    t = np.arange(n_y)
    ports = p0[:, None] * np.exp(growth[:, None] * t[None, :] + rng.normal(0.0, 0.05, (n_p, n_y)))
    ports = np.round(ports, 1)
    cic2_codes = tuple(sorted({ind[0][:2] for ind in INDUSTRIES}))
    cic2_of_industry = np.array([cic2_codes.index(ind[0][:2]) for ind in INDUSTRIES])
    n_j = len(cic2_codes)
    f0 = 800.0 * np.exp(rng.normal(0.0, 0.8, n_j))
    fg = rng.normal(0.10, 0.07, n_j)
    foreign = np.round(f0[:, None] * np.exp(fg[:, None] * t[None, :] + rng.normal(0.0, 0.08, (n_j, n_y))))
    foreign = np.maximum(foreign, 5.0)
    infl = rng.normal(0.02, 0.02, n_j)[:, None] + rng.normal(0.0, 0.03, (n_j, n_y))
    infl[:, 0] = 0.0
    ppi = np.round(100.0 * np.exp(np.cumsum(infl, axis=1)), 2)
    t14 = REF_YEARS.index(2014)
    scale = float(np.mean(comm * ports[prov_of_city, t14]))
    # foreign filings by IPC subclass: their own stream (the draws above are unchanged)
    from eq_assets.synth.technology import ipc_subclasses

    subs = ipc_subclasses()
    rng_c = stream(seed, "reference", "foreign_ipc")
    c0 = 300.0 * np.exp(rng_c.normal(0.0, 0.9, len(subs)))
    cg = rng_c.normal(0.10, 0.09, len(subs))
    foreign_ipc = np.maximum(np.round(c0[:, None] * np.exp(cg[:, None] * t[None, :] + rng_c.normal(0.0, 0.05, (len(subs), n_y)))), 5.0)
    return RefData(comm=comm, phones=phones, posts=posts, province_of_city=prov_of_city, ports=ports,
                   foreign=foreign, ppi=ppi, cic2_codes=cic2_codes, cic2_of_industry=cic2_of_industry,
                   internet_scale=scale, foreign_ipc=foreign_ipc, ipc_subclasses=subs)


def city_1984(ref: RefData) -> pd.DataFrame:
    c = cities_frame()
    return pd.DataFrame({"city_code": c["city_code"], "phones_1984": ref.phones, "post_offices_1984": ref.posts})


def province_internet_ports(ref: RefData) -> pd.DataFrame:
    from eq_assets.synth.catalog import PROVINCES

    rows = [(pc, y, ref.ports[i, k]) for i, (pc, _) in enumerate(PROVINCES) for k, y in enumerate(REF_YEARS)]
    return pd.DataFrame(rows, columns=["province_code", "year", "internet_ports"])


def foreign_patents(ref: RefData) -> pd.DataFrame:
    rows = [(j, y, ref.foreign[i, k]) for i, j in enumerate(ref.cic2_codes) for k, y in enumerate(REF_YEARS)]
    return pd.DataFrame(rows, columns=["cic2", "year", "foreign_patent_filings"])


def foreign_patents_ipc(ref: RefData) -> pd.DataFrame:
    """Foreign-origin filings in China by IPC subclass and year (P1 Table 7 IV_patent)."""
    rows = [(c, y, ref.foreign_ipc[i, k]) for i, c in enumerate(ref.ipc_subclasses) for k, y in enumerate(REF_YEARS)]
    return pd.DataFrame(rows, columns=["ipc_subclass", "year", "foreign_patent_filings"])


def industry_panel(ref: RefData, seed: int) -> pd.DataFrame:
    """cic2-year: fixed-asset investment and sales (100 million yuan), PPI (2004 = 100), firms."""
    rng = stream(seed, "reference", "industry_panel")
    n_j, n_y = len(ref.cic2_codes), len(REF_YEARS)
    t = np.arange(n_y)
    fai = 300.0 * np.exp(rng.normal(0, 0.6, n_j))[:, None] * np.exp(rng.normal(0.15, 0.04, n_j)[:, None] * t + rng.normal(0, 0.06, (n_j, n_y)))
    firms = 8000.0 * np.exp(rng.normal(0, 0.6, n_j))[:, None] * np.exp(rng.normal(0.04, 0.02, n_j)[:, None] * t + rng.normal(0, 0.03, (n_j, n_y)))
    sales = 2000.0 * np.exp(rng.normal(0, 0.7, n_j))[:, None] * np.exp(rng.normal(0.12, 0.03, n_j)[:, None] * t + rng.normal(0, 0.05, (n_j, n_y)))
    rows = []
    for i, j in enumerate(ref.cic2_codes):
        for k, y in enumerate(REF_YEARS):
            rows.append((j, y, round(float(fai[i, k]), 2), float(ref.ppi[i, k]), float(np.round(firms[i, k])), round(float(sales[i, k]), 2)))
    return pd.DataFrame(rows, columns=["cic2", "year", "fixed_asset_investment", "ppi", "n_firms", "sales"])


def us_industry(ref: RefData, p, seed: int) -> pd.DataFrame:
    """US cic2-year productivity on the firm LP normalisation (SPEC section 4, P1 Table 8).

    ``us_ln_tfp = va_constant + gap_j + 0.01 (t - 2004)``: the level a Chinese firm with
    productivity omega = gap_j would have in ``ln VA - beta_l l - beta_k k`` (real thousand 2004
    yuan); gap_j ~ N(1.2, 0.2) > the Chinese omega of almost every firm (sd_omega). Labour
    productivity: real value added per worker, thousand 2004 yuan, ~5 times the Chinese mean.
    """
    rng = stream(seed, "reference", "us_industry")
    n_j = len(ref.cic2_codes)
    gap = rng.normal(1.2, 0.2, n_j)
    lp0 = 450.0 * np.exp(rng.normal(0, 0.25, n_j))
    rows = []
    for i, j in enumerate(ref.cic2_codes):
        for k, y in enumerate(REF_YEARS):
            rows.append((j, y, round(float(p.va_constant + gap[i] + 0.01 * k), 6), round(float(lp0[i] * 1.015 ** k), 2)))
    return pd.DataFrame(rows, columns=["cic2", "year", "us_ln_tfp", "us_labour_productivity"])


def city_ip_protection(seed: int) -> pd.DataFrame:
    """City-year IP-protection index (0-100 scale, rising over time; P1 Table 10 median split)."""
    rng = stream(seed, "reference", "ip_protection")
    c = cities_frame()
    n = len(c)
    level = 45.0 + 6.0 * np.log(c["weight"].to_numpy()) + rng.normal(0, 6.0, n)
    rows = []
    for k, y in enumerate(REF_YEARS):
        v = np.clip(level + 1.5 * k + rng.normal(0, 1.5, n), 1.0, 100.0)
        rows.append(pd.DataFrame({"city_code": c["city_code"], "year": y, "ip_protection": np.round(v, 3)}))
    return pd.concat(rows, ignore_index=True)


def country_panel(seed: int) -> pd.DataFrame:
    """Destination-year GDP (current USD) and GDP per capita growth (%)."""
    rng = stream(seed, "reference", "country_panel")
    d = destinations_frame()
    n = len(d)
    status = country_development()["development_status"].to_numpy()
    g_mean = np.where(status == "发达国家", 1.5, np.where(status == "最不发达国家", 4.0, 3.0))
    gdp0 = 1.2e13 * np.exp(1.3 * d["ln_size"].to_numpy() + rng.normal(0, 0.3, n))
    rows = []
    ln_gdp = np.log(gdp0)
    for k, y in enumerate(REF_YEARS):
        growth = g_mean + rng.normal(0, 2.0, n)
        if k:
            ln_gdp = ln_gdp + (growth + 1.0 + rng.normal(0, 3.0, n)) / 100.0
        rows.append(pd.DataFrame({"dest_code": d["dest_code"], "year": y, "gdp_usd": np.round(np.exp(ln_gdp), -3),
                                  "gdp_pc_growth": np.round(growth, 3)}))
    return pd.concat(rows, ignore_index=True)


def country_development() -> pd.DataFrame:
    d = destinations_frame()
    status = np.where(d["iso3"].isin(DEVELOPED_ISO3), "发达国家",
                      np.where(d["iso3"].isin(LEAST_DEVELOPED_ISO3), "最不发达国家", "发展中国家"))
    return pd.DataFrame({"dest_code": d["dest_code"], "development_status": status}).sort_values("dest_code").reset_index(drop=True)


def hs6_cic(products: Products) -> pd.DataFrame:
    from eq_assets.synth.catalog import INDUSTRIES

    t = products.table
    cic = np.array([ind[0] for ind in INDUSTRIES], dtype=object)[t["industry_idx"].to_numpy()]
    return pd.DataFrame({"hs6": t["hs6"], "cic": cic}).sort_values("hs6").reset_index(drop=True)
