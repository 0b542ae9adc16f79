"""One writer at a time: the warehouse lease.

A run holds the warehouse for its whole duration, so two runs never interleave (one run's
cleaning never reads another run's half-rewritten sources). The lease is a small JSON file
(``<warehouse>/LOCK``) naming its holder, changed only under an exclusive ``flock`` on
``<warehouse>/.lock``. The holder is:

- a **session**: ``python -m eq_assets.run`` takes the lease before its first run and gives it
  back at exit; every Dagster run it launches carries the tag ``eq/session`` and joins it (so its
  year partitions may run in parallel processes);
- a **Dagster run** (``dagster asset materialize``, a run launched from the UI, a test's
  ``materialize``): the warehouse I/O manager takes the lease when the run's first step starts
  and the run keeps it until it ends (every step of the same run joins it).

A second holder is refused at once with a message naming the current one (pid, command, start
time, last heartbeat). A lease is free again when its holder gave it back, when its Dagster run
has ended (the instance says so), when its process is gone (same host), or when its heartbeat
(every ``HEARTBEAT_SECONDS`` from each process that holds it) is older than
``EQ_LOCK_STALE_SECONDS`` (default 60): a ``kill -9`` never leaves the warehouse locked forever.

Written here because no library offers a lease keyed by Dagster run or session; the mutual
exclusion itself is the operating system's ``flock``.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

SESSION_TAG = "eq/session"
HEARTBEAT_SECONDS = 10.0
TERMINAL_STATUSES = {"SUCCESS", "FAILURE", "CANCELED"}


class WarehouseBusy(RuntimeError):
    """Another run holds the warehouse."""


def stale_after() -> float:
    return float(os.environ.get("EQ_LOCK_STALE_SECONDS", "60"))


@contextmanager
def _guard(root: Path):
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "a+") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _read(root: Path) -> dict | None:
    try:
        return json.loads((root / "LOCK").read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def _write(root: Path, lease: dict) -> None:
    tmp = root / f".LOCK.{os.getpid()}"
    tmp.write_text(json.dumps(lease, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, root / "LOCK")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _free_reason(lease: dict, instance=None) -> str | None:
    """Why ``lease`` no longer holds (None while its holder is alive)."""
    age = time.time() - float(lease.get("heartbeat", 0))
    if age > stale_after():
        return f"no heartbeat for {age:.0f} s"
    if lease.get("kind") == "session" and lease.get("host") == socket.gethostname() and not _pid_alive(int(lease["pid"])):
        return f"process {lease['pid']} is gone"
    if lease.get("kind") == "run" and instance is not None:
        run = instance.get_run_by_id(lease["holder"])
        if run is None or run.status.value in TERMINAL_STATUSES:
            return f"run {lease['holder']} has ended ({run.status.value if run else 'unknown'})"
    return None


def describe(lease: dict) -> str:
    started = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(float(lease["started"])))
    seen = time.time() - float(lease.get("heartbeat", lease["started"]))
    what = "session" if lease.get("kind") == "session" else "Dagster run"
    return (f"{what} {lease['holder']} (pid {lease['pid']} on {lease.get('host')}, command: {lease.get('command')}; "
            f"started {started}, last seen {seen:.0f} s ago)")


def acquire(root: Path, holder: str, *, kind: str, instance=None, command: str | None = None) -> dict:
    """Take the lease for ``holder`` or join it; raise :class:`WarehouseBusy` naming the holder."""
    root = Path(root)
    now = time.time()
    with _guard(root):
        cur = _read(root)
        if cur is not None and cur["holder"] != holder:
            why = _free_reason(cur, instance)
            if why is None:
                raise WarehouseBusy(
                    f"the warehouse {root} is in use by {describe(cur)}. Runs never share the warehouse: "
                    f"wait for that run to finish (or stop it); a dead holder is released after "
                    f"{stale_after():.0f} s without heartbeat."
                )
            cur = None
        if cur is None:
            cur = {"holder": holder, "kind": kind, "pid": os.getpid(), "host": socket.gethostname(),
                   "command": command or " ".join(sys.argv)[:300], "started": now, "heartbeat": now}
        else:
            cur["heartbeat"] = now
        _write(root, cur)
    _Heartbeat.ensure(root, holder)
    return cur


def release(root: Path, holder: str) -> bool:
    """Give the lease back if ``holder`` has it; returns whether it did."""
    root = Path(root)
    _Heartbeat.stop(root, holder)
    with _guard(root):
        cur = _read(root)
        if cur is not None and cur["holder"] == holder:
            (root / "LOCK").unlink(missing_ok=True)
            return True
    return False


def current(root: Path) -> dict | None:
    with _guard(Path(root)):
        return _read(Path(root))


class _Heartbeat:
    """A daemon thread per (process, warehouse, holder) refreshing the lease's heartbeat."""

    _threads: dict[tuple[str, str, int], threading.Event] = {}
    _mutex = threading.Lock()

    @classmethod
    def ensure(cls, root: Path, holder: str) -> None:
        key = (str(root), holder, os.getpid())
        with cls._mutex:
            if key in cls._threads:
                return
            stop = threading.Event()
            cls._threads[key] = stop
        t = threading.Thread(target=cls._beat, args=(root, holder, stop), daemon=True, name="eq-lease-heartbeat")
        t.start()

    @classmethod
    def stop(cls, root: Path, holder: str) -> None:
        with cls._mutex:
            ev = cls._threads.pop((str(root), holder, os.getpid()), None)
        if ev is not None:
            ev.set()

    @staticmethod
    def _beat(root: Path, holder: str, stop: threading.Event) -> None:
        while not stop.wait(HEARTBEAT_SECONDS):
            try:
                with _guard(root):
                    cur = _read(root)
                    if cur is None or cur["holder"] != holder:
                        return
                    cur["heartbeat"] = time.time()
                    _write(root, cur)
            except OSError:
                return
