"""P2 export-quality assets: yearly observations, then estimation and standardization over all P2 years.

``export_quality_p2_obs`` is partitioned by year like the rest of the observation pipeline: it
builds P2's observations (firm x HS6 x destination x year, trade modes summed) and attaches the
province's real GDP, both defined within a year. It runs
in every year partition of the graph (2004-2014), not only in P2's 2010-2012 (cheap, and an
always-populated partition avoids empty warehouse slices). ``export_quality_p2`` is unpartitioned
and downstream of all partitions: P2 eq. 10 has destination x *year* dummies and one price
coefficient per product for the whole panel, and P2 eq. 12 takes min and max "over all firms, all
years and all countries", so both the estimation (2SLS and, for ``qua_sub``, OLS) and the
standardization need every P2 year at once (``years``, default 2010-2012).
"""


import dagster as dg
import pandas as pd
from pydantic import Field

from eq_assets.reports.distributions import distribution_metadata
from eq_assets.core.partitions import years_mapping
from eq_assets.core.publish import publish, table_asset
from eq_assets.core.sql import bind
from eq_assets.core.warehouse import Table, duckdb_connect
from eq_assets.quality.p2 import P2_SIGMA
from eq_assets.quality.p2_steps import OBS_KEY_P2, p2_estimate_quality, p2_firm_year, p2_observations_sql
from eq_assets.quality.schemas_p2 import ExportQualityP2, ExportQualityP2Obs
from eq_assets.settings import P2_YEARS

GROUP = "quality"


class QualityP2Config(dg.Config):
    """Choices of the P2 quality estimation, standardization and aggregation (P2 eqs. 10-13)."""

    years: list[int] = Field(default=list(P2_YEARS), description="Years estimated and standardized together (P2: 2010-2012).")
    sigma: float = Field(default=P2_SIGMA, description="Imposed elasticity in quality = e/(sigma-1) (P2: 3).")
    estimation: str = Field(default="pooled", description="Eq. 10 per HS6 on all years with destination x year "
                            "dummies ('pooled', P2) or per HS6 and year ('yearly').")
    instrument_average: str = Field(default="mean_log", description="Leave-one-out price: 'mean_log' or 'log_mean'.")
    singletons: str = Field(default="drop", description="Single-observation destination-year cells: 'drop' or 'keep'.")
    missing_instrument: str = Field(default="drop", description="Observations without another destination: 'drop' or 'predict'.")
    degenerate: str = Field(default="drop", description="HS6 with max == min: 'drop' or 'nan'.")
    price_log: bool = Field(default=True, description="qua_price uses the log unit value (P2 silent).")
    price_standardize: bool = Field(default=False, description="qua_price min-max standardized within HS6 like qua "
                                    "(False: the value-weighted log unit value, P2 Table 4 col. 1's 0.489 fits it).")
    general_trade_share: float = Field(default=0.5, description="general_trade = 1 above this share of general-trade value.")


@table_asset(
    "export_quality_p2_obs",
    ExportQualityP2Obs,
    group=GROUP,
    ins={"matched_exports": dg.AssetIn(), "province_panel": dg.AssetIn()},
)
def export_quality_p2_obs(matched_exports: Table, province_panel: Table):
    """P2 observations of one year (trade modes summed) with province real GDP (P2 eqs. 9-10),
    built in the database (the year's matched rows never pass through pandas)."""
    with duckdb_connect() as con:
        bind(con, m=matched_exports, pp=province_panel)
        sql, acc, md = p2_observations_sql(con)
        yield from publish(sql, model=ExportQualityP2Obs, key=OBS_KEY_P2, account=acc,
                           asset_name="export_quality_p2_obs", metadata=md, con=con)


@table_asset(
    "export_quality_p2",
    ExportQualityP2,
    group=GROUP,
    yearly=False,
    ins={"export_quality_p2_obs": dg.AssetIn(metadata={"columns": [
        "year", "firm_id", "hs6", "dest_code", "value_usd", "quantity", "general_value_usd", "prov_gdp_real"]},
        partition_mapping=years_mapping(P2_YEARS)),
         "hs_cic": dg.AssetIn(metadata={"columns": ["hs6", "cic"]}),
         "industry_attributes": dg.AssetIn(metadata={"columns": ["cic", "gvc_upstreamness"]})},
)
def export_quality_p2(config: QualityP2Config, export_quality_p2_obs: pd.DataFrame, hs_cic: pd.DataFrame,
                      industry_attributes: pd.DataFrame):
    """Firm-year qua, qua_sub, qua_price: eq. 10 per HS6 over all P2 years (2SLS / OLS), min-max within
    HS6 over all P2 years, value-weighted (P2 eqs. 10-13); firm-level GVC upstreamness of the exports."""
    obs, md_est = p2_estimate_quality(
        export_quality_p2_obs, years=config.years, sigma=config.sigma, estimation=config.estimation,
        instrument_average=config.instrument_average, singletons=config.singletons,
        missing_instrument=config.missing_instrument,
    )
    upstream = hs_cic[["hs6", "cic"]].drop_duplicates("hs6").merge(
        industry_attributes[["cic", "gvc_upstreamness"]], on="cic", how="inner", validate="many_to_one")
    out, acc, md = p2_firm_year(
        obs, years=config.years, degenerate=config.degenerate, price_log=config.price_log,
        price_standardize=config.price_standardize, general_trade_share=config.general_trade_share,
        upstreamness=upstream[["hs6", "gvc_upstreamness"]],
    )
    md = {**md_est, **md, "sigma": config.sigma, "years": ", ".join(map(str, config.years)),
          "with_quality": int(obs["quality"].notna().sum()), "with_quality_ols": int(obs["quality_ols"].notna().sum()),
          "firm_years_with_qua": int(out["qua"].notna().sum())}
    md = {**md, **distribution_metadata(out, ("qua", "qua_price", "qua_sub"), title="P2 firm-year export quality by year")}
    yield from publish(out, model=ExportQualityP2, key=("firm_id", "year"), account=acc, asset_name="export_quality_p2", metadata=md)


ASSETS = [export_quality_p2_obs, export_quality_p2]
