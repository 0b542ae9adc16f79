"""Seeded random streams, one per component (and per year), so generation is reproducible.

``stream(seed, "trade", 2007)`` always yields the same generator whatever else was drawn
before, so years can be generated in any order (or alone) and still give byte-identical files.
Keys are turned into integers with CRC32 (stable across Python runs, unlike ``hash``).
"""

from __future__ import annotations

import zlib

import numpy as np


def _key(k: str | int) -> int:
    return int(k) if isinstance(k, (int, np.integer)) else zlib.crc32(str(k).encode("utf-8"))


def stream(seed: int, *keys: str | int) -> np.random.Generator:
    """An independent generator for the component named by ``keys`` under ``seed``."""
    ss = np.random.SeedSequence(entropy=int(seed), spawn_key=tuple(_key(k) for k in keys))
    return np.random.default_rng(ss)
