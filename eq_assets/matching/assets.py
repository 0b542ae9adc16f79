"""Matching assets: the customs-survey link and the matched export observations, per year."""


import dagster as dg


from eq_assets.core.publish import publish, table_asset
from eq_assets.core.sql import bind
from eq_assets.core.warehouse import Table, duckdb_connect
from eq_assets.matching.match import KEY as MATCH_KEY, match_sql
from eq_assets.matching.schemas import CustomsFirmMatch, MatchedExports
from eq_assets.panels.p1 import OBS_KEY, matched_exports_sql

GROUP = "matching"


@table_asset(
    "customs_firm_match",
    CustomsFirmMatch,
    group=GROUP,
    ins={
        "customs_exports": dg.AssetIn(metadata={"columns": ["year", "customs_firm_code", "firm_name", "phone", "zip"]}),
        "firm_survey": dg.AssetIn(metadata={"columns": ["year", "legal_code", "firm_name", "phone", "zip"]}),
    },
)
def customs_firm_match(customs_exports: Table, firm_survey: Table):
    """Customs firm code -> survey legal code, by normalized name then phone + zip (SPEC 2)."""
    with duckdb_connect() as con:
        bind(con, e=customs_exports, s=firm_survey)
        # one row per customs code: its first observation's name, phone and zip
        con.execute("create temp view c as select distinct on (customs_firm_code) year, customs_firm_code, firm_name, "
                    "phone, zip from (select *, row_number() over () as _r from e) order by customs_firm_code, _r")
        sql, acc, extra = match_sql(con)
        yield from publish(sql, model=CustomsFirmMatch, key=MATCH_KEY, account=acc, asset_name="customs_firm_match",
                           metadata=extra, con=con)


@table_asset(
    "matched_exports",
    MatchedExports,
    group=GROUP,
    ins={
        "customs_exports": dg.AssetIn(
            metadata={"columns": ["year", "customs_firm_code", "hs6", "dest_code", "trade_mode", "value_usd", "quantity"]}
        ),
        "firm_survey": dg.AssetIn(metadata={"columns": ["year", "legal_code", "city", "industry"]}),
    },
)
def matched_exports(customs_exports: Table, customs_firm_match: Table, firm_survey: Table):
    """Export observations of survey firms, keyed by firm_id, with city and industry."""
    with duckdb_connect() as con:
        bind(con, e=customs_exports, m=customs_firm_match, f=firm_survey)
        sql, acc = matched_exports_sql(con)
        yield from publish(sql, model=MatchedExports, key=OBS_KEY, account=acc, asset_name="matched_exports", con=con)


ASSETS = [customs_firm_match, matched_exports]
