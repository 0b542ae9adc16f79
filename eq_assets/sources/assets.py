"""Source assets: raw files read into typed warehouse tables, one year per partition.

The source rules (:mod:`eq_assets.sources.rules`) run here, in DuckDB, before a partition is
stored: a rule with policy ``stop`` refuses the file (file, column, lines, values, expected),
``drop`` leaves rows out and ``keep`` flags them, both counted under the rule's name. Otherwise
rows are kept as received; cleaning decides what else to drop and counts it.
"""


from pathlib import Path

import dagster as dg

from eq_assets.core.accounting import RowAccount
from eq_assets.core.partitions import partition_year
from eq_assets.core.publish import publish, table_asset
from eq_assets.core.resources import RawFiles
from eq_assets.sources import contract as C
from eq_assets.sources import schemas as S
from eq_assets.sources import raw_versions
from eq_assets.core.warehouse import Table, Warehouse, duckdb_connect
from eq_assets.sources import rules as R
from eq_assets.core.sql import bind
from eq_assets.sources.checks import apply_rules, check_empty, check_reference, rules_config, settings_of, stored_rows
from eq_assets.sources.mapping import load_mapping
from eq_assets.sources.readers import scan_source
from eq_assets.sources.rules import BY_ASSET as RULES

GROUP = "sources"


def raw_version(source, raw_dir, year: int | None = None) -> str | None:
    """Digest of the raw file(s) a source asset reads for ``year`` (its data version)."""
    return raw_versions.digest(source, raw_dir, year)


def _raw(source) -> dict:
    """Asset metadata naming the raw source an asset reads (for ``run --changed``)."""
    return {"eq/raw_source": source.name}


def _publish_raw(data, model, name: str, key, source_path: str, con=None, rows_in: int | None = None, version=None,
                 report: dict | None = None, account: RowAccount | None = None, metadata: dict | None = None):
    n = len(data) if rows_in is None else rows_in
    acc = account or RowAccount(rows_in=n, unit="rows")
    md = {"source_file": source_path, **(metadata or {})}
    if report:
        md["files_read"] = dg.MetadataValue.json(report)
    yield from publish(data, model=model, key=key, account=acc, asset_name=name, metadata=md,
                       con=con, data_version=version)


def _files(scan, source, year) -> str:
    return ", ".join(f["path"] for f in scan.report.get("files", [])) or source.path_for(year)


def _stored_rows(name: str, partition: str | None) -> int | None:
    return stored_rows(Warehouse().partition_path(name, partition))


def raw_checked(source, model, name: str, key, raw_dir, year: int | None, config, *, rows: str,
                 refs: dict[str, str] | None = None, scope=None, partition: str | None = None, extra=None,
                 skip: dict[str, str] | None = None, by: tuple[str, str] | None = None):
    """Scan a source in place (any format of the mapping), apply its rules (:mod:`.rules`) and
    publish the rows kept. ``rows``: SQL template over ``{scan}`` (the scanned rows plus ``year``);
    ``refs``: reference relations the rules read (name -> SQL); ``scope``: (predicate, label) of
    the rows this asset stores when it stores part of the file (:func:`.checks.apply_rules`);
    ``skip``: rules that cannot be checked (-> why); ``by``: per-value counts (:func:`.checks.apply_rules`)."""
    rules = RULES[name]
    settings = settings_of(rules, config)
    with duckdb_connect() as con:
        for ref, sql in (refs or {}).items():
            con.execute(f"create or replace temp view {ref} as {sql}")
        yearly = source.yearly
        with scan_source(source, raw_dir, year if yearly else None, con=con,
                         check_year=yearly and year is not None) as scan:
            checked = apply_rules(con, f"({rows.format(scan=scan.view)})", rules, settings, raw_dir=Path(raw_dir),
                                  headers=scan.report.get("columns"), stored_rows=_stored_rows(name, partition),
                                  expected_extra=extra, scope=scope, skip=skip, asset=name, by=by,
                                  files=", ".join(str(Path(raw_dir) / f["path"]) for f in scan.report.get("files", [])))
            yield from _publish_raw(checked.sql, model, name, key, _files(scan, source, year), con=con,
                                    version=raw_version(source, raw_dir, year if yearly else None), report=scan.report,
                                    account=checked.account, metadata=checked.metadata)


def reference_asset(name: str, source, model, key) -> "dg.AssetsDefinition":
    """An unpartitioned source asset for one reference file: read as received (rows in = rows
    out), refused when empty, when a value breaks ``model`` or when ``key`` repeats, naming the
    file and lines (:func:`eq_assets.sources.checks.check_reference`). Used for the reference
    tables of both papers (``assets_p1``, ``assets_p2``)."""

    @table_asset(name, model, group=GROUP, yearly=False, metadata=_raw(source),
                 description=f"{source.description} (raw file {source.pattern}).")
    def _asset(raw_files: RawFiles):
        yield from _reference(source, model, name, key, raw_files.path)

    return _asset


def _reference(source, model, name: str, key, raw_dir):
    with duckdb_connect() as con, scan_source(source, raw_dir, con=con, check_year=False) as scan:
        n = check_reference(con, scan.view, model, key, raw_dir=Path(raw_dir), name=name,
                            headers=scan.report.get("columns"), files=[f["path"] for f in scan.report.get("files", [])])
        cols = ", ".join('"' + c + '"' for c in scan.columns)
        yield from _publish_raw(f"select {cols} from {scan.view}", model, name, key, _files(scan, source, None),
                                con=con, rows_in=n, version=raw_version(source, raw_dir))


