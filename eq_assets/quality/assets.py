"""Quality assets: P1's observation-level export quality, per year."""


import dagster as dg
from pydantic import Field


from eq_assets.core.publish import publish, table_asset
from eq_assets.panels.p1 import OBS_KEY
from eq_assets.core.sql import bind
from eq_assets.core.warehouse import Table, duckdb_connect
from eq_assets.quality.khandelwal import QualityParams, khandelwal_quality_sql
from eq_assets.quality.schemas import ExportQualityP1

GROUP = "quality"


class QualityConfig(dg.Config):
    """Choices of the P1 quality step (P1 eq. 20-21; SPEC section 3)."""

    sigma: float = Field(default=3.0, description="CES elasticity of substitution, imposed (P1, P2: 3).")
    singletons: str = Field(
        default="drop",
        description="One-observation product x destination x year cells: 'drop' (their residual is 0 by construction) or 'keep'.",
    )


@table_asset("export_quality_p1", ExportQualityP1, group=GROUP)
def export_quality_p1(config: QualityConfig, matched_exports: Table):
    """KSW quality: residual of ln q + sigma ln p on product x destination x year FE, / (sigma-1)."""
    with duckdb_connect() as con:
        bind(con, obs=matched_exports)
        sql, acc = khandelwal_quality_sql(con, QualityParams(sigma=config.sigma, singletons=config.singletons))
        yield from publish(
            sql, model=ExportQualityP1, key=OBS_KEY, account=acc, asset_name="export_quality_p1",
            metadata={"sigma": config.sigma, "singletons": config.singletons}, con=con,
        )


ASSETS = [export_quality_p1]
