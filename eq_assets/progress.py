"""Progress of a long stage: one line per finished asset with an ETA, read from the instance.

A stage is one Dagster run in this process (``dg.materialize`` blocks), so a thread polls the
instance's event log for that run (found by its ``eq/stage`` tag) and prints a line each time a
step finishes: ``[5/33] p1_table3  12.4 s  (ETA 2.1 min)``. On a terminal the line is redrawn in
place as a bar; in a log file it is a line every 15 s at most (quiet by default). The ETA uses each remaining asset's
duration in its last successful run (or the mean so far when an asset never ran).
"""

from __future__ import annotations

import sys
import threading
import time


def last_durations(instance, names: list[str]) -> dict[str, float]:
    """Seconds of each asset's step in its latest successful materialization (unpartitioned)."""
    import dagster as dg
    from dagster import DagsterEventType

    out: dict[str, float] = {}
    for n in names:
        res = instance.fetch_materializations(dg.AssetRecordsFilter(asset_key=dg.AssetKey(n)), limit=1)
        if not res.records:
            continue
        rec = res.records[0]
        logs = instance.all_logs(rec.run_id, of_type={DagsterEventType.STEP_START, DagsterEventType.STEP_SUCCESS})
        t = {e.dagster_event.event_type: e.timestamp for e in logs if e.dagster_event.step_key == n}
        if DagsterEventType.STEP_START in t and DagsterEventType.STEP_SUCCESS in t:
            out[n] = t[DagsterEventType.STEP_SUCCESS] - t[DagsterEventType.STEP_START]
    return out


class StageProgress:
    """Prints one line per finished step of the run tagged ``eq/stage=<stage_id>``."""

    def __init__(self, instance, stage_id: str, names: list[str], log=print, interval: float = 2.0,
                 every: float = 15.0):
        self.instance, self.stage_id, self.names, self.log = instance, stage_id, list(names), log
        self.interval, self.every, self._last = interval, every, time.time()
        self.expected = last_durations(instance, self.names)
        self.tty = sys.stdout.isatty()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="eq-progress")

    def __enter__(self):
        if len(self.names) > 1:
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        if self.tty:
            sys.stdout.write("\r\033[K")
            sys.stdout.flush()

    def _run(self) -> None:
        import dagster as dg
        from dagster import DagsterEventType

        seen: set[str] = set()
        t0 = time.time()
        run_id = None
        while not self._stop.wait(self.interval):
            try:
                if run_id is None:
                    runs = self.instance.get_runs(filters=dg.RunsFilter(tags={"eq/stage": self.stage_id}), limit=1)
                    if not runs:
                        continue
                    run_id = runs[0].run_id
                logs = self.instance.all_logs(run_id, of_type={DagsterEventType.STEP_START, DagsterEventType.STEP_SUCCESS})
            except Exception:  # progress is best effort; the run itself reports failures
                continue
            starts = {e.dagster_event.step_key: e.timestamp for e in logs
                      if e.dagster_event.event_type == DagsterEventType.STEP_START}
            for e in logs:
                key = e.dagster_event.step_key
                if e.dagster_event.event_type != DagsterEventType.STEP_SUCCESS or key in seen:
                    continue
                seen.add(key)
                secs = e.timestamp - starts.get(key, e.timestamp)
                self._line(len(seen), key, secs, self._eta(seen, time.time() - t0))

    def _eta(self, seen: set[str], elapsed: float) -> float:
        left = [n for n in self.names if n not in seen]
        done = [self.expected[n] for n in seen if n in self.expected]
        mean = (elapsed / max(len(seen), 1)) if not done else sum(done) / len(done)
        return sum(self.expected.get(n, mean) for n in left)

    def _line(self, k: int, name: str, secs: float, eta: float) -> None:
        n = len(self.names)
        msg = f"  [{k}/{n}] {name:<26} {secs:7.1f} s   ETA {eta / 60:4.1f} min"
        if self.tty:
            bar = "#" * int(20 * k / n)
            sys.stdout.write(f"\r\033[K  |{bar:<20}| {msg.strip()}")
            sys.stdout.flush()
        elif time.time() - self._last >= self.every:  # a log file: a line every `every` seconds at most
            self._last = time.time()
            self.log(msg)
