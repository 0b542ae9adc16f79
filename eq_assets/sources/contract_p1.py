"""Raw sources used only by P1's Tables 3-11 (Song & Hu 2024; SPEC sections 1 and 4).

Same conventions as :mod:`eq_assets.sources.contract`: the headers, file patterns and types are
in ``mapping/reference.toml`` (``customs.toml`` for the aggregate); numeric columns are typed,
the rest stay text so codes keep their leading zeros. Codes: city 4 digits, province 2 digits, ``cic2`` the 2-digit CIC
industry (GB/T 4754 major group, the level of the yearbooks' industry panels), ``dest_code``
the 3-digit customs partner code.
"""

from __future__ import annotations

from eq_assets.sources.raw_source import RawSource, raw_source

CITY_IP_PROTECTION = raw_source("city_ip_protection")

CITY_1984 = raw_source("city_1984")

PROVINCE_INTERNET_PORTS = raw_source("province_internet_ports")

FOREIGN_PATENTS = raw_source("foreign_patents")

FOREIGN_PATENTS_IPC = raw_source("foreign_patents_ipc")

COUNTRY_PANEL = raw_source("country_panel")

COUNTRY_DEVELOPMENT = raw_source("country_development")

INDUSTRY_PANEL = raw_source("industry_panel")

US_INDUSTRY = raw_source("us_industry")

HS_CIC = raw_source("hs_cic")

CUSTOMS_AGGREGATE = raw_source("customs_aggregate")

P1_SOURCES: tuple[RawSource, ...] = (
    CITY_IP_PROTECTION, CITY_1984, PROVINCE_INTERNET_PORTS, FOREIGN_PATENTS, FOREIGN_PATENTS_IPC, COUNTRY_PANEL,
    COUNTRY_DEVELOPMENT, INDUSTRY_PANEL, US_INDUSTRY, HS_CIC, CUSTOMS_AGGREGATE,
)

#: Years of P1 Table 3's extended, firm-anonymous sample.
P1_AGGREGATE_YEARS: tuple[int, ...] = tuple(range(2004, 2020))

#: 发展程度 vocabulary (P1 Table 11).
DEVELOPMENT_STATUS = {"发达国家": "developed", "发展中国家": "developing", "最不发达国家": "least_developed"}
