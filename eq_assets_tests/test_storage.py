"""Storage: stage, check, swap; the warehouse lease; in-database validation of pandera models."""


import hashlib
import os
import time

import dagster as dg
import duckdb
import numpy as np
import pandas as pd
import pandera.pandas as pa
import pytest
from pandera.typing import Series

from eq_assets.core import lock
from eq_assets.core.accounting import RowAccount
from eq_assets.core.io_manager import WarehouseIOManager
from eq_assets.core.publish import publish, table_asset
from eq_assets.core.validation import failures, model_columns
from eq_assets.core.warehouse import Table, Warehouse


class _T(pa.DataFrameModel):
    year: Series[int] = pa.Field(ge=2004, le=2014)
    code: Series[str] = pa.Field(str_matches=r"^\d{3}$")
    mode: Series[str] = pa.Field(isin=["a", "b"], nullable=True)
    x: Series[float] = pa.Field(gt=0)
    n: Series[pa.Int64] = pa.Field(nullable=True)

    class Config:
        strict = True
        coerce = True


def _digest(path) -> str:
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def _asset(frame_by_tag):
    @table_asset("tbl", _T, group="test", description="test table")
    def tbl(context: dg.AssetExecutionContext):
        df = frame_by_tag(context.run.tags.get("case", "good"), int(context.partition_key))
        acc = RowAccount(rows_in=len(df))
        yield from publish(df, model=_T, key=("year", "code"), account=acc, asset_name="tbl")

    return tbl


def _frame(case: str, y: int) -> pd.DataFrame:
    df = pd.DataFrame({"year": [y, y], "code": ["001", "002"], "mode": ["a", None], "x": [1.5, 2.0], "n": [1, None]})
    if case == "reorder":
        df = df[["x", "n", "mode", "code", "year"]].assign(x=[3.0, 4.0])
    if case == "bad_value":
        df.loc[1, "x"] = -1.0
    if case == "inf":
        df.loc[0, "x"] = np.inf
    if case == "dup":
        df.loc[1, "code"] = "001"
    if case == "extra":
        df["surprise"] = 1
    return df


@pytest.fixture()
def wh(tmp_path, monkeypatch):
    monkeypatch.setenv("EQ_WAREHOUSE", str(tmp_path / "wh"))
    return Warehouse(tmp_path / "wh")


def _run(asset, partition, case, wh):
    return dg.materialize([asset], partition_key=partition, resources={"io_manager": WarehouseIOManager(root=str(wh.root))},
                          tags={"case": case}, raise_on_error=False)


def test_publish_swaps_in_only_what_passed_its_checks(wh):
    asset = _asset(_frame)
    assert _run(asset, "2009", "good", wh).success and _run(asset, "2010", "good", wh).success
    stored = wh.partition_path("tbl", "2009")
    before = _digest(stored)
    for case, check in (("bad_value", "schema"), ("inf", "schema"), ("dup", "unique_key"), ("extra", None)):
        r = _run(asset, "2009", case, wh)
        assert not r.success, case
        assert _digest(stored) == before, case  # the last good version, byte for byte
        if check:
            ev = {e.check_name: e.passed for e in r.get_asset_check_evaluations()}
            assert ev[check] is False, (case, ev)
        assert not list((wh.table_dir("tbl") / ".staging").glob("*.parquet")), case  # nothing left behind
    # by name: a frame with its columns in another order lands in the right columns
    assert _run(asset, "2009", "reorder", wh).success
    got = wh.table("tbl", ["2009"]).df()
    assert list(got.columns) == ["year", "code", "mode", "x", "n"] and got["x"].tolist() == [3.0, 4.0]
    assert wh.table("tbl", ["2010"]).df()["x"].tolist() == [1.5, 2.0]  # other partition untouched


def test_schema_failure_message_names_table_column_rows_and_rule(wh):
    r = _run(_asset(_frame), "2009", "bad_value", wh)
    msg = "\n".join(str(e.event_specific_data.error.cause.message) for e in r.get_step_failure_events())
    assert "tbl (partition 2009)" in msg and "column: x" in msg and "greater_than(0)" in msg
    assert "year=2009, code=002" in msg and "-1.0" in msg
    r = _run(_asset(_frame), "2009", "dup", wh)
    msg = "\n".join(str(e.event_specific_data.error.cause.message) for e in r.get_step_failure_events())
    assert "year=2009, code=001: 2 rows" in msg


