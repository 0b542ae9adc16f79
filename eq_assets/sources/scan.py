"""``scan_source``: one source (one year) from whatever files and formats hold it, as a DuckDB relation.

The relation has the canonical columns, typed as the mapping says (codes stay text with their
leading zeros), plus ``source_file`` (path relative to the raw directory) and ``source_line``
(the CSV line counting the header as line 1, or the observation / sheet row / Parquet row,
1-based), in file order then line order. Nothing is materialized in pandas: the files are read
once into a DuckDB temporary table (``materialize=True``, the default: the pre-flight checks, the
source rules and the publication then scan it instead of parsing the files again) or left as a
lazy view (``materialize=False``: one pass of checks, for a pre-flight report); ``.dta`` and
``.xlsx`` files are staged in DuckDB temporary tables (see :mod:`eq_assets.sources.formats`).

Checks made while scanning (each stops with :class:`InputDataError` naming the file, the column,
the lines and the values seen): no file, two file sets for one year, unreadable file, a canonical
column none of whose aliases is a header (unless the mapping allows it that year), a cell that
is not a number where a number is expected, rows of another year than the file's (yearly
sources, ``check_year``), a CSV line that does not parse (its line and DuckDB's reason). The error carries the partial pre-flight report as ``.report``.

``Scan.report`` is JSON-able: files, format, encoding, rows per file, which header fed each
canonical column, missing / absent-by-mapping / unmapped headers, units and HS codes seen.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from eq_assets.core.errors import InputDataError
from eq_assets.sources.formats import StagedFile, csv_rejects, drop_staged, stage_file
from eq_assets.sources.mapping import (
    ColumnMapping, SourceMapping, file_format, fold, load_mapping, pattern_regex, source_mapping,
)
from eq_assets.sources.raw_source import RawSource

PROVENANCE = ("source_file", "source_line")


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(s: str) -> str:
    return "'" + str(s).replace("'", "''") + "'"


@dataclass
class Scan:
    """A scanned source: ``view`` (registered on ``con``), ``relation`` and the pre-flight ``report``.

    Close it (or use it as a context manager) once the rows have been copied: that drops the
    view, the table of rows, the staged tables and any transcoded temporary file."""

    source: SourceMapping
    year: int | None
    con: duckdb.DuckDBPyConnection
    view: str
    report: dict
    materialize: bool = True
    hs6_codes: list[str] = field(default_factory=list, repr=False)  # distinct HS6 seen (pre-flight)
    _staged: list[StagedFile] = field(default_factory=list, repr=False)
    _tmp: Path | None = field(default=None, repr=False)

    @property
    def rows(self) -> str:
        """The rows with the cells-that-cannot-be-typed flags (a temp table, or a view)."""
        return self.view + "_rows"

    @property
    def relation(self) -> duckdb.DuckDBPyRelation:
        return self.con.view(self.view)

    @property
    def columns(self) -> list[str]:
        return [c.name for c in self.source.columns]

    def close(self) -> None:
        try:
            self.con.execute(f"drop view if exists {self.view}")
            self.con.execute(f"drop {'table' if self.materialize else 'view'} if exists {self.rows}")
        except duckdb.Error:
            pass
        for s in self._staged:
            drop_staged(self.con, s)
        self._staged = []
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def __enter__(self) -> "Scan":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# ---------------------------------------------------------------------------------------------
# files

def _candidate_files(raw_dir: Path, sm: SourceMapping) -> list[str]:
    tops = {p.split("/", 1)[0] for p in sm.files}
    out = []
    for top in sorted(tops):
        if "{" in top or "*" in top:
            base, glob = raw_dir, "**/*"
        else:
            base, glob = raw_dir / top, "**/*"
            if base.is_file():
                out.append(top)
                continue
        if base.is_dir():
            out.extend(p.relative_to(raw_dir).as_posix() for p in base.glob(glob) if p.is_file())
    return sorted(set(out))


def resolve_files(sm: SourceMapping, raw_dir: Path, year: int | None) -> tuple[list[str], str]:
    """The files holding ``year`` of the source (relative paths, sorted) and the pattern used."""
    if sm.yearly and year is None:
        raise InputDataError(sm.name, "a yearly source needs a year", expected=f"a year for {sm.canonical}")
    files = _candidate_files(raw_dir, sm)
    chosen, used = [], None
    for pat in sm.files:
        rx = pattern_regex(pat, year)
        hits = [f for f in files if rx.match(f) and file_format(f)]
        if not hits:
            continue
        if used is None:
            if "*" not in pat and len(hits) > 1:
                raise InputDataError(
                    str(raw_dir / hits[0]), f"several files for {sm.name} {year or ''}: {', '.join(hits)}",
                    expected=f"one file per {'year' if sm.yearly else 'source'} for pattern {pat} (remove the others)",
                )
            chosen, used = hits, pat
        elif set(hits) - set(chosen):
            extra = sorted(set(hits) - set(chosen))
            raise InputDataError(
                str(raw_dir / extra[0]), f"{sm.name} {year or ''} is held by two sets of files: {chosen} ({used}) "
                f"and {extra} ({pat})", expected="one layout per year (rows would be counted twice); remove one set",
            )
    if not chosen:
        raise InputDataError(
            str(raw_dir / sm.canonical.format(year=year)), "file not found",
            expected=f"the {sm.name} source ({sm.description}) at one of {list(sm.files)} under the raw directory "
            f"({{ext}}: csv, dta, xlsx, parquet ...); run `make synth` to write the synthetic world, or point "
            f"EQ_RAW_DIR at your files and EQ_MAPPING at your mapping",
        )
    return chosen, used


# ---------------------------------------------------------------------------------------------
# header matching and column expressions

def _finder(staged: StagedFile):
    by_name: dict[str, str] = {}
    by_label: dict[str, str] = {}
    for h in staged.headers:
        by_name.setdefault(fold(h), h)
    for h, lab in staged.labels.items():
        by_label.setdefault(fold(lab), h)
    return lambda alias: by_name.get(fold(alias)) or by_label.get(fold(alias))


def _text(staged: StagedFile, h: str) -> str:
    """The source column as trimmed text (numbers written without a trailing .0)."""
    c = _q(h)
    if staged.numeric(h):
        return (f"(CASE WHEN {c} = trunc({c}) AND abs({c}) < 1e18 THEN CAST(CAST({c} AS BIGINT) AS VARCHAR) "
                f"ELSE CAST({c} AS VARCHAR) END)")
    if staged.types.get(h, "VARCHAR").upper() != "VARCHAR":
        return f"CAST({c} AS VARCHAR)"
    return f"nullif(trim({c}), '')"


def _recode(expr: str, values: dict[str, str]) -> str:
    if not values:
        return expr
    whens = " ".join(f"WHEN {_lit(fold(k))} THEN {_lit(v)}" for k, v in values.items())
    return f"(CASE lower({expr}) {whens} ELSE {expr} END)"


@dataclass
class _Col:
    """How one canonical column is filled from one file."""

    value: str  # SQL expression (typed)
    bad: str | None = None  # SQL condition: a cell that cannot be typed
    raw: str | None = None  # SQL expression shown as the value seen
    fed_by: str = ""  # the header (or rule) that fed it
    header: str | None = None


def _column(col: ColumnMapping, staged: StagedFile, find, year: int | None) -> _Col | None:
    h = next((find(a) for a in col.candidates(year) if find(a)), None)
    if h is not None:
        fed = h if fold(h) in {fold(a) for a in col.candidates(year)} else f"{h} (label {staged.labels.get(h)!r})"
        if col.type == "VARCHAR":
            e = _text(staged, h)
            if col.pad and staged.numeric(h):
                e = f"(CASE WHEN length({e}) < {col.pad} THEN lpad({e}, {col.pad}, '0') ELSE {e} END)"
            return _Col(_recode(e, col.values), fed_by=fed, header=h)
        if staged.numeric(h) and not col.values:
            c = _q(h)
            bad = f"({c} IS NOT NULL AND {c} <> trunc({c}))" if col.type in ("INTEGER", "BIGINT") else None
            return _Col(f"CAST({c} AS {col.type})", bad, c, fed, h)
        t = _recode(_text(staged, h), col.values)
        return _Col(f"TRY_CAST({t} AS {col.type})", f"({t} IS NOT NULL AND TRY_CAST({t} AS {col.type}) IS NULL)", t, fed, h)
    if col.derive is not None:
        d = next((find(a) for a in col.derive.aliases if find(a)), None)
        if d is not None:
            t = f"nullif(trim({col.derive.sql.replace('{}', _text(staged, d))}), '')"
            fed = f"{d} -> {col.derive.sql}"
            if col.type == "VARCHAR":
                return _Col(_recode(t, col.values), fed_by=fed, header=d)
            return _Col(f"TRY_CAST({t} AS {col.type})", f"({t} IS NOT NULL AND TRY_CAST({t} AS {col.type}) IS NULL)", t, fed, d)
    if col.absent == "file_year" and year is not None:
        return _Col(f"CAST({int(year)} AS {col.type})", fed_by=f"(no header: the file's year {year})")
    if year is not None and year in col.absent_years:
        return _Col(f"CAST(NULL AS {col.type})", fed_by=f"(absent in {year}, allowed by the mapping: NULL)")
    return None


# ---------------------------------------------------------------------------------------------
# scan

def scan_source(
    source: RawSource | SourceMapping | str,
    raw_dir: Path | str,
    year: int | None = None,
    *,
    con: duckdb.DuckDBPyConnection,
    mapping: dict[str, SourceMapping] | str | Path | None = None,
    check_year: bool = True,
    materialize: bool = True,
) -> Scan:
    """Scan one source (one ``year`` of a yearly source) into canonical columns on ``con``.

    ``mapping``: a loaded mapping, a TOML path, or None (shipped mapping + ``$EQ_MAPPING``).
    ``check_year``: refuse rows of a yearly source whose year is not the file's year.
    ``materialize``: read the rows once into a temporary table (for the assets, which scan them
    several times) rather than leave a view over the files (a pre-flight check reads them once)."""
    name = source if isinstance(source, str) else source.name
    sm = source if isinstance(source, SourceMapping) else source_mapping(name, mapping if mapping is not None else load_mapping())
    raw_dir = Path(raw_dir)
    report: dict = {"source": sm.name, "year": year, "mapping": sm.origin, "files": [], "rows": 0, "columns": {},
                    "renamed": {}, "missing": [], "absent_by_mapping": [], "unmapped": {}, "units": {}, "hs": {}, "ok": False}
    tmp = Path(tempfile.mkdtemp(prefix="eq_scan_"))
    scan = Scan(sm, year, con, f"_eq_scan_{sm.name}_{year or 'all'}_{id(report)}", report, materialize, _tmp=tmp)
    try:
        _build(scan, raw_dir, check_year)
    except InputDataError as exc:
        scan.close()
        exc.report = report
        raise
    except BaseException:
        scan.close()
        raise
    report["ok"] = True
    return scan


def _build(scan: Scan, raw_dir: Path, check_year: bool) -> None:
    sm, year, con, report = scan.source, scan.year, scan.con, scan.report
    files, pattern = resolve_files(sm, raw_dir, year)
    report["pattern"] = pattern
    plans = []
    for rel in files:
        path = raw_dir / rel
        st = stage_file(con, path, file_format(rel), encoding=sm.encoding, dta_encoding=sm.dta_encoding,
                        sheet=sm.sheet, tmp_dir=scan._tmp)
        scan._staged.append(st)
        find = _finder(st)
        cols = {c.name: _column(c, st, find, year) for c in sm.columns}
        used = {c.header for c in cols.values() if c is not None and c.header}
        known = {fold(a) for c in sm.columns for a in (*c.candidates(year), *(c.derive.aliases if c.derive else ()))}
        unmapped = [h for h in st.headers if h not in used and fold(h) not in known
                    and fold(st.labels.get(h, "")) not in known]
        entry = {"path": rel, "format": st.format, "encoding": st.encoding, "rows": None,
                 "headers": {k: (v.fed_by if v else None) for k, v in cols.items()}}
        report["files"].append(entry)
        if unmapped:
            report["unmapped"][rel] = unmapped
        for k, v in cols.items():
            if v is not None and v.fed_by != sm.column(k).header:
                report["renamed"].setdefault(k, [])
                if v.fed_by not in report["renamed"][k]:
                    report["renamed"][k].append(v.fed_by)
            if v is not None:
                report["columns"].setdefault(k, [])
                if v.fed_by not in report["columns"][k]:
                    report["columns"][k].append(v.fed_by)
                if v.fed_by.startswith("(absent"):
                    report["absent_by_mapping"].append(k)
        missing = [c for c in sm.columns if cols[c.name] is None]
        if missing:
            report["missing"] = [c.name for c in missing]
            raise InputDataError(
                str(path), "missing column(s) " + ", ".join(f"{c.header} ({c.name})" for c in missing),
                column=missing[0].header,
                expected=f"a header among {list(missing[0].candidates(year))} (mapping {sm.origin}); headers of "
                f"the file not in the mapping: {unmapped or 'none'}; all headers: {st.headers}",
            )
        plans.append((rel, st, cols))
    report["absent_by_mapping"] = sorted(set(report["absent_by_mapping"]))
    # one flag per column that may hold a cell that cannot be typed (in any of the files)
    flagged = [i for i, c in enumerate(sm.columns) if any(cols[c.name].bad for _, _, cols in plans)]
    selects = []
    for rel, st, cols in plans:
        sel = ", ".join(f"{cols[c.name].value} AS {_q(c.name)}" for c in sm.columns)
        bad = "".join(f", COALESCE({cols[sm.columns[i].name].bad or 'false'}, false) AS _bad_{i}" for i in flagged)
        selects.append(f"SELECT {sel}, {_lit(rel)} AS source_file, CAST(_line AS BIGINT) AS source_line{bad} "
                       f"FROM {st.relation}")
    # materialize: the files are parsed once, into a temporary table filled file by file (so in file,
    # then line order), which the checks below, the source rules and the publication scan again
    try:
        if scan.materialize:
            con.execute(f"create or replace temp table {scan.rows} as {selects[0]}")
            for sel in selects[1:]:
                con.execute(f"insert into {scan.rows} {sel}")
        else:
            con.execute(f"create or replace temp view {scan.rows} as " + " UNION ALL ".join(selects))
    except duckdb.Error as exc:
        raise InputDataError(f"{sm.name} {year or ''}", f"cannot be read: {exc}") from None
    cols = ", ".join(_q(c.name) for c in sm.columns)
    con.execute(f"create or replace temp view {scan.view} as select {cols}, source_file, source_line from {scan.rows}")
    _validate(scan, plans, check_year)


def _validate(scan: Scan, plans: list, check_year: bool) -> None:
    sm, year, con, report = scan.source, scan.year, scan.con, scan.report
    n = len(sm.columns)
    present = {r[0] for r in con.execute(f"describe {scan.rows}").fetchall()}
    has = {c.name for c in sm.columns}
    yearly_check = check_year and sm.yearly and year is not None and "year" in has
    wrong = f"count(*) FILTER (WHERE year IS NOT NULL AND year <> {int(year)})" if yearly_check else "0"
    aggs = ", ".join(f"count(*) FILTER (WHERE _bad_{i})" if f"_bad_{i}" in present else "0" for i in range(n))
    unit = "unit" if "unit" in has else "NULL::VARCHAR"
    hs6 = "substr(hs8, 1, 6)" if "hs8" in has else "NULL::VARCHAR"
    sql = (f"SELECT source_file, count(*), {aggs}, {wrong}, histogram({unit}), list(DISTINCT {hs6}) "
           f"FROM {scan.rows} GROUP BY source_file")
    try:
        stats = {r[0]: r for r in con.execute(sql).fetchall()}
    except duckdb.Error as exc:
        raise InputDataError(f"{sm.name} {year or ''}", f"cannot be read: {exc}") from None
    units: dict[str, int] = {}
    hs6: set[str] = set()
    for entry in report["files"]:
        r = stats.get(entry["path"])
        entry["rows"] = int(r[1]) if r else 0
        report["rows"] += entry["rows"]
        if r:
            for u, k in (r[n + 3] or {}).items():
                units[str(u)] = units.get(str(u), 0) + int(k)
            hs6.update(c for c in (r[n + 4] or []) if c)
    if any(c.name == "unit" for c in sm.columns):
        report["units"] = dict(sorted(units.items(), key=lambda kv: (-kv[1], kv[0])))
    if any(c.name == "hs8" for c in sm.columns):
        scan.hs6_codes = sorted(hs6)
        report["hs"] = {"declared_vintage": sm.vintage(year), "distinct_hs6": len(hs6)}
    for rel, st, cols in plans:
        n_rej, rejected = csv_rejects(con, st)
        if n_rej:
            raise InputDataError(
                str(st.path), "lines that cannot be parsed as CSV (a delimiter inside an unquoted field, a "
                "truncated or unterminated line)", rows=[f"line {x[0]}: {x[1]}" for x in rejected], n_rows=n_rej,
                examples=[x[2] for x in rejected],
                expected=f"every line with the {len(st.headers)} fields of the header line (quote fields that "
                "contain the delimiter)",
            )
        r = stats.get(rel)
        if r is None:
            continue
        for i, c in enumerate(sm.columns):
            if r[2 + i]:
                _raise_bad(con, rel, st, c, cols[c.name], int(r[2 + i]), scan)
        if yearly_check and r[n + 2]:
            rows = con.execute(
                f"SELECT source_line, year FROM {scan.rows} WHERE source_file = {_lit(rel)} "
                f"AND year IS NOT NULL AND year <> {int(year)} ORDER BY source_line LIMIT 10"
            ).fetchall()
            hdr = cols["year"].fed_by
            raise InputDataError(
                str(st.path), f"rows whose year is not the file's year {year}", column=f"{hdr} (year)",
                rows=[f"{st.line_word} {x[0]}" for x in rows], n_rows=int(r[n + 2]),
                examples=list(dict.fromkeys(x[1] for x in rows)),
                expected=f"every row of a yearly file to be of that year ({year})",
            )


def _raise_bad(con, rel: str, st: StagedFile, c: ColumnMapping, col: _Col, n_bad: int, scan: Scan) -> None:
    rows = con.execute(f"SELECT _line, {col.raw} FROM {st.relation} WHERE {col.bad} ORDER BY _line LIMIT 10").fetchall()
    what = {"INTEGER": "integer", "BIGINT": "integer", "DOUBLE": "double"}.get(c.type, c.type.lower())
    raise InputDataError(
        str(st.path), f"values that are not {what}", column=f"{col.fed_by} ({c.name})",
        rows=[f"{st.line_word} {r[0]}" for r in rows], n_rows=n_bad, examples=[r[1] for r in rows],
        expected=f"{what} values or empty cells",
    )
