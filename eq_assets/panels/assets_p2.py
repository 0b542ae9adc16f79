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
from eq_assets.panels.p2 import SOE_TYPES, firm_year_p2, p2_panel as build_panel
from eq_assets.panels.p2_city import EGOV_POLICY_YEARS, city_year_p2
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
    capital_rule: str = Field(default="division", description="capital_intensive: 'division' (CIC 25-43) or 'median_kl'.")
    soe_types: list[str] = Field(default=list(SOE_TYPES), description="Registration types read as state-owned "
                                 "(110 国有, 141 国有联营, 143 国有与集体联营, 151 国有独资; 142 is a collective).")


class P2CityConfig(dg.Config):
    """Choices of P2's city-year variables (see eq_assets.panels.p2)."""

    policy_first_year: int = Field(default=EGOV_POLICY_YEARS[0], description="egov_policy = first e-government policy in "
                                   "[policy_first_year, policy_last_year] (P2 Table 7 col. 3: 2010-2012).")
    policy_last_year: int = Field(default=EGOV_POLICY_YEARS[1], description="Last year of the egov_policy window.")


class P2PanelConfig(dg.Config):
    """Choices of the P2 analysis panel (see eq_assets.panels.p2.p2_panel)."""

    gvc_level: str = Field(default="firm", description="GVC position of P2 Table 9 col. 4: 'firm' (product upstreamness "
                           "aggregated to the firm-year with export weights, as P2) or 'industry' (the firm's industry).")
    gvc_top_quantile: float = Field(default=0.9, description="gvc_top = upstreamness at or above this quantile (P2: top 10%).")


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
        capital_rule=config.capital_rule, soe_types=tuple(config.soe_types),
    )
    acc.rows_in = len(firm_survey)
    acc.drop("outside_p2_years", len(firm_survey) - len(firms))
    md = {f"missing_{c}": int(out[c].isna().sum()) for c in ("Con_wag", "Con_inc", "Con_exp", "SA", "exit", "Con_tariff")}
    md["soe_types"] = ", ".join(config.soe_types)
    yield from publish(out, model=P2FirmYear, key=("year", "legal_code"), account=acc, asset_name="p2_firm_year", metadata=md)


@table_asset("p2_city_year", P2CityYear, group=GROUP, yearly=False)
def p2_city_year(config: P2CityConfig, egov_index: pd.DataFrame, city_panel: pd.DataFrame, city_attributes: pd.DataFrame,
                 province_panel: pd.DataFrame, egov_policy: pd.DataFrame, city_innovation: pd.DataFrame):
    """P2 city-year controls (Con_gdp, Con_num, Con_inf, Con_college, fdi), egscore, regional dummies,
    e-government policy cities and the city innovation score."""
    out, acc = city_year_p2(egov_index, city_panel, city_attributes, province_panel, egov_policy, city_innovation,
                            policy_window=(config.policy_first_year, config.policy_last_year))
    md = {"city_years_without_egscore": int(out["egscore"].isna().sum()),
          "egov_policy_cities": int(out.loc[out["egov_policy"] == 1, "city_code"].nunique()),
          "city_years_without_innov": int(out["innov"].isna().sum())}
    yield from publish(out, model=P2CityYear, key=("city_code", "year"), account=acc, asset_name="p2_city_year", metadata=md)


@table_asset("p2_instruments", P2Instruments, group=GROUP, yearly=False)
def p2_instruments(config: P2InstrumentConfig, egov_index: pd.DataFrame, city_panel: pd.DataFrame,
                   city_attributes: pd.DataFrame, province_panel: pd.DataFrame, work_report: pd.DataFrame):
    """P2 Table 6 instruments: neighbour-city egscore (5/7/10), work-report words, ruggedness x ln domains."""
    out, acc, md = build_instruments(egov_index, city_panel, city_attributes, province_panel, work_report,
                                     gdp_metric=config.gdp_metric, short=config.short)
    yield from publish(out, model=P2Instruments, key=("city_code", "year"), account=acc, asset_name="p2_instruments", metadata=md)


@table_asset("p2_panel", P2Panel, group=GROUP, yearly=False)
def p2_panel(config: P2PanelConfig, export_quality_p2: pd.DataFrame, p2_firm_year: pd.DataFrame,
             p2_city_year: pd.DataFrame, p2_instruments: pd.DataFrame):
    """P2 analysis panel: firm_id x year 2010-2012 with qua, egscore, controls, IVs, interactions, flags."""
    out, acc, md = build_panel(export_quality_p2, p2_firm_year, p2_city_year, p2_instruments,
                               gvc_level=config.gvc_level, gvc_top_quantile=config.gvc_top_quantile)
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
