"""Publishing a table asset: stage, check, then swap (the project's one publish path).

Every table asset ends with ``yield from publish(data, ...)``, where ``data`` is a pandas frame
(small tables) or a SQL query / DuckDB relation over :class:`~eq_assets.core.warehouse.Table`
inputs (big tables, which never pass through pandas). In the spirit of PUDL's schema-driven
checks, everything checked comes from the table's declaration (its pandera model and key):

1. **stage**: the rows are written to a staged Parquet file in the model's column order and
   DuckDB types (:func:`eq_assets.core.validation.cast_select`);
2. **check** in the database, once: ``schema`` (every rule of the pandera model), ``unique_key``
   and ``row_accounting`` (rows in = rows out + rows dropped by reason), all blocking;
3. **swap**: only if every blocking check passed is the Output yielded, and the I/O manager
   replaces the last good version by the staged file in one atomic rename. Otherwise the staged
   file is deleted, the failed check results are recorded, and the step fails with a message
   naming the table, column, rows (raw tables: file and line) and what was expected. The stored
   version is untouched, byte for byte.
"""

from __future__ import annotations

import functools
from typing import Iterator, Sequence

import dagster as dg
import duckdb
import pandas as pd
import pandera.pandas as pa

from eq_assets.core.accounting import RowAccount
from eq_assets.core.errors import InputDataError
from eq_assets.core.memory import step_peak_mib
from eq_assets.core.validation import (
    cast_select, duplicated_keys, failures, is_strict, model_columns, uncastable,
)
from eq_assets.core.warehouse import Staged, Warehouse, _lit, duckdb_connect

STANDARD_CHECKS = ("schema", "unique_key", "row_accounting")
#: provenance columns of raw tables: error messages name the file and line of a row
ROW_ID_COLUMNS = ("source_file", "source_line")

Data = "pd.DataFrame | str | duckdb.DuckDBPyRelation"


def check_specs(asset_name: str, *, extra: Sequence[dg.AssetCheckSpec] = ()) -> list[dg.AssetCheckSpec]:
    """The standard blocking checks every table asset declares."""
    descriptions = {
        "schema": "Every rule of the asset's pandera model holds (types, nullability, finite numbers, ranges, codes), checked in DuckDB before publication.",
        "unique_key": "No two rows share the table's key.",
        "row_accounting": "rows_in == rows_out + sum of rows dropped by reason.",
    }
    return [
        dg.AssetCheckSpec(name, asset=asset_name, blocking=True, description=descriptions[name])
        for name in STANDARD_CHECKS
    ] + list(extra)


def table_schema(model: type[pa.DataFrameModel]) -> dg.TableSchema:
    """Dagster column schema (shown in the UI) from a pandera model."""
    return dg.TableSchema(
        columns=[dg.TableColumn(c.name, c.duck_type.lower(), description=c.description) for c in model_columns(model)]
    )


@functools.lru_cache(maxsize=None)
def staged_type(model: type[pa.DataFrameModel]) -> dg.DagsterType:
    """The asset's Dagster type: a staged table that passed its pandera model in DuckDB."""
    return dg.DagsterType(
        type_check_fn=lambda _ctx, value: isinstance(value, Staged),
        name=model.__name__,
        description=f"Rows validated against the pandera model {model.__module__}.{model.__name__} "
        f"in DuckDB before publication ({len(model_columns(model))} columns).",
    )


def _register(con: duckdb.DuckDBPyConnection, data) -> str:
    """Make ``data`` queryable as a view; returns its name."""
    if isinstance(data, pd.DataFrame):
        con.register("_publish_frame", data.reset_index(drop=True))
        return "_publish_frame"
    if isinstance(data, duckdb.DuckDBPyRelation):
        data.create_view("_publish_rel", replace=True)
        return "_publish_rel"
    if isinstance(data, str):
        con.execute(f"create or replace temp view _publish_sql as {data}")
        return "_publish_sql"
    raise TypeError(f"publish: cannot store a {type(data).__name__}")


