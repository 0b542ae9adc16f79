"""P1 Tables 2-11 panel assets: firm-year attributes, the firm-year panel, the Table 3 panel.

- ``p1_firm_attributes`` (per year): ownership, factor intensity, city IP protection, the firm's
  trade-mode class and the Table 7 instruments of every survey firm-year.
- ``p1_industry_patents`` (all years): digital patents by 2-digit industry and application year,
  2004-2019 (Table 3's Eco).
- ``p1_industry_panel`` (all years): Table 3's year x destination x product x trade mode panel.
- ``p1_firm_panel`` (all years): the firm-year panel of Table 2 cols 5-6 and Table 9 cols 1-2
  (and of the firm-year variants of Tables 8, 9).
- ``p1_patent_exposure`` (all years): IV_patent, the firm's exposure to foreign filings in its
  IPC classes (Table 7 cols 5-6).
- ``p1_obs_panel`` (all years): the observation rows with the ratio distances on standardized
  quality (Table 2 cols 1-4), IV_patent (Table 7) and the firm-year outcomes (Tables 8, 9 cols 3-4).
"""


import dagster as dg
import numpy as np
import pandas as pd
from pydantic import Field

from eq_assets.core.accounting import RowAccount
from eq_assets.core.partitions import partition_year
from eq_assets.core.publish import publish, table_asset
from eq_assets.digital.assets import PATENT_COLUMNS
from eq_assets.core.sql import bind, count
from eq_assets.core.warehouse import Table, duckdb_connect
from eq_assets.digital.patents import classify_digital_sql, link_patents_sql
from eq_assets.instruments.p1 import p1_instruments, patent_exposure_sql
from eq_assets.mechanisms.p1 import dist_to_max, distance_q_sql, knowledge_breadth, patent_site, variety_sql
from eq_assets.panels.controls import CONTROLS
from eq_assets.panels.p1_industry import IndustryPanelParams, p1_industry_panel as build_industry_panel
from eq_assets.panels.p1_obs import OBS_PANEL_KEY, p1_obs_panel_sql
from eq_assets.panels.p1_vars import (
    DistanceRatioParams, firm_trade_class, ip_protection_split, labour_intensity, ownership_class,
)
from eq_assets.panels.schemas_p1 import (
    P1FirmAttributes, P1FirmPanel, P1IndustryPanel, P1IndustryPatents, P1ObsPanel, P1PatentExposure,
)

GROUP = "panels"


class FirmAttributesConfig(dg.Config):
    ip_median_scope: str = Field(default="year", description="IP-protection median over the cities of the same year ('year') or all city-years ('pooled') (P1 Table 10).")
    internet_transform: str = Field(default="level", description="IV_phone / IV_post = 1984 phones / post offices x province internet ports: 'level', 'log' or 'log1p'.")
    patent_transform: str = Field(default="log", description="IV_patent_industry = foreign patent filings of the cic2-year (the industry-year variant of IV_patent): 'log' (default), 'level' or 'log1p'.")
    other_trade_modes: str = Field(default="ignore", description="Trade modes other than general/processing in the firm's class: 'ignore' or 'mixed' (P1 Table 11).")


