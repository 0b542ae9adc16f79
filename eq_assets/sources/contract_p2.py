"""Raw sources used only by P2 (Ma, Wang & Gong; SPEC sections 1 and 5).

Same conventions as :mod:`eq_assets.sources.contract` (headers in ``mapping/reference.toml``). The city-year panel (GDP, GDP per
capita, industrial firms, FDI, college students) is the shared ``city_panel``; this module adds
the e-government scores, time-invariant city attributes, the province panel, the instrument
sources and the industry attributes P2's heterogeneity tables split on.
"""

from __future__ import annotations

from eq_assets.sources.raw_source import RawSource, raw_source

EGOV_SCORES = raw_source("egov_scores")

CITY_ATTRIBUTES = raw_source("city_attributes")

PROVINCE_PANEL = raw_source("province_panel")

WORK_REPORT = raw_source("work_report")

INDUSTRY_ATTRIBUTES = raw_source("industry_attributes")

INPUT_TARIFFS = raw_source("input_tariffs")

P2_SOURCES: tuple[RawSource, ...] = (
    EGOV_SCORES, CITY_ATTRIBUTES, PROVINCE_PANEL, WORK_REPORT, INDUSTRY_ATTRIBUTES, INPUT_TARIFFS,
)

#: 地区 vocabulary.
REGIONS = {"东部": "east", "中部": "central", "西部": "west"}
