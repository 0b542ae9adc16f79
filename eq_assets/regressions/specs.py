"""Regression specifications as data: every published column of both papers.

Each column is a :class:`~eq_assets.regressions.spec.RegressionSpec`; one engine
(:func:`eq_assets.regressions.engine.fit_spec`) fits them all. A robustness column is one line,
``replace(spec, column="5", fixed_effects=...)``, and the spec alone says which panel columns a
fit needs (:attr:`RegressionSpec.columns_needed`), so the caller loads nothing else from a
10M-row panel. The papers' columns live in :mod:`.specs_p1` and :mod:`.specs_p2`; this module
gathers them.
"""

from __future__ import annotations

from eq_assets.regressions.results import natural_key
from eq_assets.regressions.spec import ESTIMATORS, RegressionSpec, VcovArg  # noqa: F401
from eq_assets.regressions.specs_p1 import P1_ALL_FE, P1_CONTROLS, P1_SPECS, P1_TABLE1, P1_TITLES, P1_TWOWAY_FE  # noqa: F401
from eq_assets.regressions.specs_p1 import P1_NOTES
from eq_assets.regressions.specs_p2 import P2_NOTES, P2_SPECS, P2_TITLES

#: Every declared specification, in table/column order.
SPECS: tuple[RegressionSpec, ...] = P1_SPECS + P2_SPECS

#: Titles used by the table renderers.
TABLE_TITLES: dict[tuple[str, str], str] = {**P1_TITLES, **P2_TITLES}

#: Each table's note beyond what the renderer derives from the specs (FE, vcov, sample): every
#: choice where the paper is silent or read in one of several ways, and the variants reported
#: beside the table in results.csv.
TABLE_NOTES: dict[tuple[str, str], str] = {**P1_NOTES, **P2_NOTES}


def tables() -> tuple[tuple[str, str], ...]:
    """Every (paper, table) with at least one specification, in natural order."""
    keys = {(s.paper, s.table) for s in SPECS}
    return tuple(sorted(keys, key=lambda k: (k[0], natural_key(k[1]))))


def specs_for(paper: str, table: str, specs: tuple[RegressionSpec, ...] | None = None) -> tuple[RegressionSpec, ...]:
    """The specs of one table, in column order; KeyError if none is declared."""
    found = tuple(s for s in (SPECS if specs is None else specs) if s.paper == paper and s.table == str(table))
    if not found:
        raise KeyError(f"no specification declared for {paper} Table {table}")
    return tuple(sorted(found, key=lambda s: natural_key(s.column)))


def check_unique(specs: tuple[RegressionSpec, ...]) -> None:
    """Raise if two specs share (paper, table, column, variant)."""
    seen: dict[tuple[str, str, str, str], RegressionSpec] = {}
    for s in specs:
        if s.result_key in seen:
            raise ValueError(f"duplicate specification {s.result_key}")
        seen[s.result_key] = s


check_unique(SPECS)