@table_asset(
    "p1_firm_attributes",
    P1FirmAttributes,
    group=GROUP,
    ins={
        "firm_survey": dg.AssetIn(metadata={"columns": ["year", "legal_code", "city", "province", "cic", "industry", "reg_type", "employees", "total_assets"]}),
        "matched_exports": dg.AssetIn(metadata={"columns": ["year", "firm_id", "trade_mode"]}),
        "city_ip_protection": dg.AssetIn(),
        "city_1984": dg.AssetIn(),
        "province_internet_ports": dg.AssetIn(),
        "foreign_patents": dg.AssetIn(),
    },
)
def p1_firm_attributes(
    context: dg.AssetExecutionContext,
    config: FirmAttributesConfig,
    firm_survey: pd.DataFrame,
    matched_exports: pd.DataFrame,
    city_ip_protection: pd.DataFrame,
    city_1984: pd.DataFrame,
    province_internet_ports: pd.DataFrame,
    foreign_patents: pd.DataFrame,
):
    """Ownership, labour intensity, IP protection, trade-mode class and IV_phone/IV_post/IV_patent_industry per firm-year."""
    year = partition_year(context)
    f = firm_survey[firm_survey["year"] == year].reset_index(drop=True)
    out = f[["year", "legal_code"]].copy()
    out["ownership"] = ownership_class(f["reg_type"]).to_numpy()
    li = labour_intensity(f)
    out = out.merge(li, on=["year", "legal_code"], how="left")
    ip = ip_protection_split(city_ip_protection, config.ip_median_scope)
    ip = ip[ip["year"] == year][["city_code", "ip_protection", "ip_protection_high"]]
    out = out.merge(f[["legal_code", "city"]], on="legal_code", how="left").merge(ip, left_on="city", right_on="city_code", how="left")
    tc = firm_trade_class(matched_exports, firm="firm_id", other_modes=config.other_trade_modes).rename(columns={"firm_id": "legal_code"})
    out = out.merge(tc, on=["year", "legal_code"], how="left")
    iv = p1_instruments(f, city_1984, province_internet_ports, foreign_patents,
                        internet_transform=config.internet_transform, patent_transform=config.patent_transform)
    out = out.merge(iv, on=["year", "legal_code"], how="left")
    out = out[list(P1FirmAttributes.to_schema().columns)].sort_values("legal_code")
    acc = RowAccount(rows_in=len(f), unit="firm-years")
    md = {f"missing_{c}": int(out[c].isna().sum()) for c in ("ownership", "labour_intensive", "ip_protection_high", "firm_trade_class", "IV_phone", "IV_post", "IV_patent_industry")}
    yield from publish(out, model=P1FirmAttributes, key=("year", "legal_code"), account=acc, asset_name="p1_firm_attributes", metadata=md)


# ---- Table 3 ------------------------------------------------------------------------------------


class IndustryPatentsConfig(dg.Config):
    industry_digits: int = Field(default=2, description="Industry level of Table 3 (2-digit CIC: the level of the industry panel).")


@table_asset(
    "p1_industry_patents",
    P1IndustryPatents,
    group=GROUP,
    yearly=False,
    ins={"raw_patents_all": dg.AssetIn(metadata={"columns": list(PATENT_COLUMNS)}), "digital_ipc_table": dg.AssetIn(),
         "firm_survey": dg.AssetIn(metadata={"columns": ["year", "legal_code", "firm_name", "cic"]})},
)
def p1_industry_patents(config: IndustryPatentsConfig, raw_patents_all: Table, digital_ipc_table: Table, firm_survey: Table):
    """Patent applications (and digital ones) by industry and application year, 2004-2019 (P1 Table 3).

    Customs data carry no firm ids after 2016 and the survey ends in 2014, so a patent's industry
    is that of the survey firm its applicant matches by normalized name, in the firm's latest
    survey year (firms keep their industry after 2014). Patents of applicants that are not
    survey firms (universities, individuals) have no industry and are not counted.
    """
    with duckdb_connect() as con:
        bind(con, raw=raw_patents_all, ipc_table=digital_ipc_table, fs=firm_survey)
        con.execute("create temp table s as select distinct on (legal_code) legal_code, firm_name, cic "
                    "from fs order by legal_code, year desc")
        n_all = raw_patents_all.count(con)
        con.execute("create temp view p as select * exclude (year) from raw where app_year is not null")
        con.execute(f"create temp table cp as {classify_digital_sql(con)}")
        linked_sql, acc = link_patents_sql(con, 0)
        n_dated = count(con, "cp")
        acc.rows_in += n_all - n_dated
        acc.drop("no_application_year", n_all - n_dated)
        con.execute(f"create temp table _pairs as {linked_sql}")
        con.execute(f"""create temp table _ind as
            select substr(s.cic, 1, {int(config.industry_digits)}) as industry, l.app_year::BIGINT as year,
                   count(*)::BIGINT as n_patents, count(*) filter (where l.is_digital)::BIGINT as n_digital
            from _pairs l left join s using (legal_code) group by 1, 2""")
        acc.drop("aggregated_to_industry_year", count(con, "_pairs") - count(con, "_ind"))
        yield from publish("select * from _ind order by industry, year", model=P1IndustryPatents, key=("industry", "year"),
                           account=acc, asset_name="p1_industry_patents", metadata={"patents_filed": n_all}, con=con)


