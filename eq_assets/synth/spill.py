"""Per-year parts of the generator's tables, spilled to Parquet so memory stays at one year.

The generator draws one year at a time, but some outputs need every year: the patent file
(sorted by application number over 2004-2019), the firm-anonymous customs aggregate, the
latent firm-years, and the oracle panels whose truths are regressions on all years. Each year's
part of such a table is written with DuckDB's ``COPY ... TO (FORMAT parquet)`` into a temporary
directory (:class:`Spill`), and the final files are assembled and the oracle fitted from there,
loading only the columns each step needs.

Order: a part written with ``ordered=True`` carries its part number and row number
(``_part``, ``_row``), so an assembled table can be put back in exactly the order the in-memory
concatenation had (or sorted stably on a key, ties in that order) with an explicit ``ORDER BY``.

The directory is created under the output directory (not the system temp dir, which may be a
RAM-backed tmpfs) with the prefix :data:`SPILL_PREFIX` and removed when the :class:`Spill` is
closed, also after an error.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

#: name prefix of the temporary spill directory inside the output directory
SPILL_PREFIX = ".synth_spill_"
#: the ordering columns of parts written with ``ordered=True``
ORDER_COLUMNS = ("_part", "_row")


#: A release is skipped while the process holds less than this (resident bytes): its cost, a full
#: garbage collection, is about 0.1 s, and the tiny world's oracle makes over a hundred fits (the P1
#: oracle took 31 s instead of 15 s at SCALE=tiny); below it there is little to hand back.
RELEASE_MIN_RSS = 1 << 30


def _resident_bytes() -> int | None:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def release_memory() -> None:
    """Hand freed memory back to the operating system before a phase that needs a lot (the P1
    oracle's fits at SCALE=paper): Python's cycles, Arrow's allocator pool, and glibc's heap
    (``malloc_trim``; by hand with ctypes: no library exposes it; a no-op where glibc is absent).
    Skipped below :data:`RELEASE_MIN_RSS`. Numbers are not affected: only pages no object uses
    are released."""
    import ctypes
    import gc

    import pyarrow as pa

    rss = _resident_bytes()
    if rss is not None and rss < RELEASE_MIN_RSS:
        return
    gc.collect()
    pa.default_memory_pool().release_unused()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _lit(path: Path | str) -> str:
    return "'" + Path(path).as_posix().replace("'", "''") + "'"


def quote(name: str) -> str:
    """A DuckDB identifier."""
    return '"' + name.replace('"', '""') + '"'


class Spill:
    """A temporary directory of Parquet parts, one sub-directory per table; a context manager.

    ``con`` is the generator's DuckDB connection; ``memory_limit`` caps DuckDB's own buffers
    (its sorts spill to the same directory beyond it).
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, parent: Path, memory_limit: str = "1GB", *,
                 root: Path | None = None) -> None:
        self.con = con
        self._owner = root is None
        self.root = Path(tempfile.mkdtemp(prefix=SPILL_PREFIX, dir=parent)) if root is None else Path(root)
        con.execute(f"set temp_directory = {_lit(self.root / ('_duckdb_tmp' if self._owner else f'_duckdb_tmp_{os.getpid()}'))}")
        con.execute(f"set memory_limit = '{memory_limit}'")
        self._parts: dict[str, dict[int, Path]] = {}

    @classmethod
    def attach(cls, con: duckdb.DuckDBPyConnection, root: Path, memory_limit: str = "1GB", threads: int = 1) -> "Spill":
        """A writer into another :class:`Spill`'s directory (a worker process drawing some years):
        its parts are handed to the owner with :meth:`adopt`; closing it removes nothing.

        ``threads``: DuckDB threads of ``con``. One by default: the worker processes already
        share the cores (one year each), and a COPY run on several threads buffers the threads'
        output to keep the rows in order (at SCALE=paper 0.2-0.4 GB more per worker while a
        year's customs CSV or oracle panel is written; issue 8). The bytes are the same."""
        con.execute(f"set threads = {int(threads)}")
        return cls(con, root.parent, memory_limit, root=root)

    # -- writing -------------------------------------------------------------------------------

    def put(self, table: str, df: pd.DataFrame, *, ordered: bool = False, part: int | None = None) -> None:
        """Write ``df`` as part ``part`` of ``table`` (default: after the last one), with
        ``_part``/``_row`` if ``ordered``. Parts are read in part order, whatever the order they
        were written in (the years drawn in two processes)."""
        parts = self._parts.setdefault(table, {})
        if part is None:
            part = max(parts, default=-1) + 1
        if part in parts:
            raise ValueError(f"spill {table}: part {part} written twice")
        path = self.root / table / f"part_{part:04d}.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        frame = df
        if ordered:
            frame = df.assign(_part=np.int32(part), _row=np.arange(len(df), dtype=np.int64))
        self.con.register("_spill_part", frame)
        try:
            self.con.execute(f"copy (select * from _spill_part) to {_lit(path)} (format parquet)")
        finally:
            self.con.unregister("_spill_part")
        parts[part] = path

    def written(self) -> dict[str, dict[int, Path]]:
        """The parts written through this object: {table: {part: path}}."""
        return {t: dict(p) for t, p in self._parts.items()}

    def adopt(self, parts: dict[str, dict[int, Path]]) -> None:
        """Take over parts another writer (:meth:`attach`) wrote into this directory."""
        for table, by_part in parts.items():
            mine = self._parts.setdefault(table, {})
            for part, path in by_part.items():
                if part in mine:
                    raise ValueError(f"spill {table}: part {part} written twice")
                mine[part] = Path(path)

    # -- reading -------------------------------------------------------------------------------

    def has(self, table: str) -> bool:
        return bool(self._parts.get(table))

    def scan(self, table: str, part: int | None = None) -> str:
        """SQL table expression over every part of ``table`` (or one ``part``)."""
        files = self._files(table) if part is None else [self._files(table)[part]]
        return f"read_parquet([{', '.join(_lit(f) for f in files)}])"

    def _files(self, table: str) -> list[Path]:
        return [self._parts[table][k] for k in sorted(self._parts[table])]

    def n_parts(self, table: str) -> int:
        return len(self._parts.get(table, ()))

    def columns(self, table: str) -> list[str]:
        """Column names of ``table`` (its first part), without the ordering columns."""
        rel = self.con.sql(f"select * from {self.scan(table, 0)} limit 0")
        return [c for c in rel.columns if c not in ORDER_COLUMNS]

    def frame(self, table: str, columns: list[str] | None = None, part: int | None = None) -> pd.DataFrame:
        """``table`` (or its ``part``-th part in part order) as pandas, in written order, with only ``columns``."""
        cols = columns if columns is not None else self.columns(table)
        sel = ", ".join(quote(c) for c in cols)
        order = " order by _part, _row" if "_part" in self.con.sql(f"select * from {self.scan(table, 0)} limit 0").columns else ""
        return self.con.execute(f"select {sel} from {self.scan(table, part)}{order}").df()

    # -- lifetime ------------------------------------------------------------------------------

    def close(self) -> None:
        if self._owner:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> "Spill":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
