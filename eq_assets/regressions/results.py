"""results.csv: one row per estimated coefficient of every fitted specification.

The file is the pipeline's single machine-readable output of the regressions; tables are
rendered from it (:mod:`eq_assets.reports.tables`). It is deterministic: rows in a stable order
(paper, table, column in natural order, then terms in model order), floats written with
``%.10g``, ``\\n`` line ends, and the file is replaced atomically (temp file + ``os.replace``)
so a reader never sees a half-written file.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pandas as pd

#: Columns added after ``sample`` (new columns are only ever appended): the within R2 and the
#: adjusted within R2 of the fit (fixest ``r2(x, "wr2")`` / ``"war2"``; NaN without fixed effects),
#: the variant, and the R2 (fixest ``r2(x, "r2")``; P2 prints it where a column has no FE).
#: Rows handed to :func:`results_frame` without them get NaN.
ADDED_COLUMNS: tuple[str, ...] = ("r2_within", "adj_r2_within", "variant", "r2")
#: value of an added column for rows handed in without it
ADDED_DEFAULTS = {"r2_within": float("nan"), "adj_r2_within": float("nan"), "variant": "", "r2": float("nan")}

#: Columns of results.csv, in order.
RESULT_COLUMNS: tuple[str, ...] = (
    "paper", "table", "column", "term", "estimate", "std_error", "p_value",
    "n_obs", "adj_r2", "fixed_effects", "vcov", "sample",
) + ADDED_COLUMNS

FLOAT_FORMAT = "%.10g"
#: Permissions of every written output file (rw-r--r--).
OUTPUT_MODE = 0o644

_DTYPES = {
    "paper": "string", "table": "string", "column": "string", "term": "string",
    "estimate": "float64", "std_error": "float64", "p_value": "float64", "n_obs": "int64",
    "adj_r2": "float64", "fixed_effects": "string", "vcov": "string", "sample": "string",
    "r2_within": "float64", "adj_r2_within": "float64", "variant": "string", "r2": "float64",
}


def natural_key(value: str) -> tuple:
    """Sort key that puts "2" before "10" (tables and columns are numbered strings)."""
    return tuple((0, int(t), "") if t.isdigit() else (1, 0, t) for t in re.split(r"(\d+)", str(value)) if t)


def results_frame(rows: list[dict] | pd.DataFrame) -> pd.DataFrame:
    """Rows -> the results frame: exactly RESULT_COLUMNS, typed, in stable order."""
    df = pd.DataFrame(rows) if not isinstance(rows, pd.DataFrame) else rows.copy()
    if df.empty:
        df = pd.DataFrame({c: pd.Series(dtype=t) for c, t in _DTYPES.items()})
    for c in ADDED_COLUMNS:
        if c not in df.columns:
            df[c] = ADDED_DEFAULTS[c]
    df["variant"] = df["variant"].fillna("")
    missing = [c for c in RESULT_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"results rows lack columns {missing}")
    df = df[list(RESULT_COLUMNS)].astype(_DTYPES)
    return sort_results(df)


def sort_results(df: pd.DataFrame) -> pd.DataFrame:
    """Stable order: (paper, table, column) naturally, the published reading before its variants;
    rows within a column keep their order."""
    variants = df["variant"] if "variant" in df.columns else [""] * len(df)
    keys = [
        (natural_key(p), natural_key(t), natural_key(c), (v != "", str(v)), i)
        for i, (p, t, c, v) in enumerate(zip(df["paper"], df["table"], df["column"], variants))
    ]
    order = [k[-1] for k in sorted(keys)]
    return df.iloc[order].reset_index(drop=True)


def results_csv_text(df: pd.DataFrame) -> str:
    """The exact text of results.csv for ``df``."""
    return results_frame(df).to_csv(index=False, float_format=FLOAT_FORMAT, lineterminator="\n")


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` via a temp file in the same directory and ``os.replace``; the
    file is readable by everyone (:data:`OUTPUT_MODE`, 0644)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, OUTPUT_MODE)  # mkstemp creates 0600; outputs are for everyone to read
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; outputs are for everyone to read
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    """:func:`atomic_write_bytes` of ``text`` in UTF-8 (line ends as given)."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def write_results_csv(df: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write results.csv atomically with stable row order and ``%.10g`` floats."""
    return atomic_write_text(path, results_csv_text(df))


def read_results_csv(path: str | os.PathLike) -> pd.DataFrame:
    """Read results.csv back with its declared types (table/column stay strings)."""
    df = pd.read_csv(path, dtype={"paper": str, "table": str, "column": str, "term": str,
                                  "fixed_effects": str, "vcov": str, "sample": str},
                     keep_default_na=False, na_values={"estimate": [""], "std_error": [""],
                                                       "p_value": [""], "adj_r2": [""],
                                                       **{c: [""] for c in ADDED_COLUMNS}})
    return results_frame(df)
