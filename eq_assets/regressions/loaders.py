"""Column-pruned loaders for :func:`eq_assets.regressions.engine.run_specs`.

``run_specs(specs, load)`` calls ``load(columns)`` once per specification; these helpers build
such a ``load`` so that only the columns a fit needs are read from a (10M-row) panel.
"""

from __future__ import annotations

from os import PathLike
from typing import Callable

import duckdb
import pandas as pd


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def duckdb_loader(
    database: "str | PathLike | duckdb.DuckDBPyConnection", table: str, *, schema: str | None = None
) -> Callable[[tuple[str, ...]], pd.DataFrame]:
    """``load(columns)`` reading ``SELECT <columns> FROM [schema.]table`` from DuckDB.

    ``database`` is a path (opened read-only for each load, so a warehouse writer is not blocked
    longer than the read) or an open connection (used as is).
    """
    target = (f"{_quote(schema)}." if schema else "") + _quote(table)

    def load(columns: tuple[str, ...]) -> pd.DataFrame:
        sql = f"select {', '.join(_quote(c) for c in columns)} from {target}"
        if isinstance(database, duckdb.DuckDBPyConnection):
            return database.execute(sql).df()
        with duckdb.connect(str(database), read_only=True) as con:
            return con.execute(sql).df()

    return load


def frame_loader(frame: pd.DataFrame) -> Callable[[tuple[str, ...]], pd.DataFrame]:
    """``load(columns)`` over an in-memory frame (tests, small panels)."""

    def load(columns: tuple[str, ...]) -> pd.DataFrame:
        return frame[list(columns)]

    return load
