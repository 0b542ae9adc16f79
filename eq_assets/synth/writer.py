"""Writing raw files with the contract's original headers, fast and byte-reproducibly.

DataFrames are built with canonical column names; :func:`write_source` renames them to the
original (Chinese) headers in the contract's order (``eq_assets.sources.contract``) and writes
UTF-8 CSV with DuckDB's ``COPY ... TO`` (much faster than ``DataFrame.to_csv`` at paper scale);
:func:`write_source_query` does the same from a DuckDB table expression (files assembled from
spilled yearly parts, :mod:`eq_assets.synth.spill`).
Insertion order is preserved, and floats are rounded before writing, so the same draws give
the same bytes. Whole-number columns are written as integers.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from eq_assets.sources.contract import RawSource

#: canonical columns written as integers (the values are whole numbers by construction)
INTEGER_COLUMNS = {
    "year", "month", "quantity", "app_year", "citations", "open_year", "employees", "total_assets",
    "fixed_assets", "current_assets", "current_liabilities", "total_liabilities", "total_profit",
    "gross_output", "value_added", "intermediate_input", "wage_bill", "export_delivery", "revenue",
    "gdp", "gdp_pc", "n_industrial_firms",
}


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _select_list(columns: dict[str, str]) -> str:
    sel = []
    for out, col in columns.items():
        expr = _q(col)
        if col in INTEGER_COLUMNS:
            expr = f"cast(round({expr}) as BIGINT)"
        sel.append(f"{expr} as {_q(out)}")
    return ", ".join(sel)


def _copy_csv(con: duckdb.DuckDBPyConnection, query: str, path: Path) -> int:
    lit = path.as_posix().replace("'", "''")
    return int(con.execute(f"copy ({query}) to '{lit}' (header, delimiter ',')").fetchall()[0][0])


def write_frame(con: duckdb.DuckDBPyConnection, df: pd.DataFrame | pa.Table | pa.RecordBatchReader, path: Path,
                columns: dict[str, str] | None = None) -> int:
    """Write ``df`` (pandas, Arrow, or a stream of Arrow record batches, consumed batch by batch
    in order: the customs rows, :mod:`eq_assets.synth.shipments`) to ``path``; ``columns`` maps
    output header -> df column (default: as is). Returns the number of rows written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(df, pa.RecordBatchReader):
        names = list(df.schema.names)
    else:
        names = list(df.column_names if isinstance(df, pa.Table) else df.columns)
    columns = columns or {c: c for c in names}
    missing = [c for c in columns.values() if c not in names]
    if missing:
        raise KeyError(f"{path.name}: frame lacks column(s) {missing}")
    con.register("_frame", df)
    try:
        return _copy_csv(con, f"select {_select_list(columns)} from _frame", path)
    finally:
        con.unregister("_frame")


def write_source(con: duckdb.DuckDBPyConnection, df: pd.DataFrame | pa.Table | pa.RecordBatchReader, source: RawSource, raw_dir: Path, year: int | None = None) -> int:
    """Write a canonical frame as the raw file of ``source`` with the contract's headers."""
    return write_frame(con, df, Path(raw_dir) / source.path_for(year), dict(source.columns))


def write_source_query(con: duckdb.DuckDBPyConnection, table: str, order_by: str, source: RawSource, raw_dir: Path) -> int:
    """Write the raw file of ``source`` from a DuckDB table expression ``table`` (canonical
    column names; e.g. ``read_parquet([...])`` over spilled parts), rows in ``order_by`` order;
    the same formatting as :func:`write_source`. Returns the number of rows."""
    path = Path(raw_dir) / source.path_for()
    path.parent.mkdir(parents=True, exist_ok=True)
    return _copy_csv(con, f"select {_select_list(dict(source.columns))} from {table} order by {order_by}", path)
