"""Panel assets: firm controls and the P1 analysis panel, per year."""


import dagster as dg
import pandas as pd

from eq_assets.core.accounting import RowAccount

from eq_assets.core.publish import publish, table_asset
from eq_assets.panels.controls import CONTROLS, firm_controls as build_controls
from eq_assets.core.sql import bind
from eq_assets.core.warehouse import Table, duckdb_connect
from eq_assets.panels.p1 import OBS_KEY, p1_panel_sql
from eq_assets.panels.p1_vars import destination_development
from eq_assets.panels.schemas import FirmControls, P1Panel

GROUP = "panels"


@table_asset("firm_controls", FirmControls, group=GROUP)
def firm_controls(firm_survey: pd.DataFrame):
    """P1's six firm-year controls (Size, Profit_rate, Finance, Age, Tangible, Leverage)."""
    out = build_controls(firm_survey)
    acc = RowAccount(rows_in=len(firm_survey), unit="firm-years")
    md = {f"undefined_{c}": int(out[c].isna().sum()) for c in CONTROLS}
    yield from publish(out, model=FirmControls, key=("year", "legal_code"), account=acc, asset_name="firm_controls", metadata=md)


@table_asset(
    "p1_panel",
    P1Panel,
    group=GROUP,
    ins={
        "firm_survey": dg.AssetIn(metadata={"columns": ["year", "legal_code", "province", "reg_type", "op_status"]}),
        "p1_firm_attributes": dg.AssetIn(),
        "country_development": dg.AssetIn(),
    },
)
def p1_panel(
    quality_distance: Table,
    eco: Table,
    firm_controls: Table,
    firm_survey: Table,
    p1_firm_attributes: Table,
    country_development: pd.DataFrame,
):
    """P1 analysis panel: Distance, Eco (and its parts), controls, FE identifiers, instruments and
    split attributes per observation (P1 eq. 16, Tables 1, 4-7, 10-11; the all-years columns of
    Tables 2, 7, 8, 9 are in p1_obs_panel)."""
    with duckdb_connect() as con:
        bind(con, d=quality_distance, x=eco, c=firm_controls, f=firm_survey, a=p1_firm_attributes,
             dev=destination_development(country_development))
        sql, acc, extra = p1_panel_sql(con)
        yield from publish(sql, model=P1Panel, key=OBS_KEY, account=acc, asset_name="p1_panel", metadata=extra, con=con)


ASSETS = [firm_controls, p1_panel]
