"""P2 (Ma, Wang & Gong) regression specifications (SPEC section 5), one record per column."""

from __future__ import annotations

from eq_assets.regressions.spec import RegressionSpec

#: Every P2 specification, in table/column order.
P2_SPECS: tuple[RegressionSpec, ...] = ()

#: Titles used by the table renderers.
P2_TITLES: dict[tuple[str, str], str] = {}
