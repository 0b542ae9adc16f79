"""The asset graph: definitions load, and the graph matches its committed snapshot.

A change to the graph (an asset, a dependency, a partitioning, a check) shows up as a diff of
``snapshots/asset_graph.json``; regenerate with ``UPDATE_SNAPSHOTS=1 make test`` and review it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SNAPSHOT = Path(__file__).parent / "snapshots" / "asset_graph.json"


def graph_description() -> dict:
    from eq_assets.definitions import ALL_ASSETS, defs

    graph = {}
    for a in sorted(ALL_ASSETS, key=lambda a: a.key.to_user_string()):
        name = a.key.to_user_string()
        graph[name] = {
            "group": a.group_names_by_key[a.key],
            "partitioned_by_year": a.partitions_def is not None,
            "deps": sorted(k.to_user_string() for k in a.dependency_keys),
            "checks": sorted(c.name for c in a.check_specs),
        }
    defs.resolve_asset_graph()  # raises if the definitions are inconsistent
    return graph


def test_asset_graph_matches_snapshot():
    graph = graph_description()
    if os.environ.get("UPDATE_SNAPSHOTS") == "1" or not SNAPSHOT.exists():
        SNAPSHOT.write_text(json.dumps(graph, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert graph == json.loads(SNAPSHOT.read_text(encoding="utf-8"))


def test_every_table_asset_declares_standard_checks_and_yearly_assets_are_partitioned():
    graph = graph_description()
    for name, g in graph.items():
        if g["group"] != "reports":
            assert {"schema", "unique_key", "row_accounting"} <= set(g["checks"]), name
    for name in ["raw_customs", "customs_exports", "firm_survey", "customs_firm_match", "export_quality_p1",
                 "quality_distance", "firm_patents", "eco", "firm_controls", "p1_panel"]:
        assert graph[name]["partitioned_by_year"], name


def test_dagster_definitions_validate(tmp_path):
    exe = Path(sys.executable).parent / "dagster"
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path)}
    r = subprocess.run([str(exe), "definitions", "validate", "-m", "eq_assets.definitions"],
                       capture_output=True, text=True, timeout=300, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
