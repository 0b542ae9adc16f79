"""Benchmark: wall time and peak memory per asset, at a chosen scale.

``python -m eq_assets.bench --scale paper`` (what ``make bench SCALE=paper`` calls) writes the
synthetic world for that scale into ``data/bench/<scale>/raw`` (once), then materializes the
graph asset by asset, each in its own process (all year partitions of a yearly asset in one
process, one after another), and reports per asset the wall time and the process's peak
resident memory (from ``wait4``'s rusage, so DuckDB's and numpy's native memory count).
Results go to stdout and ``data/bench/<scale>/bench.csv``. Each process also pays Python and
Dagster start-up (about 3-5 s), listed separately as the ``startup`` row.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import time
from pathlib import Path

from eq_assets import settings


def _run_measured(cmd: list[str], env: dict) -> tuple[float, float, int]:
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = proc.stdout.read() if proc.stdout else b""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.stderr.write(out.decode(errors="replace")[-5000:])
    return wall, usage.ru_maxrss / 1024**2, code  # ru_maxrss is in KiB on Linux -> GiB


def topological_asset_names() -> list[tuple[str, bool]]:
    """(asset name, partitioned?) in dependency order."""
    from eq_assets.definitions import ALL_ASSETS

    by_key = {a.key: a for a in ALL_ASSETS}
    done: list = []

    def visit(a):
        if a.key in done:
            return
        for dep in sorted(a.dependency_keys, key=lambda k: k.to_user_string()):
            if dep in by_key:
                visit(by_key[dep])
        done.append(a.key)

    for a in ALL_ASSETS:
        visit(a)
    return [(k.to_user_string(), by_key[k].partitions_def is not None) for k in done]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scale", default="small", choices=["tiny", "small", "paper"])
    ap.add_argument("--seed", type=int, default=20240801)
    ap.add_argument("--root", default=None, help="bench data root (default data/bench/<scale>)")
    args = ap.parse_args(argv)

    root = Path(args.root or settings.data_dir() / "bench" / args.scale).resolve()
    env = {**os.environ, "EQ_DATA_DIR": str(root), "DAGSTER_HOME": str(root / "dagster_home")}
    env.pop("EQ_RAW_DIR", None)
    env.pop("EQ_WAREHOUSE", None)
    env.pop("EQ_OUTPUT_DIR", None)
    (root / "dagster_home").mkdir(parents=True, exist_ok=True)
    rows = []
    raw = root / "raw"
    if not raw.exists() or not any(raw.iterdir()):
        wall, peak, code = _run_measured(
            [sys.executable, "-m", "eq_assets.synth", "--scale", args.scale, "--seed", str(args.seed), "--out", str(raw)], env
        )
        rows.append(("synthetic_world", wall, peak))
        print(f"{'synthetic_world':28s} {wall:9.1f} s {peak:7.2f} GiB", flush=True)
        if code:
            return code
    wall, peak, _ = _run_measured([sys.executable, "-c", "import eq_assets.definitions"], env)
    rows.append(("startup", wall, peak))
    print(f"{'startup (import)':28s} {wall:9.1f} s {peak:7.2f} GiB", flush=True)
    for name, partitioned in topological_asset_names():
        cmd = [sys.executable, "-m", "eq_assets.run", "--select", name]
        wall, peak, code = _run_measured(cmd, env)
        rows.append((name, wall, peak))
        print(f"{name:28s} {wall:9.1f} s {peak:7.2f} GiB{'  (11 partitions)' if partitioned else ''}", flush=True)
        if code:
            print(f"{name} failed (exit {code})", file=sys.stderr)
            return code
    total = sum(r[1] for r in rows)
    print(f"{'total':28s} {total:9.1f} s {max(r[2] for r in rows):7.2f} GiB (max)")
    with open(root / "bench.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["stage", "wall_seconds", "peak_rss_gib"])
        for r in rows:
            w.writerow([r[0], f"{r[1]:.2f}", f"{r[2]:.3f}"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
