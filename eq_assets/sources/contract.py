"""The raw-source contract: where each raw file lives and what its columns are called.

The headers, file patterns, encodings and types live in the mapping files
(``eq_assets/sources/mapping/*.toml``, documented in ``customs.toml``), not in code: a user with
real data edits (or points ``EQ_MAPPING`` at) a mapping, never Python. The ``RawSource``
objects below are the code's view of the shipped mapping: the canonical file pattern and the
canonical (first) header of each column, which the synthetic world writes and the source readers
rename to the canonical English names used everywhere downstream (SPEC section 1).
"""

from __future__ import annotations

from eq_assets.sources.raw_source import RawSource, raw_source  # noqa: F401 (re-exported)

CUSTOMS = raw_source("customs")
ASIF = raw_source("asif")
PATENTS = raw_source("patents")
DIGITAL_IPC = raw_source("digital_ipc")
CITY_PANEL = raw_source("city_panel")
HS_CONCORDANCE = raw_source("hs_concordance")
COUNTRY_CODES = raw_source("country_codes")

# The paper-specific sources are declared in their own modules (they need RawSource above).
from eq_assets.sources.contract_p1 import P1_SOURCES  # noqa: E402
from eq_assets.sources.contract_p2 import P2_SOURCES  # noqa: E402

ALL_SOURCES: dict[str, RawSource] = {
    s.name: s
    for s in (CUSTOMS, ASIF, PATENTS, DIGITAL_IPC, CITY_PANEL, HS_CONCORDANCE, COUNTRY_CODES, *P1_SOURCES, *P2_SOURCES)
}

# Fixed vocabularies of the raw data (values, not headers).
FLOW_EXPORT = "出口"
FLOW_IMPORT = "进口"
TRADE_MODES = {
    "一般贸易": "general",
    "进料加工贸易": "processing_imported",
    "来料加工装配贸易": "processing_assembly",
}
PATENT_TYPES = {"发明": "invention", "实用新型": "utility", "外观设计": "design"}
OP_STATUS_NORMAL = "营业"
OP_STATUS_ABNORMAL = ("停业", "撤销", "筹建")  # P1 Table 5 drops these
