"""Pre-flight: scan the raw directory against the mapping without running the graph.

``python -m eq_assets.check_raw [--raw DIR] [--mapping PATH] [--years 2009,2010] [--json] [--strict]``
(or ``make check-raw``) prints, per source and year: the file(s) found, their format, encoding
and rows, which header fed each canonical column, what is missing, absent by the mapping or
unmapped, the units and the HS codes seen (with the share found in each HS revision's code list
when the HS concordance is readable). It exits 1 when the graph could not run (a file missing,
a required column none of whose aliases is a header, a non-numeric cell, rows of another year,
an unreadable file), naming the file and the header, and 0 otherwise. Unmapped headers are
listed as warnings (errors with ``--strict``).

:func:`check_raw` returns the same report as a JSON-able dict (for an asset's metadata).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import duckdb

from eq_assets import settings
from eq_assets.cleaning.hs import vintage_evidence
from eq_assets.core.errors import InputDataError
from eq_assets.sources.mapping import SourceMapping, file_format, load_mapping, pattern_regex
from eq_assets.sources.scan import _candidate_files, scan_source


def discover_years(sm: SourceMapping, raw_dir: Path) -> list[int]:
    """Years for which some file of a yearly source is present."""
    files = _candidate_files(raw_dir, sm)
    years = set()
    for pat in sm.files:
        rx = pattern_regex(pat, None)
        years.update(int(m.group("year")) for f in files if file_format(f) and (m := rx.match(f)))
    return sorted(years)


def _hs_lists(raw_dir: Path, mapping: dict, con) -> dict[str, set[str]]:
    """HS6 code lists per revision from the raw HS concordance (empty when unreadable)."""
    try:
        with scan_source("hs_concordance", raw_dir, con=con, mapping=mapping) as s:
            rows = con.execute(f"select hs_version, hs6 from {s.view} union select 'HS2002', hs6_base from {s.view}").fetchall()
    except InputDataError:
        return {}
    out: dict[str, set[str]] = {}
    for v, c in rows:
        if v and c:
            out.setdefault(v, set()).add(c)
    return out


def check_raw(raw_dir: str | Path | None = None, *, mapping: str | Path | dict | None = None,
              years: list[int] | None = None, sources: list[str] | None = None, strict: bool = False) -> dict:
    """The pre-flight report of every source (``sources``) and year (``years``, default: the graph's)."""
    raw_dir = Path(raw_dir) if raw_dir is not None else settings.raw_dir()
    m = mapping if isinstance(mapping, dict) else load_mapping(mapping)
    need_years = list(years) if years is not None else list(settings.YEARS)
    con = duckdb.connect()
    hs_lists = _hs_lists(raw_dir, m, con)
    out: dict = {"raw_dir": str(raw_dir), "years": need_years, "ok": True, "sources": {}, "problems": [], "warnings": []}
    for name, sm in m.items():
        if sources and name not in sources:
            continue
        src: dict = {"yearly": sm.yearly, "mapping": sm.origin, "scans": []}
        out["sources"][name] = src
        if sm.yearly:  # the years the graph reads; other years present are listed, not read
            src["years_found"] = discover_years(sm, raw_dir)
            scan_years: list = sorted(need_years)
        else:
            scan_years = [None]
        for y in scan_years:
            try:
                with scan_source(sm, raw_dir, y, con=con, materialize=False) as s:
                    rep = s.report
                    if hs_lists and s.hs6_codes:
                        rep["hs"]["found_in"] = vintage_evidence(s.hs6_codes, hs_lists)
            except InputDataError as exc:
                rep = dict(getattr(exc, "report", None) or {"source": name, "year": y})
                rep["ok"] = False
                rep["error"] = str(exc)
                out["problems"].append(str(exc))
            for f, hdrs in rep.get("unmapped", {}).items():
                msg = f"{raw_dir / f}: headers not in the mapping ({name}): {', '.join(hdrs)}"
                (out["problems"] if strict else out["warnings"]).append(msg)
            src["scans"].append(rep)
    out["ok"] = not out["problems"]
    con.close()
    return out


def _fmt_rows(n) -> str:
    return f"{n:,}" if isinstance(n, int) else "?"


def render(report: dict) -> str:
    """The report as text, one block per source and year."""
    lines = [f"raw directory: {report['raw_dir']}"]
    for name, src in report["sources"].items():
        for rep in src["scans"]:
            y = rep.get("year")
            head = f"{name}{' ' + str(y) if y else ''}"
            if not rep.get("ok"):
                lines.append(f"{head}: CANNOT RUN")
                lines.extend("    " + ln for ln in rep.get("error", "").splitlines())
            files = rep.get("files", [])
            for f in files:
                lines.append(f"{head}  {f['path']}  ({f['format']}, {f['encoding'] or '-'}, {_fmt_rows(f['rows'])} rows)")
            if rep.get("ok"):
                if len(files) > 1:
                    lines.append(f"    {len(files)} parts combined: {_fmt_rows(rep['rows'])} rows")
                fed = [f"{k} <- {' | '.join(v)}" for k, v in rep.get("renamed", {}).items()]
                lines.append("    headers: " + ("; ".join(fed) if fed else "as in the canonical layout"))
            for key, label in (("missing", "missing"), ("absent_by_mapping", "absent (allowed this year, NULL)")):
                if rep.get(key):
                    lines.append(f"    {label}: {', '.join(rep[key])}")
            for f, hdrs in rep.get("unmapped", {}).items():
                lines.append(f"    unmapped headers in {f}: {', '.join(hdrs)}")
            if rep.get("units"):
                lines.append("    units: " + ", ".join(f"{u} {n:,}" for u, n in rep["units"].items()))
            hs = rep.get("hs") or {}
            if hs:
                found = ", ".join(f"{v} {s:.0%}" for v, s in hs.get("found_in", {}).items())
                lines.append(f"    HS: declared {hs.get('declared_vintage') or '-'}; {hs.get('distinct_hs6', 0):,} HS6 codes"
                             + (f"; found in {found}" if found else ""))
    for w in report["warnings"]:
        lines.append(f"warning: {w}")
    lines.append("OK: the graph can read every source" if report["ok"] else
                 f"NOT OK: {len(report['problems'])} problem(s); the graph cannot run until they are fixed")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eq_assets.check_raw", description=__doc__.split("\n\n")[0])
    ap.add_argument("--raw", default=None, help="raw directory (default: $EQ_RAW_DIR or data/raw)")
    ap.add_argument("--mapping", default=None, help="mapping file or folder (default: shipped + $EQ_MAPPING)")
    ap.add_argument("--years", default=None, help="comma-separated years (default: the graph's years)")
    ap.add_argument("--source", action="append", default=None, help="only this source (repeatable)")
    ap.add_argument("--json", action="store_true", help="print the report as JSON")
    ap.add_argument("--strict", action="store_true", help="unmapped headers are errors")
    args = ap.parse_args(argv)
    years = [int(y) for y in args.years.split(",")] if args.years else None
    try:
        rep = check_raw(args.raw, mapping=args.mapping, years=years, sources=args.source, strict=args.strict)
    except InputDataError as exc:  # the mapping itself is unreadable
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(rep, ensure_ascii=False, indent=1, default=str) if args.json else render(rep))
    return 0 if rep["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
