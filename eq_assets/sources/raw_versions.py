"""Which raw files each source asset reads, and their digest (the asset's data version).

Used by the source assets (they report it as their Dagster data version) and by
``python -m eq_assets.run --changed`` (it compares it with the last materialization's).
"""

from __future__ import annotations

from pathlib import Path

from eq_assets.core.versions import files_digest


def source_files(source, raw_dir: Path, year: int | None = None) -> list[Path]:
    """The file(s) of ``source`` for ``year`` (yearly sources) under ``raw_dir``, as the scan
    resolves them from the mapping (monthly parts, flow splits, any format); [] if none."""
    from eq_assets.core.errors import InputDataError
    from eq_assets.sources.mapping import load_mapping
    from eq_assets.sources.scan import resolve_files

    sm = load_mapping()[source.name]
    try:
        files, _ = resolve_files(sm, Path(raw_dir), year if source.yearly else None)
    except InputDataError:
        return []
    return [Path(raw_dir) / f for f in files]


def digest(source, raw_dir: Path, year: int | None = None) -> str | None:
    files = [p for p in source_files(source, raw_dir, year) if p.exists()]
    return files_digest(files) if files else None


def for_asset(asset, raw_dir: Path, year: int | None = None) -> str | None:
    """The data version a source asset would report today (None for derived assets)."""
    source = asset.metadata_by_key.get(asset.key, {}).get("eq/raw_source")
    if source is None:
        return None
    from eq_assets.sources.contract import ALL_SOURCES

    return digest(ALL_SOURCES[source], raw_dir, year)
