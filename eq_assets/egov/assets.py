"""E-government assets: P2's city-year egscore (P2 eq. 14)."""


import pandas as pd
from pydantic import Field

import dagster as dg

from eq_assets.core.publish import publish, table_asset
from eq_assets.egov.index import egov_index as build_egov_index
from eq_assets.egov.schemas import EgovIndex

GROUP = "egov"


class EgovConfig(dg.Config):
    """Choices of the index (P2 section 3.2.2)."""

    divisor: float = Field(default=1.0, description="Divide the sub-indices by this first (100 for 0-100 scores).")
    incomplete: str = Field(default="keep", description="City-years with a missing sub-index: 'keep' (egscore NaN) or 'drop'.")


@table_asset("egov_index", EgovIndex, group=GROUP, yearly=False)
def egov_index(config: EgovConfig, egov_scores: pd.DataFrame):
    """City-year egscore = arithmetic mean of the nine website-performance sub-indices (P2 eq. 14)."""
    out, acc = build_egov_index(egov_scores, divisor=config.divisor, incomplete=config.incomplete)
    md = {"city_years_incomplete": int((out["n_subindex_missing"] > 0).sum()),
          "egscore_mean": float(out["egscore"].mean()) if len(out) else float("nan")}
    yield from publish(out, model=EgovIndex, key=("city_code", "year"), account=acc, asset_name="egov_index", metadata=md)


ASSETS = [egov_index]
