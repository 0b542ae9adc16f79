"""Pictures of the results and of the data's journey, as deterministic PNG bytes (matplotlib).

Each function returns PNG bytes (fixed size and dpi, Agg renderer, no ``Software``/date metadata,
the same input gives the same bytes) and is shown two ways: in the Dagster UI as
an image in Markdown metadata (:func:`image_metadata`, a ``data:`` URI the UI renders) and in
``report.html``. Plots:

- :func:`coefficient_plot`: one table's coefficients of interest with 95% confidence intervals
  (estimate +- 1.96 SE), the true value marked where ``truth.csv`` has one;
- :func:`first_stage_plot`: the Kleibergen-Paap rk Wald F of every 2SLS column, with the
  Stock-Yogo and Olea-Pflueger critical values;
- :func:`distribution_plot`: box plots by year from quantiles (:mod:`eq_assets.reports.distributions`);
- :func:`drops_plot` and :func:`match_rate_plot`: rows dropped by reason and match rates by year,
  from the assets' materialization metadata (:mod:`eq_assets.reports.accounting`).
"""

from __future__ import annotations

import base64
import io
from typing import Mapping, Sequence

import matplotlib
import numpy as np
import pandas as pd
from matplotlib import ticker
from matplotlib.figure import Figure

from eq_assets.regressions.iv import STAT_KP_WALD_F
from eq_assets.regressions.results import natural_key
from eq_assets.reports import weak_iv

DPI = 100
#: No Software/creation metadata in the PNG, so the bytes depend on the picture only.
PNG_METADATA = {"Software": None}
Z95 = 1.959963984540054


def png_bytes(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata=PNG_METADATA)
    return buf.getvalue()


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def image_metadata(png: bytes, alt: str):
    """A Dagster Markdown metadata value showing ``png`` as an image (data URI)."""
    import dagster as dg

    return dg.MetadataValue.md(f"![{alt}]({data_uri(png)})")


def _empty(message: str, size=(6.0, 1.6)) -> bytes:
    fig = Figure(figsize=size)
    fig.text(0.5, 0.5, message, ha="center", va="center", fontsize=10, color="#555555")
    return png_bytes(fig)


# ---- coefficients -------------------------------------------------------------------------------


def coefficient_rows(results: pd.DataFrame, paper: str, table: str, specs=None) -> pd.DataFrame:
    """The coefficients a table prints as regressors of interest (first-stage columns and the
    variants reported only in results.csv excluded)."""
    from eq_assets.regressions.specs import specs_for

    table = str(table)
    specs = specs if specs is not None else specs_for(paper, table)
    keep = {(s.column, t) for s in specs if s.paper == paper and s.table == table and not s.variant for t in s.regressors}
    sub = results[(results["paper"] == paper) & (results["table"].astype(str) == table)]
    if "variant" in sub.columns:  # the published reading only (variants are in results.csv)
        sub = sub[sub["variant"].fillna("") == ""]
    mask = [(str(c), str(t)) in keep for c, t in zip(sub["column"], sub["term"])]
    out = sub[mask].copy()
    out["column"] = out["column"].astype(str)
    return out


def coefficient_plot(results: pd.DataFrame, paper: str, table: str, truth: pd.DataFrame | None = None,
                     specs=None) -> bytes:
    """Estimate and 95% CI of each regressor of interest by column; truth (x) where known."""
    rows = coefficient_rows(results, paper, table, specs)
    if rows.empty:
        return _empty(f"{paper} Table {table}: no coefficients")
    if truth is not None and not truth.empty:
        t = truth if "variant" not in truth.columns else truth[truth["variant"].fillna("") == ""]
        t = t[["paper", "table", "column", "term", "true_value"]].astype({"table": str, "column": str})
        rows = rows.merge(t, on=["paper", "table", "column", "term"], how="left")
    else:
        rows["true_value"] = np.nan
    terms = list(dict.fromkeys(rows["term"]))
    columns = sorted(dict.fromkeys(rows["column"]), key=natural_key)
    fig = Figure(figsize=(7.0, 0.9 + 0.32 * len(columns) * len(terms) + 0.35 * len(terms)))
    axes = fig.subplots(len(terms), 1, squeeze=False)[:, 0]
    for ax, term in zip(axes, terms):
        sub = rows[rows["term"] == term].set_index("column").reindex(columns)
        y = np.arange(len(columns))[::-1]
        b, se = sub["estimate"].to_numpy(float), sub["std_error"].to_numpy(float)
        ax.errorbar(b, y, xerr=Z95 * se, fmt="o", color="#1f4e79", ecolor="#7aa6d6", capsize=3, label="estimate, 95% CI")
        tv = sub["true_value"].to_numpy(float)
        if np.isfinite(tv).any():
            ax.scatter(tv, y, marker="x", color="#c0392b", s=45, zorder=3, label="true value (truth.csv)")
        ax.axvline(0.0, color="#999999", lw=0.8, ls="--")
        ax.set_yticks(y, [f"({c})" for c in columns])
        ax.set_ylim(-0.7, len(columns) - 0.3)
        ax.set_title(term, fontsize=10, loc="left")
        ax.tick_params(labelsize=8)
        ax.legend(fontsize=7, loc="best", frameon=False)
    fig.suptitle(f"{paper} Table {table}: coefficients and 95% confidence intervals", fontsize=10, x=0.01, ha="left")
    fig.tight_layout()
    return png_bytes(fig)


