"""The whole graph on the messy layout gives byte-identical results.csv to the canonical layout.

The canonical run is the session's tiny world (conftest ``tiny_world``); the messy run
(``python -m eq_assets.run`` in a subprocess with its own data directory) reads the same files
converted by ``eq_assets.synth.messy`` (Stata old and new, GBK monthly CSV parts, export/import
parts, Parquet, xlsx, header variants) through ``scan_source``/``read_source``.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.e2e



def _run(root) -> subprocess.CompletedProcess:
    env = {**os.environ, "EQ_DATA_DIR": str(root), "DAGSTER_HOME": str(root / "dagster_home")}
    for k in ("EQ_RAW_DIR", "EQ_WAREHOUSE", "EQ_OUTPUT_DIR", "EQ_MAPPING"):
        env.pop(k, None)
    (root / "dagster_home").mkdir(parents=True, exist_ok=True)
    return subprocess.run([sys.executable, "-m", "eq_assets.run"], env=env, capture_output=True, text=True)


def test_messy_layout_gives_byte_identical_results(tmp_path, tiny_world):
    from eq_assets.synth.messy import make_messy

    canon, messy = tiny_world["root"], tmp_path / "messy"
    # the canonical run's failed checks are only P2's truth checks at tiny scale (test_end_to_end)
    assert [f for f in tiny_world["failed"] if not (f.startswith("p2_table") and ":truth" in f)] == []
    written = make_messy(canon / "raw", messy / "raw")
    assert any(p.endswith(".dta") for p in written["customs"]) and any(p.endswith(".xlsx") for p in written["reference"])
    r = _run(messy)
    # the same checks fail as in the canonical run (exit 1 when any check fails), nothing else
    assert r.returncode == (1 if tiny_world["failed"] else 0), f"messy run failed:\n{r.stderr[-3000:]}"
    if tiny_world["failed"]:
        assert all(f.split(":")[0] in r.stdout + r.stderr for f in tiny_world["failed"]), r.stdout[-3000:]
    a = (canon / "outputs" / "results.csv").read_bytes()
    b = (messy / "outputs" / "results.csv").read_bytes()
    assert len(a) > 1000 and a == b
