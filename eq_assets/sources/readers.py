"""Reading raw source files with DuckDB, with clear errors for bad input.

Every file is read as text first (``all_varchar``), its headers are checked against the
contract, columns are renamed to canonical names, and typed columns are cast with
``TRY_CAST``. A header that is missing, or a cell that should be numeric and is not, raises
:class:`InputDataError` naming the file, the original and canonical column, the file's line
numbers and the values seen. Raw files are only read, never modified.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from eq_assets.core.errors import InputDataError
from eq_assets.sources.contract import RawSource

#: Canonical column types; anything not listed stays text (codes keep their leading zeros).
NUMERIC_TYPES: dict[str, dict[str, str]] = {
    "customs": {"year": "INTEGER", "month": "INTEGER", "quantity": "DOUBLE", "value_usd": "DOUBLE"},
    "asif": {
        "year": "INTEGER",
        "open_year": "INTEGER",
        "employees": "DOUBLE",
        "total_assets": "DOUBLE",
        "fixed_assets": "DOUBLE",
        "current_assets": "DOUBLE",
        "current_liabilities": "DOUBLE",
        "total_liabilities": "DOUBLE",
        "total_profit": "DOUBLE",
        "gross_output": "DOUBLE",
        "value_added": "DOUBLE",
        "intermediate_input": "DOUBLE",
        "wage_bill": "DOUBLE",
        "export_delivery": "DOUBLE",
        "revenue": "DOUBLE",
    },
    "patents": {"app_year": "INTEGER", "citations": "DOUBLE"},
    "city_panel": {
        "year": "INTEGER",
        "gdp": "DOUBLE",
        "gdp_pc": "DOUBLE",
        "population": "DOUBLE",
        "n_industrial_firms": "DOUBLE",
    },
}


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass
class Scan:
    """A raw source read in place: ``view`` (a DuckDB view on ``con``) has the canonical, typed
    columns plus ``source_file`` (path relative to the raw directory) and ``source_line`` (the
    file's line number, header = line 1); ``report`` describes what was read (pre-flight)."""

    view: str
    columns: list[str]
    report: dict = field(default_factory=dict)


def scan_source(
    source: RawSource,
    raw_dir: Path,
    year: int | None = None,
    *,
    con: duckdb.DuckDBPyConnection,
    where: str | None = None,
) -> Scan:
    """Read one raw source (one year's file for yearly sources) into canonical columns, in place.

    Headers are checked against the contract and every typed cell is checked before anything is
    returned (file, column, line numbers and values in every error). ``where`` is an optional
    SQL filter on canonical (typed) columns, applied in DuckDB.
    """
    rel_path = source.path_for(year)
    path = Path(raw_dir) / rel_path
    label = str(path)
    if not path.exists():
        raise InputDataError(
            label,
            "file not found",
            expected=f"the {source.name} source ({source.description}) at {source.pattern} under "
            f"the raw directory; run `make synth` to write the synthetic world, or point "
            f"EQ_RAW_DIR at your files",
        )
    lit = path.as_posix().replace("'", "''")
    rel = f"read_csv('{lit}', all_varchar=true, header=true)"
    try:
        headers = [r[0] for r in con.execute(f"describe select * from {rel}").fetchall()]
    except duckdb.Error as exc:  # unreadable CSV: say which file
        raise InputDataError(label, f"cannot be parsed as CSV: {exc}") from None
    missing = [h for h in source.columns if h not in headers]
    if missing:
        raise InputDataError(
            label,
            "missing column(s) " + ", ".join(f"{h} ({source.columns[h]})" for h in missing),
            column=missing[0],
            expected=f"headers {list(source.columns)}; found {headers}",
        )
    types = {**NUMERIC_TYPES.get(source.name, {}), **source.types}
    name = f"_raw_{source.name}"
    base = f"_lines_{source.name}"
    con.execute(f"create or replace temp view {base} as select row_number() over () + 1 as _line, * from {rel}")
    select, checks = [], []
    for orig, canon in source.columns.items():
        col = f"nullif(trim({_quote(orig)}), '')"
        if canon in types:
            select.append(f"try_cast({col} as {types[canon]}) as {canon}")
            checks.append((orig, canon, col, types[canon]))
        else:
            select.append(f"{col} as {canon}")
    for orig, canon, col, typ in checks:
        bad = con.execute(
            f"select _line, {_quote(orig)} from {base} "
            f"where {col} is not null and try_cast({col} as {typ}) is null order by _line limit 10"
        ).fetchall()
        if bad:
            n_bad = con.execute(
                f"select count(*) from {base} where {col} is not null and try_cast({col} as {typ}) is null"
            ).fetchone()[0]
            raise InputDataError(
                label,
                f"values that are not {typ.lower()}",
                column=f"{orig} ({canon})",
                rows=[f"line {r[0]}" for r in bad],
                n_rows=n_bad,
                examples=[r[1] for r in bad],
                expected=f"{typ.lower()} values or empty cells",
            )
    prov = f"'{rel_path.replace(chr(39), chr(39) * 2)}' as source_file, _line::BIGINT as source_line"
    sql = f"select {', '.join(select)}, {prov} from {base}"
    if where:
        sql = f"select * from ({sql}) where {where}"
    con.execute(f"create or replace temp view {name} as {sql}")
    cols = list(source.columns.values())
    return Scan(view=name, columns=cols, report={"files": [rel_path], "format": "csv", "encoding": "utf-8"})


def read_source(
    source: RawSource,
    raw_dir: Path,
    year: int | None = None,
    *,
    where: str | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
) -> pd.DataFrame:
    """:func:`scan_source` into a pandas frame of the canonical columns (small reference tables)."""
    own = con is None
    con = con or duckdb.connect()
    try:
        scan = scan_source(source, raw_dir, year, con=con, where=where)
        cols = ", ".join(scan.columns)
        return con.execute(f"select {cols} from {scan.view} order by source_line").fetchdf()
    finally:
        if own:
            con.close()
