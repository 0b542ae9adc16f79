"""P2 assets: firm-year and city-year variables, instruments, the analysis panel and Table 1.

All unpartitioned: P2's variables need several years at once (exit rates need t-1, changers and
the balanced-panel flag need the firm's whole 2010-2012 history, first differences need t-1).
They read only the columns they need from the yearly survey and export tables.
"""


import dagster as dg
import pandas as pd
from pydantic import Field

from eq_assets.core.accounting import RowAccount
from eq_assets.core.partitions import years_mapping
from eq_assets.core.publish import publish, table_asset
from eq_assets.instruments.p2 import p2_instruments as build_instruments
from eq_assets.panels.p2 import city_year_p2, firm_year_p2, p2_panel as build_panel
from eq_assets.panels.schemas_p2 import P2CityYear, P2Descriptive, P2FirmYear, P2Instruments, P2Panel
from eq_assets.reports.descriptive import P2_TABLE1_VARIABLES, describe
from eq_assets.settings import P2_YEARS

GROUP = "panels_p2"
P2_FIRM_YEARS = years_mapping(range(min(P2_YEARS) - 1, max(P2_YEARS) + 1))

_SURVEY_COLS = ["year", "legal_code", "city", "province", "industry", "cic", "reg_type", "open_year", "employees",
                "total_assets", "fixed_assets", "wage_bill", "revenue", "export_delivery"]


class P2FirmConfig(dg.Config):
    """Choices of P2's firm-year variables (see eq_assets.panels.p2)."""

    sa_asset_divisor: float = Field(default=1000.0, description="SA size = ln(total assets / this); 1000: thousand -> million yuan.")
    exit_industry_digits: int = Field(default=2, description="CIC digits of the city x industry exit-rate cells.")
    gvc_top_quantile: float = Field(default=0.9, description="gvc_top = upstreamness at or above this quantile (P2: top 10%).")
    capital_rule: str = Field(default="division", description="capital_intensive: 'division' (CIC 25-43) or 'median_kl'.")


class P2InstrumentConfig(dg.Config):
    """Choices of the neighbour-city instrument (eq_assets.instruments.neighbours)."""

    gdp_metric: str = Field(default="level", description="Closeness in GDP 'level' or 'log'.")
    short: str = Field(default="use_all", description="Fewer than k eligible neighbours: 'use_all' or 'drop'.")


@table_asset(
    "p2_firm_year", P2FirmYear, group=GROUP, yearly=False,
    # P2's years and the year before (exit rates and first differences need t-1)
    ins={"firm_survey": dg.AssetIn(metadata={"columns": _SURVEY_COLS}, partition_mapping=P2_FIRM_YEARS),
         "eco": dg.AssetIn(metadata={"columns": ["year", "legal_code", "n_patents"]}, partition_mapping=P2_FIRM_YEARS)},
)
def p2_firm_year(config: P2FirmConfig, firm_survey: pd.DataFrame, eco: pd.DataFrame, input_tariffs: pd.DataFrame,
                 industry_attributes: pd.DataFrame):
    """P2 firm-year controls (Con_wag, Con_inc, Con_exp, extra controls), SA, ownership, exit, innov, flags."""
    firms = firm_survey[firm_survey["year"].between(min(P2_YEARS) - 1, max(P2_YEARS))]
    out, acc = firm_year_p2(
        firms, tariffs=input_tariffs, industry=industry_attributes, patents=eco, years=P2_YEARS,
        sa_asset_divisor=config.sa_asset_divisor, exit_industry_digits=config.exit_industry_digits,
        gvc_top_quantile=config.gvc_top_quantile, capital_rule=config.capital_rule,
    )
    acc.rows_in = len(firm_survey)
    acc.drop("outside_p2_years", len(firm_survey) - len(firms))
    md = {f"missing_{c}": int(out[c].isna().sum()) for c in ("Con_wag", "Con_inc", "Con_exp", "SA", "exit", "Con_tariff")}
    yield from publish(out, model=P2FirmYear, key=("year", "legal_code"), account=acc, asset_name="p2_firm_year", metadata=md)


@table_asset("p2_city_year", P2CityYear, group=GROUP, yearly=False)
def p2_city_year(egov_index: pd.DataFrame, city_panel: pd.DataFrame, city_attributes: pd.DataFrame,
                 province_panel: pd.DataFrame):
    """P2 city-year controls (Con_gdp, Con_num, Con_inf, Con_college, fdi), egscore and regional dummies."""
    out, acc = city_year_p2(egov_index, city_panel, city_attributes, province_panel)
    md = {"city_years_without_egscore": int(out["egscore"].isna().sum())}
    yield from publish(out, model=P2CityYear, key=("city_code", "year"), account=acc, asset_name="p2_city_year", metadata=md)


@table_asset("p2_instruments", P2Instruments, group=GROUP, yearly=False)
def p2_instruments(config: P2InstrumentConfig, egov_index: pd.DataFrame, city_panel: pd.DataFrame,
                   city_attributes: pd.DataFrame, province_panel: pd.DataFrame, work_report: pd.DataFrame):
    """P2 Table 6 instruments: neighbour-city egscore (5/7/10), work-report words, ruggedness x ln domains."""
    out, acc, md = build_instruments(egov_index, city_panel, city_attributes, province_panel, work_report,
                                     gdp_metric=config.gdp_metric, short=config.short)
    yield from publish(out, model=P2Instruments, key=("city_code", "year"), account=acc, asset_name="p2_instruments", metadata=md)


@table_asset("p2_panel", P2Panel, group=GROUP, yearly=False)
def p2_panel(export_quality_p2: pd.DataFrame, p2_firm_year: pd.DataFrame, p2_city_year: pd.DataFrame,
             p2_instruments: pd.DataFrame):
    """P2 analysis panel: firm_id x year 2010-2012 with qua, egscore, controls, IVs, interactions, flags."""
    out, acc, md = build_panel(export_quality_p2, p2_firm_year, p2_city_year, p2_instruments)
    yield from publish(out, model=P2Panel, key=("firm_id", "year"), account=acc, asset_name="p2_panel", metadata=md)


@table_asset(
    "p2_table1", P2Descriptive, group="regressions", yearly=False,
    ins={"p2_panel": dg.AssetIn(metadata={"columns": list(P2_TABLE1_VARIABLES)})},
)
def p2_table1(p2_panel: pd.DataFrame):
    """P2 Table 1: N, mean, sd, min, max of qua, egscore and the six controls on the panel."""
    out = describe(p2_panel)
    acc = RowAccount(rows_in=len(out), unit="variables")
    md = {"table": dg.MetadataValue.md(out.to_markdown(index=False, floatfmt=".3f")), "panel_rows": len(p2_panel)}
    yield from publish(out, model=P2Descriptive, key=("variable",), account=acc, asset_name="p2_table1", metadata=md)


ASSETS = [p2_firm_year, p2_city_year, p2_instruments, p2_panel, p2_table1]
