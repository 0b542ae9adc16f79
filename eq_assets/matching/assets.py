"""Matching assets: the customs-survey link and the matched export observations, per year."""


import dagster as dg
import pandas as pd


from eq_assets.core.publish import publish, table_asset
from eq_assets.matching.match import KEY as MATCH_KEY, match_customs_to_survey
from eq_assets.matching.schemas import CustomsFirmMatch, MatchedExports
from eq_assets.panels.p1 import OBS_KEY, matched_exports as build_matched_exports

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
def customs_firm_match(customs_exports: pd.DataFrame, firm_survey: pd.DataFrame):
    """Customs firm code -> survey legal code, by normalized name then phone + zip (SPEC 2)."""
    firms = customs_exports.drop_duplicates("customs_firm_code").reset_index(drop=True)
    matched, acc, extra = match_customs_to_survey(firms, firm_survey)
    yield from publish(matched, model=CustomsFirmMatch, key=MATCH_KEY, account=acc, asset_name="customs_firm_match", metadata=extra)


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
def matched_exports(customs_exports: pd.DataFrame, customs_firm_match: pd.DataFrame, firm_survey: pd.DataFrame):
    """Export observations of survey firms, keyed by firm_id, with city and industry."""
    out, acc = build_matched_exports(customs_exports, customs_firm_match, firm_survey)
    yield from publish(out, model=MatchedExports, key=OBS_KEY, account=acc, asset_name="matched_exports")


ASSETS = [customs_firm_match, matched_exports]
