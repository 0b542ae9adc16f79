"""Export product quality, P1 variant (Khandelwal, Schott & Wei 2013; Shi 2014; Fan et al. 2018).

CES demand ``q = p^(-sigma) * lambda^(sigma-1) * E/P`` gives (P1 eq. 20-21, SPEC section 3)::

    ln q_ijmt + sigma * ln p_ijmt = chi_jmt + eps_ijmt,     quality_ijmt = eps_hat / (sigma - 1)

with ``chi_jmt`` product x destination x year fixed effects. With sigma imposed (KSW take it
from the literature; P1 and P2 use 3), the fixed-effect regression's residual is the deviation
of ``y = ln q + sigma ln p`` from its cell mean, computed here in DuckDB with a window mean
rather than a dummy regression. Observations are split by trade mode (P1's unit is year x firm x
destination x product x trade mode), the cell is not.

Singleton cells (one observation in a product x destination x year cell) have a residual of
exactly zero by construction: it carries no information on quality. They are dropped by default
(``singletons="drop"``), and counted, like reghdfe drops singleton groups; ``"keep"`` keeps them
with quality 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from eq_assets.core.accounting import RowAccount
from eq_assets.core.sql import count, run_transform


@dataclass(frozen=True)
class QualityParams:
    """Named choices of the P1 quality step (defaults: P1 section III.2.1)."""

    #: Elasticity of substitution, imposed (P1 and P2: 3; SPEC section 3 lists 5 and 10 as options).
    sigma: float = 3.0
    #: Fixed-effect cell of chi (P1: product x destination x year).
    cell: tuple[str, ...] = ("hs6", "dest_code", "year")
    #: What to do with one-observation cells: "drop" (default) or "keep" (quality 0).
    singletons: str = "drop"


def khandelwal_quality_sql(con, params: QualityParams = QualityParams()) -> tuple[str, RowAccount]:
    """Quality as DuckDB SQL over ``obs`` (cell columns, value_usd, quantity, ...)."""
    if params.sigma <= 1:
        raise ValueError(f"sigma must exceed 1 (CES); got {params.sigma}")
    if params.singletons not in ("drop", "keep"):
        raise ValueError(f"singletons must be 'drop' or 'keep'; got {params.singletons!r}")
    acc = RowAccount(rows_in=count(con, "obs"), unit="observations")
    cell = ", ".join(params.cell)
    sigma = repr(float(params.sigma))
    con.execute(
        f"""
        create or replace temp table _quality as
        with o as (
            select *, value_usd / quantity as unit_value,
                   ln(quantity) + {sigma} * ln(value_usd / quantity) as y
            from obs
        )
        select * exclude (y), count(*) over (partition by {cell})::BIGINT as cell_size,
               (y - avg(y) over (partition by {cell})) / ({sigma} - 1) as quality
        from o
        """
    )
    where = ""
    if params.singletons == "drop":
        acc.drop("singleton_cell", count(con, "(select 1 from _quality where cell_size = 1)"))
        where = "where cell_size > 1"
    order = ", ".join(c for c in OBS_ORDER if c in {r[0] for r in con.execute("describe _quality").fetchall()})
    return f"select * from _quality {where} order by {order}", acc


#: row order of the observation tables (deterministic output)
OBS_ORDER = ("firm_id", "hs6", "dest_code", "trade_mode")


def khandelwal_quality(obs, params: QualityParams = QualityParams()) -> tuple[pd.DataFrame, RowAccount]:
    """Quality of each observation. ``obs`` (a frame or stored table) needs the cell columns,
    value_usd and quantity; the asset runs :func:`khandelwal_quality_sql`."""
    return run_transform(khandelwal_quality_sql, params, inputs={"obs": obs})
