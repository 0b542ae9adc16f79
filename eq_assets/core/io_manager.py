"""The warehouse I/O manager: pandas DataFrames in DuckDB tables, one partition per year.

Built on dagster-duckdb-pandas, with two changes the project needs (both are pitfalls of the
stock manager, measured on dagster-duckdb-pandas 0.29):

1. **Atomic partition writes.** The stock client deletes the partition's rows and then inserts
   the new ones in autocommit mode, so a failure between the two loses the last good version.
   Here the delete and insert run in one transaction: a failed write rolls back and leaves the
   previous version in place (brief: "a failed run leaves the last good version").
2. **Insert by column name, not position.** The stock handler inserts with
   ``INSERT INTO t SELECT * FROM df``; if a later partition's frame has its columns in another
   order the values land in the wrong columns. Here ``INSERT INTO t BY NAME`` is used, and a
   frame whose columns differ from the stored table's is refused with a clear error.

DuckDB allows a single writer per database file: run partitions one after another (the project's
runner does; the Dagster instance under ``data/dagster_home`` limits queued runs to one).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Sequence

import pandas as pd
from dagster import OutputContext
from dagster._core.storage.db_io_manager import DbIOManager, TableSlice
from dagster_duckdb.io_manager import DuckDbClient
from dagster_duckdb_pandas import DuckDBPandasIOManager, DuckDBPandasTypeHandler


class WarehouseSchemaError(RuntimeError):
    """A frame's columns do not match the warehouse table it is written to."""


class AtomicDuckDbClient(DuckDbClient):
    """DuckDbClient whose connection wraps everything it does in one transaction."""

    @staticmethod
    def delete_table_slice(context: OutputContext, table_slice: TableSlice, connection) -> None:
        # The stock client runs the DELETE and swallows "table does not exist"; inside a
        # transaction that error would abort it, so check for the table first.
        exists = connection.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [table_slice.schema, table_slice.table],
        ).fetchone()[0]
        if exists:
            DuckDbClient.delete_table_slice(context, table_slice, connection)

    @staticmethod
    @contextmanager
    def connect(context, table_slice):
        with DuckDbClient.connect(context, table_slice) as conn:
            conn.execute("BEGIN TRANSACTION")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            else:
                conn.execute("COMMIT")


class ByNamePandasTypeHandler(DuckDBPandasTypeHandler):
    """Stores a DataFrame by column name; refuses a frame whose columns differ from the table."""

    def handle_output(self, context: OutputContext, table_slice: TableSlice, obj: pd.DataFrame, connection):
        table = f"{table_slice.schema}.{table_slice.table}"
        exists = connection.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [table_slice.schema, table_slice.table],
        ).fetchone()[0]
        obj = obj.reset_index(drop=True)
        if not exists:
            connection.execute(f"create table {table} as select * from obj")
        else:
            stored = [r[0] for r in connection.execute(f"describe {table}").fetchall()]
            if sorted(stored) != sorted(map(str, obj.columns)):
                missing = sorted(set(stored) - set(map(str, obj.columns)))
                extra = sorted(set(map(str, obj.columns)) - set(stored))
                raise WarehouseSchemaError(
                    f"warehouse table {table}: the new output's columns differ from the stored "
                    f"table's (missing {missing}, extra {extra}). The asset's schema changed: "
                    f"rematerialize all its partitions after dropping the table "
                    f"(`make clean-warehouse`)."
                )
            connection.execute(f"insert into {table} by name select * from obj")
        return {"row_count": len(obj)}

    def load_input(self, context, table_slice: TableSlice, connection) -> pd.DataFrame:
        """Load with the selected column names quoted: the stock select statement joins them
        unquoted, so a column named like an SQL keyword (P2's ownership dummy ``foreign``) fails."""
        if table_slice.columns:
            quoted = ['"' + str(c).replace('"', '""') + '"' for c in table_slice.columns]
            table_slice = table_slice._replace(columns=quoted)
        return super().load_input(context, table_slice, connection)


class WarehouseIOManager(DuckDBPandasIOManager):
    """DuckDB pandas I/O manager with atomic, by-name partition writes (see module docstring)."""

    @staticmethod
    def type_handlers() -> Sequence:
        return [ByNamePandasTypeHandler()]

    def create_io_manager(self, context) -> DbIOManager:
        return DbIOManager(
            db_client=AtomicDuckDbClient(),
            database=self.database,
            schema=self.schema_,
            type_handlers=self.type_handlers(),
            default_load_type=self.default_load_type(),
            io_manager_name="WarehouseIOManager",
        )
