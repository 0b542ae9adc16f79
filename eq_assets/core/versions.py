"""Code and data versions: what lets a rerun recompute only what changed.

- Every table asset carries a Dagster ``code_version``: a digest of the source files of its
  stage folder (e.g. ``eq_assets/cleaning/``) and of ``eq_assets/core/``. Editing a cleaning rule
  changes the code version of the cleaning assets only.
- Raw-source assets report a ``DataVersion`` = digest of the raw file(s) they read. Dagster
  derives the data version of everything downstream from its inputs' versions and its code
  version, so after one year's raw file changes only that year's partitions (and the tables
  built on all years) are out of date; the UI marks only those as unsynced.
- :func:`eq_assets.core.plan.stale_plan` compares the current raw files and code versions with
  what the instance recorded at the last materialization of each partition:
  ``python -m eq_assets.run --changed`` reruns only the stale ones.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
import inspect
from pathlib import Path
from typing import Iterable

PACKAGE_ROOT = Path(__file__).resolve().parent.parent


@functools.lru_cache(maxsize=None)
def _folder_digest(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.glob("*.py")):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def code_version_of(fn) -> str:
    """Digest of the stage folder of ``fn``'s module and of ``eq_assets/core`` (12 hex digits)."""
    module_file = Path(inspect.getfile(fn)).resolve()
    h = hashlib.sha256()
    for folder in sorted({module_file.parent, PACKAGE_ROOT / "core"}):
        h.update(_folder_digest(folder).encode())
    return h.hexdigest()[:12]


def files_digest(paths: Iterable[Path]) -> str:
    """Digest of the contents of ``paths`` (order-independent; names relative are not part of it)."""
    digests = sorted(_file_sha256(Path(p)) for p in paths)
    return hashlib.sha256("\n".join(digests).encode()).hexdigest()[:16]


@functools.lru_cache(maxsize=256)
def _file_sha256_cached(path: str, size: int, mtime_ns: int) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _file_sha256(path: Path) -> str:
    st = path.stat()
    return _file_sha256_cached(str(path), st.st_size, st.st_mtime_ns)


@dataclass(frozen=True)
class Record:
    """The latest materialization of one asset partition: its tags (code and data version) and time."""

    tags: dict
    timestamp: float


def latest_record(instance, asset_key, partition: str | None) -> Record | None:
    import dagster as dg

    flt = dg.AssetRecordsFilter(asset_key=asset_key, asset_partitions=[partition] if partition else None)
    res = instance.fetch_materializations(flt, limit=1)
    if not res.records:
        return None
    r = res.records[0]
    mat = r.event_log_entry.dagster_event.event_specific_data.materialization
    return Record(dict(mat.tags or {}), float(r.timestamp))
