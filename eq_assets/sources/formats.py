"""Staging one raw file of any supported format as a DuckDB table or view, without pandas at scale.

Every staged file is a relation on the caller's connection with the file's own columns (native
types: text stays VARCHAR, Stata/Excel/Parquet numbers stay numeric) plus ``_line``: the line in
a CSV counting the header as line 1, the observation number in a ``.dta``, the sheet row in an
``.xlsx`` (header = row 1) or the row number in a Parquet file (1-based).

- CSV: DuckDB ``read_csv`` (all text; the delimiter is the one of the header line; lines that do
  not parse are kept in DuckDB's rejects table and refused with their line, :func:`csv_rejects`). UTF-8 (with or without BOM) is read in place; GBK and
  GB18030 are transcoded to a temporary UTF-8 file by streaming (DuckDB 2.0 reads other
  encodings only through its ``encodings`` extension, which is downloaded at run time and so
  unavailable offline); a byte that is not valid in the encoding stops with its line.
- ``.dta``: pyreadstat in chunks (``read_file_in_chunks``) into a DuckDB temporary table; Stata
  14+ files are UTF-8, older ones (format <= 117) are decoded with the mapping's ``dta_encoding``.
  Variable labels are kept so that a mapping alias may name a label.
- ``.xlsx``/``.xls``: python-calamine (first sheet unless the mapping names one); a column whose
  cells are all numbers is numeric, any other column text.
- Parquet: DuckDB ``read_parquet`` with ``file_row_number``.
"""

from __future__ import annotations

import codecs
import gzip
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from eq_assets.core.errors import InputDataError

