"""Source assets of P1's reference files (contract_p1): unpartitioned, read as received.

Nothing is dropped here (rows in = rows out); the unique-key check flags duplicated reference
rows (a blocking check: a reference table with two values for one key is ambiguous).
"""



from eq_assets.core.publish import table_asset
from eq_assets.core.resources import RawFiles
from eq_assets.sources import contract_p1 as C
from eq_assets.sources import schemas_p1 as S
from eq_assets.sources.contract import PATENTS
from eq_assets.sources.assets import RawPatentsRules, raw_checked, reference_asset
from eq_assets.sources.schemas import RawPatents

GROUP = "sources"

#: asset name -> (source, pandera model, unique key)
P1_REFERENCE: dict[str, tuple] = {
    "city_ip_protection": (C.CITY_IP_PROTECTION, S.CityIpProtection, ("city_code", "year")),
    "city_1984": (C.CITY_1984, S.City1984, ("city_code",)),
    "province_internet_ports": (C.PROVINCE_INTERNET_PORTS, S.ProvinceInternetPorts, ("province_code", "year")),
    "foreign_patents": (C.FOREIGN_PATENTS, S.ForeignPatents, ("cic2", "year")),
    "foreign_patents_ipc": (C.FOREIGN_PATENTS_IPC, S.ForeignPatentsIpc, ("ipc_subclass", "year")),
    "country_panel": (C.COUNTRY_PANEL, S.CountryPanel, ("dest_code", "year")),
    "country_development": (C.COUNTRY_DEVELOPMENT, S.CountryDevelopment, ("dest_code",)),
    "industry_panel": (C.INDUSTRY_PANEL, S.IndustryPanel, ("cic2", "year")),
    "us_industry": (C.US_INDUSTRY, S.UsIndustry, ("cic2", "year")),
    "hs_cic": (C.HS_CIC, S.HsCic, ("hs6",)),
    "customs_aggregate": (C.CUSTOMS_AGGREGATE, S.CustomsAggregate, ()),
}


@table_asset("raw_patents_all", RawPatents, group=GROUP, yearly=False, metadata={"eq/raw_source": PATENTS.name})
def raw_patents_all(config: RawPatentsRules, raw_files: RawFiles):
    """Every patent application of the patents file, all years (P1 Table 3 needs 2004-2019; the
    yearly ``raw_patents`` partitions cover the survey years only), after the same source rules
    as ``raw_patents`` (sources/rules.py), checked here once for all years: the yearly partitions
    of ``raw_patents`` are this table's rows of their year. Year 0 = no application year (kept,
    counted downstream)."""
    yield from raw_checked(PATENTS, RawPatents, "raw_patents_all", ("application_no",), raw_files.path, None, config,
                            rows="select *, coalesce(app_year, 0)::BIGINT as year from {scan}",
                            by=("coalesce(app_year, 0)", "rules_by_application_year"))


ASSETS = [*(reference_asset(n, *v) for n, v in P1_REFERENCE.items()), raw_patents_all]
