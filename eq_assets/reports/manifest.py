"""The run manifest of a replication report: code version, raw file hashes, parameters.

Everything here is deterministic for the same code, inputs and parameters (no timestamps, no run
ids), so the report is byte-identical on a rerun.

- code: ``git rev-parse HEAD`` of the repository (and whether the work tree has uncommitted
  changes), or ``unknown`` outside a git checkout; the versions of the estimation libraries;
- raw files: relative path, size and SHA-256 of every file under the raw directory;
- parameters: each configurable asset's effective configuration (its ``dg.Config`` defaults with
  the run configuration of the run that produced its latest materialization, per partition;
  partitions with the same values are grouped) and the estimation settings of the regressions.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import subprocess
from importlib import metadata as importlib_metadata
from pathlib import Path

from eq_assets.settings import REPO_ROOT

PACKAGES = ("dagster", "pandas", "numpy", "pyfixest", "linearmodels", "duckdb", "pandera", "scipy", "matplotlib")
CHUNK = 1 << 20


def code_version(repo: Path = REPO_ROOT) -> dict:
    def git(*args: str) -> str | None:
        try:
            r = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.SubprocessError):
            return None
        return r.stdout.strip() if r.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no") if commit else None
    versions = {}
    for p in PACKAGES:
        try:
            versions[p] = importlib_metadata.version(p)
        except importlib_metadata.PackageNotFoundError:
            versions[p] = "not installed"
    return {"commit": commit or "unknown (not a git checkout)", "uncommitted_changes": bool(status),
            "packages": versions}


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def raw_files(raw_dir: Path) -> list[dict]:
    """Every file under ``raw_dir`` (sorted): path relative to it, bytes, sha256."""
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        return []
    return [{"path": p.relative_to(raw_dir).as_posix(), "bytes": p.stat().st_size, "sha256": file_sha256(p)}
            for p in sorted(raw_dir.rglob("*")) if p.is_file()]


def _defaults() -> dict[str, dict]:
    import dagster as dg

    from eq_assets.definitions import defs
    from eq_assets.jobs import ALL_TABLES_JOB, YEARLY_JOB

    out: dict[str, dict] = {}
    for name in (YEARLY_JOB, ALL_TABLES_JOB):
        resolved = dg.validate_run_config(defs.resolve_job_def(name), {})
        out.update({op: v["config"] for op, v in resolved["ops"].items() if v.get("config")})
    return out


def asset_parameters(instance) -> list[dict]:
    """[{asset, partitions, config}] of every configurable asset: defaults updated with the run
    config of the latest materialization's run (partitions with equal configs grouped)."""
    import dagster as dg

    from eq_assets.definitions import ALL_ASSETS

    parts = {a.key.to_user_string(): (a.partitions_def.get_partition_keys() if a.partitions_def else [None])
             for a in ALL_ASSETS}
    rows = []
    for asset, default in sorted(_defaults().items()):
        groups: dict[str, list[str]] = {}
        for p in parts.get(asset, [None]):
            config = dict(default)
            if instance is not None:
                flt = dg.AssetRecordsFilter(asset_key=dg.AssetKey(asset), asset_partitions=[p] if p else None)
                recs = instance.fetch_materializations(flt, limit=1).records
                run = instance.get_run_by_id(recs[0].run_id) if recs else None
                if run is not None:
                    config.update(((run.run_config or {}).get("ops", {}).get(asset, {}) or {}).get("config", {}) or {})
            groups.setdefault(json.dumps(config, sort_keys=True, ensure_ascii=False), []).append(p or "")
        for cfg, ps in groups.items():
            label = "" if ps == [""] else _ranges(ps)
            rows.append({"asset": asset, "partitions": label, "config": json.loads(cfg)})
    return rows


def _ranges(keys: list[str]) -> str:
    """"2004-2009, 2011" for year partition keys (other keys joined as they are)."""
    if not all(k.isdigit() for k in keys):
        return ", ".join(keys)
    ys = sorted(int(k) for k in keys)
    runs: list[list[int]] = []
    for y in ys:
        if runs and y == runs[-1][1] + 1:
            runs[-1][1] = y
        else:
            runs.append([y, y])
    return ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in runs)


def estimation_settings() -> dict:
    from eq_assets.regressions.options import DEFAULT_SETTINGS

    return {k: v for k, v in dataclasses.asdict(DEFAULT_SETTINGS).items()}


def build_manifest(instance, raw_dir: Path) -> dict:
    """The manifest the report prints (and writes as manifest.json)."""
    return {"code": code_version(), "raw_dir_files": raw_files(raw_dir), "parameters": asset_parameters(instance),
            "estimation_settings": estimation_settings()}
