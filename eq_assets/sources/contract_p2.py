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

#: Cities with local e-government policies and the first policy year (P2 Table 7 col. 3).
EGOV_POLICY = raw_source("egov_policy")

#: City-year patent-application score of the PKU innovation and entrepreneurship index (P2 Table 10 col. 4).
CITY_INNOVATION = raw_source("city_innovation")

P2_SOURCES: tuple[RawSource, ...] = (
    EGOV_SCORES, CITY_ATTRIBUTES, PROVINCE_PANEL, WORK_REPORT, INDUSTRY_ATTRIBUTES, INPUT_TARIFFS, EGOV_POLICY,
    CITY_INNOVATION,
)

#: 地区 vocabulary.
REGIONS = {"东部": "east", "中部": "central", "西部": "west"}