RawCustomsRules = rules_config(R.CUSTOMS, "RawCustomsRules", "What happens to bad customs rows (sources/rules.py).")
RawAsifRules = rules_config(R.ASIF, "RawAsifRules", "What happens to bad survey rows (sources/rules.py).")
RawPatentsRules = rules_config(R.PATENTS, "RawPatentsRules", "What happens to bad patent rows (sources/rules.py).")


@table_asset("raw_customs", S.RawCustoms, group=GROUP, metadata=_raw(C.CUSTOMS))
def raw_customs(context: dg.AssetExecutionContext, config: RawCustomsRules, raw_files: RawFiles,
                country_codes: Table, hs_concordance: Table):
    """Customs shipment rows of one year, as received with canonical column names (SPEC 1), after
    the source rules (destinations, HS revision, signs, bounds, duplicates: sources/rules.py)."""
    year = partition_year(context)
    vintage = load_mapping()[C.CUSTOMS.name].vintage(year) or ""
    conc = f"(select hs6 from {hs_concordance.sql} where hs_version = '{vintage}')"
    refs = {"ref_dest": f"select dest_code from {country_codes.sql} where dest_code is not null", "ref_hs6": conc}
    with duckdb_connect() as con:
        listed = con.execute(f"select count(*) from {conc}").fetchone()[0]
    skip = {} if listed else {"hs_not_in_revision": f"not checked: reference/hs_concordance lists no code of "
                                                    f"{vintage or 'the year (no hs_vintage declared in the mapping)'}"}
    yield from raw_checked(C.CUSTOMS, S.RawCustoms, "raw_customs", (), raw_files.path, year, config,
                            rows="select * replace (" + str(int(year)) + "::BIGINT as year) from {scan}",
                            refs=refs, partition=str(year), extra={"vintage": vintage or "not declared"}, skip=skip)


@table_asset("raw_asif", S.RawAsif, group=GROUP, metadata=_raw(C.ASIF))
def raw_asif(context: dg.AssetExecutionContext, config: RawAsifRules, raw_files: RawFiles, city_panel: Table):
    """Industrial-firm survey rows of one year, as received with canonical names (SPEC 1), after the
    source rules (province, industry, registration type, opening year, signs, bounds: sources/rules.py)."""
    year = partition_year(context)
    yield from raw_checked(C.ASIF, S.RawAsif, "raw_asif", (), raw_files.path, year, config,
                            rows="select * replace (" + str(int(year)) + "::BIGINT as year) from {scan}",
                            refs={"ref_city": f"select distinct city_code from {city_panel.sql} where city_code is not null"},
                            partition=str(year))


@table_asset("raw_patents", S.RawPatents, group=GROUP)
def raw_patents(context: dg.AssetExecutionContext, raw_patents_all: Table):
    """Patent applications filed in the partition's year: that year's rows of ``raw_patents_all``.

    The patents file is one file for all years, so its source rules (sources/rules.py) run once,
    on the whole file, in ``raw_patents_all``: a ``stop`` rule broken by any row stops it and so
    every partition; the rows each rule dropped or flagged are counted there, per application
    year in its ``rules_by_application_year`` metadata. (Each partition used to scan and check
    the whole 5.9-million-row file again: 190 s per year at paper scale.) The rows of other (or
    no) years are counted in the metadata: they are in their own partitions."""
    year = int(partition_year(context))
    name = "raw_patents"
    with duckdb_connect() as con:
        bind(con, pat=raw_patents_all)
        n_all, n_in = con.execute(f"select count(*), count(*) filter (where year = {year}) from pat").fetchone()
        check_empty(name, {"empty_year": R.PATENTS.empty_policy}, n_in, n_in, _stored_rows(name, str(year)),
                    f"{C.PATENTS.pattern} (rows of raw_patents_all)")
        md = {"rows_of_another_or_no_application_year": int(n_all - n_in),
              "source_rules": "checked once for the whole file in raw_patents_all (see its account and "
                              "rules_by_application_year)"}
        yield from publish(f"select * from pat where year = {year}", model=S.RawPatents, key=("application_no",),
                           account=RowAccount(rows_in=int(n_in)), asset_name=name, metadata=md, con=con)


@table_asset("digital_ipc_table", S.DigitalIpcTable, group=GROUP, yearly=False, metadata=_raw(C.DIGITAL_IPC))
def digital_ipc_table(raw_files: RawFiles):
    """The 2023 digital-economy core industry <-> IPC reference table (P1 section III.2.2)."""
    yield from _reference(C.DIGITAL_IPC, S.DigitalIpcTable, "digital_ipc_table", ("de_code", "ipc"), raw_files.path)


@table_asset("hs_concordance", S.HsConcordance, group=GROUP, yearly=False, metadata=_raw(C.HS_CONCORDANCE))
def hs_concordance(raw_files: RawFiles):
    """HS2007 / HS2012 six-digit codes -> HS2002, to put every year on one product list."""
    yield from _reference(C.HS_CONCORDANCE, S.HsConcordance, "hs_concordance", ("hs_version", "hs6"), raw_files.path)


country_codes = reference_asset("country_codes", C.COUNTRY_CODES, S.CountryCodes, ("dest_code",))

ASSETS = [raw_customs, raw_asif, raw_patents, digital_ipc_table, hs_concordance, country_codes]
