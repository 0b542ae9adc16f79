"""Materialize the whole graph: reference tables, every year partition, then the tables.

``python -m eq_assets.run [--years 2004 2009] [--select ...] [--only-yearly] [--jobs N] [-v]`` is
what ``make run`` calls. Runs are recorded in the Dagster instance under ``$DAGSTER_HOME``
(default ``data/dagster_home``), so the UI shows them.

- **One writer**: the runner holds the warehouse lease for its whole duration
  (:mod:`eq_assets.core.lock`); a second runner, or a ``dagster asset materialize`` meanwhile,
  stops at once naming the holder. Runs left "started" by a killed process are marked failed.
- **Years in parallel**: independent year partitions run as separate Dagster runs in ``--jobs``
  worker processes (default: one per core), each year's run in-process; Parquet-per-partition
  storage lets them write concurrently (:mod:`eq_assets.core.warehouse`).
- **Quiet**: one line per stage and year (assets, rows written, seconds), then a summary (checks,
  rows dropped by reason, outputs). Dagster's own log goes to ``data/logs/run-<time>.log``; ``-v``
  prints it too.
- **Exit code** 1 if any step fails or any asset check (blocking or not) fails, and the failing
  checks are listed: ``dagster asset materialize`` exits 0 when a non-blocking check fails, this
  does not. Exit 3 when the warehouse is held by another run.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import multiprocessing
import os
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from eq_assets import settings
from eq_assets.logs import quiet_warnings

DAGSTER_YAML = """\
# Written by eq_assets.run. Runs write the warehouse one at a time (eq_assets.core.lock);
# year partitions of one `python -m eq_assets.run` share its lease and run in parallel.
run_queue:
  max_concurrent_runs: 1
run_monitoring:
  enabled: true
  start_timeout_seconds: 180
  max_resume_run_attempts: 0
telemetry:
  enabled: false
# No per-step stdout/stderr capture: the steps print nothing (their logs are Dagster events and
# data/logs/dagster.log), and the capture runs `tail -F` children that inherit a dask worker's
# ignored SIGTERM, so each step waited 2 x 30 s for them to end on a dask cluster (measured:
# 60 s per step, `tail` processes left behind).
compute_logs:
  module: dagster._core.storage.noop_compute_log_manager
  class: NoOpComputeLogManager
"""


def ensure_dagster_home() -> Path:
    """Use $DAGSTER_HOME, or data/dagster_home with the project's dagster.yaml."""
    home = Path(os.environ.get("DAGSTER_HOME", settings.data_dir() / "dagster_home")).resolve()
    home.mkdir(parents=True, exist_ok=True)
    cfg = home / "dagster.yaml"
    if not cfg.exists():
        from eq_assets.logs import dagster_yaml_logging

        cfg.write_text(DAGSTER_YAML + dagster_yaml_logging())
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def _split_assets(all_assets):
    reference, yearly, final = [], [], []
    for a in all_assets:
        if a.partitions_def is not None:
            yearly.append(a)
        else:
            (final if set(a.dependency_keys) else reference).append(a)
    return reference, yearly, final


def _run_config(verbose: bool) -> dict:
    """Dagster's console logger silent unless verbose: its full log goes to the log file, and a failed
    step's message is printed once by the runner (no stack trace on the console)."""
    return {"loggers": {"console": {"config": {"log_level": "DEBUG" if verbose else "CRITICAL"}}}}


def _step_errors(result) -> list[str]:
    """The user-facing message of each failed step (the deepest cause: our InputDataError)."""
    out = []
    for ev in result.get_step_failure_events():
        err = ev.event_specific_data.error if ev.event_specific_data else None
        msg = None
        while err is not None:
            msg = err.message.strip()
            err = err.cause
        out.append(f"{ev.step_key}: {msg or 'failed'}")
    return out


def _failed_checks(result) -> list[str]:
    out = []
    for ev in result.get_asset_check_evaluations():
        if not ev.passed:
            md = {k: getattr(v, "value", v) for k, v in ev.metadata.items()}
            out.append(f"{ev.asset_key.to_user_string()}:{ev.check_name} {md}")
    return out


