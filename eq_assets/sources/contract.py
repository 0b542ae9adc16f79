"""The raw-source contract: where each raw file lives and what its columns are called.

This is the one place that knows the original (Chinese) column headers of the licensed
sources (SPEC section 1). The synthetic world writes files with exactly these headers, and
the source readers rename them to the canonical English names used everywhere downstream.
A user with real data either names their files like this or edits the mapping here.

All raw files are UTF-8 CSV with a header row. Yearly sources are one file per year
(``{year}`` in the pattern), so a year partition reads only its own file.
"""

from __future__ import annotations

from eq_assets.sources.raw_source import RawSource  # noqa: F401 (re-exported)


CUSTOMS = RawSource(
    name="customs",
    pattern="customs/customs_{year}.csv",
    description="China customs export/import records (海关数据库), firm x HS8 x destination x "
    "trade mode x month shipments, values in USD.",
    columns={
        "企业编码": "customs_firm_code",
        "企业名称": "firm_name",
        "电话": "phone",
        "邮编": "zip",
        "年份": "year",
        "月份": "month",
        "进出口": "flow",  # 出口 export / 进口 import
        "产品编码": "hs8",
        "目的国(地区)": "dest_code",  # 3-digit customs partner code
        "贸易方式": "trade_mode",  # 一般贸易, 进料加工贸易, 来料加工装配贸易, ...
        "数量": "quantity",
        "单位": "unit",
        "金额(美元)": "value_usd",
    },
)

ASIF = RawSource(
    name="asif",
    pattern="asif/asif_{year}.csv",
    description="Annual survey of industrial firms (中国工业企业数据库), firm-year.",
    columns={
        "法人代码": "legal_code",
        "企业名称": "firm_name",
        "电话": "phone",
        "邮编": "zip",
        "年份": "year",
        "行政区划代码": "admin_code",  # 6-digit: PP CC XX -> province PP, city PPCC
        "行业代码": "cic",  # 4-digit CIC (GB/T 4754)
        "登记注册类型": "reg_type",  # 3-digit registration type code
        "开业年份": "open_year",
        "营业状态": "op_status",  # 营业, 停业, 筹建, 撤销, 其他
        "全部从业人员年平均人数": "employees",
        "资产总计": "total_assets",  # thousand yuan (千元), as in the survey
        "固定资产合计": "fixed_assets",
        "流动资产合计": "current_assets",
        "流动负债合计": "current_liabilities",
        "负债合计": "total_liabilities",
        "利润总额": "total_profit",
        "工业总产值": "gross_output",
        "工业增加值": "value_added",
        "中间投入": "intermediate_input",
        "应付工资总额": "wage_bill",
        "出口交货值": "export_delivery",
        "主营业务收入": "revenue",
    },
)

PATENTS = RawSource(
    name="patents",
    pattern="patents/patents.csv",
    description="Patent applications (专利数据库), one row per application.",
    columns={
        "申请号": "application_no",
        "申请人": "applicant",  # co-applicants separated by ";"
        "申请年份": "app_year",
        "专利类型": "patent_type",  # 发明, 实用新型, 外观设计
        "主分类号": "ipc_main",
        "分类号": "ipc_all",  # all IPC codes, separated by ";"
        "被引次数": "citations",
    },
)

DIGITAL_IPC = RawSource(
    name="digital_ipc",
    pattern="reference/digital_ipc_2023.csv",
    description="数字经济核心产业分类与国际专利分类参照关系表 (2023): digital-economy core "
    "industry (2021 classification, categories 01-04) -> IPC (subclass, main group or subgroup).",
    columns={
        "数字经济核心产业代码": "de_code",  # 4-digit, e.g. 0101; first two digits = category
        "数字经济核心产业名称": "de_name",
        "国际专利分类号": "ipc",  # e.g. "G06F", "H04L 9/", "G06F 16/30"
    },
)

CITY_PANEL = RawSource(
    name="city_panel",
    pattern="reference/city_panel.csv",
    description="Prefecture-city panel, city-year.",
    columns={
        "城市代码": "city_code",  # 4-digit
        "城市名称": "city_name",
        "省份代码": "province_code",  # 2-digit
        "年份": "year",
        "地区生产总值": "gdp",
        "人均地区生产总值": "gdp_pc",
        "年末总人口": "population",
        "工业企业数": "n_industrial_firms",
        "实际利用外资": "fdi",  # actual FDI used, 10 thousand USD (P2 mechanism fdi)
        "普通高等学校在校学生数": "college_students",  # persons (P2 Table 4 extra control)
    },
    types={
        "year": "INTEGER", "gdp": "DOUBLE", "gdp_pc": "DOUBLE", "population": "DOUBLE",
        "n_industrial_firms": "DOUBLE", "fdi": "DOUBLE", "college_students": "DOUBLE",
    },
)

HS_CONCORDANCE = RawSource(
    name="hs_concordance",
    pattern="reference/hs_concordance.csv",
    description="HS6 codes of each revision (HS2002, HS2007, HS2012) -> HS2002 (the base version); "
    "unchanged codes have identity rows, and codes missing from it are kept as they are (counted).",
    columns={
        "版本": "hs_version",  # HS2002 / HS2007 / HS2012
        "HS6": "hs6",
        "HS2002": "hs6_base",
    },
)

COUNTRY_CODES = RawSource(
    name="country_codes",
    pattern="reference/country_codes.csv",
    description="Customs 3-digit partner codes -> ISO3.",
    columns={
        "国别代码": "dest_code",
        "国别名称": "dest_name",
        "ISO3": "iso3",
    },
)

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