class IndustryPanelConfig(dg.Config):
    first_year: int = Field(default=2004, description="First year of Table 3's extended sample (P1: the base sample's 2004).")
    last_year: int = Field(default=2017, description="Last year of Table 3's extended sample. P1 names none: past 2016 (customs firm ids end then), and 2017 is the last year with fixed-asset investment levels in the yearbooks (eq_assets.panels.p1_industry).")
    sigma: float = Field(default=3.0, description="CES elasticity for the aggregate's KSW quality, imposed: 3 (P2 states 3; P1 is silent).")
    industry_digits: int = Field(default=2, description="Industry level of the frontier, FE, controls and patents (2-digit CIC).")
    quality_fixed_effects: str = Field(default="cell", description="FE set of the aggregate's KSW regression: 'cell' (product x destination x year, P1 eq. 20) or 'additive' (product + destination-year).")
    ppi_transform: str = Field(default="log", description="PPI control: 'log' (ln PPI) or 'level' (index, 2004 = 100).")
    country_economic: str = Field(default="growth", description="Country_economic: GDP per capita growth in percent ('growth') or its log ('log', drops negative growth).")


@table_asset(
    "p1_industry_panel",
    P1IndustryPanel,
    group=GROUP,
    yearly=False,
    ins={"customs_aggregate": dg.AssetIn(), "hs_concordance": dg.AssetIn(), "hs_cic": dg.AssetIn(),
         "p1_industry_patents": dg.AssetIn(), "industry_panel": dg.AssetIn(), "country_panel": dg.AssetIn()},
)
def p1_industry_panel(config: IndustryPanelConfig, customs_aggregate: pd.DataFrame, hs_concordance: pd.DataFrame, hs_cic: pd.DataFrame,
                      p1_industry_patents: pd.DataFrame, industry_panel: pd.DataFrame, country_panel: pd.DataFrame):
    """P1 Table 3 panel: quality distance of year x destination x product x trade mode, 2004-2017 (config)."""
    params = IndustryPanelParams(first_year=config.first_year, last_year=config.last_year, sigma=config.sigma,
                                 industry_digits=config.industry_digits, quality_fixed_effects=config.quality_fixed_effects,
                                 ppi_transform=config.ppi_transform, country_economic=config.country_economic)
    out, acc, extra = build_industry_panel(customs_aggregate, hs_concordance, hs_cic, p1_industry_patents, industry_panel, country_panel, params)
    yield from publish(out, model=P1IndustryPanel, key=("year", "dest_code", "hs6", "trade_mode"), account=acc,
                       asset_name="p1_industry_panel", metadata=extra)


# ---- firm-year panel -------------------------------------------------------------------------------

FIRM_PANEL_KEY = ("year", "firm_id")