def test_inputs_are_handles_or_frames_of_the_requested_columns(wh):
    asset = _asset(_frame)
    for y in ("2009", "2010"):
        assert _run(asset, y, "good", wh).success
    seen = {}

    @dg.asset(ins={"tbl": dg.AssetIn(metadata={"columns": ["year", "x"]})})
    def as_frame(tbl: pd.DataFrame) -> None:
        seen["frame"] = tbl

    @dg.asset(ins={"tbl": dg.AssetIn()})
    def as_table(tbl: Table) -> None:
        seen["table"] = tbl

    res = {"io_manager": WarehouseIOManager(root=str(wh.root))}
    assert dg.materialize([asset, as_frame, as_table], selection=[as_frame, as_table], resources=res).success
    assert list(seen["frame"].columns) == ["year", "x"] and sorted(seen["frame"]["year"]) == [2009, 2009, 2010, 2010]
    assert isinstance(seen["table"], Table) and len(seen["table"].paths) == 2
    assert seen["table"].count() == 4


def test_sql_rules_agree_with_pandera_on_the_same_model():
    """The in-database rules and pandera's own pandas validation flag the same (column, check)."""
    rng = np.random.default_rng(1)
    n = 200
    df = pd.DataFrame({
        "year": rng.integers(2000, 2018, n), "code": rng.choice(["001", "12", "abc", "999"], n),
        "mode": rng.choice(["a", "b", "c", None], n), "x": rng.normal(1, 2, n), "n": rng.integers(0, 5, n),
    })
    df.loc[3, "x"] = np.nan  # missing where not nullable
    try:
        _T.validate(df, lazy=True)
        expected = set()
    except pa.errors.SchemaErrors as exc:
        fc = exc.failure_cases
        expected = {(c, k) for c, k in zip(fc["column"], fc["check"])}
    con = duckdb.connect()
    con.register("d", df)
    got = {(f.column, f.check) for f in failures(con, "d", _T)}
    expected = {(c, "not_nullable" if k == "not_nullable" else k) for c, k in expected}
    assert got == expected
    # and the counts equal pandas' own
    fx = {f.check: f.n_rows for f in failures(con, "d", _T) if f.column == "x"}
    assert fx["greater_than(0)"] == int((df["x"] <= 0).sum())


def test_every_model_translates_to_sql():
    """Every table model of the project has a DuckDB type and SQL for each of its checks."""
    import importlib
    import pkgutil

    import eq_assets

    n = 0
    for mod in pkgutil.walk_packages(eq_assets.__path__, "eq_assets."):
        if mod.name.rsplit(".", 1)[-1].startswith("schemas"):
            m = importlib.import_module(mod.name)
            for obj in vars(m).values():
                if isinstance(obj, type) and issubclass(obj, pa.DataFrameModel) and obj.__module__ == m.__name__:
                    if obj.__name__.startswith("_"):  # a base class of others
                        continue
                    assert model_columns(obj), obj
                    n += 1
    assert n > 30


# ---- the lease --------------------------------------------------------------------------------


def test_second_holder_is_refused_naming_the_first(tmp_path):
    root = tmp_path / "wh"
    lock.acquire(root, "sessionA", kind="session", command="python -m eq_assets.run --years 2009")
    try:
        lock.acquire(root, "sessionA", kind="session")  # the same holder joins
        with pytest.raises(lock.WarehouseBusy) as ei:
            lock.acquire(root, "runB", kind="run")
        msg = str(ei.value)
        assert "sessionA" in msg and f"pid {os.getpid()}" in msg and "eq_assets.run --years 2009" in msg and "started" in msg
    finally:
        assert lock.release(root, "sessionA")
    lock.acquire(root, "runB", kind="run")  # free again
    lock.release(root, "runB")


def test_dead_or_silent_holder_is_released(tmp_path, monkeypatch):
    root = tmp_path / "wh"
    lock.acquire(root, "s1", kind="session")
    lock._Heartbeat.stop(root, "s1")
    lease = lock.current(root)
    lease["pid"] = 2 ** 22 + 12345  # a process that does not exist
    lock._write(root, lease)
    lock.acquire(root, "s2", kind="session")  # the dead session's lease is taken over
    assert lock.current(root)["holder"] == "s2"
    lock._Heartbeat.stop(root, "s2")
    lease = lock.current(root)
    lease["heartbeat"] = time.time() - 3600
    lease["kind"] = "run"
    lock._write(root, lease)
    monkeypatch.setenv("EQ_LOCK_STALE_SECONDS", "60")
    lock.acquire(root, "s3", kind="session")  # silent for an hour: stale
    assert lock.current(root)["holder"] == "s3"
    lock.release(root, "s3")


def test_a_run_holds_the_warehouse_against_another_run(wh):
    """A Dagster run takes the lease in its first step; another run meanwhile is refused."""
    asset = _asset(_frame)
    lock.acquire(wh.root, "someone-else", kind="session", command="python -m eq_assets.run")
    try:
        r = _run(asset, "2009", "good", wh)
        assert not r.success
        assert not wh.partition_path("tbl", "2009").exists()
    finally:
        lock.release(wh.root, "someone-else")
    assert _run(asset, "2009", "good", wh).success
    # the run has ended: its lease no longer holds
    assert _run(asset, "2010", "good", wh).success
