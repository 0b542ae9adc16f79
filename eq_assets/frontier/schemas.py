"""Pandera model of quality, frontier and Distance (P1 eq. 22)."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

from eq_assets.core.glossary import describe
from eq_assets.quality.schemas import ExportQualityP1


class QualityDistance(ExportQualityP1):
    frontier: Series[float] = pa.Field(description=describe("frontier"))
    Distance: Series[float] = pa.Field(description=describe("Distance"))
