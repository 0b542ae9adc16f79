"""Pandera model of quality, frontier and Distance (P1 eq. 22)."""

from __future__ import annotations

from pandera.typing import Series

from eq_assets.quality.schemas import ExportQualityP1


class QualityDistance(ExportQualityP1):
    frontier: Series[float]
    Distance: Series[float]
