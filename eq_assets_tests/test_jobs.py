"""Named jobs offer every modelling choice with its default; the raw-file sensor requests the changed year."""

from __future__ import annotations

import json
import os

import dagster as dg
import pytest

from eq_assets.definitions import ALL_ASSETS, defs
from eq_assets.jobs import ALL_TABLES_JOB, PAPER_JOBS, YEARLY_JOB, raw_file_sensor


def _configured(job_name: str) -> dict:
    resolved = dg.validate_run_config(defs.resolve_job_def(job_name), {})
    return {op: v["config"] for op, v in resolved["ops"].items() if v.get("config")}


def test_every_configurable_asset_is_in_a_job_with_its_defaults():
    configurable = {a.key.to_user_string() for a in ALL_ASSETS if a.op.config_schema is not None
                    and a.op.config_schema.as_field().config_type.kind.name != "ANY"}
    offered = {}
    for name in (YEARLY_JOB, ALL_TABLES_JOB, *PAPER_JOBS.values()):
        offered.update(_configured(name))
    assert configurable and configurable <= set(offered), configurable - set(offered)
    y = _configured(YEARLY_JOB)
    assert y["export_quality_p1"]["sigma"] == 3.0 and y["quality_distance"]["statistic"] == "max"
    assert y["customs_exports"]["min_value_usd"] == 50.0


def test_jobs_select_by_paper_and_partition():
    yearly = defs.resolve_job_def(YEARLY_JOB)
    assert yearly.partitions_def is not None and "2009" in yearly.partitions_def.get_partition_keys()
    p1 = {k.to_user_string() for k in defs.resolve_job_def(PAPER_JOBS["P1"]).asset_layer.executable_asset_keys}
    p2 = {k.to_user_string() for k in defs.resolve_job_def(PAPER_JOBS["P2"]).asset_layer.executable_asset_keys}
    assert {f"p1_table{i}" for i in range(1, 12)} <= p1 and not any(k.startswith("p2_") for k in p1)
    assert {"p2_table6", "p2_panel", "egov_index"} <= p2 and not any(k.startswith("p1_") for k in p2)
    assert raw_file_sensor.default_status == dg.DefaultSensorStatus.STOPPED


@pytest.fixture
def raw_dir(tmp_path, monkeypatch):
    (tmp_path / "customs").mkdir()
    (tmp_path / "asif").mkdir()
    for y in (2008, 2009):
        (tmp_path / "customs" / f"customs_{y}.csv").write_text("a\n1\n")
        (tmp_path / "asif" / f"asif_{y}.csv").write_text("a\n1\n")
    monkeypatch.setenv("EQ_RAW_DIR", str(tmp_path))
    return tmp_path


def test_sensor_requests_the_year_of_a_changed_file(raw_dir):
    first = raw_file_sensor(dg.build_sensor_context())
    assert isinstance(first, dg.SkipReason)  # first evaluation records the files only
    ctx = dg.build_sensor_context(cursor=None)
    raw_file_sensor(ctx)
    cursor = ctx.cursor
    assert set(json.loads(cursor)) == {"customs/customs_2008.csv", "customs/customs_2009.csv",
                                       "asif/asif_2008.csv", "asif/asif_2009.csv"}
    assert isinstance(raw_file_sensor(dg.build_sensor_context(cursor=cursor)), dg.SkipReason)  # nothing changed
    f = raw_dir / "customs" / "customs_2009.csv"
    f.write_text("a\n1\n2\n")
    os.utime(f, ns=(1, 1))
    ctx2 = dg.build_sensor_context(cursor=cursor)
    requests = raw_file_sensor(ctx2)
    assert [r.partition_key for r in requests] == ["2009"]
    assert requests[0].tags["eq_assets/changed_files"] == "customs/customs_2009.csv"
    (raw_dir / "asif" / "asif_2010.csv").write_text("a\n")  # a new year's file appears
    requests = raw_file_sensor(dg.build_sensor_context(cursor=ctx2.cursor))
    assert [r.partition_key for r in requests] == ["2010"]
