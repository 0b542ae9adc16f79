"""What a ``--changed`` run must recompute: stale asset partitions, from the instance's records.

An asset partition is stale when it was never materialized, when its code version changed
(:mod:`eq_assets.core.versions`), when it reads raw files whose digest changed, or when one of
the upstream partitions it reads is stale or was materialized after it. Upstream partitions
follow the graph's partition mappings: a yearly asset reads the same year; an unpartitioned
asset reads every year, or the years its input's mapping names (P2's assets read 2009-2012
only, so a change in 2005 leaves them current).

Written here because Dagster's own stale-status machinery answers per asset for the UI but
does not hand back a plan of partitions to run; the rule above is the same one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from eq_assets.core.versions import latest_record


@dataclass
class Plan:
    reference: list[str] = field(default_factory=list)
    years: dict[int, list[str]] = field(default_factory=dict)  # year -> yearly assets to run
    final: list[str] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)  # "asset[year]" -> why

    def empty(self) -> bool:
        return not (self.reference or self.years or self.final)


def _topological(assets) -> list:
    by_key = {a.key: a for a in assets}
    done, order = set(), []

    def visit(a):
        if a.key in done:
            return
        done.add(a.key)
        for d in sorted(a.dependency_keys, key=lambda k: k.to_user_string()):
            if d in by_key:
                visit(by_key[d])
        order.append(a)

    for a in assets:
        visit(a)
    return order


def upstream_partitions(asset, dep, partition: str | None, years: list[str]) -> list[str | None]:
    """The partitions of ``dep`` that ``asset``'s ``partition`` reads."""
    if dep.partitions_def is None:
        return [None]
    if asset.partitions_def is not None:
        return [partition]
    mapping = asset.get_partition_mapping_for_dep(dep.key)
    if isinstance(mapping, dg.SpecificPartitionsPartitionMapping):
        return [p for p in mapping.partition_keys if p in years]
    return list(years)


def stale_plan(instance, assets, years: list[int], raw_dir: Path, raw_version) -> Plan:
    """The plan of a ``--changed`` run over ``years`` (see module docstring).

    ``raw_version(asset, raw_dir, year)``: the digest a raw-source asset would report today.
    """
    ys = [str(y) for y in years]
    by_key = {a.key: a for a in assets}
    stale: set = set()
    stamp: dict = {}
    plan = Plan()
    for a in _topological(assets):
        name = a.key.to_user_string()
        for p in (ys if a.partitions_def is not None else [None]):
            rec = latest_record(instance, a.key, p)
            why = None
            if rec is None:
                why = "never materialized"
            else:
                tags = rec.tags
                stamp[(a.key, p)] = rec.timestamp
                if tags.get("dagster/code_version") != a.code_versions_by_key.get(a.key):
                    why = "code changed"
                else:
                    rv = raw_version(a, raw_dir, int(p) if p else None)
                    if rv is not None and tags.get("dagster/data_version") != rv:
                        why = "raw file changed"
            if why is None:
                for dep_key in sorted(a.dependency_keys, key=lambda k: k.to_user_string()):
                    dep = by_key.get(dep_key)
                    if dep is None:
                        continue
                    for q in upstream_partitions(a, dep, p, ys):
                        if (dep_key, q) in stale:
                            why = f"{dep_key.to_user_string()}{'[' + q + ']' if q else ''} reruns"
                        elif stamp.get((dep_key, q), 0) > stamp.get((a.key, p), 0):
                            why = f"{dep_key.to_user_string()}{'[' + q + ']' if q else ''} is newer"
                        if why:
                            break
                    if why:
                        break
            if why is None:
                continue
            stale.add((a.key, p))
            plan.reasons[f"{name}{'[' + p + ']' if p else ''}"] = why
            if p is not None:
                plan.years.setdefault(int(p), []).append(name)
            elif a.dependency_keys:
                plan.final.append(name)
            else:
                plan.reference.append(name)
    return plan