def build_firm_panel(
    panel,
    quality,
    tfp: pd.DataFrame,
    patents: pd.DataFrame,
    exports,
) -> tuple[pd.DataFrame, RowAccount, dict]:
    """Firm-years of the observation panel with their firm-year outcomes (see module doc).

    The observation-level inputs (``panel``, ``quality``, ``exports``: frames or stored tables)
    are reduced to firm-years in DuckDB; the firm-year outcomes are then joined in pandas.
    """
    con = duckdb_connect()
    try:
        bind(con, p=panel, q=quality, ex=exports)
        acc = RowAccount(rows_in=count(con, "p"), unit="observations -> firm-years")
        ctrl = ", ".join(f'"{c}"' for c in CONTROLS)
        base = con.execute(
            f"""select distinct on (year, firm_id) year::BIGINT as year, firm_id, city, industry, "Eco", {ctrl}
                from (select *, row_number() over () as _r from p) order by year, firm_id, _r"""
        ).df()
        acc.drop("aggregated_to_firm_year", acc.rows_in - len(base))
        dq_sql, _ = distance_q_sql(con, firm="firm_id")
        dq = con.execute(dq_sql).df()
        var = con.execute(variety_sql(con, firm="firm_id")).df()
    finally:
        con.close()
    d = base.merge(dq[["year", "firm_id", "quality_q", "Distance_q"]], on=["year", "firm_id"], how="left")
    t = tfp[["year", "legal_code", "TFP", "DistTFP_CIC_CN", "DistTFP_US_CN", "DistLP_US_CN"]].rename(columns={"legal_code": "firm_id"})
    d = d.merge(t.assign(year=t["year"].astype("int64")), on=["year", "firm_id"], how="left")
    fy = d[["year", "firm_id"]]
    pat = patents.rename(columns={"legal_code": "firm_id"})
    d = d.merge(patent_site(fy, pat, firm="firm_id"), on=["year", "firm_id"], how="left")
    d = d.merge(knowledge_breadth(fy, pat, firm="firm_id"), on=["year", "firm_id"], how="left")
    d = d.merge(var, on=["year", "firm_id"], how="left")
    d["Variety"] = d["Variety"].astype("float64")
    d["Dist_site"] = dist_to_max(d, "Patent_site")
    d["Dist_knowledge"] = dist_to_max(d, "Knowledge")
    d["Dist_variety"] = dist_to_max(d, "Variety")
    extra = {f"missing_{c}": int(d[c].isna().sum()) for c in ("Distance_q", "TFP", "DistTFP_US_CN", "DistLP_US_CN", "Knowledge")}
    return d.sort_values(["year", "firm_id"]).reset_index(drop=True), acc, extra


@table_asset(
    "p1_firm_panel",
    P1FirmPanel,
    group=GROUP,
    yearly=False,
    ins={
        "p1_panel": dg.AssetIn(metadata={"columns": ["year", "firm_id", "city", "industry", "Eco", *CONTROLS]}),
        "quality_distance": dg.AssetIn(metadata={"columns": ["year", "firm_id", "industry", "hs6", "quality", "value_usd"]}),
        "p1_tfp": dg.AssetIn(),
        "firm_patents": dg.AssetIn(metadata={"columns": ["year", "legal_code", "patent_type_en", "ipc_main", "citations", "is_digital"]}),
        "matched_exports": dg.AssetIn(metadata={"columns": ["year", "firm_id", "hs6"]}),
    },
)
def p1_firm_panel(p1_panel: Table, quality_distance: Table, p1_tfp: pd.DataFrame, firm_patents: pd.DataFrame, matched_exports: Table):
    """P1 firm-year panel: Distance_q (Table 2), TFP and its distances, citations (Table 8),
    knowledge breadth and product variety with their distances (Table 9)."""
    out, acc, extra = build_firm_panel(p1_panel, quality_distance, p1_tfp, firm_patents, matched_exports)
    yield from publish(out, model=P1FirmPanel, key=FIRM_PANEL_KEY, account=acc, asset_name="p1_firm_panel", metadata=extra)


# ---- IV_patent and the all-years observation panel -------------------------------------------------


class PatentExposureConfig(dg.Config):
    patents: str = Field(default="all", description="Patents whose main IPC subclasses give the firm's class shares: 'all' (its technology position) or 'digital'.")
    transform: str = Field(default="log", description="IV_patent = share-weighted mean over the firm's classes of ln filings ('log') or filings ('level').")
    no_patents: str = Field(default="zero", description="Firms without patents: exposure 0 ('zero': constant, absorbed by the firm FE, the firm stays in the sample) or missing.")
    relative: bool = Field(default=False, description="Class filings relative to all foreign filings of the year (removes the common growth that only firms with patents carry; the shift-share variation proper).")