def _rows_and_drops(result) -> tuple[int, dict[str, dict[str, int]], int]:
    """Rows written, rows dropped (or flagged) by asset and reason, and checks evaluated, from a run's events."""
    n, drops = 0, {}
    for ev in result.get_asset_materialization_events():
        mat = ev.event_specific_data.materialization
        md = mat.metadata
        if "dagster/row_count" in md:
            n += int(md["dagster/row_count"].value)
        name = mat.asset_key.to_user_string()
        for k, v in md.items():
            # rows dropped by reason, and rows a source rule flagged but kept (shown as such)
            for prefix, label in (("dropped_", "{}"), ("flagged_", "{} (flagged, kept)")):
                if k.startswith(prefix) and v.value:
                    d = drops.setdefault(name, {})
                    r = label.format(k[len(prefix):])
                    d[r] = d.get(r, 0) + int(v.value)
    return n, drops, len(result.get_asset_check_evaluations())


@dataclass
class StageResult:
    ok: bool
    errors: list[str]
    failed_checks: list[str]
    rows: int
    drops: dict[str, dict[str, int]]
    n_checks: int


@dataclass
class RunReport:
    """What a whole run did (for the console summary)."""

    stages: list[tuple[str, int, float, bool]] = field(default_factory=list)  # label, rows, seconds, ok
    drops: dict[str, dict[str, int]] = field(default_factory=dict)
    n_checks: int = 0
    failed_checks: list[str] = field(default_factory=list)

    def add(self, label: str, res: StageResult, seconds: float) -> None:
        self.stages.append((label, res.rows, seconds, res.ok))
        self.n_checks += res.n_checks
        self.failed_checks.extend(res.failed_checks)
        for asset, d in res.drops.items():
            mine = self.drops.setdefault(asset, {})
            for reason, n in d.items():
                mine[reason] = mine.get(reason, 0) + n


def _materialize(selection_names: list[str], partition_key: str | None, tags: dict, verbose: bool) -> StageResult:
    """One Dagster run (in this process) of the named assets."""
    import dagster as dg

    from eq_assets.definitions import ALL_ASSETS, resources
    from eq_assets.logs import attach_file_log

    attach_file_log()
    by_name = {a.key.to_user_string(): a for a in ALL_ASSETS}
    result = dg.materialize(
        ALL_ASSETS,
        selection=[by_name[n] for n in selection_names],
        partition_key=partition_key,
        instance=dg.DagsterInstance.get(),
        resources=resources(),
        tags=tags,
        run_config=_run_config(verbose),
        raise_on_error=False,
    )
    rows, drops, n_checks = _rows_and_drops(result)
    return StageResult(result.success, _step_errors(result), _failed_checks(result), rows, drops, n_checks)


#: The tables stage runs its steps in parallel processes (:func:`_materialize_parallel`) only
#: when the warehouse holds at least this many bytes of tables: a step process costs ~3 s to
#: start (measured: a tiny world's tables stage took 245 s in parallel processes against ~100 s
#: in one), which pays only when steps take tens of seconds (paper scale: 2.4 GB of tables).
PARALLEL_TABLES_MIN_BYTES = 512 * 2**20


def tables_parallelism(jobs: int, warehouse_root: Path) -> int:
    """Steps of the tables stage at a time: ``jobs`` for a big warehouse, else 1 (in process)."""
    if jobs <= 1:
        return 1
    tables = warehouse_root / "tables"
    size = sum(f.stat().st_size for f in tables.glob("*/*.parquet")) if tables.exists() else 0
    return jobs if size >= PARALLEL_TABLES_MIN_BYTES else 1


def _materialize_parallel(selection_names: list[str], tags: dict, verbose: bool) -> StageResult:
    """One Dagster run of the named unpartitioned assets on the tables job's multiprocess
    executor (:data:`eq_assets.jobs.TABLES_EXECUTOR`: steps in parallel, one heavy at a time)."""
    import dagster as dg

    from eq_assets.definitions import tables_job
    from eq_assets.logs import attach_file_log

    attach_file_log()
    with dg.execute_job(dg.reconstructable(tables_job), instance=dg.DagsterInstance.get(),
                        run_config=_run_config(verbose), tags=tags, raise_on_error=False,
                        asset_selection=[dg.AssetKey(n) for n in selection_names]) as result:
        rows, drops, n_checks = _rows_and_drops(result)
        return StageResult(result.success, _step_errors(result), _failed_checks(result), rows, drops, n_checks)


def _worker_init(env: dict) -> None:
    os.environ.update(env)
    quiet_warnings()


