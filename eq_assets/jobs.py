"""Named jobs and the raw-file sensor of the code location (wired in :mod:`eq_assets.definitions`).

Jobs (the UI's launchpad opens each with every ``dg.Config`` of its assets and their defaults, so
each modelling choice can be changed per run):

- ``yearly_assets``: every yearly asset (sources, cleaning, matching, quality, frontier, digital,
  firm panels), partitioned by year: launch one year, or a backfill of several. Its launchpad
  holds the choices made year by year (intermediary keywords and minimum value/quantity, industry
  digits, sigma and singleton handling of the quality step, the frontier statistic, ...).
- ``p1_tables`` / ``p2_tables``: the unpartitioned assets of one paper (its reference tables,
  firm/industry/city panels, production function, and its regression tables), reading the yearly
  assets already materialized. Run ``yearly_assets`` first for the years you changed.
- ``tables_and_outputs``: every unpartitioned asset of both papers and ``paper_outputs``
  (``data/outputs/``: results.csv, tables, plots, report.html), what ``make run`` does after the
  years.

Sensor ``raw_file_sensor`` (off by default; start it in the UI under Automation): every
:data:`SENSOR_INTERVAL_SECONDS` it compares each yearly raw file (a source whose path pattern has
``{year}``: customs, survey) with what it saw last time (size and modification time, kept in the
sensor's cursor) and requests a ``yearly_assets`` run of that year's partition for every file that
changed or appeared. Its first evaluation only records the files. Files without a year (patents,
reference tables) feed every year or the unpartitioned assets: after changing one, launch the jobs
by hand.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

import dagster as dg

from eq_assets import settings

#: Seconds between two evaluations of the raw-file sensor.
SENSOR_INTERVAL_SECONDS = 60

YEARLY_JOB = "yearly_assets"
#: the yearly job on a dask cluster (dagster-dask's executor; see README "Running on a cluster")
DISTRIBUTED_JOB = "yearly_assets_dask"
PAPER_JOBS = {"P1": "p1_tables", "P2": "p2_tables"}
ALL_TABLES_JOB = "tables_and_outputs"


def _ancestors(assets: Iterable[dg.AssetsDefinition], roots: Iterable[str]) -> set[str]:
    deps = {a.key.to_user_string(): {k.to_user_string() for k in a.dependency_keys} for a in assets}
    seen, todo = set(), list(roots)
    while todo:
        k = todo.pop()
        if k not in seen:
            seen.add(k)
            todo.extend(deps.get(k, ()))
    return seen


def paper_assets(assets: list[dg.AssetsDefinition], paper: str) -> list[str]:
    """The unpartitioned assets a paper's tables need (its tables and their unpartitioned ancestors)."""
    prefix = f"{paper.lower()}_table"
    tables = [a.key.to_user_string() for a in assets if a.key.to_user_string().startswith(prefix)]
    unpartitioned = {a.key.to_user_string() for a in assets if a.partitions_def is None}
    return sorted(_ancestors(assets, tables) & unpartitioned)


@dg.executor(
    name="dask",
    config_schema=dg.Permissive(),
    requirements=dg.multiple_process_executor_requirements(),
)
def dask_executor(init_context):
    """dagster-dask's executor, imported when a run uses it (dask.dataframe costs ~2 s of import
    in every process that loads the definitions otherwise). Its config is dagster-dask's:
    ``cluster: {existing: {address: ...}}`` or ``{local: {...}}``, ``yarn``, ``slurm`` ..."""
    from dagster_dask.executor import dask_executor as dagster_dask_executor

    return dagster_dask_executor.executor_creation_fn(init_context)


#: Step priority (Dagster's ``dagster/priority`` op tag: when a process is free, the multiprocess
#: executor starts the ready step with the highest priority first). The tables stage's longest
#: chain in the paper-scale bench (docs/benchmarks.md), the production function -> TFP -> firm
#: panel -> observation panel -> the tables on it, started as soon as it can be, while the other
#: steps fill the other process; without it the chain waited behind independent tables (its
#: first step started 89 s into the stage). Every other step has priority 0.
STEP_PRIORITY: dict[str, int] = {
    "p1_production_function": 4, "p1_tfp": 3, "p1_firm_panel": 2, "p1_obs_panel": 2,
    "p1_table2": 1, "p1_table8": 1, "p1_table7": 1, "p1_table9": 1,
}


def priority_tags(name: str) -> dict[str, str]:
    """The op tags giving asset ``name`` its :data:`STEP_PRIORITY` (none for priority 0)."""
    p = STEP_PRIORITY.get(name, 0)
    return {"dagster/priority": str(p)} if p else {}


#: Op tag of the steps that hold a panel of millions of rows in memory (the regression tables).
MEMORY_TAG = "eq/memory"
#: Memory one :data:`MEMORY_TAG` heavy step may take (GiB): measured 4.2 GiB peak for P1 Table 1
#: on the 10.3-million-row panel at paper scale (docs/benchmarks.md), rounded up.
HEAVY_STEP_GIB = 5.0


