"""Row accounting and match rates of every asset and year, read back from the Dagster instance.

Every table asset records ``rows_in``, ``rows_out`` and ``dropped_<reason>`` in its
materialization metadata (:class:`eq_assets.core.accounting.RowAccount`). These functions read the
latest materialization of each asset and partition from the instance (the event log, whatever the
storage of the tables), so the report shows drops and match rates without reading any table.
"""

from __future__ import annotations

from typing import Iterable, Mapping

import pandas as pd

#: (asset, partition or "") -> {metadata key: plain value}
Metadata = dict[tuple[str, str], dict]

#: Yearly assets of the data's journey whose drops the report draws, in pipeline order.
JOURNEY_ASSETS: tuple[str, ...] = (
    "customs_exports", "firm_survey", "customs_firm_match", "matched_exports", "export_quality_p1", "p1_panel",
    "export_quality_p2_obs",
)


def _plain(value):
    return getattr(value, "value", value)


def latest_metadata(instance, assets: Iterable[tuple[str, Iterable[str] | None]]) -> Metadata:
    """Metadata of the latest materialization of each (asset, partition); ``None`` partitions =
    an unpartitioned asset. Assets or partitions never materialized are absent."""
    import dagster as dg

    out: Metadata = {}
    for name, partitions in assets:
        key = dg.AssetKey(name)
        for p in (list(partitions) if partitions is not None else [None]):
            flt = dg.AssetRecordsFilter(asset_key=key, asset_partitions=[p] if p is not None else None)
            recs = instance.fetch_materializations(flt, limit=1).records
            if not recs:
                continue
            mat = recs[0].asset_materialization
            out[(name, p or "")] = {k: _plain(v) for k, v in mat.metadata.items()}
    return out


def instance_metadata(instance) -> Metadata:
    """:func:`latest_metadata` for every asset of the code location and each of its partitions."""
    from eq_assets.definitions import ALL_ASSETS

    return latest_metadata(instance, [
        (a.key.to_user_string(), a.partitions_def.get_partition_keys() if a.partitions_def is not None else None)
        for a in ALL_ASSETS])


def drops_by_reason(meta: Mapping[tuple[str, str], dict]) -> pd.DataFrame:
    """One row per asset, partition and drop reason: rows_in, rows_out, reason, rows."""
    rows = []
    for (asset, part), md in sorted(meta.items()):
        if "rows_in" not in md:
            continue
        for k, v in sorted(md.items()):
            if k.startswith("dropped_"):
                rows.append({"asset": asset, "partition": part, "rows_in": int(md["rows_in"]),
                             "rows_out": int(md.get("rows_out", 0)), "reason": k[len("dropped_"):], "rows": int(v)})
    return pd.DataFrame(rows, columns=["asset", "partition", "rows_in", "rows_out", "reason", "rows"])


def accounting_table(meta: Mapping[tuple[str, str], dict]) -> pd.DataFrame:
    """asset, partition, rows_in, rows_out, dropped (sum), balanced: one row per materialization."""
    rows = []
    for (asset, part), md in sorted(meta.items()):
        if "rows_in" not in md:
            continue
        dropped = sum(int(v) for k, v in md.items() if k.startswith("dropped_"))
        rows.append({"asset": asset, "partition": part, "rows_in": int(md["rows_in"]), "rows_out": int(md["rows_out"]),
                     "dropped": dropped, "balanced": int(md["rows_in"]) == int(md["rows_out"]) + dropped})
    return pd.DataFrame(rows, columns=["asset", "partition", "rows_in", "rows_out", "dropped", "balanced"])


def match_rates(meta: Mapping[tuple[str, str], dict]) -> pd.DataFrame:
    """By year: share of customs exporters matched to a survey firm (all, by name, by phone + zip)
    and share of export observations kept as matched (``customs_firm_match``, ``matched_exports``)."""
    rows = []
    years = sorted({p for (a, p) in meta if a == "customs_firm_match" and p})
    for y in years:
        m = meta[("customs_firm_match", y)]
        n = int(m.get("rows_in", 0))
        row = {"partition": y}
        if n:
            row["exporters matched"] = int(m["rows_out"]) / n
            if "matched_by_name" in m:
                row["by name"] = int(m["matched_by_name"]) / n
            if "matched_by_phone_zip" in m:
                row["by phone + zip"] = int(m["matched_by_phone_zip"]) / n
        e = meta.get(("matched_exports", y))
        if e and int(e.get("rows_in", 0)):
            row["export observations matched"] = int(e["rows_out"]) / int(e["rows_in"])
        rows.append(row)
    return pd.DataFrame(rows)


def distributions(meta: Mapping[tuple[str, str], dict], asset: str) -> dict:
    """The merged by-year distribution summaries an asset recorded (:mod:`eq_assets.reports.distributions`)."""
    from eq_assets.reports.distributions import METADATA_KEY, merge_summaries

    return merge_summaries([md[METADATA_KEY] for (a, _), md in sorted(meta.items()) if a == asset and METADATA_KEY in md])
