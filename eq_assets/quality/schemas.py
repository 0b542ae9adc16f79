"""Pandera model of P1's observation-level export quality."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

from eq_assets.core.glossary import describe

from eq_assets.matching.schemas import MatchedExports


class ExportQualityP1(MatchedExports):
    """Matched observations with unit value, cell size and KSW quality (P1 eq. 21)."""

    unit_value: Series[float] = pa.Field(gt=0, description=describe("unit_value"))
    cell_size: Series[int] = pa.Field(ge=1, description=describe("cell_size"))
    quality: Series[float] = pa.Field(nullable=False, description=describe("quality"))
