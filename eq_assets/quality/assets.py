"""Quality assets: P1's observation-level export quality, per year."""


import dagster as dg
import pandas as pd
from pydantic import Field


from eq_assets.core.publish import publish, table_asset
from eq_assets.panels.p1 import OBS_KEY
from eq_assets.quality.khandelwal import QualityParams, khandelwal_quality
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
def export_quality_p1(config: QualityConfig, matched_exports: pd.DataFrame):
    """KSW quality: residual of ln q + sigma ln p on product x destination x year FE, / (sigma-1)."""
    out, acc = khandelwal_quality(matched_exports, QualityParams(sigma=config.sigma, singletons=config.singletons))
    yield from publish(
        out, model=ExportQualityP1, key=OBS_KEY, account=acc, asset_name="export_quality_p1",
        metadata={"sigma": config.sigma, "singletons": config.singletons},
    )


ASSETS = [export_quality_p1]
