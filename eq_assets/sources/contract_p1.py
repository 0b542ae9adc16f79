"""Raw sources used only by P1's Tables 3-11 (Song & Hu 2024; SPEC sections 1 and 4).

Same conventions as :mod:`eq_assets.sources.contract`: UTF-8 CSV, original (Chinese) headers
mapped to canonical names, ``types`` for the numeric columns (the rest stay text so codes keep
their leading zeros). Codes: city 4 digits, province 2 digits, ``cic2`` the 2-digit CIC
industry (GB/T 4754 major group, the level of the yearbooks' industry panels), ``dest_code``
the 3-digit customs partner code.
"""

from __future__ import annotations

from eq_assets.sources.raw_source import RawSource

CITY_IP_PROTECTION = RawSource(
    name="city_ip_protection",
    pattern="reference/city_ip_protection.csv",
    description="City-year intellectual-property protection index (P1 Table 10 median split).",
    columns={"城市代码": "city_code", "年份": "year", "知识产权保护指数": "ip_protection"},
    types={"year": "INTEGER", "ip_protection": "DOUBLE"},
)

CITY_1984 = RawSource(
    name="city_1984",
    pattern="reference/city_1984.csv",
    description="1984 fixed telephones (10 thousand sets) and post offices per city, from the 1985 "
    "city statistical yearbook (P1 Table 7 instruments, cross-section).",
    columns={"城市代码": "city_code", "1984年固定电话数": "phones_1984", "1984年邮局数": "post_offices_1984"},
    types={"phones_1984": "DOUBLE", "post_offices_1984": "DOUBLE"},
)

PROVINCE_INTERNET_PORTS = RawSource(
    name="province_internet_ports",
    pattern="reference/province_internet_ports.csv",
    description="Internet broadband access ports by province-year, 10 thousand ports (P1 Table 7: "
    "interacted with the 1984 city data).",
    columns={"省份代码": "province_code", "年份": "year", "互联网宽带接入端口": "internet_ports"},
    types={"year": "INTEGER", "internet_ports": "DOUBLE"},
)

FOREIGN_PATENTS = RawSource(
    name="foreign_patents",
    pattern="reference/foreign_patents.csv",
    description="Patent applications filed in China by applicants from other countries (WIPO IP "
    "statistics, office = China, origin != China), by 2-digit industry (via the IPC-industry "
    "concordance) and year (P1 Table 7, IV_patent). P1 does not say at which level it uses them; "
    "a year-only series would be absorbed by the year FE, so the contract asks for industry-year.",
    columns={"行业代码": "cic2", "年份": "year", "国外来华专利申请数": "foreign_patent_filings"},
    types={"year": "INTEGER", "foreign_patent_filings": "DOUBLE"},
)

COUNTRY_PANEL = RawSource(
    name="country_panel",
    pattern="reference/country_panel.csv",
    description="Destination country-year: GDP (current USD) and GDP per capita growth (%), WDI "
    "(P1 Table 3 Country_market, Country_economic).",
    columns={"国别代码": "dest_code", "年份": "year", "GDP现价美元": "gdp_usd", "人均GDP增长率": "gdp_pc_growth"},
    types={"year": "INTEGER", "gdp_usd": "DOUBLE", "gdp_pc_growth": "DOUBLE"},
)

COUNTRY_DEVELOPMENT = RawSource(
    name="country_development",
    pattern="reference/country_development.csv",
    description="UN development status of each customs partner (P1 Table 11): 发达国家 developed, "
    "发展中国家 developing, 最不发达国家 least developed.",
    columns={"国别代码": "dest_code", "发展程度": "development_status"},
)

INDUSTRY_PANEL = RawSource(
    name="industry_panel",
    pattern="reference/industry_panel.csv",
    description="2-digit industry-year panel from the industrial statistical yearbooks (P1 Table 3 "
    "controls; PPI also deflates output, value added and inputs for TFP): fixed-asset investment "
    "(100 million yuan), producer price index (2004 = 100), number of above-scale firms, sales "
    "value (100 million yuan).",
    columns={
        "行业代码": "cic2", "年份": "year", "固定资产投资": "fixed_asset_investment",
        "工业生产者出厂价格指数": "ppi", "规模以上企业数": "n_firms", "销售产值": "sales",
    },
    types={"year": "INTEGER", "fixed_asset_investment": "DOUBLE", "ppi": "DOUBLE", "n_firms": "DOUBLE", "sales": "DOUBLE"},
)

US_INDUSTRY = RawSource(
    name="us_industry",
    pattern="reference/us_industry_productivity.csv",
    description="US industry-year productivity mapped to 2-digit CIC (P1 Table 8 frontier): log TFP "
    "on the same normalisation as the Chinese firm-level LP estimate, and labour productivity "
    "(real value added per worker, thousand 2004 yuan at PPP).",
    columns={"行业代码": "cic2", "年份": "year", "美国TFP对数": "us_ln_tfp", "美国劳动生产率": "us_labour_productivity"},
    types={"year": "INTEGER", "us_ln_tfp": "DOUBLE", "us_labour_productivity": "DOUBLE"},
)

HS_CIC = RawSource(
    name="hs_cic",
    pattern="reference/hs6_cic.csv",
    description="HS6 (HS2002) product -> 4-digit CIC industry (P1 Table 3 assigns each product of "
    "the firm-anonymous aggregate to an industry).",
    columns={"HS6": "hs6", "行业代码": "cic"},
)

CUSTOMS_AGGREGATE = RawSource(
    name="customs_aggregate",
    pattern="customs_aggregate/customs_aggregate.csv",
    description="Firm-anonymous customs exports by year x destination x HS6 (of that year's HS "
    "revision) x trade mode, 2004-2019 (P1 Table 3: no firm ids after 2016).",
    columns={
        "年份": "year", "目的国(地区)": "dest_code", "产品编码": "hs6", "贸易方式": "trade_mode",
        "数量": "quantity", "金额(美元)": "value_usd",
    },
    types={"year": "INTEGER", "quantity": "DOUBLE", "value_usd": "DOUBLE"},
)

P1_SOURCES: tuple[RawSource, ...] = (
    CITY_IP_PROTECTION, CITY_1984, PROVINCE_INTERNET_PORTS, FOREIGN_PATENTS, COUNTRY_PANEL,
    COUNTRY_DEVELOPMENT, INDUSTRY_PANEL, US_INDUSTRY, HS_CIC, CUSTOMS_AGGREGATE,
)

#: Years of P1 Table 3's extended, firm-anonymous sample.
P1_AGGREGATE_YEARS: tuple[int, ...] = tuple(range(2004, 2020))

#: 发展程度 vocabulary (P1 Table 11).
DEVELOPMENT_STATUS = {"发达国家": "developed", "发展中国家": "developing", "最不发达国家": "least_developed"}
