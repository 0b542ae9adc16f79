"""Reading raw source files with DuckDB, with clear errors for bad input.

Every file is read as text first (``all_varchar``), its headers are checked against the
contract, columns are renamed to canonical names, and typed columns are cast with
``TRY_CAST``. A header that is missing, or a cell that should be numeric and is not, raises
:class:`InputDataError` naming the file, the original and canonical column, the file's line
numbers and the values seen. Raw files are only read, never modified.
"""

from __future__ import annotations

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


def read_source(
    source: RawSource,
    raw_dir: Path,
    year: int | None = None,
    *,
    where: str | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
) -> pd.DataFrame:
    """Read one raw source (one year's file for yearly sources) into canonical columns.

    ``where`` is an optional SQL filter on canonical (typed) columns, applied in DuckDB so that
    only the rows needed reach pandas.
    """
    path = Path(raw_dir) / source.path_for(year)
    label = str(path)
    if not path.exists():
        raise InputDataError(
            label,
            "file not found",
            expected=f"the {source.name} source ({source.description}) at {source.pattern} under "
            f"the raw directory; run `make synth` to write the synthetic world, or point "
            f"EQ_RAW_DIR at your files",
        )
    con = con or duckdb.connect()
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
    select, checks = [], []
    for orig, canon in source.columns.items():
        col = f"nullif(trim({_quote(orig)}), '')"
        if canon in types:
            select.append(f"try_cast({col} as {types[canon]}) as {canon}")
            checks.append((orig, canon, col, types[canon]))
        else:
            select.append(f"{col} as {canon}")
    base = f"select row_number() over () + 1 as _line, * from {rel}"
    for orig, canon, col, typ in checks:
        bad = con.execute(
            f"select _line, {_quote(orig)} from ({base}) "
            f"where {col} is not null and try_cast({col} as {typ}) is null order by _line limit 10"
        ).fetchall()
        if bad:
            n_bad = con.execute(
                f"select count(*) from ({base}) where {col} is not null and try_cast({col} as {typ}) is null"
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
    sql = f"select {', '.join(select)} from {rel}"
    if where:
        sql = f"select * from ({sql}) where {where}"
    return con.execute(sql).fetchdf()