def stage(data, *, model: type[pa.DataFrameModel], asset_name: str, partition: str | None,
          con: duckdb.DuckDBPyConnection, warehouse: Warehouse) -> tuple[str, int]:
    """Write ``data`` to a staged Parquet file in the model's layout; returns (path, rows)."""
    view = _register(con, data)
    present = [r[0] for r in con.execute(f"describe select * from {view}").fetchall()]
    wanted = [c.name for c in model_columns(model)]
    missing = [c for c in wanted if c not in present]
    extra = [c for c in present if c not in wanted]
    if missing or (extra and is_strict(model)):
        raise InputDataError(
            asset_name,
            f"output does not have the columns of its model {model.__name__}"
            + (f"; missing: {missing}" if missing else "") + (f"; unexpected: {extra}" if extra and is_strict(model) else ""),
            expected=f"columns {wanted} (see {model.__module__}.{model.__name__})",
        )
    bad = uncastable(con, view, model, present)
    if bad:
        col, typ, n, examples = bad
        raise InputDataError(asset_name, f"values that are not {typ.lower()}", column=col, n_rows=n,
                             examples=examples, expected=f"{typ.lower()} values ({model.__name__})")
    path = None
    try:
        path = warehouse.stage_path(asset_name, partition)
        con.execute(f"copy (select {cast_select(model)} from {view}) to {_lit(path)} (format parquet, compression zstd)")
    except BaseException as exc:
        if path is not None:  # a half-written staged file is never left behind
            warehouse.discard(path)
        if not isinstance(exc, (OSError, duckdb.IOException, duckdb.PermissionException)):
            raise
        # a full disk, a read-only warehouse, a file-size limit: say so, name the place
        raise InputDataError(
            asset_name, f"the new version cannot be written to the warehouse {warehouse.root}: {exc}",
            expected="a writable warehouse with free space (EQ_WAREHOUSE); nothing was published, the last good "
            "version is kept",
        ) from None
    rows = con.execute(f"select count(*) from read_parquet({_lit(path)})").fetchone()[0]
    return str(path), int(rows)


def _partition() -> str | None:
    try:
        ctx = dg.AssetExecutionContext.get()
    except dg.DagsterInvariantViolationError:
        return None
    # an unpartitioned asset in a run launched for a partition (e.g. `dagster asset materialize
    # --select hs_concordance,raw_customs --partition 2009`) is stored as its one version
    if not ctx.has_partition_key or ctx.assets_def.partitions_def is None:
        return None
    return ctx.partition_key


def publish(
    data,
    *,
    model: type[pa.DataFrameModel],
    key: Sequence[str],
    account: RowAccount,
    asset_name: str,
    metadata: dict | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
    data_version: str | None = None,
    blocking_checks: Sequence[dg.AssetCheckResult] = (),
    checks: Sequence[dg.AssetCheckResult] = (),
) -> Iterator[dg.Output | dg.AssetCheckResult]:
    """Stage ``data``, check it, and yield its Output and check results (see module docstring).

    ``con``: the connection on which a SQL query or relation ``data`` was built (its views).
    ``data_version``: for raw-source assets, the digest of the files read (core.versions).
    ``blocking_checks``: the asset's own blocking check results, computed before publication: one
    that fails stops publication like the standard ones. ``checks``: non-blocking results,
    yielded after the Output.
    """
    warehouse = Warehouse()
    partition = _partition()
    own = con is None
    con = con or duckdb_connect()
    path = None
    try:
        path, rows = stage(data, model=model, asset_name=asset_name, partition=partition, con=con, warehouse=warehouse)
        rel = f"read_parquet({_lit(path)})"
        present = [r[0] for r in con.execute(f"describe select * from {rel}").fetchall()]
        row_id = [c for c in ROW_ID_COLUMNS if c in present] or list(key)
        broken = failures(con, rel, model, row_id=row_id)
        account.finish(rows)
        n_dup, dup_desc = duplicated_keys(con, rel, key, row_id=row_id)
        preview = con.execute(f"select * from {rel} limit 5").df()
    except BaseException:
        if path:
            warehouse.discard(path)
        raise
    finally:
        if own:
            con.close()

    where = f"{asset_name}" + (f" (partition {partition})" if partition else "")
    schema_md = {"model": model.__name__, "rows": rows,
                 **{f"{f.column}: {f.check}": f.n_rows for f in broken}}
    results = {
        "schema": dg.AssetCheckResult(check_name="schema", passed=not broken, metadata=schema_md),
        "unique_key": dg.AssetCheckResult(
            check_name="unique_key", passed=n_dup == 0,
            metadata={"key": ", ".join(key), "rows_with_duplicated_key": n_dup,
                      **({"duplicated": dg.MetadataValue.md("\n".join(f"- {d}" for d in dup_desc))} if dup_desc else {})}),
        "row_accounting": dg.AssetCheckResult(
            check_name="row_accounting", passed=account.balanced,
            metadata={**account.metadata(), "summary": account.describe()}),
    }
    own_failed = [c for c in blocking_checks if not c.passed]
    if broken or n_dup or not account.balanced or own_failed:
        warehouse.discard(path)
        for r in [*results.values(), *blocking_checks]:
            yield r
        if broken:
            f = broken[0]
            others = "; ".join(f"{g.column}: {g.check} ({g.n_rows:,} rows)" for g in broken[1:])
            raise InputDataError(
                where, f"fails its schema {model.__name__}: nothing was published, the last good version is kept"
                + (f" (also: {others})" if others else ""),
                column=f.column, rows=list(f.rows), n_rows=f.n_rows, examples=f.examples,
                expected=f"{f.check} (see {model.__module__}.{model.__name__})",
            )
        if n_dup:
            raise InputDataError(
                where, f"{n_dup:,} rows share a key ({', '.join(key)}) that must be unique: nothing was published, "
                "the last good version is kept",
                rows=dup_desc, n_rows=len(dup_desc), expected="one row per key",
            )
        if not account.balanced:
            raise InputDataError(where, f"row accounting does not balance: {account.describe()}; nothing was published")
        c = own_failed[0]
        details = "; ".join(f"{k}: {getattr(v, 'value', v)}" for k, v in c.metadata.items())
        raise InputDataError(where, f"blocking check {c.check_name!r} failed: nothing was published, the last good "
                             f"version is kept ({details})")
    md = {
        **account.metadata(),
        "row_accounting": account.describe(),
        "key": ", ".join(key),
        "dagster/column_schema": table_schema(model),
        "dagster/row_count": rows,
        "preview": dg.MetadataValue.md(preview.to_markdown(index=False) if len(preview) else "(empty)"),
        **(metadata or {}),
    }
    peak = step_peak_mib()
    if peak is not None:
        md["peak_rss_mib"] = round(peak, 1)  # this step's peak resident memory (core.memory)
    yield dg.Output(Staged(asset_name, partition, path, rows), metadata=md,
                    data_version=dg.DataVersion(data_version) if data_version else None)
    yield from results.values()
    yield from blocking_checks
    yield from checks


