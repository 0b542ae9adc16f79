"""Year partitions shared by every yearly asset (P1: 2004-2014; P2's 2010-2012 lie inside)."""

from __future__ import annotations

import dagster as dg

from eq_assets.settings import YEARS

year_partitions = dg.StaticPartitionsDefinition([str(y) for y in YEARS])

#: Metadata telling the warehouse I/O manager which column holds the partition key.
YEARLY = {"partition_expr": "year"}


def years_mapping(years) -> dg.SpecificPartitionsPartitionMapping:
    """An unpartitioned asset's input that reads only ``years`` of a yearly table (P2's 2010-2012):
    only those partitions are loaded, and a change in another year leaves the asset current."""
    return dg.SpecificPartitionsPartitionMapping([str(y) for y in years if y in YEARS])


def partition_year(context: dg.AssetExecutionContext) -> int:
    """The year of the partition being materialized."""
    return int(context.partition_key)
