"""Pandera models of P1's Tables 2-11 panels and firm-year attributes."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

from eq_assets.core.glossary import describe

OWNERSHIP = ["soe", "private", "collective", "hmt", "foreign", "other_domestic"]
TRADE_CLASSES = ["pure_general", "pure_processing", "mixed"]
DEVELOPMENT = ["developed", "developing", "least_developed"]


class P1FirmAttributes(pa.DataFrameModel):
    """Firm-year heterogeneity classes and instruments (P1 Tables 7, 10, 11)."""

    year: Series[int] = pa.Field(description=describe("year"))
    legal_code: Series[str] = pa.Field(description=describe("legal_code"))
    ownership: Series[str] = pa.Field(nullable=True, isin=OWNERSHIP, description=describe("ownership"))
    labour_ratio: Series[float] = pa.Field(nullable=True, ge=0, description=describe("labour_ratio"))
    labour_intensive: Series[pa.Int64] = pa.Field(nullable=True, isin=[0, 1], description=describe("labour_intensive"))
    ip_protection: Series[float] = pa.Field(nullable=True, description=describe("ip_protection"))
    ip_protection_high: Series[pa.Int64] = pa.Field(nullable=True, isin=[0, 1], description=describe("ip_protection_high"))
    firm_trade_class: Series[str] = pa.Field(nullable=True, isin=TRADE_CLASSES, description=describe("firm_trade_class"))
    IV_phone: Series[float] = pa.Field(nullable=True, description=describe("IV_phone"))
    IV_post: Series[float] = pa.Field(nullable=True, description=describe("IV_post"))
    IV_patent_industry: Series[float] = pa.Field(nullable=True, description=describe("IV_patent_industry"))

    class Config:
        strict = True
        coerce = True


class P1PatentExposure(pa.DataFrameModel):
    """IV_patent per survey firm-year: exposure to foreign filings in the firm's IPC classes (P1 Table 7)."""

    year: Series[int] = pa.Field(description=describe("year"))
    legal_code: Series[str] = pa.Field(description=describe("legal_code"))
    IV_patent: Series[float] = pa.Field(nullable=True, description=describe("IV_patent"))
    has_patent_classes: Series[bool] = pa.Field(description="True if the firm has patents with a main IPC code in the sample years (its class shares are defined).")

    class Config:
        strict = True
        coerce = True


class P1ObsPanel(pa.DataFrameModel):
    """P1 observation panel, all years (Tables 2 cols 1-4, 7 cols 5-6, 8, 9 cols 3-4)."""

    year: Series[int] = pa.Field(description=describe("year"))
    firm_id: Series[str] = pa.Field(description=describe("firm_id"))
    hs6: Series[str] = pa.Field(description=describe("hs6"))
    dest_code: Series[str] = pa.Field(description=describe("dest_code"))
    trade_mode: Series[str] = pa.Field(description=describe("trade_mode"))
    city: Series[str] = pa.Field(description=describe("city"))
    industry: Series[str] = pa.Field(description=describe("industry"))
    Distance: Series[float] = pa.Field(ge=0, description=describe("Distance"))
    Eco: Series[float] = pa.Field(ge=0, description=describe("Eco"))
    Size: Series[float] = pa.Field(description=describe("Size"))
    Profit_rate: Series[float] = pa.Field(description=describe("Profit_rate"))
    Finance: Series[float] = pa.Field(description=describe("Finance"))
    Age: Series[float] = pa.Field(description=describe("Age"))
    Tangible: Series[float] = pa.Field(description=describe("Tangible"))
    Leverage: Series[float] = pa.Field(description=describe("Leverage"))
    quality_std: Series[float] = pa.Field(nullable=True, ge=0, le=1, description=describe("quality_std"))
    frontier_std: Series[float] = pa.Field(nullable=True, ge=0, le=1, description=describe("frontier_std"))
    Distance_1: Series[float] = pa.Field(nullable=True, ge=0, description=describe("Distance_1"))
    Distance_2: Series[float] = pa.Field(nullable=True, description=describe("Distance_2"))
    Distance_1_exp: Series[float] = pa.Field(ge=1, description=describe("Distance_1_exp"))
    Distance_2_exp: Series[float] = pa.Field(ge=0, lt=1, description=describe("Distance_2_exp"))
    IV_patent: Series[float] = pa.Field(nullable=True, description=describe("IV_patent"))
    TFP: Series[float] = pa.Field(nullable=True, description=describe("TFP"))
    DistTFP_CIC_CN: Series[float] = pa.Field(nullable=True, description=describe("DistTFP_CIC_CN"))
    DistTFP_US_CN: Series[float] = pa.Field(nullable=True, description=describe("DistTFP_US_CN"))
    DistLP_US_CN: Series[float] = pa.Field(nullable=True, description=describe("DistLP_US_CN"))
    Patent_site: Series[float] = pa.Field(nullable=True, ge=0, description=describe("Patent_site"))
    Dist_site: Series[float] = pa.Field(nullable=True, ge=0, description=describe("Dist_site"))
    Variety: Series[float] = pa.Field(nullable=True, ge=1, description=describe("Variety"))
    Dist_variety: Series[float] = pa.Field(nullable=True, ge=0, description=describe("Dist_variety"))

    class Config:
        strict = True
        coerce = True


