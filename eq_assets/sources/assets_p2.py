"""Source assets of the P2 reference files (SPEC section 1; contract in ``contract_p2.py``).

Unpartitioned, no upstream: the runner materializes them with the other reference tables. As in
:mod:`eq_assets.sources.assets`, nothing is dropped here (rows in = rows out) and each table is
keyed so that a duplicated city-year (etc.) fails the blocking ``unique_key`` check.
``city_panel`` is the shared prefecture-city panel (contract.py); P2 is its first user.
"""


import pandas as pd

from eq_assets.core.accounting import RowAccount
from eq_assets.core.publish import publish, table_asset
from eq_assets.core.resources import RawFiles
from eq_assets.sources import contract as C
from eq_assets.sources import contract_p2 as C2
from eq_assets.sources import schemas_p2 as S
from eq_assets.sources.readers import read_source

GROUP = "sources"


def _publish_ref(df: pd.DataFrame, model, name: str, key, source_path: str):
    acc = RowAccount(rows_in=len(df), unit="rows")
    yield from publish(df, model=model, key=key, account=acc, asset_name=name, metadata={"source_file": source_path})


@table_asset("city_panel", S.CityPanel, group=GROUP, yearly=False)
def city_panel(raw_files: RawFiles):
    """Prefecture-city panel: GDP, GDP per capita, industrial firms, FDI, college students (city-year)."""
    df = read_source(C.CITY_PANEL, raw_files.path)
    yield from _publish_ref(df, S.CityPanel, "city_panel", ("city_code", "year"), C.CITY_PANEL.pattern)


@table_asset("egov_scores", S.EgovScores, group=GROUP, yearly=False)
def egov_scores(raw_files: RawFiles):
    """Local-government website performance, nine service domains, city-year 2010-2012 (P2 eq. 14)."""
    df = read_source(C2.EGOV_SCORES, raw_files.path)
    yield from _publish_ref(df, S.EgovScores, "egov_scores", ("city_code", "year"), C2.EGOV_SCORES.pattern)


@table_asset("city_attributes", S.CityAttributes, group=GROUP, yearly=False)
def city_attributes(raw_files: RawFiles):
    """Time-invariant city attributes: region, coastal, capital, municipality, smart city, ruggedness."""
    df = read_source(C2.CITY_ATTRIBUTES, raw_files.path)
    yield from _publish_ref(df, S.CityAttributes, "city_attributes", ("city_code",), C2.CITY_ATTRIBUTES.pattern)


@table_asset("province_panel", S.ProvincePanel, group=GROUP, yearly=False)
def province_panel(raw_files: RawFiles):
    """Province-year: real GDP, broadband users, domain names, FTZ flag."""
    df = read_source(C2.PROVINCE_PANEL, raw_files.path)
    yield from _publish_ref(df, S.ProvincePanel, "province_panel", ("province_code", "year"), C2.PROVINCE_PANEL.pattern)


@table_asset("work_report", S.WorkReport, group=GROUP, yearly=False)
def work_report(raw_files: RawFiles):
    """Digital-economy word frequency in city government work reports (P2 Table 6, IV_int)."""
    df = read_source(C2.WORK_REPORT, raw_files.path)
    yield from _publish_ref(df, S.WorkReport, "work_report", ("city_code", "year"), C2.WORK_REPORT.pattern)


@table_asset("industry_attributes", S.IndustryAttributes, group=GROUP, yearly=False)
def industry_attributes(raw_files: RawFiles):
    """4-digit CIC attributes: GVC upstreamness, high-tech, energy and raw-material flags."""
    df = read_source(C2.INDUSTRY_ATTRIBUTES, raw_files.path)
    yield from _publish_ref(df, S.IndustryAttributes, "industry_attributes", ("cic",), C2.INDUSTRY_ATTRIBUTES.pattern)


@table_asset("input_tariffs", S.InputTariffs, group=GROUP, yearly=False)
def input_tariffs(raw_files: RawFiles):
    """Intermediate-input tariffs by 4-digit CIC and year (P2 Table 4 extra control)."""
    df = read_source(C2.INPUT_TARIFFS, raw_files.path)
    yield from _publish_ref(df, S.InputTariffs, "input_tariffs", ("cic", "year"), C2.INPUT_TARIFFS.pattern)


ASSETS = [city_panel, egov_scores, city_attributes, province_panel, work_report, industry_attributes, input_tariffs]
