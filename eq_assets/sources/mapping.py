"""The source mapping: which files hold each raw source and which header feeds each canonical column.

The mapping is data, not code: TOML files shipped in ``eq_assets/sources/mapping/`` (one table
per source; ``customs.toml`` documents every key), user-editable. ``EQ_MAPPING=/path`` points at
a user's own file or folder of ``*.toml``: a source defined there replaces the shipped one
whole, the other sources stay as shipped. :class:`SourceMapping` is the parsed form;
``RawSource`` (``raw_source.py``) is the in-code view the rest of the package and the synthetic
world use (canonical pattern, canonical headers = first aliases, types).

Header matching folds Unicode (NFKC: full-width brackets and letters -> ASCII), trims and
ignores ASCII case, so ``金额（美元）`` matches ``金额(美元)`` and ``FRDM`` matches ``frdm``.
"""

from __future__ import annotations

import os
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from eq_assets.core.errors import InputDataError

MAPPING_DIR = Path(__file__).resolve().parent / "mapping"
#: File extensions read, longest first (format name per extension).
FORMATS: dict[str, str] = {
    "csv.gz": "csv", "csv": "csv", "txt": "csv", "tsv": "csv",
    "dta": "dta", "xlsx": "xlsx", "xls": "xlsx", "parquet": "parquet",
}
ENCODINGS = ("detect", "utf-8", "utf-8-sig", "gbk", "gb18030", "gb2312")
TYPES = ("VARCHAR", "INTEGER", "BIGINT", "DOUBLE")


def fold(name: str) -> str:
    """The form headers and aliases are compared in (NFKC, trimmed, ASCII lower-cased)."""
    s = unicodedata.normalize("NFKC", str(name)).strip()
    return s.lower() if s.isascii() else s


def _years(spec: str | int) -> set[int]:
    """``2010`` or ``"2008-2014"`` -> set of years."""
    s = str(spec)
    if "-" in s:
        a, b = s.split("-", 1)
        return set(range(int(a), int(b) + 1))
    return {int(s)}


@dataclass(frozen=True)
class Derive:
    """Fill a column from another header through a SQL template (``{}`` = that column, as text)."""

    aliases: tuple[str, ...]
    sql: str


@dataclass(frozen=True)
class ColumnMapping:
    """One canonical column: where its values come from and how they are typed."""

    name: str
    aliases: tuple[str, ...]
    type: str = "VARCHAR"
    unit: str | None = None
    pad: int | None = None
    values: dict[str, str] = field(default_factory=dict)
    aliases_by_year: dict[str, tuple[str, ...]] = field(default_factory=dict)
    derive: Derive | None = None
    absent: str | None = None  # "file_year"
    absent_years: tuple[int, ...] = ()

    @property
    def header(self) -> str:
        """The canonical header (what the synthetic world writes)."""
        return self.aliases[0]

    def candidates(self, year: int | None) -> tuple[str, ...]:
        """Aliases to try, in order, for a file of ``year`` (year-specific ones first, then the
        general ones, then the canonical name itself)."""
        first: list[str] = []
        if year is not None:
            for spec, names in self.aliases_by_year.items():
                if year in _years(spec):
                    first.extend(names)
        seen, out = set(), []
        for a in (*first, *self.aliases, self.name):
            if fold(a) not in seen:
                seen.add(fold(a))
                out.append(a)
        return tuple(out)


@dataclass(frozen=True)
class SourceMapping:
    """One raw source: file patterns, encodings and its canonical columns (in order)."""

    name: str
    canonical: str
    files: tuple[str, ...]
    columns: tuple[ColumnMapping, ...]
    description: str = ""
    encoding: str = "detect"
    dta_encoding: str = "gb18030"
    sheet: str | None = None
    hs_vintage: dict[str, str] = field(default_factory=dict)
    origin: str = ""  # the TOML file it came from

    @property
    def yearly(self) -> bool:
        return "{year}" in self.canonical

    def column(self, name: str) -> ColumnMapping:
        return next(c for c in self.columns if c.name == name)

    def vintage(self, year: int | None) -> str | None:
        """The HS revision declared for ``year`` (None when the mapping declares none)."""
        if year is None:
            return None
        return next((v for spec, v in self.hs_vintage.items() if year in _years(spec)), None)


