"""P1 Table 7 instruments for the firm's digital innovation Eco (P1 section IV.3; SPEC section 4).

- ``IV_phone``: 1984 fixed telephones of the firm's city (the 1985 yearbook, the earliest) x the
  number of internet access ports of the firm's province in year t (黄群慧等 2019; 肖土盛等 2022:
  a cross-section interacted with a time-varying national/provincial series gives a panel IV).
- ``IV_post``: 1984 post offices of the city x the province's internet ports in t.
- ``IV_patent``: patent applications filed in China by foreign applicants (WIPO, office = China,
  origin != China). P1 does not say at which level; a year-only series is absorbed by the year FE,
  so it is used by 2-digit industry x year (contract ``foreign_patents``), matched on the first
  two digits of the firm's CIC code.

Transformations (named parameters, each ``"level"``, ``"log"`` (ln x; x <= 0 -> missing) or
``"log1p"``): ``internet_transform="level"`` for IV_phone and IV_post (P1's first-stage
coefficient 0.0012 (0.0000) on IV_phone is that of a raw product of large numbers; the synthetic
world documents the same construction in ``WorldParams.pi_internet``) and
``patent_transform="log"`` for IV_patent (ln of the filings, ``WorldParams.pi_foreign``).
Firms whose city or province has no 1984 / ports record get a missing instrument
(and leave the 2SLS sample of that column only).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

TRANSFORMS = ("level", "log", "log1p")


def _transform(x: pd.Series, transform: str) -> pd.Series:
    x = x.astype("float64")
    if transform == "level":
        return x
    if transform == "log":
        return np.log(x.where(x > 0))
    if transform == "log1p":
        return np.log1p(x.where(x >= 0))
    raise ValueError(f"transform must be one of {TRANSFORMS}; got {transform!r}")


def p1_instruments(
    firms: pd.DataFrame,
    city_1984: pd.DataFrame,
    ports: pd.DataFrame,
    foreign_patents: pd.DataFrame,
    *,
    internet_transform: str = "level",
    patent_transform: str = "log",
    industry_digits: int = 2,
) -> pd.DataFrame:
    """year, legal_code, IV_phone, IV_post, IV_patent for each firm-year of ``firms``.

    ``firms``: year, legal_code, city (4 digits), province (2 digits), cic (4 digits).
    ``city_1984``: city_code, phones_1984, post_offices_1984. ``ports``: province_code, year,
    internet_ports. ``foreign_patents``: cic2, year, foreign_patent_filings.
    """
    for t in (internet_transform, patent_transform):
        if t not in TRANSFORMS:
            raise ValueError(f"transform must be one of {TRANSFORMS}; got {t!r}")
    f = firms[["year", "legal_code", "city", "province", "cic"]].copy()
    f["year"] = f["year"].astype("int64")
    f["cic2"] = f["cic"].astype("string").str[:industry_digits]
    c = city_1984[["city_code", "phones_1984", "post_offices_1984"]].drop_duplicates("city_code")
    p = ports[["province_code", "year", "internet_ports"]].drop_duplicates(["province_code", "year"]).copy()
    p["year"] = p["year"].astype("int64")
    fp = foreign_patents[["cic2", "year", "foreign_patent_filings"]].drop_duplicates(["cic2", "year"]).copy()
    fp["year"] = fp["year"].astype("int64")
    d = (
        f.merge(c, left_on="city", right_on="city_code", how="left")
        .merge(p, left_on=["province", "year"], right_on=["province_code", "year"], how="left")
        .merge(fp, on=["cic2", "year"], how="left")
    )
    out = d[["year", "legal_code"]].copy()
    out["IV_phone"] = _transform(d["phones_1984"] * d["internet_ports"], internet_transform).to_numpy()
    out["IV_post"] = _transform(d["post_offices_1984"] * d["internet_ports"], internet_transform).to_numpy()
    out["IV_patent"] = _transform(d["foreign_patent_filings"], patent_transform).to_numpy()
    return out.sort_values(["year", "legal_code"]).reset_index(drop=True)
