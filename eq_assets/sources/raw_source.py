"""The record describing one raw source (file pattern, original headers -> canonical names).

``RawSource`` is the in-code view of a source's mapping (``mapping/*.toml``, parsed by
:mod:`eq_assets.sources.mapping`): the canonical file pattern the synthetic world writes, the
canonical header of each column (its first alias) and the typed columns. The readers look the
full mapping (aliases, encodings, file patterns) up by ``name`` at read time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from eq_assets.sources.mapping import MAPPING_DIR, load_mapping


@dataclass(frozen=True)
class RawSource:
    """One raw source: a file pattern under ``data/raw`` and its header -> canonical names."""

    name: str
    pattern: str  # relative to the raw directory; may contain "{year}"
    columns: dict[str, str]  # original header -> canonical name
    description: str = ""
    required: tuple[str, ...] = field(default=())  # canonical names that must be present
    types: dict[str, str] = field(default_factory=dict)  # canonical name -> DuckDB type; others stay text

    @property
    def yearly(self) -> bool:
        return "{year}" in self.pattern

    def path_for(self, year: int | None = None) -> str:
        return self.pattern.format(year=year) if self.yearly else self.pattern


def raw_source(name: str) -> RawSource:
    """The RawSource of ``name`` built from the shipped mapping (not ``$EQ_MAPPING``: the code's
    view of a source, and what the synthetic world writes, do not depend on the user's file)."""
    sm = load_mapping(MAPPING_DIR)[name]
    return RawSource(
        name=sm.name,
        pattern=sm.canonical,
        columns={c.header: c.name for c in sm.columns},
        description=sm.description,
        types={c.name: c.type for c in sm.columns if c.type != "VARCHAR"},
    )
