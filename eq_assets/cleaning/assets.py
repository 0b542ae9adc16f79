"""Cleaning assets: customs export observations and survey firm-years, per year."""


import dagster as dg
from pydantic import Field

from eq_assets.cleaning.customs import INTERMEDIARY_KEYWORDS, KEY as CUSTOMS_KEY, CustomsCleaningParams, customs_observations_sql
from eq_assets.cleaning.firms import KEY as FIRM_KEY, FirmCleaningParams, firm_years_sql
from eq_assets.core.sql import bind
from eq_assets.core.warehouse import Table, duckdb_connect
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
def customs_exports(context: dg.AssetExecutionContext, config: CustomsCleaningConfig, raw_customs: Table, hs_concordance: Table):
    """Export observations: year x customs firm x HS6 x destination x trade mode (SPEC 2)."""
    params = CustomsCleaningParams(
        intermediary_keywords=tuple(config.intermediary_keywords),
        min_value_usd=config.min_value_usd,
        min_quantity=config.min_quantity,
    )
    with duckdb_connect() as con:
        bind(con, raw=raw_customs, conc=hs_concordance)
        sql, acc, extra = customs_observations_sql(con, partition_year(context), params)
        yield from publish(sql, model=CustomsExports, key=CUSTOMS_KEY, account=acc, asset_name="customs_exports",
                           metadata=extra, con=con)


class FirmCleaningConfig(dg.Config):
    industry_digits: int = Field(
        default=4, description="CIC digits defining an industry for FE and the frontier (4 = finest the survey has)."
    )


@table_asset("firm_survey", FirmSurvey, group=GROUP)
def firm_survey(config: FirmCleaningConfig, raw_asif: Table):
    """Survey firm-years with province, city and industry identifiers; duplicates resolved."""
    with duckdb_connect() as con:
        bind(con, raw=raw_asif)
        sql, acc = firm_years_sql(con, FirmCleaningParams(industry_digits=config.industry_digits))
        yield from publish(sql, model=FirmSurvey, key=FIRM_KEY, account=acc, asset_name="firm_survey", con=con)


ASSETS = [customs_exports, firm_survey]
