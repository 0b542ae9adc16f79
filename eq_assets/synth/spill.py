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

    def __init__(self, con: duckdb.DuckDBPyConnection, parent: Path, memory_limit: str = "1GB") -> None:
        self.con = con
        self.root = Path(tempfile.mkdtemp(prefix=SPILL_PREFIX, dir=parent))
        con.execute(f"set temp_directory = {_lit(self.root / '_duckdb_tmp')}")
        con.execute(f"set memory_limit = '{memory_limit}'")
        self._parts: dict[str, list[Path]] = {}

    # -- writing -------------------------------------------------------------------------------

    def put(self, table: str, df: pd.DataFrame, *, ordered: bool = False) -> None:
        """Append ``df`` as the next part of ``table`` (with ``_part``/``_row`` if ``ordered``)."""
        parts = self._parts.setdefault(table, [])
        path = self.root / table / f"part_{len(parts):04d}.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        frame = df
        if ordered:
            frame = df.assign(_part=np.int32(len(parts)), _row=np.arange(len(df), dtype=np.int64))
        self.con.register("_spill_part", frame)
        try:
            self.con.execute(f"copy (select * from _spill_part) to {_lit(path)} (format parquet)")
        finally:
            self.con.unregister("_spill_part")
        parts.append(path)

    # -- reading -------------------------------------------------------------------------------

    def has(self, table: str) -> bool:
        return bool(self._parts.get(table))

    def scan(self, table: str, part: int | None = None) -> str:
        """SQL table expression over every part of ``table`` (or one ``part``)."""
        files = self._parts[table] if part is None else [self._parts[table][part]]
        return f"read_parquet([{', '.join(_lit(f) for f in files)}])"

    def n_parts(self, table: str) -> int:
        return len(self._parts.get(table, ()))

    def columns(self, table: str) -> list[str]:
        """Column names of ``table`` (its first part), without the ordering columns."""
        rel = self.con.sql(f"select * from {self.scan(table, 0)} limit 0")
        return [c for c in rel.columns if c not in ORDER_COLUMNS]

    def frame(self, table: str, columns: list[str] | None = None, part: int | None = None) -> pd.DataFrame:
        """``table`` (or one part) as pandas, in written order, with only ``columns``."""
        cols = columns if columns is not None else self.columns(table)
        sel = ", ".join(quote(c) for c in cols)
        order = " order by _part, _row" if "_part" in self.con.sql(f"select * from {self.scan(table, 0)} limit 0").columns else ""
        return self.con.execute(f"select {sel} from {self.scan(table, part)}{order}").df()

    # -- lifetime ------------------------------------------------------------------------------

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> "Spill":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
