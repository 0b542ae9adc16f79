"""Descriptive-statistics tables (P2 Table 1: "变量描述性统计"), computed and rendered.

:func:`describe` gives one row per variable: N (non-missing), mean, standard deviation (sample,
n - 1, as Stata's ``summarize``), min, max. :func:`render_markdown` / :func:`render_latex` lay it
out as P2 prints it (变量 观测值 均值 标准差 最小值 最大值; 3 decimals).

These statistics are not coefficients, so they are NOT rows of results.csv (one row per
coefficient); the report writes them to ``P2_table1.md``, ``.tex`` and ``P2_table1.csv``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

#: P2 Table 1 variables, in the paper's order.
P2_TABLE1_VARIABLES: tuple[str, ...] = ("qua", "egscore", "Con_wag", "Con_inc", "Con_exp", "Con_gdp", "Con_num", "Con_inf")
HEADER = ("Variable", "N", "Mean", "SD", "Min", "Max")


def describe(panel: pd.DataFrame, variables: Sequence[str] = P2_TABLE1_VARIABLES) -> pd.DataFrame:
    """N, mean, sd (ddof=1), min, max of each variable over its non-missing, finite values."""
    rows = []
    for i, v in enumerate(variables, start=1):
        x = pd.to_numeric(panel[v], errors="coerce").to_numpy(dtype=float)
        x = x[np.isfinite(x)]
        n = len(x)
        rows.append({
            "order": i, "variable": v, "n": n,
            "mean": float(x.mean()) if n else np.nan,
            "sd": float(x.std(ddof=1)) if n > 1 else np.nan,
            "min": float(x.min()) if n else np.nan,
            "max": float(x.max()) if n else np.nan,
        })
    return pd.DataFrame(rows, columns=["order", "variable", "n", "mean", "sd", "min", "max"])


def _fmt(x: float, digits: int) -> str:
    return "" if x is None or not np.isfinite(x) else f"{x:.{digits}f}"


def _cells(stats: pd.DataFrame, digits: int) -> list[list[str]]:
    s = stats.sort_values("order")
    return [[str(r.variable), f"{int(r.n):,}", _fmt(r.mean, digits), _fmt(r.sd, digits), _fmt(r.min, digits),
             _fmt(r.max, digits)] for r in s.itertuples()]


def render_markdown(stats: pd.DataFrame, *, title: str = "P2 Table 1: Descriptive statistics", digits: int = 3) -> str:
    lines = [f"**{title}**", "", "| " + " | ".join(HEADER) + " |", "|" + "|".join(["---"] + ["---:"] * 5) + "|"]
    lines += ["| " + " | ".join(c.replace("_", "\\_") if j == 0 else c for j, c in enumerate(row)) + " |"
              for row in _cells(stats, digits)]
    lines += ["", "Note: N = non-missing observations of each variable on the firm-year panel; SD is the sample standard deviation."]
    return "\n".join(lines) + "\n"


def render_latex(stats: pd.DataFrame, *, title: str = "P2 Table 1: Descriptive statistics", digits: int = 3,
                 label: str = "tab:p2_table1") -> str:
    body = [" & ".join([row[0].replace("_", "\\_"), *row[1:]]) + r" \\" for row in _cells(stats, digits)]
    return "\n".join([
        r"\begin{table}[htbp]", r"\centering", f"\\caption{{{title}}}", f"\\label{{{label}}}",
        r"\begin{tabular}{lrrrrr}", r"\toprule", " & ".join(HEADER) + r" \\", r"\midrule", *body,
        r"\bottomrule", r"\end{tabular}", r"\end{table}", "",
    ])
