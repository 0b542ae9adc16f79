"""Frontier assets: industry-year quality frontier and Distance, per year."""


import dagster as dg
import pandas as pd
from pydantic import Field

from eq_assets.core.accounting import RowAccount
from eq_assets.core.partitions import YEARLY, year_partitions
from eq_assets.core.publish import check_specs, pandera_type, publish
from eq_assets.frontier.distance import FrontierParams, quality_distance as build_distance
from eq_assets.frontier.schemas import QualityDistance
from eq_assets.panels.p1 import OBS_KEY

GROUP = "frontier"


class FrontierConfig(dg.Config):
    statistic: str = Field(
        default="max",
        description="Frontier = this statistic of quality within industry-year: 'max' (P1 eq. 22) or a quantile such as '0.99'.",
    )


@dg.asset(
    partitions_def=year_partitions,
    metadata=YEARLY,
    group_name=GROUP,
    check_specs=check_specs("quality_distance"),
    dagster_type=pandera_type(QualityDistance),
    kinds={"duckdb", "pandas"},
)
def quality_distance(config: FrontierConfig, export_quality_p1: pd.DataFrame):
    """Distance = industry-year frontier quality - own quality (P1 eq. 22)."""
    stat = config.statistic if config.statistic == "max" else float(config.statistic)
    out = build_distance(export_quality_p1, FrontierParams(statistic=stat))
    acc = RowAccount(rows_in=len(export_quality_p1), unit="observations")
    yield from publish(
        out, model=QualityDistance, key=OBS_KEY, account=acc, asset_name="quality_distance",
        metadata={"frontier_statistic": str(config.statistic)},
    )


ASSETS = [quality_distance]
