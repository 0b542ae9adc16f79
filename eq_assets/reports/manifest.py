"""The outputs' manifest: which run wrote ``data/outputs/``, from which code and raw files.

``data/outputs/`` is published as one set: the files are written to a staging folder, moved
into place, and ``manifest.json`` (run id, code version, raw file hashes, parameters, time,
file hashes) is written last with ``"status": "current"``. A run that starts marks the manifest
``"stale"`` first (and writes ``STALE.txt`` saying why), so a run that is killed or fails leaves
the previous set in place and says it is stale.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import time
from pathlib import Path

from eq_assets.regressions.results import atomic_write_text

MANIFEST = "manifest.json"
STALE = "STALE.txt"


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def code_version() -> dict:
    """Package version and, in a git checkout, the commit and whether the tree is dirty."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        out = {"package": version("eq_assets")}
    except PackageNotFoundError:
        out = {"package": "unknown"}
    root = Path(__file__).resolve().parents[2]
    try:
        commit = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10)
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10)
        if commit.returncode == 0:
            out["git_commit"] = commit.stdout.strip()
            out["git_dirty"] = bool(dirty.stdout.strip())
    except (OSError, subprocess.SubprocessError):
        pass
    return out


def raw_file_hashes(raw_dir: Path) -> dict[str, dict]:
    """sha256 and size of every file under the raw directory (relative paths, sorted)."""
    raw_dir = Path(raw_dir)
    out = {}
    for p in sorted(raw_dir.rglob("*")):
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(raw_dir).parts):
            out[p.relative_to(raw_dir).as_posix()] = {"sha256": sha256_file(p), "bytes": p.stat().st_size}
    return out


def read_manifest(out_dir: Path) -> dict | None:
    try:
        return json.loads((Path(out_dir) / MANIFEST).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def mark_stale(out_dir: Path, reason: str) -> None:
    """Say that the outputs in ``out_dir`` (if any) are not from the run now in progress."""
    out_dir = Path(out_dir)
    m = read_manifest(out_dir)
    if m is None and not (out_dir / "results.csv").exists():
        return
    m = m or {"run_id": None}
    m["status"] = "stale"
    m["stale_reason"] = reason
    atomic_write_text(out_dir / MANIFEST, json.dumps(m, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    atomic_write_text(out_dir / STALE, f"These outputs are stale: {reason}.\nThey were written by run "
                      f"{m.get('run_id')} at {m.get('written_at')}; see {MANIFEST}.\n")


def publish_outputs(out_dir: Path, files: dict[str, bytes | str], *, run_id: str, raw_dir: Path,
                    parameters: dict | None = None) -> list[Path]:
    """Write ``files`` (name -> content) as the new set in ``out_dir``, manifest last."""
    out_dir = Path(out_dir)
    staging = out_dir / f".staging-{run_id[:12]}"
    staging.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in sorted(files.items()):
        p = staging / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        os.chmod(p, 0o644)
    hashes = {name: sha256_file(staging / name) for name in sorted(files)}
    for name in sorted(files):
        target = out_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / name, target)
        written.append(target)
    for d in sorted(staging.rglob("*"), reverse=True):
        if d.is_dir():
            d.rmdir()
    staging.rmdir()
    manifest = {
        "status": "current",
        "run_id": run_id,
        "written_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "code_version": code_version(),
        "raw_dir": str(raw_dir),
        "raw_files": raw_file_hashes(raw_dir),
        "parameters": parameters or {},
        "files": hashes,
    }
    atomic_write_text(out_dir / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    os.chmod(out_dir / MANIFEST, 0o644)
    (out_dir / STALE).unlink(missing_ok=True)
    return written + [out_dir / MANIFEST]