def _year_task(args):
    names, year, tags, verbose = args
    t0 = time.perf_counter()
    res = _materialize(names, str(year), tags, verbose)
    return year, res, time.perf_counter() - t0


def default_jobs() -> int:
    return max(1, min(os.cpu_count() or 1, 4))


def materialize_all(
    years: list[int] | None = None, *, include_final: bool = True, select: list[str] | None = None,
    log=print, jobs: int | None = None, verbose: bool = False, report: RunReport | None = None,
    changed_only: bool = False,
) -> list[str]:
    """Materialize everything (or only the assets named in ``select``); returns failed checks.

    ``changed_only``: skip what is current (same raw files, same code: :mod:`eq_assets.core.versions`):
    only the years whose raw files or yearly code changed, and the tables only if anything did.
    Raises :class:`RunFailed` when a step fails (its message names the table, file and rows).
    """
    import dagster as dg

    from eq_assets.core import lock
    from eq_assets.core.warehouse import Warehouse
    from eq_assets.definitions import ALL_ASSETS
    from eq_assets.reports.outputs import mark_stale

    ensure_dagster_home()
    reference, yearly, final = _split_assets(ALL_ASSETS)
    if select:
        unknown = set(select) - {a.key.to_user_string() for a in ALL_ASSETS}
        if unknown:
            raise SystemExit(f"unknown asset(s): {sorted(unknown)}")
        keep = lambda group: [a for a in group if a.key.to_user_string() in select]  # noqa: E731
        reference, yearly, final = keep(reference), keep(yearly), keep(final)
    names = lambda group: [a.key.to_user_string() for a in group]  # noqa: E731
    years = years or list(settings.YEARS)
    wh = Warehouse()
    session = uuid.uuid4().hex[:12]
    tags = {lock.SESSION_TAG: session}
    instance = dg.DagsterInstance.get()
    lock.acquire(wh.root, session, kind="session", instance=instance,
                 command="python -m eq_assets.run " + " ".join(sys.argv[1:]))
    try:
        _fail_dead_runs(instance, log)
        wh.clean_staging()
        per_year = None
        if changed_only:
            from eq_assets.core.plan import stale_plan
            from eq_assets.sources.raw_versions import for_asset

            plan = stale_plan(instance, [*reference, *yearly, *final], years, settings.raw_dir(), for_asset)
            keep = lambda group, chosen: [a for a in group if a.key.to_user_string() in chosen]  # noqa: E731
            reference, final = keep(reference, set(plan.reference)), keep(final, set(plan.final))
            per_year = {y: plan.years[y] for y in years if y in plan.years}
            years = list(per_year)
            log("changed: " + (", ".join(f"{k} ({v})" for k, v in list(plan.reasons.items())[:8])
                               + (f" and {len(plan.reasons) - 8} more" if len(plan.reasons) > 8 else "")
                               if plan.reasons else "nothing: every table is current"))
        if include_final and final:
            mark_stale(settings.output_dir(), f"run session {session} started {time.strftime('%Y-%m-%d %H:%M:%S')} "
                       "and has not written a new set yet")
        report = report if report is not None else RunReport()

        def stage(label, group_names, partition=None, parallel=1):
            from eq_assets.progress import StageProgress

            t0 = time.perf_counter()
            stage_id = uuid.uuid4().hex[:12]
            with StageProgress(instance, stage_id, group_names, log=log):
                if parallel > 1:
                    res = _materialize_parallel(group_names, {**tags, "eq/stage": stage_id}, verbose)
                else:
                    res = _materialize(group_names, partition, {**tags, "eq/stage": stage_id}, verbose)
            secs = time.perf_counter() - t0
            report.add(label, res, secs)
            log(f"{label:<22} {len(group_names):>3} assets {res.rows:>12,} rows {secs:>8.1f} s" + ("" if res.ok else "  FAILED"))
            if not res.ok:
                raise RunFailed(label, res.errors)

        jobs = jobs or default_jobs()
        if reference:
            stage("reference tables", names(reference))
        if yearly and years:
            _run_years(names(yearly), years, tags, max(1, min(jobs, len(years))), verbose, report, log, per_year)
        if include_final and final:
            stage("panels and tables", names(final), parallel=tables_parallelism(jobs, wh.root))
        wh.write_catalog()
        return list(report.failed_checks)
    finally:
        lock.release(wh.root, session)


