"""Running a transform's DuckDB SQL on stored tables or on pandas frames alike.

Transforms of big tables are written as SQL over named relations (``raw``, ``conc`` ...). An
asset binds the stored :class:`~eq_assets.core.warehouse.Table` inputs to those names (DuckDB
reads the Parquet files in place) and hands the resulting query to ``publish``; a test binds
small pandas frames to the same names and fetches the result (:func:`run_transform`). One SQL,
two kinds of input.
"""

from __future__ import annotations

from typing import Callable

import duckdb
import pandas as pd

from eq_assets.core.warehouse import Table, duckdb_connect


def bind(con: duckdb.DuckDBPyConnection, **inputs) -> None:
    """Make each input queryable under its keyword name (a frame, a stored Table or a relation)."""
    for name, obj in inputs.items():
        if obj is None:
            continue
        if isinstance(obj, pd.DataFrame):
            con.register(name, obj)
        elif isinstance(obj, Table):
            con.execute(f'create or replace temp view "{name}" as select * from {obj.sql}')
        elif isinstance(obj, duckdb.DuckDBPyRelation):
            obj.create_view(name, replace=True)
        else:
            raise TypeError(f"cannot bind {type(obj).__name__} as {name!r}")


def run_transform(fn: Callable, *args, inputs: dict, **kwargs):
    """Call ``fn(con, *args, **kwargs)`` (which returns ``sql`` or ``(sql, *rest)``) on a fresh
    connection with ``inputs`` bound, and return the query's rows as a DataFrame (plus rest)."""
    con = duckdb_connect()
    try:
        bind(con, **inputs)
        got = fn(con, *args, **kwargs)
        if isinstance(got, tuple):
            return (con.execute(got[0]).df(), *got[1:])
        return con.execute(got).df()
    finally:
        con.close()


def count(con: duckdb.DuckDBPyConnection, relation: str) -> int:
    return int(con.execute(f"select count(*) from {relation}").fetchone()[0])


def run_sql(sql: str, params: list | None = None, /, **frames: pd.DataFrame) -> pd.DataFrame:
    """Execute ``sql`` with each keyword frame registered under its name; return a DataFrame."""
    con = duckdb_connect()  # one thread: deterministic float sums (core.warehouse.duckdb_connect)
    try:
        con.execute("SET preserve_insertion_order = true")
        for name, frame in frames.items():
            con.register(name, frame)
        return con.execute(sql, params or []).fetchdf()
    finally:
        con.close()


def count_sql(sql: str, params: list | None = None, /, **frames: pd.DataFrame) -> int:
    return int(run_sql(sql, params, **frames).iloc[0, 0])
