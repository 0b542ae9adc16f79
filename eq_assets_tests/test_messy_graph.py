"""The whole graph on the messy layout gives byte-identical results.csv to the canonical layout.

Two full runs of the tiny world (``python -m eq_assets.run`` in subprocesses, each with its own
data directory): the canonical raw files, and the same files converted by
``eq_assets.synth.messy`` (Stata old and new, GBK monthly CSV parts, export/import parts,
Parquet, xlsx, header variants). The graph reads both through ``scan_source``/``read_source``.
This is the slowest test of the suite (two tiny end-to-end runs, ~5 min on 2 cores).
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.e2e

SEED = 20240801


def _run(root) -> subprocess.CompletedProcess:
    env = {**os.environ, "EQ_DATA_DIR": str(root), "DAGSTER_HOME": str(root / "dagster_home")}
    for k in ("EQ_RAW_DIR", "EQ_WAREHOUSE", "EQ_OUTPUT_DIR", "EQ_MAPPING"):
        env.pop(k, None)
    (root / "dagster_home").mkdir(parents=True, exist_ok=True)
    return subprocess.run([sys.executable, "-m", "eq_assets.run"], env=env, capture_output=True, text=True)


def test_messy_layout_gives_byte_identical_results(tmp_path):
    from eq_assets.synth import generate
    from eq_assets.synth.messy import make_messy

    canon, messy = tmp_path / "canon", tmp_path / "messy"
    generate(canon / "raw", scale="tiny", seed=SEED)
    written = make_messy(canon / "raw", messy / "raw")
    assert any(p.endswith(".dta") for p in written["customs"]) and any(p.endswith(".xlsx") for p in written["reference"])
    runs = {name: _run(root) for name, root in (("canonical", canon), ("messy", messy))}
    for name, r in runs.items():
        assert r.returncode == 0, f"{name} run failed:\n{r.stderr[-3000:]}"
    a = (canon / "outputs" / "results.csv").read_bytes()
    b = (messy / "outputs" / "results.csv").read_bytes()
    assert len(a) > 1000 and a == b