_COUNTER = itertools.count()
_BLOCK = 4 << 20  # bytes per transcoding block
_DTA_CHUNK = 200_000  # observations per pyreadstat chunk
NUMERIC_DUCKDB = ("DOUBLE", "FLOAT", "BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "DECIMAL", "UBIGINT", "UINTEGER")


@dataclass
class StagedFile:
    """One file staged on a connection: relation name, headers (with Stata labels) and types."""

    path: Path
    format: str
    encoding: str | None
    relation: str  # a view or temp table on the connection
    headers: list[str]
    labels: dict[str, str] = field(default_factory=dict)  # header -> Stata variable label
    types: dict[str, str] = field(default_factory=dict)  # header -> DuckDB type
    line_word: str = "line"  # how errors name a position: line / observation / row
    temp_files: list[Path] = field(default_factory=list)
    is_table: bool = False
    rejects: str | None = None  # CSV: the DuckDB table of lines that did not parse

    def numeric(self, header: str) -> bool:
        return self.types.get(header, "VARCHAR").upper().startswith(NUMERIC_DUCKDB)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _name(stem: str) -> str:
    return f"_eq_{re.sub(r'[^a-z0-9_]', '_', stem.lower())}_{next(_COUNTER)}"


def _open_bytes(path: Path):
    return gzip.open(path, "rb") if path.name.lower().endswith(".gz") else open(path, "rb")


def detect_encoding(path: Path) -> str:
    """UTF-8 with BOM, UTF-8, else GB18030 (a superset of GBK), judged on the first 4 MB.

    Written here because charset-normalizer misreads short Chinese samples (e.g. as Big5); the
    three encodings these files come in are told apart exactly by these byte rules."""
    with _open_bytes(path) as f:
        head = f.read(_BLOCK)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("gb18030")().decode(head, final=False)
        return "gb18030"
    except UnicodeDecodeError as exc:
        line = head[: exc.start].count(b"\n") + 1
        raise InputDataError(
            str(path), "text encoding not recognised", rows=[f"line {line}"],
            examples=[head[exc.start: exc.start + 4]],
            expected="UTF-8, UTF-8 with BOM, GBK or GB18030; declare `encoding` in the mapping",
        ) from None


def transcode(path: Path, encoding: str, out: Path) -> None:
    """Stream ``path`` from ``encoding`` to UTF-8 in ``out``; a bad byte stops with its line.

    Blocks are cut after a newline: in GBK and GB18030 the byte 0x0A never occurs inside a
    multi-byte character, so no character is split."""
    lines_before, rest = 0, b""
    with _open_bytes(path) as src, open(out, "wb") as dst:
        while True:
            block = src.read(_BLOCK)
            data = rest + block
            if not block:
                cut = len(data)
            else:
                cut = data.rfind(b"\n") + 1
            chunk, rest = data[:cut], data[cut:]
            try:
                dst.write(chunk.decode(encoding).encode("utf-8"))
            except UnicodeDecodeError as exc:
                line = lines_before + chunk[: exc.start].count(b"\n") + 1
                raise InputDataError(
                    str(path), f"bytes that are not valid {encoding}", rows=[f"line {line}"],
                    examples=[chunk[exc.start: exc.start + 4]],
                    expected=f"a text file in {encoding} (declare another `encoding` in the mapping)",
                ) from None
            lines_before += chunk.count(b"\n")
            if not block:
                break


#: delimiters a CSV may use, told apart by their count in the header line
DELIMITERS = (",", "\t", ";", "|")


def header_delimiter(path: Path) -> str:
    """The delimiter of a (UTF-8) CSV: the candidate found most often in its header line.

    Written here rather than left to DuckDB's sniffer: a data line with an unquoted delimiter
    (issue 9: a comma in a firm name on line 78) made the sniffer choose another dialect and
    report every header missing; decided on the header alone, such a line is a parse error of
    its own line (:func:`csv_rejects`)."""
    with _open_bytes(path) as f:
        head = f.read(1 << 20).split(b"\n", 1)[0].decode("utf-8", errors="replace").lstrip("\ufeff")
    counts = {d: head.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: (counts[d], -DELIMITERS.index(d)))
    return best if counts[best] else ","


def _stage_csv(con, path: Path, encoding: str, tmp_dir: Path) -> StagedFile:
    if path.stat().st_size == 0:
        raise InputDataError(str(path), "the file is empty (0 bytes, not even a header line)",
                             expected="a header line and the rows of the source")
    enc = detect_encoding(path) if encoding == "detect" else encoding
    target, temps = path, []
    if enc not in ("utf-8", "utf-8-sig"):
        target = tmp_dir / f"{_name(path.stem)}.csv"
        transcode(path, "gbk" if enc == "gb2312" else enc, target)
        temps.append(target)
    name = _name(path.stem)
    delim = header_delimiter(target)
    # rows that do not parse (too many or too few fields, an unterminated quote) are stored in a
    # rejects table with their line and reason instead of stopping the scan without a line;
    # the scan refuses the file if there are any (csv_rejects)
    src = (f"read_csv({_lit(target.as_posix())}, all_varchar=true, header=true, delim={_lit(delim)}, quote='\"', "
           f"escape='\"', store_rejects=true, rejects_table={_lit(name + '_rej')}, rejects_scan={_lit(name + '_rejscan')})")
    try:
        con.execute(f"create or replace temp view {name} as select row_number() over () + 1 as _line, * from {src}")
        desc = con.execute(f"describe {name}").fetchall()
    except duckdb.Error as exc:
        raise InputDataError(str(path), f"cannot be parsed as CSV: {exc}") from None
    headers = [r[0] for r in desc if r[0] != "_line"]
    return StagedFile(path, "csv", enc, name, headers, types={h: "VARCHAR" for h in headers}, temp_files=temps,
                      rejects=name + "_rej")


def csv_rejects(con, staged: "StagedFile", limit: int = 10) -> tuple[int, list[tuple[int, str, str]]]:
    """Lines of a staged CSV that did not parse, once the file has been read: (how many, the first
    ``limit`` as (line, reason, text))."""
    if not staged.rejects:
        return 0, []
    try:
        n = con.execute(f"select count(distinct line) from {staged.rejects}").fetchone()[0]
    except duckdb.CatalogException:  # no row was rejected: DuckDB created no table
        return 0, []
    rows = con.execute(
        f"select line, first(error_message order by rowid), first(csv_line order by rowid) from {staged.rejects} "
        f"group by line order by line limit {limit}"
    ).fetchall()
    return int(n), [(int(r[0]), r[1], r[2]) for r in rows]


def dta_release(path: Path) -> int:
    """The .dta format number (113-115 before Stata 13, 117 Stata 13, 118/119 Stata 14+)."""
    with open(path, "rb") as f:
        head = f.read(64)
    if head.startswith(b"<stata_dta>"):
        m = re.search(rb"<release>(\d+)</release>", head)
        return int(m.group(1)) if m else 0
    return head[0] if head else 0


_READSTAT_TYPES = {"string": "VARCHAR", "int8": "BIGINT", "int16": "BIGINT", "int32": "BIGINT", "float": "DOUBLE", "double": "DOUBLE"}


def _stage_dta(con, path: Path, dta_encoding: str) -> StagedFile:
    import pyreadstat

    try:
        release = dta_release(path)
        enc = None if release >= 118 else dta_encoding.upper()
        _, meta = pyreadstat.read_dta(str(path), metadataonly=True, encoding=enc)
    except Exception as exc:  # pyreadstat raises its own error types
        raise InputDataError(str(path), f"cannot be read as a Stata file: {exc}") from None
    headers = list(meta.column_names)
    labels = {h: lab for h, lab in zip(headers, meta.column_labels or []) if lab}
    types = {h: _READSTAT_TYPES.get(meta.readstat_variable_types.get(h, "string"), "DOUBLE") for h in headers}
    name = _name(path.stem)
    cols = ", ".join(f"{_q(h)} {types[h]}" for h in headers)
    con.execute(f"create or replace temp table {name} (_line BIGINT, {cols})")
    offset = 0
    try:
        for df, _ in pyreadstat.read_file_in_chunks(
            pyreadstat.read_dta, str(path), chunksize=_DTA_CHUNK, encoding=enc, disable_datetime_conversion=True
        ):
            df.insert(0, "_line", np.arange(offset + 1, offset + len(df) + 1, dtype="int64"))
            offset += len(df)
            con.register("_eq_chunk", df)
            con.execute(f"insert into {name} select * from _eq_chunk")
            con.unregister("_eq_chunk")
    except InputDataError:
        raise
    except Exception as exc:
        raise InputDataError(str(path), f"cannot be read as a Stata file after observation {offset}: {exc}") from None
    return StagedFile(path, "dta", enc or "utf-8", name, headers, labels, types, "observation", is_table=True)


def _cell(v):
    if v is None or v == "":
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _stage_xlsx(con, path: Path, sheet: str | None) -> StagedFile:
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(path))
        ws = wb.get_sheet_by_name(sheet) if sheet else wb.get_sheet_by_index(0)
        rows = ws.to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types
        raise InputDataError(str(path), f"cannot be read as a spreadsheet: {exc}", expected=f"sheet {sheet!r}" if sheet else None) from None
    start = next((i for i, r in enumerate(rows) if any(c not in (None, "") for c in r)), len(rows))
    if start == len(rows):
        raise InputDataError(str(path), "the sheet is empty", expected="a header row")
    headers = [str(_cell(h) or f"column{j + 1}") for j, h in enumerate(rows[start])]
    body = rows[start + 1:]
    data, types = {}, {}
    for j, h in enumerate(headers):
        vals = [r[j] if j < len(r) else None for r in body]
        present = [v for v in vals if v not in (None, "")]
        if present and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
            data[h] = pd.array([float(v) if v not in (None, "") else None for v in vals], dtype="Float64")
            types[h] = "DOUBLE"
        else:
            data[h] = pd.array([_cell(v) for v in vals], dtype=object)
            types[h] = "VARCHAR"
    df = pd.DataFrame(data)
    df.insert(0, "_line", np.arange(start + 2, start + 2 + len(body), dtype="int64"))
    name = _name(path.stem)
    cols = ", ".join(f"{_q(h)} {types[h]}" for h in headers)
    con.execute(f"create or replace temp table {name} (_line BIGINT, {cols})")
    con.register("_eq_chunk", df)
    con.execute(f"insert into {name} select * from _eq_chunk")
    con.unregister("_eq_chunk")
    return StagedFile(path, "xlsx", None, name, headers, {}, types, "row", is_table=True)


