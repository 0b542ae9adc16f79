"""The warehouse: one Parquet file per table partition, written only after its checks pass.

Layout under ``settings.warehouse_dir()`` (default ``data/warehouse``)::

    tables/<asset>/<year>.parquet      a yearly asset's partition
    tables/<asset>/all.parquet         an unpartitioned asset
    tables/<asset>/.staging/...        a version being checked (never read by anyone else)
    catalog.duckdb                     a view ``eq.<asset>`` per table, for people and tools
    LOCK, .lock                        the run lease (:mod:`eq_assets.core.lock`)

Why Parquet files and not one DuckDB database: DuckDB allows one writer per database file, so
year partitions could not be written by concurrent processes (Dagster's multiprocess executor,
dask or celery workers); one file per partition can, and a new version replaces the last good
one with one atomic ``os.replace`` after its blocking checks pass (stage, check, swap:
:func:`eq_assets.core.publish.publish`). Readers see either the old or the new file, never a
half-written one. DuckDB reads the files in place (projection and filter pushdown), so big
tables go from file to SQL without passing through pandas.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import duckdb
import pandas as pd

from eq_assets import settings

UNPARTITIONED = "all"


def _q(identifier: str) -> str:
    return '"' + str(identifier).replace('"', '""') + '"'


def _lit(path: str | Path) -> str:
    return "'" + Path(path).as_posix().replace("'", "''") + "'"


#: DuckDB's memory limit per process unless ``EQ_DUCKDB_MEMORY`` says otherwise. DuckDB's own
#: default (80% of RAM in every process) let one SQL step hold 9.5 GiB at paper scale while
#: another step ran beside it; with 4 GB it spills instead (two processes of the runner at a time).
DUCKDB_MEMORY = "4GB"


def duckdb_connect(database: str = ":memory:", *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with the project's settings.

    ``EQ_THREADS`` (default 1) and ``EQ_DUCKDB_MEMORY`` (default :data:`DUCKDB_MEMORY`) bound
    each process; beyond it DuckDB spills to the warehouse's ``.tmp``. Insertion order is preserved so that outputs are deterministic.

    One thread by default because a multithreaded hash aggregate adds a group's doubles in an
    order that depends on thread scheduling: the last bits of sums (an observation's value, a
    value-weighted quality) then vary between runs, and with them every downstream file
    (measured: 3 of 2,750 ``customs_exports`` values and then 538 ``Distance`` values of a tiny
    year differed between a dask worker and the in-process runner). Byte-identical reruns are a
    promise of the project; the parallelism comes from running year partitions in separate
    processes (``python -m eq_assets.run -j``). ``EQ_THREADS=N`` trades that promise for speed.
    """
    con = duckdb.connect(database, read_only=read_only)
    con.execute("set preserve_insertion_order = true")
    con.execute("set enable_progress_bar = false")
    con.execute(f"set threads = {int(os.environ.get('EQ_THREADS') or 1)}")
    con.execute(f"set memory_limit = '{os.environ.get('EQ_DUCKDB_MEMORY') or DUCKDB_MEMORY}'")
    tmp = settings.warehouse_dir() / ".tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    con.execute(f"set temp_directory = {_lit(tmp)}")
    return con