class P1IndustryPatents(pa.DataFrameModel):
    """Digital patent applications by 2-digit industry and application year (P1 Table 3 Eco)."""

    industry: Series[str] = pa.Field(description=describe("industry"))
    year: Series[int] = pa.Field(description=describe("year"))
    n_patents: Series[int] = pa.Field(ge=0, description="Patent applications of the 2-digit industry and application year (count; P1 Table 3).")
    n_digital: Series[int] = pa.Field(ge=0, description="Digital patent applications of the 2-digit industry and application year (count; P1 Table 3 Eco).")

    class Config:
        strict = True
        coerce = True


class P1IndustryPanel(pa.DataFrameModel):
    """P1 Table 3 panel: year x destination x HS6 x trade mode of the customs aggregate."""

    year: Series[int] = pa.Field(ge=2004, description="Year of the customs aggregate, first_year to last_year of the Table 3 config (default 2004-2017; P1 Table 3 extends past 2014).")
    dest_code: Series[str] = pa.Field(description=describe("dest_code"))
    hs6: Series[str] = pa.Field(description=describe("hs6"))
    trade_mode: Series[str] = pa.Field(description=describe("trade_mode"))
    industry: Series[str] = pa.Field(description="2-digit CIC industry of the HS6 product (hs6_cic concordance).")
    cell_id: Series[str] = pa.Field(description=describe("cell_id"))
    value_usd: Series[float] = pa.Field(gt=0, description=describe("value_usd"))
    quantity: Series[float] = pa.Field(gt=0, description=describe("quantity"))
    quality: Series[float] = pa.Field(description="KSW quality of the year x destination x HS6 x trade-mode cell of the 2004-2019 customs aggregate (P1 Table 3, eq. 21 on aggregate flows).")
    frontier: Series[float] = pa.Field(description="Industry-year maximum of the aggregate cells' quality (P1 Table 3).")
    Distance: Series[float] = pa.Field(ge=0, description="frontier - quality of the aggregate cell (P1 Table 3 dependent variable), >= 0.")
    Eco: Series[float] = pa.Field(ge=0, description="Industry digital innovation = ln(1 + digital patent applications of the 2-digit industry-year) (P1 Table 3).")
    Fixasset: Series[float] = pa.Field(description=describe("Fixasset"))
    PPI: Series[float] = pa.Field(description=describe("PPI"))
    Firm: Series[float] = pa.Field(description=describe("Firm"))
    Sales: Series[float] = pa.Field(description=describe("Sales"))
    Country_market: Series[float] = pa.Field(description=describe("Country_market"))
    Country_economic: Series[float] = pa.Field(description=describe("Country_economic"))

    class Config:
        strict = True
        coerce = True


class P1FirmPanel(pa.DataFrameModel):
    """P1 firm-year panel (Table 2 cols 5-6, Tables 8-9): outcomes may be missing where undefined."""

    year: Series[int] = pa.Field(description=describe("year"))
    firm_id: Series[str] = pa.Field(description=describe("firm_id"))
    city: Series[str] = pa.Field(description=describe("city"))
    industry: Series[str] = pa.Field(description=describe("industry"))
    Eco: Series[float] = pa.Field(ge=0, description=describe("Eco"))
    Size: Series[float] = pa.Field(description=describe("Size"))
    Profit_rate: Series[float] = pa.Field(description=describe("Profit_rate"))
    Finance: Series[float] = pa.Field(description=describe("Finance"))
    Age: Series[float] = pa.Field(description=describe("Age"))
    Tangible: Series[float] = pa.Field(description=describe("Tangible"))
    Leverage: Series[float] = pa.Field(description=describe("Leverage"))
    quality_q: Series[float] = pa.Field(nullable=True, description=describe("quality_q"))
    Distance_q: Series[float] = pa.Field(nullable=True, ge=0, description=describe("Distance_q"))
    TFP: Series[float] = pa.Field(nullable=True, description=describe("TFP"))
    DistTFP_CIC_CN: Series[float] = pa.Field(nullable=True, description=describe("DistTFP_CIC_CN"))
    DistTFP_US_CN: Series[float] = pa.Field(nullable=True, description=describe("DistTFP_US_CN"))
    DistLP_US_CN: Series[float] = pa.Field(nullable=True, description=describe("DistLP_US_CN"))
    citations: Series[float] = pa.Field(ge=0, description=describe("citations"))
    Patent_site: Series[float] = pa.Field(ge=0, description=describe("Patent_site"))
    Dist_site: Series[float] = pa.Field(ge=0, description=describe("Dist_site"))
    n_knowledge_filings: Series[int] = pa.Field(ge=0, description=describe("n_knowledge_filings"))
    Knowledge: Series[float] = pa.Field(nullable=True, ge=0, le=1, description=describe("Knowledge"))
    Dist_knowledge: Series[float] = pa.Field(nullable=True, ge=0, description=describe("Dist_knowledge"))
    Variety: Series[float] = pa.Field(ge=1, description=describe("Variety"))
    Dist_variety: Series[float] = pa.Field(ge=0, description=describe("Dist_variety"))

    class Config:
        strict = True
        coerce = True