def _run_years(yearly_names, years, tags, jobs, verbose, report: RunReport, log, per_year=None) -> None:
    """Each year as its own run (``per_year``: the assets to run in each year; default all)."""
    tasks = [((per_year or {}).get(y, yearly_names), y, tags, verbose) for y in years]
    if jobs == 1:
        results = map(_year_task, tasks)
        pool = None
    else:
        env = {"DAGSTER_HOME": os.environ["DAGSTER_HOME"]}  # DuckDB: one thread per process (core.warehouse)
        for k in ("EQ_DATA_DIR", "EQ_RAW_DIR", "EQ_WAREHOUSE", "EQ_OUTPUT_DIR", "EQ_MAPPING", "EQ_THREADS"):
            if k in os.environ:
                env[k] = os.environ[k]
        ctx = multiprocessing.get_context("spawn")
        pool = cf.ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_worker_init, initargs=(env,))
        results = pool.map(_year_task, tasks)
    errors: list[tuple[int, list[str]]] = []
    try:
        for year, res, secs in results:
            report.add(f"year {year}", res, secs)
            n = len((per_year or {}).get(year, yearly_names))
            log(f"year {year:<17} {n:>3} assets {res.rows:>12,} rows {secs:>8.1f} s" + ("" if res.ok else "  FAILED"))
            if not res.ok:
                errors.append((year, res.errors))
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    if errors:
        raise RunFailed(", ".join(f"year {y}" for y, _ in errors), [e for _, errs in errors for e in errs])


def _fail_dead_runs(instance, log) -> None:
    """Runs still "started" while we hold the lease belong to a killed process: mark them failed."""
    from dagster import DagsterRunStatus, RunsFilter

    stuck = instance.get_runs(filters=RunsFilter(statuses=[DagsterRunStatus.STARTED, DagsterRunStatus.STARTING]))
    for run in stuck:
        instance.report_run_failed(run, "marked failed by eq_assets.run: its process is gone (the warehouse "
                                        "lease it held had expired); nothing it staged was published")
        log(f"run {run.run_id[:8]} had died without finishing: marked failed")


class RunFailed(RuntimeError):
    def __init__(self, label: str, errors: list[str]):
        self.label, self.errors = label, errors
        super().__init__(f"{label} failed:\n  " + "\n  ".join(errors))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--years", type=int, nargs="*", help="year partitions to (re)materialize (default: all)")
    ap.add_argument("--select", nargs="*", help="only these assets (by name)")
    ap.add_argument("--only-yearly", action="store_true", help="skip the unpartitioned tables and reports")
    ap.add_argument("--jobs", "-j", type=int, default=None, help="year partitions run in parallel (default: one per core)")
    ap.add_argument("--verbose", "-v", action="store_true", help="print Dagster's log too")
    ap.add_argument("--changed", action="store_true",
                    help="only what changed since the last run: years whose raw files or code changed, then the tables")
    args = ap.parse_args(argv)
    quiet_warnings()
    raw = settings.raw_dir()
    if not raw.exists() or not any(raw.iterdir()):
        print(f"no raw data in {raw}: run `make synth` (synthetic world) or set EQ_RAW_DIR", file=sys.stderr)
        return 2
    from eq_assets.core.lock import WarehouseBusy
    from eq_assets.logs import log_path
    from eq_assets.reports.summary import print_summary

    t0 = time.perf_counter()
    print(f"eq_assets: raw files {raw}; warehouse {settings.warehouse_dir()}; log {log_path()}", flush=True)
    report = RunReport()
    try:
        failed = materialize_all(args.years, include_final=not args.only_yearly, select=args.select,
                                 jobs=args.jobs, verbose=args.verbose, log=lambda m: print(m, flush=True),
                                 report=report, changed_only=args.changed)
    except WarehouseBusy as exc:
        print(f"not started: {exc}", file=sys.stderr)
        return 3
    except RunFailed as exc:
        print(f"\nstopped: {exc}\nNothing that failed its checks was published; the last good tables are kept. "
              f"Full log: {log_path()}", file=sys.stderr)
        return 1
    print_summary(report, elapsed=time.perf_counter() - t0)
    if failed:
        # named in the summary above; their metadata (comparison tables ...) is in the log
        print(f"{len(failed)} asset check(s) failed: " + ", ".join(str(f).split(" ")[0] for f in failed)
              + f" (details in {log_path()})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
