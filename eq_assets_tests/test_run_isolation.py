"""Runs never mix, a killed run leaves nothing half-written, a full disk changes nothing (issue 9).

Each test runs the real runner (``python -m eq_assets.run``) or Dagster's ``materialize`` in a
separate process on a copy of the one-year world of the bad-input catalogue (``bad_world``), and
compares the stored tables with its last good versions, byte for byte.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from bad_input_world import YEAR

RUN = [sys.executable, "-m", "eq_assets.run", "--years", str(YEAR), "-j", "1"]
#: the yearly tables the catalogue's good world holds (their files must come out identical)
COMPARED = [f"tables/{t}/{YEAR}.parquet" for t in ("raw_customs", "raw_asif", "raw_patents", "customs_exports",
                                                   "firm_survey", "firm_patents")] + ["tables/hs_concordance/all.parquet"]


def _env(root: Path) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("EQ_RAW_DIR", "EQ_WAREHOUSE", "EQ_OUTPUT_DIR", "EQ_MAPPING", "DAGSTER_HOME")}
    env.update({"EQ_DATA_DIR": str(root), "DAGSTER_HOME": str(root / "dagster_home")})
    return env


def _world(bad_world, tmp_path) -> Path:
    root = tmp_path / "data"
    shutil.copytree(bad_world.good_raw, root / "raw")
    return root


def _digests(root: Path) -> dict:
    import hashlib

    return {rel: hashlib.sha256((root / "warehouse" / rel).read_bytes()).hexdigest() for rel in COMPARED}


def _wait_for(pred, timeout: float, step: float = 0.002) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(step)
    return False


def test_two_runs_on_one_warehouse_never_mix(bad_world, tmp_path):
    """The second runner, started while the first holds the warehouse, stops at once naming it."""
    root = _world(bad_world, tmp_path)
    env = _env(root)
    cmd = RUN + ["--only-yearly"]
    first = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert _wait_for(lambda: (root / "warehouse" / "LOCK").exists(), 300, 0.05), "the first run never took the lease"
        second = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
        out, err = first.communicate(timeout=600)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == 0, err[-3000:]
    assert second.returncode == 3, (second.returncode, second.stderr[-3000:])
    msg = second.stderr
    assert "not started: the warehouse" in msg and f"pid {first.pid}" in msg and "eq_assets.run" in msg, msg
    # the first run's tables are exactly those of the good world (nothing of the second one mixed in)
    assert _digests(root) == {rel: bad_world.good[rel] for rel in COMPARED}
    assert not (root / "warehouse" / "LOCK").exists()  # given back at the end


def test_kill_9_mid_write_then_rerun(bad_world, tmp_path):
    """kill -9 while a table is being staged: nothing half-written is ever stored, the outputs say
    they are stale, the lease and the dead Dagster run are cleared, and a rerun gives the good tables."""
    root = _world(bad_world, tmp_path)
    out = root / "outputs"
    out.mkdir(parents=True)
    (out / "results.csv").write_text("paper,table\nP1,1\n", encoding="utf-8")
    (out / "manifest.json").write_text(json.dumps({"run": {"status": "current", "run_id": "earlier"}}), encoding="utf-8")
    env = _env(root)
    proc = subprocess.Popen(RUN, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        staging = root / "warehouse" / "tables"
        caught = _wait_for(lambda: any(staging.glob("*/.staging/*.parquet")), 300)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
    assert caught, "no table was ever staged"
    # nothing half-written among the stored tables: every stored file reads whole
    con = duckdb.connect()
    for p in staging.glob("*/*.parquet"):
        con.execute(f"select count(*) from read_parquet('{p.as_posix()}')").fetchone()
    # the previous outputs are kept and say they are stale
    assert (out / "results.csv").read_text(encoding="utf-8") == "paper,table\nP1,1\n"
    assert (out / "STALE.txt").exists() and json.loads((out / "manifest.json").read_text())["run"]["status"] == "stale"
    lease = json.loads((root / "warehouse" / "LOCK").read_text())
    assert lease["pid"] == proc.pid  # the dead holder's lease is still there ...
    rerun = subprocess.run(RUN + ["--only-yearly"], env=env, capture_output=True, text=True, timeout=900)
    assert rerun.returncode == 0, rerun.stderr[-3000:]  # ... and released because its process is gone
    assert "had died without finishing: marked failed" in rerun.stdout, rerun.stdout
    assert not list(staging.glob("*/.staging/*"))
    assert _digests(root) == {rel: bad_world.good[rel] for rel in COMPARED}
    import dagster as dg

    with _dagster_home(root):
        inst = dg.DagsterInstance.get()
        statuses = [r.status for r in inst.get_runs()]
        assert dg.DagsterRunStatus.STARTED not in statuses and dg.DagsterRunStatus.FAILURE in statuses


class _dagster_home:
    def __init__(self, root: Path):
        self.root = root

    def __enter__(self):
        self.old = os.environ.get("DAGSTER_HOME")
        os.environ["DAGSTER_HOME"] = str(self.root / "dagster_home")

    def __exit__(self, *exc):
        if self.old is None:
            os.environ.pop("DAGSTER_HOME", None)
        else:
            os.environ["DAGSTER_HOME"] = self.old


_LIMITED = """
import json, resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))
sys.path.insert(0, {tests!r})
from pathlib import Path
from bad_input_world import BadWorld
ok, errors, md = BadWorld(Path({root!r}), Path({good!r})).run(["raw_customs"], "{year}")
print(json.dumps({{"ok": ok, "errors": errors}}))
"""


def test_full_disk_changes_nothing_and_says_so(bad_world, tmp_path):
    """A write that fails (a file-size limit stands in for a full disk) is refused with a message
    naming the warehouse; the stored partition is byte-identical and no staged file is left."""
    root = tmp_path / "data"
    shutil.copytree(bad_world.root, root)
    before = _digests(root)
    size = (root / "warehouse" / f"tables/raw_customs/{YEAR}.parquet").stat().st_size
    code = _LIMITED.format(limit=size // 2, tests=str(Path(__file__).parent), root=str(root),
                           good=str(bad_world.good_raw), year=YEAR)
    r = subprocess.run([sys.executable, "-c", code], env=_env(root), capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    got = json.loads(r.stdout.strip().splitlines()[-1])
    assert not got["ok"]
    msg = "\n".join(got["errors"])
    assert "cannot be written to the warehouse" in msg and str(root / "warehouse") in msg, msg
    assert "the last good version is kept" in msg
    assert _digests(root) == before
    assert not list((root / "warehouse" / "tables").glob("*/.staging/*"))


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_read_only_warehouse_changes_nothing(bad_world, tmp_path):
    root = tmp_path / "data"
    shutil.copytree(bad_world.root, root)
    before = _digests(root)
    table = root / "warehouse" / "tables" / "raw_customs"
    for d in (table, table / ".staging"):
        d.mkdir(exist_ok=True)
        d.chmod(0o555)
    try:
        from bad_input_world import BadWorld

        ok, errors, _ = BadWorld(root, bad_world.good_raw).run(["raw_customs"], str(YEAR))
    finally:
        for d in (table, table / ".staging"):
            d.chmod(0o755)
    assert not ok and "cannot be written to the warehouse" in "\n".join(errors)
    assert _digests(root) == before


def test_failed_step_prints_its_message_once_without_stack_trace(bad_world, tmp_path):
    """A step that fails (here: its upstream table is missing) is reported once, by the runner,
    with the message naming the table; Dagster's stack traces stay in the log file."""
    root = _world(bad_world, tmp_path)
    r = subprocess.run([*RUN, "--select", "raw_asif"], env=_env(root), capture_output=True, text=True, timeout=600)
    out = r.stdout + r.stderr
    assert r.returncode == 1, out[-3000:]
    assert "table 'city_panel' not found in the warehouse" in out, out[-3000:]
    assert "Traceback" not in out and "Stack Trace" not in out, out[-3000:]
    assert "Stack Trace" in (root / "logs" / "dagster.log").read_text(encoding="utf-8")
