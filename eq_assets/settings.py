"""Project-wide settings: where data lives and which years exist.

Paths come from the environment so that the same graph runs on the synthetic world
(default) or on a user's licensed files:

- ``EQ_DATA_DIR``: the data root (default: ``<repo>/data``);
- ``EQ_RAW_DIR``: the raw sources (default: ``$EQ_DATA_DIR/raw``);
- ``EQ_WAREHOUSE``: the warehouse directory: one Parquet file per table partition, published
  only after its checks pass, and ``catalog.duckdb`` with a view per table (default:
  ``$EQ_DATA_DIR/warehouse``; see :mod:`eq_assets.core.warehouse`);
- ``EQ_OUTPUT_DIR``: tables and ``results.csv`` (default: ``$EQ_DATA_DIR/outputs``).
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

#: P1's sample period (Song & Hu 2024, section III.3: 2004-2014).
P1_YEARS: tuple[int, ...] = tuple(range(2004, 2015))
#: P2's sample period (Ma, Wang & Gong: 2010-2012), inside P1's years.
P2_YEARS: tuple[int, ...] = (2010, 2011, 2012)
#: Every year the yearly assets are partitioned by.
YEARS: tuple[int, ...] = P1_YEARS


def data_dir() -> Path:
    return Path(os.environ.get("EQ_DATA_DIR", REPO_ROOT / "data"))


def raw_dir() -> Path:
    return Path(os.environ.get("EQ_RAW_DIR", data_dir() / "raw"))


def warehouse_dir() -> Path:
    return Path(os.environ.get("EQ_WAREHOUSE", data_dir() / "warehouse"))


def output_dir() -> Path:
    return Path(os.environ.get("EQ_OUTPUT_DIR", data_dir() / "outputs"))
