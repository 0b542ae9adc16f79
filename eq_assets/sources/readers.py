"""Reading raw source files: ``scan_source`` (a DuckDB relation, any format) and ``read_source``.

``scan_source`` (:mod:`eq_assets.sources.scan`) is the reading layer: the files of one source
and year in whatever layout and format the mapping (``mapping/*.toml``) allows, as a relation
with canonical, typed columns plus ``source_file`` and ``source_line``, and a pre-flight report.
``read_source`` keeps the older interface for small reference tables: the same scan, fetched
into pandas with the canonical columns only. Either way every error names the file, the
original and canonical column, the lines and the values seen; raw files are only read.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from eq_assets.sources.mapping import MAPPING_DIR, SourceMapping, load_mapping
from eq_assets.sources.raw_source import RawSource
from eq_assets.sources.scan import PROVENANCE, Scan, resolve_files, scan_source  # noqa: F401 (re-exported)

#: Canonical column types (non-text columns) per source, from the shipped mapping; anything not
#: listed stays text (codes keep their leading zeros).
NUMERIC_TYPES: dict[str, dict[str, str]] = {
    name: {c.name: c.type for c in sm.columns if c.type != "VARCHAR"}
    for name, sm in load_mapping(MAPPING_DIR).items()
}


def read_source(
    source: RawSource | SourceMapping | str,
    raw_dir: Path,
    year: int | None = None,
    *,
    where: str | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
    mapping: dict[str, SourceMapping] | str | Path | None = None,
) -> pd.DataFrame:
    """Read one raw source (one year's file(s) for yearly sources) into canonical columns.

    ``where`` is an optional SQL filter on canonical (typed) columns, applied in DuckDB so that
    only the rows needed reach pandas. Rows of another year are not refused here (the source
    assets check them); use :func:`scan_source` for large tables.
    """
    con = con or duckdb.connect()
    with scan_source(source, raw_dir, year, con=con, mapping=mapping, check_year=False) as s:
        cols = ", ".join('"' + c + '"' for c in s.columns)
        sql = f"select {cols} from {s.view}"
        if where:
            sql = f"select * from ({sql}) where {where}"
        return con.execute(sql).fetchdf()
