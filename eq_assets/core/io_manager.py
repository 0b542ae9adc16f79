"""The warehouse I/O manager: publishes staged table versions and hands tables to assets.

- ``handle_output``: receives the :class:`~eq_assets.core.warehouse.Staged` file that
  :func:`eq_assets.core.publish.publish` yields only after the blocking checks passed, and
  swaps it in for the stored partition (one atomic rename; the other partitions are untouched).
- ``load_input``: an input annotated :class:`~eq_assets.core.warehouse.Table` receives a
  handle on the stored Parquet files (nothing loaded; the asset queries it in DuckDB); any
  other input receives a pandas DataFrame of the columns listed in the input's ``columns``
  metadata (all columns if none). Partitioned upstream tables give the partitions Dagster maps
  to the step (the same year, or every year for an unpartitioned consumer); a partition that
  was never materialized is an error naming it, never a silently shorter table.

Written on Dagster's ``ConfigurableIOManager`` rather than dagster-duckdb's DbIOManager: the
storage is one Parquet file per partition (so concurrent partition writers never contend for a
database file; see :mod:`eq_assets.core.warehouse`), which dagster-duckdb does not offer.
"""

from __future__ import annotations

import dagster as dg

from eq_assets.core import lock
from eq_assets.core.warehouse import Staged, Table, Warehouse


class WarehouseIOManager(dg.ConfigurableIOManager):
    """Parquet-per-partition warehouse (default root: ``settings.warehouse_dir()``)."""

    root: str = ""

    def _warehouse(self) -> Warehouse:
        return Warehouse(self.root or None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        """Take (or join) the warehouse lease for this run: see :mod:`eq_assets.core.lock`."""
        run = context.dagster_run
        if run is None:  # outside a run (e.g. build_resources in a notebook): nothing to hold
            return
        session = run.tags.get(lock.SESSION_TAG)
        holder, kind = (session, "session") if session else (run.run_id, "run")
        lock.acquire(self._warehouse().root, holder, kind=kind, instance=context.instance,
                     command=f"dagster run {run.run_id} ({run.job_name})")

    def handle_output(self, context: dg.OutputContext, obj) -> None:
        if obj is None:
            return
        if not isinstance(obj, Staged):
            raise TypeError(
                f"{context.asset_key.to_user_string()}: a table asset must yield the Output of "
                f"eq_assets.core.publish.publish (got {type(obj).__name__})"
            )
        path = self._warehouse().publish(obj)
        context.add_output_metadata({"path": dg.MetadataValue.path(str(path))})

    def load_input(self, context: dg.InputContext):
        name = context.asset_key.path[-1]
        wh = self._warehouse()
        partitions = list(context.asset_partition_keys) if context.has_asset_partitions else None
        if partitions is not None and context.has_partition_key is False and len(partitions) > 1:
            # an unpartitioned consumer of a yearly table: every stored year (a run may cover a
            # subset of years, e.g. a synthetic world written for 2010-2012 only); say which
            stored = set(wh.stored_partitions(name))
            absent = [p for p in partitions if p not in stored]
            partitions = [p for p in partitions if p in stored] or partitions
            if absent:
                context.log.warning(f"{name}: years {', '.join(absent)} not materialized; using {', '.join(partitions)}")
        meta = context.definition_metadata or {}
        columns = meta.get("columns")
        table = wh.table(name, partitions, columns)
        typing_type = getattr(context.dagster_type, "typing_type", None)
        if typing_type is Table:
            return table
        return table.df()
