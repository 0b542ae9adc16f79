"""The Dagster code location: every asset, its checks, the resources, the named jobs and the
raw-file sensor (:mod:`eq_assets.jobs`) (kept thin)."""

from __future__ import annotations

import dagster as dg

from eq_assets.cleaning.assets import ASSETS as CLEANING
from eq_assets.core.io_manager import WarehouseIOManager
from eq_assets.core.resources import Outputs, RawFiles
from eq_assets.digital.assets import ASSETS as DIGITAL
from eq_assets.egov.assets import ASSETS as EGOV
from eq_assets.jobs import build_jobs, raw_file_sensor
from eq_assets.frontier.assets import ASSETS as FRONTIER
from eq_assets.matching.assets import ASSETS as MATCHING
from eq_assets.panels.assets import ASSETS as PANELS
from eq_assets.panels.assets_p2 import ASSETS as PANELS_P2
from eq_assets.quality.assets import ASSETS as QUALITY
from eq_assets.quality.assets_p2 import ASSETS as QUALITY_P2
from eq_assets.regressions.assets import ASSETS as REGRESSIONS
from eq_assets.reports.assets import ASSETS as REPORTS
from eq_assets.sources.assets import ASSETS as SOURCES
from eq_assets.sources.assets_p1 import ASSETS as SOURCES_P1
from eq_assets.sources.assets_p2 import ASSETS as SOURCES_P2
from eq_assets.panels.assets_p1 import ASSETS as PANELS_P1
from eq_assets.mechanisms.assets_p1 import ASSETS as MECHANISMS_P1

ALL_ASSETS = [
    *SOURCES, *SOURCES_P1, *SOURCES_P2, *CLEANING, *MATCHING, *QUALITY, *QUALITY_P2, *FRONTIER, *DIGITAL, *EGOV,
    *PANELS, *PANELS_P1, *PANELS_P2, *MECHANISMS_P1, *REGRESSIONS, *REPORTS,
]


def resources() -> dict:
    return {
        "io_manager": WarehouseIOManager(),
        "raw_files": RawFiles(),
        "outputs": Outputs(),
    }


def distributed_yearly_job() -> dg.JobDefinition:
    """The yearly job on dask, resolved (a module-level function, so that dask workers can
    reconstruct it: ``dg.reconstructable(distributed_yearly_job)``)."""
    from eq_assets.jobs import DISTRIBUTED_JOB

    return defs.resolve_job_def(DISTRIBUTED_JOB)


def tables_job() -> dg.JobDefinition:
    """The job of every unpartitioned asset, resolved (module level, so that the multiprocess
    executor's step processes can reconstruct it: ``dg.reconstructable(tables_job)``)."""
    from eq_assets.jobs import ALL_TABLES_JOB

    return defs.resolve_job_def(ALL_TABLES_JOB)


defs = dg.Definitions(
    assets=ALL_ASSETS,
    resources=resources(),
    jobs=build_jobs(ALL_ASSETS),
    sensors=[raw_file_sensor],
    # Steps of one run in one process by default (no per-step start-up cost); year partitions
    # run in parallel as separate runs (eq_assets.run), or pick the multiprocess executor in the
    # launchpad: Parquet-per-partition storage takes concurrent writers (core/warehouse.py).
    executor=dg.in_process_executor,
)
