"""P1 Table 7 instruments for the firm's digital innovation Eco (P1 section IV.3; SPEC section 4).

- ``IV_phone``: 1984 fixed telephones of the firm's city (the 1985 yearbook, the earliest) x the
  number of internet access ports of the firm's province in year t (黄群慧等 2019; 肖土盛等 2022:
  a cross-section interacted with a time-varying national/provincial series gives a panel IV).
- ``IV_post``: 1984 post offices of the city x the province's internet ports in t.
- ``IV_patent``: patent applications filed in China by foreign applicants (WIPO, office = China,
  origin != China; P1: "外国在华专利对东道国存在显著的技术外溢效应 ... 提升数字技术创新能力"). P1
  gives no level; a year-only series is absorbed by the year FE. Default reading
  (:func:`patent_exposure_sql`): the firm's exposure, the foreign filings of the year in the
  firm's own IPC classes (subclass, 4 characters), weighted by the shares of the firm's patents
  in each class over the sample years (contract ``foreign_patents_ipc``): a shift-share that
  varies within industry-year, so it does not move the industry-year quality frontier Distance
  is measured to. Variant ``IV_patent_industry`` (:func:`p1_instruments`): the filings of the
  firm's 2-digit industry and year (contract ``foreign_patents``, matched on the first two
  digits of the firm's CIC code); it moves every firm of an industry alike, hence the frontier
  too, and its 2SLS estimand is not the firm-level effect.

Transformations (named parameters, each ``"level"``, ``"log"`` (ln x; x <= 0 -> missing) or
``"log1p"``): ``internet_transform="level"`` for IV_phone and IV_post (P1's first-stage
coefficient 0.0012 (0.0000) on IV_phone is that of a raw product of large numbers; the synthetic
world documents the same construction in ``WorldParams.pi_internet``) and
``patent_transform="log"`` for both IV_patent readings (ln of the filings; for the exposure,
the share-weighted mean of the classes' ln filings; ``WorldParams.pi_foreign``).
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
    out["IV_patent_industry"] = _transform(d["foreign_patent_filings"], patent_transform).to_numpy()
    return out.sort_values(["year", "legal_code"]).reset_index(drop=True)


# ---- IV_patent: the firm's exposure to foreign filings in its IPC classes ------------------------

EXPOSURE_PATENTS = ("all", "digital")
NO_PATENT_EXPOSURE = ("zero", "missing")


def patent_exposure_sql(con, *, patents: str = "all", transform: str = "log", no_patents: str = "zero",
                        relative: bool = False) -> tuple[str, dict]:
    """``IV_patent`` per survey firm-year as DuckDB SQL over ``fy`` (year, legal_code), ``fp``
    (the firm's linked patents, every sample year: legal_code, ipc_main, is_digital) and ``fx``
    (ipc_subclass, year, foreign_patent_filings). Returns (query, counts).

    ``IV_patent_it = sum_s w_is g(F_st) / sum_s w_is`` over the classes s with a filings row in
    year t, ``w_is`` = share of the firm's patents (``patents="all"``, default: the firm's
    technology position, as Bloom, Schankerman & Van Reenen 2013 measure it; ``"digital"``: its
    digital patents only) whose main IPC code is in subclass s (first 4 characters, spaces
    removed), over all sample years (time-invariant shares; the sources hold no pre-sample
    patents), g = ln (``transform="log"``) or the level. A firm without patents has no classes:
    exposure 0 (``no_patents="zero"``, default: constant, absorbed by the firm FE, so the firm
    stays in the 2SLS sample as P1's N of Table 7 cols 5-6 equals the full sample) or missing.
    A firm-year whose classes have no filings row is missing (counted).

    With firm and year FE, ``ln F_st`` also carries the common growth of all foreign filings,
    which only firms with patents have (the others stay at 0): part of the first stage is then
    "firm with patents x year". ``relative=True`` takes each class's filings relative to all
    foreign filings of the year (``ln(F_st / sum_s F_st)``; level: the share), leaving only the
    classes' relative growth (the shift-share variation proper).
    """
    if patents not in EXPOSURE_PATENTS:
        raise ValueError(f"patents must be one of {EXPOSURE_PATENTS}; got {patents!r}")
    if transform not in ("log", "level"):
        raise ValueError(f"transform must be 'log' or 'level'; got {transform!r}")
    if no_patents not in NO_PATENT_EXPOSURE:
        raise ValueError(f"no_patents must be one of {NO_PATENT_EXPOSURE}; got {no_patents!r}")
    which = "and is_digital" if patents == "digital" else ""
    g = "ln(foreign_patent_filings)" if transform == "log" else "foreign_patent_filings"
    if relative:
        tot = "sum(foreign_patent_filings) over (partition by year)"
        g = f"ln(foreign_patent_filings / {tot})" if transform == "log" else f"foreign_patent_filings / {tot}"
    con.execute(f"""
        create or replace temp table _expo as
        with pc as (
            select legal_code, upper(substr(replace(ipc_main, ' ', ''), 1, 4)) as sc
            from fp where ipc_main is not null and length(trim(ipc_main)) >= 4 {which}
        ), w as (
            select legal_code, sc, count(*)::DOUBLE / sum(count(*)) over (partition by legal_code) as w
            from pc group by legal_code, sc
        ), x as (
            select upper(trim(ipc_subclass)) as sc, year::BIGINT as year, {g} as gf
            from fx where foreign_patent_filings > 0
        ), e as (
            select fy.year::BIGINT as year, fy.legal_code, sum(w.w * x.gf order by w.sc) as num,
                   sum(w.w order by w.sc) filter (where x.gf is not null) as wsum  -- ordered: same floats on every run
            from fy join w using (legal_code) left join x on x.sc = w.sc and x.year = fy.year
            group by fy.year, fy.legal_code
        )
        select fy.year::BIGINT as year, fy.legal_code,
               case when e.legal_code is null then {"0.0" if no_patents == "zero" else "null"}
                    when e.wsum > 0 then e.num / e.wsum end as "IV_patent",
               e.legal_code is not null as has_patent_classes
        from fy left join e on e.year = fy.year and e.legal_code = fy.legal_code
        """)
    n_no, n_missing = con.execute(
        'select count(*) filter (where not has_patent_classes), count(*) filter (where has_patent_classes and "IV_patent" is null) '
        "from _expo").fetchone()
    counts = {"firm_years_without_patents": int(n_no), "firm_years_classes_without_filings": int(n_missing)}
    return "select * from _expo order by year, legal_code", counts


def patent_exposure(firm_years, firm_patents, filings, **kwargs) -> pd.DataFrame:
    """Frames in, ``IV_patent`` per firm-year out (:func:`patent_exposure_sql`)."""
    from eq_assets.core.sql import run_transform

    return run_transform(patent_exposure_sql, inputs={"fy": firm_years, "fp": firm_patents, "fx": filings}, **kwargs)[0]
