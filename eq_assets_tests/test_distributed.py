"""Year partitions on a real distributed executor: a dask cluster on loopback with two worker
processes runs the yearly assets of two years through dagster-dask, writing the same
Parquet-per-partition warehouse the in-process runner writes (issue: partitions in parallel)."""

import hashlib
import os

import pytest

pytestmark = pytest.mark.e2e

YEARS = (2009, 2010)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("eq_dask")
    keys = ("EQ_DATA_DIR", "DAGSTER_HOME", "EQ_RAW_DIR", "EQ_WAREHOUSE", "EQ_OUTPUT_DIR")
    old = {k: os.environ.get(k) for k in keys}
    os.environ.update({"EQ_DATA_DIR": str(root), "DAGSTER_HOME": str(root / "dagster_home")})
    for k in ("EQ_RAW_DIR", "EQ_WAREHOUSE", "EQ_OUTPUT_DIR"):
        os.environ.pop(k, None)
    from eq_assets.run import ensure_dagster_home
    from eq_assets.synth import generate

    ensure_dagster_home()
    generate(root / "raw", scale="tiny", seed=20240801, years=YEARS, oracle_scope="none")
    yield root
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def _digests(root, asset):
    d = root / "warehouse" / "tables" / asset
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(d.glob("*.parquet"))}


def test_two_year_partitions_on_a_local_dask_cluster(world):
    import dagster as dg
    from distributed import Client, LocalCluster

    from eq_assets.definitions import ALL_ASSETS, distributed_yearly_job
    from eq_assets.run import materialize_all

    reference = [a.key.to_user_string() for a in ALL_ASSETS if a.partitions_def is None and not a.dependency_keys]
    materialize_all(list(YEARS), include_final=False, select=reference, log=lambda *a: None)

    instance = dg.DagsterInstance.get()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        config = {"execution": {"config": {"cluster": {"existing": {"address": cluster.scheduler_address}}}}}
        for y in YEARS:
            with dg.execute_job(dg.reconstructable(distributed_yearly_job), instance=instance, run_config=config,
                                tags={"dagster/partition": str(y)}) as result:
                assert result.success, [e.message for e in result.all_events if e.is_failure]
                # the steps ran on the cluster's worker processes, not in this one
                pids = {e.pid for e in result.all_events if e.is_step_start}
                assert pids and os.getpid() not in pids
        workers_seen = len(client.scheduler_info()["workers"])
    assert workers_seen == 2
    distributed = {a: _digests(world, a) for a in ("customs_exports", "p1_panel")}
    assert all(set(d) == {"2009.parquet", "2010.parquet"} for d in distributed.values())

    # the same partitions written in-process are byte-identical
    materialize_all(list(YEARS), include_final=False, jobs=1, log=lambda *a: None)
    assert {a: _digests(world, a) for a in distributed} == distributed