def _stage_parquet(con, path: Path) -> StagedFile:
    name = _name(path.stem)
    try:
        con.execute(
            f"create or replace temp view {name} as select file_row_number + 1 as _line, * exclude (file_row_number) "
            f"from read_parquet({_lit(path.as_posix())}, file_row_number=true)"
        )
        desc = con.execute(f"describe {name}").fetchall()
    except duckdb.Error as exc:
        raise InputDataError(str(path), f"cannot be read as Parquet: {exc}") from None
    types = {r[0]: r[1] for r in desc if r[0] != "_line"}
    return StagedFile(path, "parquet", None, name, list(types), {}, types, "row")


def stage_file(con, path: Path, fmt: str, *, encoding: str = "detect", dta_encoding: str = "gb18030",
               sheet: str | None = None, tmp_dir: Path) -> StagedFile:
    """Stage ``path`` (format ``fmt``: csv, dta, xlsx, parquet) on ``con``."""
    if fmt == "csv":
        return _stage_csv(con, path, encoding, tmp_dir)
    if fmt == "dta":
        return _stage_dta(con, path, dta_encoding)
    if fmt == "xlsx":
        return _stage_xlsx(con, path, sheet)
    if fmt == "parquet":
        return _stage_parquet(con, path)
    raise InputDataError(str(path), f"unsupported format {fmt!r}", expected="csv, dta, xlsx or parquet")


def drop_staged(con, staged: StagedFile) -> None:
    try:
        con.execute(f"drop {'table' if staged.is_table else 'view'} if exists {staged.relation}")
        if staged.rejects:
            con.execute(f"drop table if exists {staged.rejects}")
            con.execute(f"drop table if exists {staged.relation}_rejscan")
    except duckdb.Error:
        pass
    for p in staged.temp_files:
        p.unlink(missing_ok=True)
