"""The record describing one raw source (file pattern, original headers -> canonical names)."""

from __future__ import annotations

from dataclasses import dataclass, field


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