def _parse_source(name: str, t: dict, origin: str) -> SourceMapping:
    where = f"{origin} [{name}]"
    for key in ("canonical", "files", "columns"):
        if key not in t:
            raise InputDataError(where, f"mapping lacks `{key}`", expected="canonical, files and columns (see customs.toml)")
    enc = t.get("encoding", "detect").lower()
    if enc not in ENCODINGS:
        raise InputDataError(where, f"unknown encoding {enc!r}", expected=f"one of {ENCODINGS}")
    cols = []
    for cname, c in t["columns"].items():
        aliases = tuple(c.get("aliases", ()))
        if not aliases:
            raise InputDataError(where, f"column {cname} has no aliases", expected="at least one header")
        typ = c.get("type", "VARCHAR").upper()
        if typ not in TYPES:
            raise InputDataError(where, f"column {cname}: unknown type {typ!r}", expected=f"one of {TYPES}")
        d = c.get("derive")
        cols.append(ColumnMapping(
            name=cname, aliases=aliases, type=typ, unit=c.get("unit"), pad=c.get("pad"),
            values={str(k): str(v) for k, v in c.get("values", {}).items()},
            aliases_by_year={str(k): tuple(v) for k, v in c.get("aliases_by_year", {}).items()},
            derive=Derive(tuple(d["aliases"]), d["sql"]) if d else None,
            absent=c.get("absent"), absent_years=tuple(int(y) for y in c.get("absent_years", ())),
        ))
    return SourceMapping(
        name=name, canonical=t["canonical"], files=tuple(t["files"]), columns=tuple(cols),
        description=t.get("description", ""), encoding=enc, dta_encoding=t.get("dta_encoding", "gb18030"),
        sheet=t.get("sheet"), hs_vintage={str(k): v for k, v in t.get("hs_vintage", {}).items()}, origin=origin,
    )


def _load_files(paths: list[Path]) -> dict[str, SourceMapping]:
    out: dict[str, SourceMapping] = {}
    for p in paths:
        try:
            doc = tomllib.loads(p.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InputDataError(str(p), f"cannot read the mapping file: {exc}") from None
        for name, t in doc.items():
            out[name] = _parse_source(name, t, str(p))
    return out


def _toml_files(path: Path) -> list[Path]:
    return sorted(path.glob("*.toml")) if path.is_dir() else [path]


@lru_cache(maxsize=8)
def _load(user: str | None) -> dict[str, SourceMapping]:
    sources = _load_files(_toml_files(MAPPING_DIR))
    if user:
        p = Path(user)
        if not p.exists():
            raise InputDataError(str(p), "EQ_MAPPING points at nothing", expected="a .toml file or a folder of them")
        sources.update(_load_files(_toml_files(p)))
    return sources


def load_mapping(path: str | Path | None = None) -> dict[str, SourceMapping]:
    """Every source's mapping: the shipped files, overridden by ``path`` or ``$EQ_MAPPING``."""
    user = path if path is not None else os.environ.get("EQ_MAPPING") or None
    return dict(_load(str(user) if user else None))


def source_mapping(name: str, mapping: dict[str, SourceMapping] | str | Path | None = None) -> SourceMapping:
    """The mapping of one source (``mapping``: a loaded mapping, a path, or None for the default)."""
    m = mapping if isinstance(mapping, dict) else load_mapping(mapping)
    if name not in m:
        raise InputDataError(name, "source not in the mapping", expected=f"one of {sorted(m)}")
    return m[name]


_EXT = "(" + "|".join(re.escape(e) for e in FORMATS) + ")"


def pattern_regex(pattern: str, year: int | None) -> re.Pattern:
    """A file pattern (``{year}``, ``{ext}``, ``*``) as a regex on paths relative to the raw dir."""
    out, i = [], 0
    for tok in re.split(r"(\{year\}|\{ext\}|\*)", pattern):
        if tok == "{year}":
            out.append(str(year) if year is not None else r"(?P<year>\d{4})")
        elif tok == "{ext}":
            out.append(_EXT)
        elif tok == "*":
            out.append(r"[^/]+")
        else:
            out.append(re.escape(tok))
        i += 1
    return re.compile("^" + "".join(out) + "$", re.IGNORECASE)


def file_format(path: str | Path) -> str | None:
    name = str(path).lower()
    return next((f for ext, f in FORMATS.items() if name.endswith("." + ext)), None)
