"""Year partitions shared by every yearly asset (P1: 2004-2014; P2's 2010-2012 lie inside)."""

from __future__ import annotations

import dagster as dg

from eq_assets.settings import YEARS

year_partitions = dg.StaticPartitionsDefinition([str(y) for y in YEARS])

#: Metadata telling the warehouse I/O manager which column holds the partition key.
YEARLY = {"partition_expr": "year"}


def partition_year(context: dg.AssetExecutionContext) -> int:
    """The year of the partition being materialized."""
    return int(context.partition_key)
