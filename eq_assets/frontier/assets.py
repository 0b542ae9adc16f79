"""Frontier assets: industry-year quality frontier and Distance, per year."""


import dagster as dg
from pydantic import Field

from eq_assets.core.accounting import RowAccount

from eq_assets.core.publish import publish, table_asset
from eq_assets.core.sql import bind
from eq_assets.core.warehouse import Table, duckdb_connect
from eq_assets.frontier.distance import FrontierParams, quality_distance_sql
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
def quality_distance(config: FrontierConfig, export_quality_p1: Table):
    """Distance = industry-year frontier quality - own quality (P1 eq. 22)."""
    stat = config.statistic if config.statistic == "max" else float(config.statistic)
    with duckdb_connect() as con:
        bind(con, q=export_quality_p1)
        acc = RowAccount(rows_in=export_quality_p1.count(con), unit="observations")
        con.execute(f"create temp table _qd as {quality_distance_sql(con, FrontierParams(statistic=stat))}")
        dist = con.execute('select year, quality, "Distance" from _qd').df()
        yield from publish(
            "select * from _qd", model=QualityDistance, key=OBS_KEY, account=acc, asset_name="quality_distance",
            metadata={"frontier_statistic": str(config.statistic),
                      **distribution_metadata(dist, ("quality", "Distance"), title="P1 quality and Distance by year")},
            con=con,
        )


ASSETS = [quality_distance]
