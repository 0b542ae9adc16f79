"""Distribution summaries by year, recorded as asset metadata and drawn by the report.

:func:`distribution_summary` gives, per variable and year, N, mean and the 5/25/50/75/95th
percentiles (numpy's default linear interpolation). :func:`distribution_metadata` puts it into an
asset's materialization metadata (JSON, plus the box plot as an image), so the report can draw the
distributions of every year from the Dagster instance without reading the tables again.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

QUANTILES: tuple[tuple[str, float], ...] = (("p5", 5), ("p25", 25), ("p50", 50), ("p75", 75), ("p95", 95))
#: Metadata key of the JSON summary.
METADATA_KEY = "distribution"


def distribution_summary(df: pd.DataFrame, columns: Sequence[str], by: str = "year") -> dict:
    """{variable: {year: {n, mean, p5, ..., p95}}} over finite values (years as strings)."""
    out: dict = {}
    for col in columns:
        out[col] = {}
        for year, g in df.groupby(by, sort=True):
            x = pd.to_numeric(g[col], errors="coerce").to_numpy(float)
            x = x[np.isfinite(x)]
            if len(x) == 0:
                continue
            q = np.percentile(x, [p for _, p in QUANTILES])
            out[col][str(year)] = {"n": int(len(x)), "mean": round(float(x.mean()), 12),
                                   **{name: round(float(v), 12) for (name, _), v in zip(QUANTILES, q)}}
    return out


def distribution_metadata(df: pd.DataFrame, columns: Sequence[str], *, by: str = "year", title: str = "") -> dict:
    """Materialization metadata: the summary (JSON) and its box plot (image)."""
    import dagster as dg

    from eq_assets.reports.figures import distribution_plot, image_metadata

    stats = distribution_summary(df, columns, by)
    png = distribution_plot(stats, title or ", ".join(columns) + " by year")
    return {METADATA_KEY: dg.MetadataValue.json(stats), "distribution_plot": image_metadata(png, "distribution by year")}


def merge_summaries(summaries: Sequence[dict]) -> dict:
    """Merge summaries of several partitions ({var: {year: ...}}); later ones win on a repeated year."""
    out: dict = {}
    for s in summaries:
        for var, years in (s or {}).items():
            out.setdefault(var, {}).update(years)
    return out
