"""``data/outputs/`` is published as one set, or not at all.

A run writes the whole set (results.csv, the tables, report.html, figures) into a staging
folder, moves the files into place, and writes ``manifest.json`` last: the report's manifest
(code version, raw file hashes, parameters; :mod:`eq_assets.reports.manifest`) plus a ``run``
section (``status``, run id, time, the SHA-256 of every file of the set). A run that starts
first marks the manifest ``"stale"`` and writes ``STALE.txt`` saying why; a run that is killed or
fails therefore leaves the previous set in place, saying it is stale.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Callable

from eq_assets.regressions.results import atomic_write_text
from eq_assets.reports.manifest import file_sha256

MANIFEST = "manifest.json"
STALE = "STALE.txt"


def read_manifest(out_dir: Path) -> dict | None:
    try:
        return json.loads((Path(out_dir) / MANIFEST).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def _write_manifest(out_dir: Path, manifest: dict) -> None:
    atomic_write_text(Path(out_dir) / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False) + "\n")


def mark_stale(out_dir: Path, reason: str) -> None:
    """Say that the outputs in ``out_dir`` (if any) are not from the run now in progress."""
    out_dir = Path(out_dir)
    m = read_manifest(out_dir)
    if m is None and not (out_dir / "results.csv").exists():
        return
    m = m or {}
    run = m.setdefault("run", {})
    run["status"] = "stale"
    run["stale_reason"] = reason
    _write_manifest(out_dir, m)
    atomic_write_text(out_dir / STALE, f"These outputs are stale: {reason}.\nThey were written by run "
                      f"{run.get('run_id')} at {run.get('written_at')}; see {MANIFEST}.\n")


def publish_output_set(out_dir: Path, write: Callable[[Path], None], *, run_id: str, manifest: dict) -> list[Path]:
    """Call ``write(staging_dir)``, then move what it wrote into ``out_dir``; manifest last."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = out_dir / f".staging-{run_id[:12]}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        write(staging)
        files = sorted(p for p in staging.rglob("*") if p.is_file() and p.name != MANIFEST)
        hashes = {p.relative_to(staging).as_posix(): file_sha256(p) for p in files}
        written = []
        for p in files:
            target = out_dir / p.relative_to(staging)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(p, 0o644)
            os.replace(p, target)
            written.append(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    m = dict(manifest)
    m["run"] = {"status": "current", "run_id": run_id, "written_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "files": hashes}
    _write_manifest(out_dir, m)
    (out_dir / STALE).unlink(missing_ok=True)
    return written + [out_dir / MANIFEST]
