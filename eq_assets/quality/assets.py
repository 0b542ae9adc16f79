"""Quality assets: P1's observation-level export quality, per year."""


import dagster as dg
from pydantic import Field


from eq_assets.core.publish import publish, table_asset
from eq_assets.panels.p1 import OBS_KEY
from eq_assets.core.sql import bind
from eq_assets.core.warehouse import Table, duckdb_connect
from eq_assets.quality.khandelwal import FE_SETS, QualityParams, khandelwal_quality_sql, sigma_fallback_rows
from eq_assets.quality.schemas import ExportQualityP1

GROUP = "quality"


class QualityConfig(dg.Config):
    """Choices of the P1 quality step (P1 eq. 20-21; SPEC section 3)."""

    sigma: float = Field(default=3.0, description="CES elasticity of substitution, imposed: 3 (P2 states 3; P1 is silent). 5 and 10 are robustness values.")
    fixed_effects: str = Field(default="cell", description="FE set of the KSW regression: 'cell' (P1 eq. 20-21: product x destination x year) or 'additive' (product + destination-year; on one year's partition the product effect is product-year).")
    singletons: str = Field(
        default="drop",
        description="Singletons (one-observation cells; with 'additive', observations alone in a product or destination-year level, iteratively): 'drop' (their residual is 0 by construction) or 'keep'.",
    )
    sigma_table: str = Field(default="", description="Optional per-product sigma: path of an elasticity CSV (sigma and hs/HS0_3d/hs3/hs6 columns, iso3c optional), e.g. Broda-Weinstein's sigma_hs0_3d_73countries.csv; products without a usable entry keep `sigma` (counted).")
    sigma_importer: str = Field(default="USA", description="Importer (iso3c) whose elasticities are read from sigma_table (Broda-Weinstein's US estimates: the literature's usual choice).")


@table_asset("export_quality_p1", ExportQualityP1, group=GROUP)
def export_quality_p1(config: QualityConfig, matched_exports: Table):
    """KSW quality: residual of ln q + sigma ln p on product x destination x year FE (or the
    additive set), / (sigma-1)."""
    if config.fixed_effects not in FE_SETS:
        raise ValueError(f"fixed_effects must be one of {sorted(FE_SETS)}; got {config.fixed_effects!r}")
    params = QualityParams(sigma=config.sigma, fixed_effects=config.fixed_effects, singletons=config.singletons,
                           sigma_table=config.sigma_table, sigma_importer=config.sigma_importer)
    with duckdb_connect() as con:
        bind(con, obs=matched_exports)
        sql, acc = khandelwal_quality_sql(con, params)
        md = {"sigma": config.sigma, "fixed_effects": config.fixed_effects, "singletons": config.singletons,
              "sigma_table": config.sigma_table or "none (constant sigma)"}
        if config.sigma_table:
            md["sigma_constant_fallback_rows"] = sigma_fallback_rows(con)
        yield from publish(
            sql, model=ExportQualityP1, key=OBS_KEY, account=acc, asset_name="export_quality_p1",
            metadata=md, con=con,
        )


ASSETS = [export_quality_p1]