def heavy_steps_at_once(total_gib: float | None = None) -> int:
    """How many heavy steps may run at once: those that fit in 80% of the machine's memory."""
    if total_gib is None:
        import psutil

        total_gib = psutil.virtual_memory().total / 2**30
    return max(1, int(0.8 * total_gib // HEAVY_STEP_GIB))


#: The executor of the tables stage: Dagster's multiprocess executor, one step per core, at most
#: :func:`heavy_steps_at_once` regression tables at a time (3 on a 24 GiB machine, so both cores
#: of this one), each step forked from a server that imported the definitions once (a fresh
#: process would spend ~4 s importing them, for each of the 35 steps).
TABLES_EXECUTOR = dg.multiprocess_executor.configured({
    "tag_concurrency_limits": [{"key": MEMORY_TAG, "value": "heavy", "limit": heavy_steps_at_once()}],
    "start_method": {"forkserver": {"preload_modules": ["eq_assets.step_process"]}},
}, name="tables_multiprocess")


def build_jobs(assets: list[dg.AssetsDefinition]) -> list:
    yearly = [a for a in assets if a.partitions_def is not None]
    partitions = yearly[0].partitions_def
    unpartitioned = [a.key for a in assets if a.partitions_def is None]
    jobs = [
        dg.define_asset_job(YEARLY_JOB, selection=dg.AssetSelection.assets(*yearly), partitions_def=partitions,
                            description="Every yearly asset of one year (launch a partition or a backfill)."),
        dg.define_asset_job(ALL_TABLES_JOB, selection=dg.AssetSelection.assets(*unpartitioned),
                            executor_def=TABLES_EXECUTOR,
                            description="Every unpartitioned asset of both papers and paper_outputs (data/outputs), "
                                        "two steps at a time and one regression table at a time (op tag eq/memory: "
                                        "heavy); `python -m eq_assets.run` runs it so after the years."),
    ]
    jobs.append(dg.define_asset_job(
        DISTRIBUTED_JOB, selection=dg.AssetSelection.assets(*yearly), partitions_def=partitions,
        executor_def=dask_executor,
        description="The yearly assets of one year with every step on a dask cluster (run config: "
                    "execution.config.cluster.existing.address = the scheduler's address). The cluster's "
                    "workers need this package, the raw files and the warehouse on a shared path."))
    for paper, name in PAPER_JOBS.items():
        jobs.append(dg.define_asset_job(
            name, selection=dg.AssetSelection.assets(*paper_assets(assets, paper)),
            description=f"{paper}'s reference tables, panels and regression tables (after {YEARLY_JOB})."))
    return jobs


# ---- the raw-file sensor ------------------------------------------------------------------------


def yearly_raw_files(raw_dir=None) -> dict[str, int]:
    """Relative path of every yearly raw file the contract names -> its year."""
    from eq_assets.sources.contract import ALL_SOURCES

    return {s.path_for(y): y for s in ALL_SOURCES.values() if s.yearly for y in settings.YEARS}


def fingerprints(raw_dir, files: Iterable[str]) -> dict[str, str]:
    """size:mtime_ns of each existing file (cheap at any scale: no file is read)."""
    out = {}
    for rel in files:
        p = raw_dir / rel
        if p.is_file():
            st = p.stat()
            out[rel] = f"{st.st_size}:{st.st_mtime_ns}"
    return out


def changed_years(previous: dict[str, str], current: dict[str, str], years: dict[str, int]) -> dict[int, list[str]]:
    """Years whose files changed or appeared since ``previous`` -> the files."""
    out: dict[int, list[str]] = {}
    for rel, fp in sorted(current.items()):
        if previous.get(rel) != fp:
            out.setdefault(years[rel], []).append(rel)
    return out


@dg.sensor(job_name=YEARLY_JOB, minimum_interval_seconds=SENSOR_INTERVAL_SECONDS,
           default_status=dg.DefaultSensorStatus.STOPPED,
           description="Requests the year's partition of yearly_assets when a yearly raw file (customs, survey) "
                       "changes or appears. Off by default; the first evaluation only records the files.")
def raw_file_sensor(context: dg.SensorEvaluationContext):
    from eq_assets.core.resources import RawFiles

    raw_dir = RawFiles().path
    years = yearly_raw_files()
    current = fingerprints(raw_dir, years)
    if context.cursor is None:
        context.update_cursor(json.dumps(current, sort_keys=True))
        return dg.SkipReason(f"recorded {len(current)} yearly raw files in {raw_dir}; watching for changes")
    previous = json.loads(context.cursor)
    changed = changed_years(previous, current, years)
    context.update_cursor(json.dumps(current, sort_keys=True))
    if not changed:
        return dg.SkipReason("no yearly raw file changed")
    return [
        dg.RunRequest(
            partition_key=str(year),
            run_key=f"{year}:" + hashlib.sha256(json.dumps({f: current[f] for f in files}).encode()).hexdigest()[:16],
            tags={"eq_assets/changed_files": ", ".join(files)},
        )
        for year, files in sorted(changed.items())
    ]