def estimation_frame(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    """The rows of ``sql`` for estimation: numbers as numpy columns, text as pandas Categorical
    with sorted categories (Arrow's dictionary encoding: 10 million firm ids cost ~40 MB of codes
    instead of ~600 MB of Python strings; comparisons, ``isin`` and ``factorize(sort=True)`` give
    the answers of the strings). The one loader of the regression engine's panels (regression
    tables, the synthetic world's oracle)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    at = con.sql(sql).to_arrow_table()
    cols = {}
    for name in at.column_names:
        col = at.column(name)
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            col = pc.dictionary_encode(col.combine_chunks())
        cols[name] = col
    out = pa.table(cols).to_pandas(split_blocks=True, self_destruct=True)
    for name in out.columns:  # categories in sorted order: the codes of factorize(sort=True)
        if isinstance(out[name].dtype, pd.CategoricalDtype):
            out[name] = out[name].cat.reorder_categories(sorted(out[name].cat.categories))
    return out


@dataclass(frozen=True)
class Table:
    """A stored table (some or all of its partitions), read in place by DuckDB.

    What an asset receives for an input annotated ``Table`` (instead of ``pd.DataFrame``): no
    rows are loaded until a query runs. ``sql`` is a FROM-clause expression::

        con.sql(f"select year, sum(value_usd) from {customs_exports.sql} group by year")
    """

    name: str
    paths: tuple[str, ...]
    columns: tuple[str, ...] | None = None

    @property
    def sql(self) -> str:
        if not self.paths:
            raise FileNotFoundError(f"table {self.name}: no stored partitions")
        files = "[" + ", ".join(_lit(p) for p in self.paths) + "]"
        rel = f"read_parquet({files})"
        if self.columns:
            return f"(select {', '.join(_q(c) for c in self.columns)} from {rel})"
        return rel

    def df(self, columns: Sequence[str] | None = None, where: str | None = None,
           con: duckdb.DuckDBPyConnection | None = None) -> pd.DataFrame:
        """Load into pandas (only ``columns`` if given): for the small tables and the numeric
        columns the economics needs."""
        cols = ", ".join(_q(c) for c in columns) if columns else "*"
        sql = f"select {cols} from {self.sql}" + (f" where {where}" if where else "")
        own = con is None
        con = con or duckdb_connect()
        try:
            return con.execute(sql).df()
        finally:
            if own:
                con.close()

    def frame(self, columns: Sequence[str], con: duckdb.DuckDBPyConnection | None = None) -> pd.DataFrame:
        """Load ``columns`` for estimation (:func:`estimation_frame`), in the stored row order."""
        own = con is None
        con = con or duckdb_connect()
        try:
            return estimation_frame(con, f"select {', '.join(_q(c) for c in columns)} from {self.sql}")
        finally:
            if own:
                con.close()

    def count(self, con: duckdb.DuckDBPyConnection | None = None) -> int:
        own = con is None
        con = con or duckdb_connect()
        try:
            return int(con.execute(f"select count(*) from {self.sql}").fetchone()[0])
        finally:
            if own:
                con.close()


@dataclass(frozen=True)
class Staged:
    """A validated new version of one table partition, waiting to be published."""

    name: str
    partition: str | None
    path: str
    rows: int

    def df(self) -> pd.DataFrame:
        """The staged rows (for tests that call an asset function directly)."""
        con = duckdb.connect()
        try:
            return con.execute(f"select * from read_parquet({_lit(self.path)})").df()
        finally:
            con.close()


class Warehouse:
    """Paths of the warehouse (see module docstring)."""

    def __init__(self, root: str | Path | None = None):
        self.root = Path(root) if root else settings.warehouse_dir()

    # ---- paths ----
    def table_dir(self, name: str) -> Path:
        return self.root / "tables" / name

    def partition_path(self, name: str, partition: str | None) -> Path:
        return self.table_dir(name) / f"{partition or UNPARTITIONED}.parquet"

    def stage_path(self, name: str, partition: str | None) -> Path:
        d = self.table_dir(name) / ".staging"
        d.mkdir(parents=True, exist_ok=True)
        return d / f"{partition or UNPARTITIONED}.{os.getpid()}.{uuid.uuid4().hex[:8]}.parquet"

    def stored_partitions(self, name: str) -> list[str]:
        d = self.table_dir(name)
        return sorted(p.stem for p in d.glob("*.parquet")) if d.exists() else []

    def table(self, name: str, partitions: Iterable[str] | None = None, columns: Sequence[str] | None = None) -> Table:
        """The stored table, restricted to ``partitions``; a missing partition is an error."""
        if partitions is None:
            parts = self.stored_partitions(name)
            if not parts:
                raise MissingTableError(name, [], self.root)
        else:
            parts = list(partitions)
            missing = [p for p in parts if not self.partition_path(name, p).exists()]
            if missing:
                raise MissingTableError(name, missing, self.root)
        return Table(name, tuple(str(self.partition_path(name, p)) for p in parts), tuple(columns) if columns else None)

    # ---- publication ----
    def publish(self, staged: Staged) -> Path:
        """Replace the stored partition by the staged file (atomic rename on one filesystem)."""
        final = self.partition_path(staged.name, staged.partition)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged.path, final)
        fd = os.open(final.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        return final

    def discard(self, path: str | Path) -> None:
        try:
            Path(path).unlink()
        except FileNotFoundError:
            pass

    def clean_staging(self) -> int:
        """Remove staged files left by dead processes (a killed run); returns how many."""
        n = 0
        for f in (self.root / "tables").glob("*/.staging/*.parquet"):
            try:
                pid = int(f.name.split(".")[1])
            except (IndexError, ValueError):
                pid = -1
            if pid == os.getpid() or not _pid_alive(pid):
                f.unlink(missing_ok=True)
                n += 1
        return n

    # ---- reading ----
    def table_names(self) -> list[str]:
        base = self.root / "tables"
        return sorted(d.name for d in base.iterdir() if d.is_dir() and any(d.glob("*.parquet"))) if base.exists() else []

    def attach_views(self, con: duckdb.DuckDBPyConnection, schema: str = "eq") -> list[str]:
        """Create ``schema.<table>`` views over every stored table (a glob: new partitions show)."""
        con.execute(f"create schema if not exists {_q(schema)}")
        names = self.table_names()
        for name in names:
            glob = self.table_dir(name) / "*.parquet"
            con.execute(f"create or replace view {_q(schema)}.{_q(name)} as select * from read_parquet({_lit(glob)})")
        return names

    def connect(self) -> duckdb.DuckDBPyConnection:
        """An in-memory DuckDB connection with a view ``eq.<table>`` per stored table."""
        con = duckdb_connect()
        self.attach_views(con)
        return con

    def write_catalog(self) -> Path:
        """``catalog.duckdb``: the same views in a database file, for the DuckDB CLI or a notebook."""
        path = self.root / "catalog.duckdb"
        tmp = path.with_name(f".catalog.{os.getpid()}.duckdb")
        tmp.unlink(missing_ok=True)
        con = duckdb.connect(str(tmp))
        try:
            self.attach_views(con)
        finally:
            con.close()
        os.replace(tmp, path)
        return path


class MissingTableError(FileNotFoundError):
    """An input table (or some of its partitions) has never been materialized."""

    def __init__(self, name: str, partitions: list[str], root: Path):
        what = f"partition(s) {', '.join(partitions)} of " if partitions else ""
        super().__init__(
            f"{what}table {name!r} not found in the warehouse {root}: materialize it first "
            f"(`python -m eq_assets.run`, or select it with its upstream assets)"
        )


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
