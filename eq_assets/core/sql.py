"""Running DuckDB SQL on pandas frames (joins and aggregation stay in DuckDB)."""

from __future__ import annotations

import duckdb
import pandas as pd


def run_sql(sql: str, params: list | None = None, /, **frames: pd.DataFrame) -> pd.DataFrame:
    """Execute ``sql`` with each keyword frame registered under its name; return a DataFrame."""
    con = duckdb.connect()
    try:
        con.execute("SET preserve_insertion_order = true")
        for name, frame in frames.items():
            con.register(name, frame)
        return con.execute(sql, params or []).fetchdf()
    finally:
        con.close()


def count_sql(sql: str, params: list | None = None, /, **frames: pd.DataFrame) -> int:
    return int(run_sql(sql, params, **frames).iloc[0, 0])
