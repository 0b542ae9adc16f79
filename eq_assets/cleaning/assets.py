"""Cleaning assets: customs export observations and survey firm-years, per year."""


import dagster as dg
import pandas as pd
from pydantic import Field

from eq_assets.cleaning.customs import INTERMEDIARY_KEYWORDS, KEY as CUSTOMS_KEY, CustomsCleaningParams, clean_customs
from eq_assets.cleaning.firms import KEY as FIRM_KEY, FirmCleaningParams, clean_firms
from eq_assets.cleaning.schemas import CustomsExports, FirmSurvey
from eq_assets.core.partitions import partition_year
from eq_assets.core.publish import publish, table_asset

GROUP = "cleaning"


class CustomsCleaningConfig(dg.Config):
    """Choices of the customs cleaning (defaults: P1 section III.3)."""

    intermediary_keywords: list[str] = Field(
        default=list(INTERMEDIARY_KEYWORDS),
        description="Firm-name substrings marking trade intermediaries (Ahn, Khandelwal & Wei 2011).",
    )
    min_value_usd: float = Field(default=50.0, description="Drop observations exporting less (P1: 50 USD).")
    min_quantity: float = Field(default=1.0, description="Drop observations with a smaller total quantity (P1: 1).")


@table_asset("customs_exports", CustomsExports, group=GROUP)
def customs_exports(context: dg.AssetExecutionContext, config: CustomsCleaningConfig, raw_customs: pd.DataFrame, hs_concordance: pd.DataFrame):
    """Export observations: year x customs firm x HS6 x destination x trade mode (SPEC 2)."""
    params = CustomsCleaningParams(
        intermediary_keywords=tuple(config.intermediary_keywords),
        min_value_usd=config.min_value_usd,
        min_quantity=config.min_quantity,
    )
    obs, acc, extra = clean_customs(raw_customs, hs_concordance, partition_year(context), params)
    yield from publish(obs, model=CustomsExports, key=CUSTOMS_KEY, account=acc, asset_name="customs_exports", metadata=extra)


class FirmCleaningConfig(dg.Config):
    industry_digits: int = Field(
        default=4, description="CIC digits defining an industry for FE and the frontier (4 = finest the survey has)."
    )


@table_asset("firm_survey", FirmSurvey, group=GROUP)
def firm_survey(config: FirmCleaningConfig, raw_asif: pd.DataFrame):
    """Survey firm-years with province, city and industry identifiers; duplicates resolved."""
    df, acc = clean_firms(raw_asif, FirmCleaningParams(industry_digits=config.industry_digits))
    yield from publish(df, model=FirmSurvey, key=FIRM_KEY, account=acc, asset_name="firm_survey")


ASSETS = [customs_exports, firm_survey]