def first_stage_plot(results: pd.DataFrame, specs=None) -> bytes:
    """rk Wald F of every 2SLS column (log scale), with Stock-Yogo and Olea-Pflueger critical values."""
    from eq_assets.regressions.specs import SPECS

    specs = specs if specs is not None else SPECS
    iv = {(s.paper, s.table, s.column): s for s in specs if s.estimator == "iv" and not s.variant}
    f = results[results["term"] == STAT_KP_WALD_F]
    if "variant" in f.columns:
        f = f[f["variant"].fillna("") == ""]
    rows = [(f"{p} T{t} ({c}): {', '.join(iv[(p, str(t), str(c))].instruments)}", float(v), len(iv[(p, str(t), str(c))].instruments))
            for p, t, c, v in zip(f["paper"], f["table"], f["column"], f["estimate"]) if (p, str(t), str(c)) in iv]
    if not rows:
        return _empty("no IV columns")
    labels, values, n_inst = zip(*rows)
    fig = Figure(figsize=(7.0, 1.0 + 0.32 * len(rows)))
    ax = fig.subplots()
    y = np.arange(len(rows))[::-1]
    sy = weak_iv.stock_yogo(max(n_inst)) or weak_iv.stock_yogo(1)
    colors = ["#2e7d32" if v >= sy else "#c0392b" for v in values]
    ax.barh(y, values, color=colors)
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:g}"))
    ax.xaxis.set_minor_formatter(ticker.NullFormatter())
    ax.axvline(sy, color="#555555", ls="--", lw=1, label=f"Stock-Yogo 10% max. size: {sy:g}")
    if all(n == 1 for n in n_inst):
        ax.axvline(weak_iv.OLEA_PFLUEGER_TAU10_JUST_IDENTIFIED, color="#8e44ad", ls=":", lw=1.2,
                   label=f"Olea-Pflueger tau=10%: {weak_iv.OLEA_PFLUEGER_TAU10_JUST_IDENTIFIED:g}")
    ax.set_yticks(y, labels)
    ax.tick_params(labelsize=8)
    ax.set_xlabel("Kleibergen-Paap rk Wald F (log scale)", fontsize=9)
    ax.legend(fontsize=7, frameon=False, loc="lower right")
    ax.set_title("First-stage strength of each instrument", fontsize=10, loc="left")
    fig.tight_layout()
    return png_bytes(fig)


# ---- distributions, drops and match rates ---------------------------------------------------------


def distribution_plot(stats: Mapping[str, Mapping[str, Mapping[str, float]]], title: str) -> bytes:
    """Box plots by year: box = p25-p75, line = median, whiskers = p5-p95 (``stats[var][year]``)."""
    variables = [v for v in stats if stats[v]]
    if not variables:
        return _empty(f"{title}: no data")
    fig = Figure(figsize=(7.0, 2.3 * len(variables)))
    axes = fig.subplots(len(variables), 1, squeeze=False)[:, 0]
    for ax, var in zip(axes, variables):
        years = sorted(stats[var], key=natural_key)
        boxes = [{"label": y, "med": stats[var][y]["p50"], "q1": stats[var][y]["p25"], "q3": stats[var][y]["p75"],
                  "whislo": stats[var][y]["p5"], "whishi": stats[var][y]["p95"], "fliers": []} for y in years]
        ax.bxp(boxes, showfliers=False, patch_artist=True, boxprops={"facecolor": "#cfe0f3"},
               medianprops={"color": "#1f4e79"})
        ax.set_title(f"{var} (whiskers: 5th-95th percentile)", fontsize=9, loc="left")
        ax.tick_params(labelsize=8)
    fig.suptitle(title, fontsize=10, x=0.01, ha="left")
    fig.tight_layout()
    return png_bytes(fig)


def drops_plot(drops: pd.DataFrame, assets: Sequence[str]) -> bytes:
    """Stacked bars of rows dropped by reason and year, one panel per asset (``drops``: asset,
    partition, reason, rows; from :func:`eq_assets.reports.accounting.drops_by_reason`)."""
    d = drops[drops["asset"].isin(assets) & (drops["rows"] > 0)]
    shown = [a for a in assets if (d["asset"] == a).any()]
    if not shown:
        return _empty("no rows dropped")
    fig = Figure(figsize=(7.0, 1.9 * len(shown)))
    axes = fig.subplots(len(shown), 1, squeeze=False)[:, 0]
    cmap = matplotlib.colormaps["tab10"]
    for ax, asset in zip(axes, shown):
        wide = d[d["asset"] == asset].pivot_table(index="partition", columns="reason", values="rows", aggfunc="sum",
                                                  fill_value=0)
        wide = wide.reindex(sorted(wide.index, key=natural_key))
        bottom = np.zeros(len(wide))
        for i, reason in enumerate(wide.columns):
            ax.bar(wide.index, wide[reason], bottom=bottom, label=reason, color=cmap(i % 10))
            bottom += wide[reason].to_numpy()
        ax.set_title(f"{asset}: rows dropped by reason", fontsize=9, loc="left")
        ax.tick_params(labelsize=8)
        ax.legend(fontsize=7, frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.tight_layout()
    return png_bytes(fig)


def match_rate_plot(rates: pd.DataFrame) -> bytes:
    """Match rates by year (``rates``: partition and one column per rate, shares in [0, 1])."""
    if rates.empty:
        return _empty("no matching metadata")
    r = rates.set_index("partition")
    r = r.reindex(sorted(r.index, key=natural_key))
    fig = Figure(figsize=(7.0, 2.6))
    ax = fig.subplots()
    for col in r.columns:
        ax.plot(r.index, r[col], marker="o", label=col)
    ax.set_ylim(0, 1.02)
    ax.set_ylabel("share", fontsize=9)
    ax.tick_params(labelsize=8)
    ax.legend(fontsize=7, frameon=False, loc="lower left")
    ax.set_title("Customs-survey match rates by year", fontsize=10, loc="left")
    fig.tight_layout()
    return png_bytes(fig)
