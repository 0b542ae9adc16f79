"""Raw sources used only by P2 (Ma, Wang & Gong; SPEC sections 1 and 5).

Same conventions as :mod:`eq_assets.sources.contract`. The city-year panel (GDP, GDP per
capita, industrial firms, FDI, college students) is the shared ``city_panel``; this module adds
the e-government scores, time-invariant city attributes, the province panel, the instrument
sources and the industry attributes P2's heterogeneity tables split on.
"""

from __future__ import annotations

from eq_assets.sources.raw_source import RawSource

EGOV_SCORES = RawSource(
    name="egov_scores",
    pattern="reference/egov_scores.csv",
    description="City-year local-government website performance scores, 2010-2012 (China Software "
    "Testing Center), nine service domains on a 0-1 scale (P2 eq. 14).",
    columns={
        "城市代码": "city_code", "年份": "year",
        "资质认定": "idf", "企业开办": "enp", "经营纳税": "tax", "交流互动": "int", "就业": "emp",
        "证件办理": "doc", "交通": "tra", "住房": "housing", "信息公开": "info",
    },
    types={"year": "INTEGER", **{c: "DOUBLE" for c in ("idf", "enp", "tax", "int", "emp", "doc", "tra", "housing", "info")}},
)

CITY_ATTRIBUTES = RawSource(
    name="city_attributes",
    pattern="reference/city_attributes.csv",
    description="Time-invariant prefecture-city attributes: region (东部/中部/西部), coastal, provincial "
    "capital, municipality, smart-city pilot (first pilot batch year, empty if none), terrain "
    "ruggedness (P2 Tables 6-7).",
    columns={
        "城市代码": "city_code", "城市名称": "city_name", "省份代码": "province_code", "地区": "region",
        "沿海城市": "coastal", "省会城市": "provincial_capital", "直辖市": "municipality",
        "智慧城市试点年份": "smart_city_year", "地形起伏度": "terrain_ruggedness",
    },
    types={"coastal": "INTEGER", "provincial_capital": "INTEGER", "municipality": "INTEGER",
           "smart_city_year": "INTEGER", "terrain_ruggedness": "DOUBLE"},
)

PROVINCE_PANEL = RawSource(
    name="province_panel",
    pattern="reference/province_panel.csv",
    description="Province-year panel: real GDP (100 million 2004 yuan; P2 quality equation), "
    "broadband internet users (10 thousand; Con_inf), internet domain names (10 thousand; IV_gov), "
    "pilot free-trade-zone province flag (P2 Table 7).",
    columns={
        "省份代码": "province_code", "年份": "year", "实际地区生产总值": "real_gdp",
        "互联网宽带接入用户数": "broadband_users", "域名数": "domain_count", "自贸区省份": "ftz",
    },
    types={"year": "INTEGER", "real_gdp": "DOUBLE", "broadband_users": "DOUBLE", "domain_count": "DOUBLE", "ftz": "INTEGER"},
)

WORK_REPORT = RawSource(
    name="work_report",
    pattern="reference/work_report_digital.csv",
    description="Frequency of digital-economy words in the city government's annual work report "
    "(P2 Table 6, IV_int), per 10 thousand characters.",
    columns={"城市代码": "city_code", "年份": "year", "数字经济词频": "digital_word_freq"},
    types={"year": "INTEGER", "digital_word_freq": "DOUBLE"},
)

INDUSTRY_ATTRIBUTES = RawSource(
    name="industry_attributes",
    pattern="reference/industry_attributes.csv",
    description="4-digit CIC industry attributes: GVC upstreamness (Antras et al. 2012, via "
    "WIOD), high-tech industry flag (NBS 2013 classification), energy and raw-material industry "
    "flag (P2 Tables 5, 8, 9).",
    columns={"行业代码": "cic", "GVC上游度": "gvc_upstreamness", "高技术产业": "high_tech", "能源原材料行业": "energy_raw"},
    types={"gvc_upstreamness": "DOUBLE", "high_tech": "INTEGER", "energy_raw": "INTEGER"},
)

INPUT_TARIFFS = RawSource(
    name="input_tariffs",
    pattern="reference/input_tariffs.csv",
    description="Intermediate-input tariff by 4-digit CIC industry and year, percent (P2 Table 4 "
    "extra control).",
    columns={"行业代码": "cic", "年份": "year", "中间投入品关税": "input_tariff"},
    types={"year": "INTEGER", "input_tariff": "DOUBLE"},
)

P2_SOURCES: tuple[RawSource, ...] = (
    EGOV_SCORES, CITY_ATTRIBUTES, PROVINCE_PANEL, WORK_REPORT, INDUSTRY_ATTRIBUTES, INPUT_TARIFFS,
)

#: 地区 vocabulary.
REGIONS = {"东部": "east", "中部": "central", "西部": "west"}
