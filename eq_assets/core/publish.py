"""Publishing a table asset: validate with its pandera model, then emit output and checks.

Every derived table asset ends with ``yield from publish(...)``. In the spirit of PUDL's
schema-driven checks, the checks come from the table's declaration (its pandera model and key):

- ``schema``: the frame validates against the pandera model (coerced frame is what is stored;
  dagster-pandera's type check validates a copy and does not store the coerced frame, so the
  model is applied here). A failure raises :class:`InputDataError` naming columns and rows, and
  nothing is written: the last good version of the partition stays.
- ``unique_key``: no two rows share the table's key (blocking).
- ``row_accounting``: rows in = rows out + rows dropped by reason (blocking).

The Output carries the accounting, the first rows as a preview and the column schema.
"""

from __future__ import annotations

import functools
import warnings
from typing import Iterator, Sequence

import dagster as dg
import pandas as pd
import pandera.pandas as pa

from eq_assets.core.accounting import RowAccount
from eq_assets.core.errors import InputDataError

STANDARD_CHECKS = ("schema", "unique_key", "row_accounting")


@functools.lru_cache(maxsize=None)
def pandera_type(model: type[pa.DataFrameModel]) -> dg.DagsterType:
    """The asset's Dagster type, from its pandera model (dagster-pandera): the UI shows the
    columns and their checks, and Dagster's type check re-validates the stored frame."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from dagster_pandera import pandera_schema_to_dagster_type

        return pandera_schema_to_dagster_type(model)


def check_specs(asset_name: str, *, extra: Sequence[dg.AssetCheckSpec] = ()) -> list[dg.AssetCheckSpec]:
    """The standard blocking checks every table asset declares."""
    descriptions = {
        "schema": "Output validates against the asset's pandera model (types, ranges, nullability).",
        "unique_key": "No two rows share the table's key.",
        "row_accounting": "rows_in == rows_out + sum of rows dropped by reason.",
    }
    return [
        dg.AssetCheckSpec(name, asset=asset_name, blocking=True, description=descriptions[name])
        for name in STANDARD_CHECKS
    ] + list(extra)


def validate(df: pd.DataFrame, model: type[pa.DataFrameModel], source: str) -> pd.DataFrame:
    """Validate (and coerce) ``df`` with ``model``; raise a clear InputDataError on failure."""
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


def duplicated_keys(df: pd.DataFrame, key: Sequence[str]) -> int:
    """Number of rows whose key occurs more than once."""
    if not key or df.empty:
        return 0
    return int(df.duplicated(list(key), keep=False).sum())


def table_schema(model: type[pa.DataFrameModel]) -> dg.TableSchema:
    """Dagster column schema (shown in the UI) from a pandera model."""
    schema = model.to_schema()
    return dg.TableSchema(
        columns=[
            dg.TableColumn(name, str(col.dtype), description=col.description or "")
            for name, col in schema.columns.items()
        ]
    )


def publish(
    df: pd.DataFrame,
    *,
    model: type[pa.DataFrameModel],
    key: Sequence[str],
    account: RowAccount,
    asset_name: str,
    metadata: dict | None = None,
) -> Iterator[dg.Output | dg.AssetCheckResult]:
    """Validate ``df`` and yield its Output and the three standard check results."""
    df = validate(df.reset_index(drop=True), model, asset_name)
    account.finish(len(df))
    n_dup = duplicated_keys(df, key)
    md = {
        **account.metadata(),
        "row_accounting": account.describe(),
        "key": ", ".join(key),
        "dagster/column_schema": table_schema(model),
        "dagster/row_count": len(df),
        "preview": dg.MetadataValue.md(df.head(5).to_markdown(index=False) if len(df) else "(empty)"),
        **(metadata or {}),
    }
    yield dg.Output(df, metadata=md)
    yield dg.AssetCheckResult(
        check_name="schema", passed=True, metadata={"model": model.__name__, "rows": len(df)}
    )
    yield dg.AssetCheckResult(
        check_name="unique_key",
        passed=n_dup == 0,
        metadata={"key": ", ".join(key), "rows_with_duplicated_key": n_dup},
    )
    yield dg.AssetCheckResult(
        check_name="row_accounting",
        passed=account.balanced,
        metadata={**account.metadata(), "summary": account.describe()},
    )


def table_asset(
    name: str,
    model: type[pa.DataFrameModel],
    *,
    group: str,
    yearly: bool = True,
    ins: dict | None = None,
    extra_checks: Sequence[dg.AssetCheckSpec] = (),
    kinds: Sequence[str] = ("duckdb", "pandas"),
    **kwargs,
):
    """The decorator of a table asset: typed by its pandera model, with the standard checks,
    partitioned by year unless ``yearly=False``. The body ends with ``yield from publish(...)``."""
    from eq_assets.core.partitions import YEARLY, year_partitions

    return dg.asset(
        name=name,
        group_name=group,
        partitions_def=year_partitions if yearly else None,
        metadata=dict(YEARLY) if yearly else None,
        check_specs=check_specs(name, extra=extra_checks),
        dagster_type=pandera_type(model),
        ins=ins,
        kinds=set(kinds),
        **kwargs,
    )
