"""Source assets: raw files read into typed warehouse tables, one year per partition.

Nothing is dropped here (rows in = rows out); cleaning decides what to drop and counts it.
"""


import dagster as dg
import pandas as pd

from eq_assets.core.accounting import RowAccount
from eq_assets.core.errors import InputDataError
from eq_assets.core.partitions import partition_year
from eq_assets.core.publish import publish, table_asset
from eq_assets.core.resources import RawFiles
from eq_assets.sources import contract as C
from eq_assets.sources import schemas as S
from eq_assets.sources.readers import read_source

GROUP = "sources"


def _year_column(df: pd.DataFrame, year: int, source_path: str) -> pd.DataFrame:
    """Fill a missing year with the file's year; refuse rows that claim another year."""
    wrong = df["year"].notna() & (df["year"] != year)
    if wrong.any():
        raise InputDataError(
            source_path,
            f"rows whose year is not the file's year {year}",
            column="年份 (year)",
            rows=[f"line {i + 2}" for i in df.index[wrong][:10]],
            n_rows=int(wrong.sum()),
            examples=df.loc[wrong, "year"].unique()[:5],
            expected=f"every row of a yearly file to be of that year ({year})",
        )
    df["year"] = year
    return df


def _publish_raw(df: pd.DataFrame, model, name: str, key, source_path: str):
    acc = RowAccount(rows_in=len(df), unit="rows")
    yield from publish(df, model=model, key=key, account=acc, asset_name=name, metadata={"source_file": source_path})


def reference_asset(name: str, source, model, key) -> "dg.AssetsDefinition":
    """An unpartitioned source asset for one reference file: read as received (rows in = rows
    out), validated by ``model``, ``key`` unique (a duplicated key fails the blocking check).
    Used for the reference tables of both papers (``assets_p1``, ``assets_p2``)."""

    @table_asset(name, model, group=GROUP, yearly=False, description=f"{source.description} (raw file {source.pattern}).")
    def _asset(raw_files: RawFiles):
        df = read_source(source, raw_files.path)
        yield from _publish_raw(df, model, name, key, source.pattern)

    return _asset


@table_asset("raw_customs", S.RawCustoms, group=GROUP)
def raw_customs(context: dg.AssetExecutionContext, raw_files: RawFiles):
    """Customs shipment rows of one year, as received, with canonical column names (SPEC 1)."""
    year = partition_year(context)
    df = _year_column(read_source(C.CUSTOMS, raw_files.path, year), year, C.CUSTOMS.path_for(year))
    yield from _publish_raw(df, S.RawCustoms, "raw_customs", (), C.CUSTOMS.path_for(year))


@table_asset("raw_asif", S.RawAsif, group=GROUP)
def raw_asif(context: dg.AssetExecutionContext, raw_files: RawFiles):
    """Industrial-firm survey rows of one year, as received, with canonical names (SPEC 1)."""
    year = partition_year(context)
    df = _year_column(read_source(C.ASIF, raw_files.path, year), year, C.ASIF.path_for(year))
    yield from _publish_raw(df, S.RawAsif, "raw_asif", (), C.ASIF.path_for(year))


@table_asset("raw_patents", S.RawPatents, group=GROUP)
def raw_patents(context: dg.AssetExecutionContext, raw_files: RawFiles):
    """Patent applications filed in the partition's year (filtered in DuckDB from one file)."""
    year = partition_year(context)
    df = read_source(C.PATENTS, raw_files.path, where=f"app_year = {year}")
    df["year"] = year
    yield from _publish_raw(df, S.RawPatents, "raw_patents", ("application_no",), C.PATENTS.path_for())


@table_asset("digital_ipc_table", S.DigitalIpcTable, group=GROUP, yearly=False)
def digital_ipc_table(raw_files: RawFiles):
    """The 2023 digital-economy core industry <-> IPC reference table (P1 section III.2.2)."""
    df = read_source(C.DIGITAL_IPC, raw_files.path)
    yield from _publish_raw(df, S.DigitalIpcTable, "digital_ipc_table", ("de_code", "ipc"), C.DIGITAL_IPC.pattern)


@table_asset("hs_concordance", S.HsConcordance, group=GROUP, yearly=False)
def hs_concordance(raw_files: RawFiles):
    """HS2007 / HS2012 six-digit codes -> HS2002, to put every year on one product list."""
    df = read_source(C.HS_CONCORDANCE, raw_files.path)
    yield from _publish_raw(df, S.HsConcordance, "hs_concordance", ("hs_version", "hs6"), C.HS_CONCORDANCE.pattern)


ASSETS = [raw_customs, raw_asif, raw_patents, digital_ipc_table, hs_concordance]