@table_asset(
    "p1_patent_exposure",
    P1PatentExposure,
    group=GROUP,
    yearly=False,
    ins={"firm_survey": dg.AssetIn(metadata={"columns": ["year", "legal_code"]}),
         "firm_patents": dg.AssetIn(metadata={"columns": ["legal_code", "ipc_main", "is_digital"]}),
         "foreign_patents_ipc": dg.AssetIn()},
)
def p1_patent_exposure(config: PatentExposureConfig, firm_survey: Table, firm_patents: Table, foreign_patents_ipc: Table):
    """IV_patent: the firm's exposure to foreign patent filings in China in its own IPC classes,
    class shares of its patents over the sample years (P1 Table 7 cols 5-6)."""
    with duckdb_connect() as con:
        bind(con, fs=firm_survey, fp=firm_patents, fx=foreign_patents_ipc)
        con.execute("create temp table fy as select distinct year::BIGINT as year, legal_code from fs")
        n = count(con, "fs")
        acc = RowAccount(rows_in=n, unit="firm-years")
        acc.drop("duplicated_firm_year", n - count(con, "fy"))
        sql, md = patent_exposure_sql(con, patents=config.patents, transform=config.transform, no_patents=config.no_patents,
                                      relative=config.relative)
        md.update({"patents": config.patents, "transform": config.transform, "no_patents": config.no_patents,
                   "relative": config.relative})
        yield from publish(sql, model=P1PatentExposure, key=("year", "legal_code"), account=acc,
                           asset_name="p1_patent_exposure", metadata=md, con=con)


class ObsPanelConfig(dg.Config):
    """Choices of P1's ratio distances (Table 2 cols 1-4; eq_assets.panels.p1_vars)."""

    ratio_scale: str = Field(default="minmax", description="Scale of Distance_1/_2: 'minmax' (P1's standardized quality: min-max within HS6 over all years, frontier the industry-year max), 'exp' (quality level exp(quality)) or 'shift' (quality - industry-year min + shift_offset). Distance_1_exp/_2_exp always hold the exp scale.")
    shift_offset: float = Field(default=1.0, description="Offset of the 'shift' scale.")


@table_asset(
    "p1_obs_panel",
    P1ObsPanel,
    group=GROUP,
    yearly=False,
    ins={
        "p1_panel": dg.AssetIn(metadata={"columns": ["year", "firm_id", "hs6", "dest_code", "trade_mode", "city", "industry",
                                                     "quality", "frontier", "Distance", "Eco", *CONTROLS]}),
        "quality_distance": dg.AssetIn(metadata={"columns": ["year", "hs6", "industry", "quality"]}),
        "p1_firm_panel": dg.AssetIn(),
        "p1_patent_exposure": dg.AssetIn(),
    },
)
def p1_obs_panel(config: ObsPanelConfig, p1_panel: Table, quality_distance: Table, p1_firm_panel: Table, p1_patent_exposure: Table):
    """P1 observation panel, all years: Distance_1/_2 on standardized quality (Table 2 cols 1-4),
    IV_patent (Table 7 cols 5-6) and the firm-year outcomes on export rows (Tables 8, 9 cols 3-4)."""
    params = DistanceRatioParams(ratio_scale=config.ratio_scale, shift_offset=config.shift_offset)
    with duckdb_connect() as con:
        bind(con, p=p1_panel, q=quality_distance, fp=p1_firm_panel, x=p1_patent_exposure)
        sql, acc, md = p1_obs_panel_sql(con, params)
        yield from publish(sql, model=P1ObsPanel, key=OBS_PANEL_KEY, account=acc, asset_name="p1_obs_panel",
                           metadata=md, con=con)


ASSETS = [p1_firm_attributes, p1_industry_patents, p1_industry_panel, p1_firm_panel, p1_patent_exposure, p1_obs_panel]