def table_asset(
    name: str,
    model: type[pa.DataFrameModel],
    *,
    group: str,
    yearly: bool = True,
    ins: dict | None = None,
    extra_checks: Sequence[dg.AssetCheckSpec] = (),
    kinds: Sequence[str] = ("duckdb", "parquet"),
    metadata: dict | None = None,
    **kwargs,
):
    """The decorator of a table asset: typed by its pandera model, with the standard checks,
    partitioned by year unless ``yearly=False``. The body ends with ``yield from publish(...)``."""
    from eq_assets.core.partitions import year_partitions

    from eq_assets.core.versions import code_version_of

    from eq_assets.jobs import priority_tags

    md = {"dagster/column_schema": table_schema(model), **(metadata or {})}
    op_tags = {**priority_tags(name), **kwargs.pop("op_tags", {})}

    def decorate(fn):
        return dg.asset(
            name=name,
            group_name=group,
            partitions_def=year_partitions if yearly else None,
            metadata=md,
            check_specs=check_specs(name, extra=extra_checks),
            dagster_type=staged_type(model),
            ins=ins,
            kinds=set(kinds),
            code_version=code_version_of(fn),
            op_tags=op_tags or None,
            **kwargs,
        )(fn)

    return decorate


def validate(df: pd.DataFrame, model: type[pa.DataFrameModel], source: str) -> pd.DataFrame:
    """Validate (and coerce) a pandas frame with ``model`` outside the graph (tests, checks of
    small in-memory frames); raises InputDataError naming column and rows."""
    try:
        out = model.validate(df, lazy=True)
        return out[list(model.to_schema().columns)]
    except pa.errors.SchemaErrors as exc:
        fc = exc.failure_cases
        first = fc.iloc[0]
        col = first.get("column")
        sub = fc[(fc["column"] == col) & (fc["check"] == first["check"])] if col is not None else fc
        rows = [int(i) for i in sub["index"].dropna().tolist()][:10]
        summary = "; ".join(
            f"{c}: {chk} ({n:,} rows)"
            for (c, chk), n in fc.groupby(["column", "check"], dropna=False).size().items()
        )
        raise InputDataError(
            source,
            f"output fails its schema {model.__name__}: {summary}",
            column=str(col),
            rows=rows,
            n_rows=len(sub),
            examples=sub["failure_case"].tolist(),
            expected=f"{first['check']} (see {model.__module__}.{model.__name__})",
        ) from None
