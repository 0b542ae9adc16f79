"""Frontier assets: industry-year quality frontier and Distance, per year."""


import dagster as dg
import pandas as pd
from pydantic import Field

from eq_assets.core.accounting import RowAccount

from eq_assets.core.publish import publish, table_asset
from eq_assets.frontier.distance import FrontierParams, quality_distance as build_distance
from eq_assets.frontier.schemas import QualityDistance
from eq_assets.reports.distributions import distribution_metadata
from eq_assets.panels.p1 import OBS_KEY

GROUP = "frontier"


class FrontierConfig(dg.Config):
    statistic: str = Field(
        default="max",
        description="Frontier = this statistic of quality within industry-year: 'max' (P1 eq. 22) or a quantile such as '0.99'.",
    )


@table_asset("quality_distance", QualityDistance, group=GROUP)
def quality_distance(config: FrontierConfig, export_quality_p1: pd.DataFrame):
    """Distance = industry-year frontier quality - own quality (P1 eq. 22)."""
    stat = config.statistic if config.statistic == "max" else float(config.statistic)
    out = build_distance(export_quality_p1, FrontierParams(statistic=stat))
    acc = RowAccount(rows_in=len(export_quality_p1), unit="observations")
    yield from publish(
        out, model=QualityDistance, key=OBS_KEY, account=acc, asset_name="quality_distance",
        metadata={"frontier_statistic": str(config.statistic),
                  **distribution_metadata(out, ("quality", "Distance"), title="P1 quality and Distance by year")},
    )


ASSETS = [quality_distance]
