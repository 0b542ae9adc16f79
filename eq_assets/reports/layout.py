"""A rendered table, independent of its format: cells, rows, and how numbers are formatted.

:func:`eq_assets.reports.tables.table_layout` fills a :class:`Layout`; the renderers of
:mod:`eq_assets.reports.render` turn it into Markdown, LaTeX or HTML.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable

#: Stars: (threshold, marker), checked in order with p < threshold.
STAR_LEVELS: tuple[tuple[float, str], ...] = ((0.01, "***"), (0.05, "**"), (0.10, "*"))


def stars(p: float) -> str:
    """Significance stars with strict thresholds: p<0.01 ***, p<0.05 **, p<0.10 *."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return ""
    for level, marker in STAR_LEVELS:
        if p < level:
            return marker
    return ""


def fmt_number(x: float | None, digits: int) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    return f"{x:.{digits}f}"


def fmt_count(n: int) -> str:
    return f"{int(n):,}"


def row_scale(values: Iterable[float], digits: int) -> int:
    """The power of ten (a multiple of 3) a row's numbers are multiplied by before printing.

    0 unless some non-zero value would print as zero at ``digits`` decimals (P1 Table 7's first
    stage: ``0.0001** (0.0000)``); then the smallest k in 3, 6, 9, ... that prints the smallest
    value with three significant digits (|v| 10^k >= 10^(2 - digits)). The row label says ×10^k.
    """
    nz = [abs(v) for v in values if v is not None and math.isfinite(v) and v != 0.0]
    if not nz:
        return 0
    smallest = min(nz)
    if smallest >= 0.5 * 10.0 ** (-digits):
        return 0
    k = 3
    while smallest * 10.0 ** k < 10.0 ** (2 - digits) and k < 30:
        k += 3
    return k


@dataclass(frozen=True)
class Cell:
    """A body cell: text, optionally a number with stars or in parentheses."""

    number: str = ""
    stars: str = ""
    paren: bool = False
    text: str = ""


@dataclass(frozen=True)
class Row:
    """A labelled row. ``scale`` k: the row's numbers are multiplied by 10^k (label says ×10^k).
    ``section``: a heading spanning the table (no cells), e.g. "First stage (dependent variable: egscore)"."""

    label: str
    cells: tuple[Cell, ...]
    scale: int = 0
    section: bool = False


@dataclass(frozen=True)
class Layout:
    title: str
    columns: tuple[str, ...]
    depvars: tuple[str, ...]
    head_rows: tuple[Row, ...]
    coef_rows: tuple[Row, ...]
    stat_rows: tuple[Row, ...]
    note: str
