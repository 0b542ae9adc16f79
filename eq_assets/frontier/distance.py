"""Quality frontier and distance to it (P1 eq. 22; SPEC section 4).

``frontier_kt`` = the highest export-product quality in industry k and year t (P1: "t 年企业所在
行业的最高出口产品质量"), and ``Distance_ijmt = frontier_kt - quality_ijmt``: the lower, the closer
the product is to the frontier. The frontier statistic is a parameter: the paper's ``max``
(default), or a high quantile (e.g. 0.99) as a robustness option less driven by one outlier.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from eq_assets.core.sql import run_transform


@dataclass(frozen=True)
class FrontierParams:
    """Named choices of the frontier (defaults: P1 section III.2.1)."""

    #: "max" (P1) or a quantile in (0, 1) given as a float, e.g. 0.99.
    statistic: str | float = "max"
    #: Grouping that defines the frontier cell (P1: the firm's industry and the year).
    by: tuple[str, ...] = ("industry", "year")


def quality_distance_sql(con, params: FrontierParams = FrontierParams()) -> str:
    """``Distance`` as DuckDB SQL over ``q`` (with ``quality`` and the ``by`` columns)."""
    by = ", ".join(params.by)
    if params.statistic == "max":
        agg = "max(quality)"
    elif isinstance(params.statistic, float) and 0 < params.statistic < 1:
        agg = f"quantile_cont(quality, {params.statistic!r})"
    else:
        raise ValueError(f"frontier statistic must be 'max' or a quantile in (0,1); got {params.statistic!r}")
    cols = {r[0] for r in con.execute("describe q").fetchall()}
    order = ", ".join(c for c in ("firm_id", "hs6", "dest_code", "trade_mode") if c in cols)
    return f"""
        select *, {agg} over (partition by {by}) as frontier,
               {agg} over (partition by {by}) - quality as "Distance"
        from q {('order by ' + order) if order else ''}
        """


def quality_distance(q, params: FrontierParams = FrontierParams()) -> pd.DataFrame:
    """Add ``frontier`` and ``Distance`` to a frame (or stored table) with ``quality`` and the ``by`` columns."""
    return run_transform(quality_distance_sql, params, inputs={"q": q})
