"""Source assets: raw files read into typed warehouse tables, one year per partition.

Nothing is dropped here (rows in = rows out); cleaning decides what to drop and counts it.
"""


from pathlib import Path

import dagster as dg
import pandas as pd

from eq_assets.core.accounting import RowAccount
from eq_assets.core.errors import InputDataError
from eq_assets.core.partitions import partition_year
from eq_assets.core.publish import publish, table_asset
from eq_assets.core.resources import RawFiles
from eq_assets.sources import contract as C
from eq_assets.sources import schemas as S
from eq_assets.sources import raw_versions
from eq_assets.core.warehouse import duckdb_connect
from eq_assets.sources.readers import read_source, scan_source

GROUP = "sources"


def raw_version(source, raw_dir, year: int | None = None) -> str | None:
    """Digest of the raw file(s) a source asset reads for ``year`` (its data version)."""
    return raw_versions.digest(source, raw_dir, year)


def _raw(source) -> dict:
    """Asset metadata naming the raw source an asset reads (for ``run --changed``)."""
    return {"eq/raw_source": source.name}


def _publish_raw(data, model, name: str, key, source_path: str, con=None, rows_in: int | None = None, version=None,
                 report: dict | None = None):
    n = len(data) if rows_in is None else rows_in
    acc = RowAccount(rows_in=n, unit="rows")
    md = {"source_file": source_path}
    if report:
        md["files_read"] = dg.MetadataValue.json(report)
    yield from publish(data, model=model, key=key, account=acc, asset_name=name, metadata=md,
                       con=con, data_version=version)


def _raw_yearly(source, model, name: str, key, raw_dir, year: int, where=None, fill_year: bool = True):
    """Scan a source in place (any format of the mapping), fill a missing year with the file's
    (rows of another year stop the run in the scan), and publish it."""
    with duckdb_connect() as con:
        yearly = source.yearly
        with scan_source(source, raw_dir, year if yearly else None, con=con, check_year=yearly and fill_year) as scan:
            rows = f"(select * from {scan.view}" + (f" where {where})" if where else ")")
            sql = (f"select * replace ({int(year)}::BIGINT as year) from {rows}" if fill_year
                   else f"select *, {int(year)}::BIGINT as year from {rows}")
            n = con.execute(f"select count(*) from {rows}").fetchone()[0]
            files = ", ".join(f["path"] for f in scan.report.get("files", [])) or source.path_for(year if yearly else None)
            yield from _publish_raw(sql, model, name, key, files, con=con, rows_in=n,
                                    version=raw_version(source, raw_dir, year), report=scan.report)


def reference_asset(name: str, source, model, key) -> "dg.AssetsDefinition":
    """An unpartitioned source asset for one reference file: read as received (rows in = rows
    out), validated by ``model``, ``key`` unique (a duplicated key fails the blocking check).
    Used for the reference tables of both papers (``assets_p1``, ``assets_p2``)."""

    @table_asset(name, model, group=GROUP, yearly=False, metadata=_raw(source),
                 description=f"{source.description} (raw file {source.pattern}).")
    def _asset(raw_files: RawFiles):
        df = read_source(source, raw_files.path)
        yield from _publish_raw(df, model, name, key, source.pattern, version=raw_version(source, raw_files.path))

    return _asset


@table_asset("raw_customs", S.RawCustoms, group=GROUP, metadata=_raw(C.CUSTOMS))
def raw_customs(context: dg.AssetExecutionContext, raw_files: RawFiles):
    """Customs shipment rows of one year, as received, with canonical column names (SPEC 1)."""
    yield from _raw_yearly(C.CUSTOMS, S.RawCustoms, "raw_customs", (), raw_files.path, partition_year(context))


@table_asset("raw_asif", S.RawAsif, group=GROUP, metadata=_raw(C.ASIF))
def raw_asif(context: dg.AssetExecutionContext, raw_files: RawFiles):
    """Industrial-firm survey rows of one year, as received, with canonical names (SPEC 1)."""
    yield from _raw_yearly(C.ASIF, S.RawAsif, "raw_asif", (), raw_files.path, partition_year(context))


@table_asset("raw_patents", S.RawPatents, group=GROUP, metadata=_raw(C.PATENTS))
def raw_patents(context: dg.AssetExecutionContext, raw_files: RawFiles):
    """Patent applications filed in the partition's year (filtered in DuckDB from one file)."""
    year = partition_year(context)
    yield from _raw_yearly(C.PATENTS, S.RawPatents, "raw_patents", ("application_no",), raw_files.path, year,
                           where=f"app_year = {year}", fill_year=False)


@table_asset("digital_ipc_table", S.DigitalIpcTable, group=GROUP, yearly=False, metadata=_raw(C.DIGITAL_IPC))
def digital_ipc_table(raw_files: RawFiles):
    """The 2023 digital-economy core industry <-> IPC reference table (P1 section III.2.2)."""
    df = read_source(C.DIGITAL_IPC, raw_files.path)
    yield from _publish_raw(df, S.DigitalIpcTable, "digital_ipc_table", ("de_code", "ipc"), C.DIGITAL_IPC.pattern,
                            version=raw_version(C.DIGITAL_IPC, raw_files.path))


@table_asset("hs_concordance", S.HsConcordance, group=GROUP, yearly=False, metadata=_raw(C.HS_CONCORDANCE))
def hs_concordance(raw_files: RawFiles):
    """HS2007 / HS2012 six-digit codes -> HS2002, to put every year on one product list."""
    df = read_source(C.HS_CONCORDANCE, raw_files.path)
    yield from _publish_raw(df, S.HsConcordance, "hs_concordance", ("hs_version", "hs6"), C.HS_CONCORDANCE.pattern,
                            version=raw_version(C.HS_CONCORDANCE, raw_files.path))


ASSETS = [raw_customs, raw_asif, raw_patents, digital_ipc_table, hs_concordance]
