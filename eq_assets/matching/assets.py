"""Matching assets: the customs-survey link and the matched export observations, per year."""


from pathlib import Path

import dagster as dg
import pandas as pd
from pydantic import Field

from eq_assets.core.publish import publish, table_asset
from eq_assets.core.sql import bind
from eq_assets.core.warehouse import Table, duckdb_connect
from eq_assets.core.resources import RawFiles
from eq_assets.matching.match import KEY as MATCH_KEY, RULES, match_sql
from eq_assets.matching.report import match_report
from eq_assets.matching.schemas import CustomsFirmMatch, MatchedExports
from eq_assets.panels.p1 import OBS_KEY, matched_exports_sql

GROUP = "matching"


class MatchConfig(dg.Config):
    """Choices of the customs-survey match (Yu 2015's rules; SPEC 2)."""

    rules: list[str] = Field(default=list(RULES), description="Rules in the order applied, each to the firms "
                             "the earlier ones left: exact_name, name (normalized), phone_zip (Yu 2015).")


@table_asset(
    "customs_firm_match",
    CustomsFirmMatch,
    group=GROUP,
    ins={
        "customs_exports": dg.AssetIn(metadata={"columns": ["year", "customs_firm_code", "firm_name", "phone", "zip", "value_usd"]}),
        "firm_survey": dg.AssetIn(metadata={"columns": ["year", "legal_code", "firm_name", "phone", "zip"]}),
    },
)
def customs_firm_match(config: MatchConfig, customs_exports: Table, firm_survey: Table, raw_files: RawFiles):
    """Customs firm code -> survey legal code: exact name, normalized name, then phone + zip
    (Yu 2015; SPEC 2). The metadata reports exporters and export value matched by each rule, and,
    where the true links are known (the synthetic world's truth_firms.csv), each rule's precision
    and recall."""
    with duckdb_connect() as con:
        bind(con, e=customs_exports, s=firm_survey)
        # one row per customs code: its first observation's name, phone and zip
        con.execute("create temp view c as select distinct on (customs_firm_code) year, customs_firm_code, firm_name, "
                    "phone, zip from (select *, row_number() over () as _r from e) order by customs_firm_code, _r")
        sql, acc, extra = match_sql(con, tuple(config.rules))
        con.execute(f"create temp table _m as {sql}")
        report = match_report(con.execute("select * from _m").df(),
                              con.execute("select year, customs_firm_code, value_usd from e").df(),
                              _truth_firms(raw_files.path), con.execute("select year, legal_code from s").df())
        extra["match_by_rule"] = dg.MetadataValue.md(report.drop(columns="has_truth").to_markdown(index=False, floatfmt=".4g"))
        extra["match_report"] = dg.MetadataValue.json(
            {r.rule: {k: (None if pd.isna(v) else float(v)) for k, v in r._asdict().items()
                      if k in ("exporters", "export_value", "share_exporters", "share_value", "precision", "recall")}
             for r in report.itertuples()})
        yield from publish("select * from _m", model=CustomsFirmMatch, key=MATCH_KEY, account=acc,
                           asset_name="customs_firm_match", metadata=extra, con=con)


def _truth_firms(raw_dir: Path) -> pd.DataFrame | None:
    """The synthetic world's true customs-survey links (None with real data)."""
    path = Path(raw_dir) / "truth_firms.csv"
    if not path.exists():
        return None
    return pd.read_csv(path, dtype=str, keep_default_na=False)[["customs_firm_code", "legal_code"]]


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
