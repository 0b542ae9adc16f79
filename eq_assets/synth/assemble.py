"""After the yearly draws: the all-year files and the oracle truths, from the spilled parts.

:func:`eq_assets.synth.world.generate` draws one year at a time and spills (``spill.Spill``)
what later steps need; this module turns those parts into

- ``patents/patents.csv`` (stably sorted by application number, as a concatenation of the
  years sorted with ``kind="stable"`` would be), ``customs_aggregate/customs_aggregate.csv``
  (years in order) and ``latent/firm_years.parquet``, written by DuckDB straight from Parquet;
- the P1 oracle truths: the firm-year panel built year by year (only the product bounds of
  quality need all years), then every fit loading only the columns its spec needs from the
  spilled latent panels (:func:`eq_assets.synth.oracle.oracle_truth_panels`);
- the P2 oracle's draws of 2010-2012 with only the columns it reads
  (:data:`eq_assets.synth.p2_oracle.DRAW_COLUMNS`).
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import duckdb
import pandas as pd

from eq_assets.sources.contract import PATENTS
from eq_assets.sources.contract_p1 import CUSTOMS_AGGREGATE
from eq_assets.synth import oracle
from eq_assets.synth.p2_oracle import DRAW_COLUMNS
from eq_assets.synth.spill import Spill, quote
from eq_assets.synth.writer import write_source_query

#: spilled tables (one part per year drawn)
PATENT_PARTS = "patents"
AGGREGATE_PARTS = "customs_aggregate"
LATENT_FY_PARTS = "latent_firm_years"
P1_OBS_PARTS = "p1_obs"  # oracle.year_obs_panel
P1_FY_PARTS = "p1_fy"  # oracle.firm_year_covariates
P1_FIRM_PARTS = "p1_firm"  # oracle.firm_panel_year


def spill_p2_draw(spill: Spill, draw) -> None:
    """Keep the columns of one P2 year's draw that the P2 oracle reads."""
    for name, cols in DRAW_COLUMNS.items():
        frame = getattr(draw, name)
        spill.put(f"p2_{name}", frame[[c for c in cols if c in frame.columns]])


def p2_draws(spill: Spill, years: list[int]) -> dict[int, SimpleNamespace]:
    """The spilled P2 draws, ``{year: namespace(obs=, firm_years=, asif=)}`` in written row order."""
    return {y: SimpleNamespace(**{name: spill.frame(f"p2_{name}", part=i) for name in DRAW_COLUMNS})
            for i, y in enumerate(years)}


def write_patents(spill: Spill, out: Path) -> int:
    """``patents.csv``: every year's applications, stably sorted by application number."""
    return write_source_query(spill.con, spill.scan(PATENT_PARTS), "application_no, _part, _row", PATENTS, out)


def write_aggregate(spill: Spill, out: Path) -> int:
    """``customs_aggregate.csv``: the years' aggregates in the order drawn."""
    return write_source_query(spill.con, spill.scan(AGGREGATE_PARTS), "_part, _row", CUSTOMS_AGGREGATE, out)


def write_latent_firm_years(spill: Spill, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lit = path.as_posix().replace("'", "''")
    spill.con.execute(f"copy (select * exclude (_part, _row) from {spill.scan(LATENT_FY_PARTS)} order by _part, _row) "
                      f"to '{lit}' (format parquet)")


def spilled_panel(spill: Spill, table: str, causal: bool = False) -> oracle.Panel:
    """An oracle :class:`~eq_assets.synth.oracle.Panel` over spilled parts: each load reads only
    the requested columns (renamed as :func:`~eq_assets.synth.oracle.panel_columns` says)."""
    mapping = oracle.panel_columns(spill.columns(table), causal)
    scan, con = spill.scan(table), spill.con

    def load(cols: tuple[str, ...]) -> pd.DataFrame:
        sel = ", ".join(f"{quote(mapping[c])} as {quote(c)}" for c in cols)
        return con.execute(f"select {sel} from {scan}").df()

    return oracle.Panel(frozenset(mapping), load)


def p1_oracle(spill: Spill, scope: str, timings: list[tuple[str, float]] | None = None) -> tuple[pd.DataFrame, dict]:
    """P1's oracle truth rows and IV diagnostics from the spilled latent panels."""
    if not spill.has(P1_OBS_PARTS):
        return pd.DataFrame(columns=["paper", "table", "column", "term", "true_value", "basis"]), {}
    con: duckdb.DuckDBPyConnection = spill.con
    bounds = con.execute(f"select product, min(quality) as lo, max(quality) as hi from {spill.scan(P1_OBS_PARTS)} "
                         f"group by product").df().set_index("product")
    need = ["year", "fid", "product", "industry", "quality", "value_usd"]
    for i in range(spill.n_parts(P1_OBS_PARTS)):
        part = oracle.firm_panel_year(spill.frame(P1_OBS_PARTS, need, part=i), spill.frame(P1_FY_PARTS, part=i), bounds)
        spill.put(P1_FIRM_PARTS, part)
    panels = {
        "p1_panel": spilled_panel(spill, P1_OBS_PARTS),
        "p1_panel_causal": spilled_panel(spill, P1_OBS_PARTS, causal=True),
        "p1_firm_panel": spilled_panel(spill, P1_FIRM_PARTS),
    }
    return oracle.oracle_truth_panels(panels, scope, timings)
