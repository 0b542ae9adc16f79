"""Estimates that guard themselves (issue 9): finite numbers, accounted N, no unexplained jump.

Three checks of every regression table asset (:mod:`eq_assets.regressions.assets`), as pure
functions on the results rows and the fits:

- :func:`finite_failures`: every estimate, and the standard error of every coefficient (not of
  the ``stat:`` rows, which have none), is a finite number;
- :func:`n_obs_failures`: each fit's rows add up (``n_input = n_excluded + n_missing +
  n_singletons + n_obs``), ``n_input`` is the panel's row count and the ``n_obs`` of its
  results rows is the fit's;
- :func:`movements`: against the last good materialization, each coefficient of a column whose
  specification is unchanged (same :func:`spec_digest`) must not move by more than
  ``max_move_se`` standard errors (the larger of the two) nor see its standard error change by
  more than a factor ``max_se_ratio``. Issue 9's worst case, one export row of 1e15 USD, moved
  P1 Table 2's ``Eco`` from -1.18 (0.42) to 3.8e10 (4.3e10): 0.9 new SEs, but an SE 1e11 times
  larger, so the second condition is what catches an exploded estimate.
"""

from __future__ import annotations

import hashlib
from typing import Iterable

import numpy as np
import pandas as pd

from eq_assets.regressions.fitresult import FitResult

KEY = ["paper", "table", "column", "term", "variant"]


def spec_digest(spec) -> str:
    """A digest of everything that defines a column (its RegressionSpec, as data)."""
    return hashlib.sha256(repr(spec).encode("utf-8")).hexdigest()[:16]


def _is_stat(term: pd.Series) -> pd.Series:
    return term.astype(str).str.startswith("stat:")


def finite_failures(results: pd.DataFrame) -> pd.DataFrame:
    """Rows whose estimate, or (coefficients only) standard error, is missing or not finite."""
    est = pd.to_numeric(results["estimate"], errors="coerce").to_numpy(dtype=float)
    se = pd.to_numeric(results["std_error"], errors="coerce").to_numpy(dtype=float)
    coef = ~_is_stat(results["term"]).to_numpy()
    bad = ~np.isfinite(est) | (coef & ~np.isfinite(se))
    return results.loc[bad, ["paper", "table", "column", "term", "estimate", "std_error"]]


def n_obs_failures(fits: Iterable[FitResult], panel_rows: dict[str, int], results: pd.DataFrame) -> list[str]:
    """What does not add up in the row accounting of each fit (empty when everything does)."""
    out = []
    res = results.assign(variant=results["variant"].fillna("")) if "variant" in results else results.assign(variant="")
    for f in fits:
        s = f.spec
        where = f"{s.paper} Table {s.table} column {s.column}" + (f" ({s.variant})" if s.variant else "")
        parts = f.n_excluded + f.n_missing + f.n_singletons + f.n_obs
        if parts != f.n_input:
            out.append(f"{where}: n_input {f.n_input:,} != excluded {f.n_excluded:,} + missing {f.n_missing:,} "
                       f"+ singletons {f.n_singletons:,} + used {f.n_obs:,}")
        if s.panel in panel_rows and f.n_input != panel_rows[s.panel]:
            out.append(f"{where}: fitted from {f.n_input:,} rows, the panel {s.panel} has {panel_rows[s.panel]:,}")
        rows = res[(res["paper"] == s.paper) & (res["table"] == s.table) & (res["column"] == s.column)
                   & (res["variant"] == (s.variant or "")) & ~_is_stat(res["term"])]
        wrong = rows[rows["n_obs"] != f.n_obs]
        if len(wrong):
            out.append(f"{where}: results say N = {int(wrong['n_obs'].iloc[0]):,}, the fit used {f.n_obs:,}")
    return out


def movements(results: pd.DataFrame, previous: pd.DataFrame, digests: dict[str, str], previous_digests: dict[str, str],
              *, max_move_se: float, max_se_ratio: float) -> pd.DataFrame:
    """Coefficients of unchanged columns compared with the last good ones: one row per compared
    coefficient with ``move_se`` (|change| / larger SE), ``se_ratio`` (new SE / old SE) and
    ``moved`` (either beyond its tolerance). ``digests``: column label -> :func:`spec_digest`."""
    def label(df):
        return df["paper"] + "|" + df["table"] + "|" + df["column"] + "|" + df["variant"].fillna("")

    cur = results[~_is_stat(results["term"])].assign(_col=lambda d: label(d))
    old = previous[~_is_stat(previous["term"])].assign(_col=lambda d: label(d))
    same = {c for c, d in digests.items() if previous_digests.get(c) == d}
    cur = cur[cur["_col"].isin(same)]
    m = cur.merge(old[KEY + ["estimate", "std_error"]], on=KEY, suffixes=("", "_before"))
    if m.empty:
        return m.assign(move_se=[], se_ratio=[], moved=[])
    se_max = np.fmax(m["std_error"].to_numpy(float), m["std_error_before"].to_numpy(float))
    delta = np.abs(m["estimate"].to_numpy(float) - m["estimate_before"].to_numpy(float))
    with np.errstate(divide="ignore", invalid="ignore"):
        move = np.where(delta == 0, 0.0, delta / se_max)
        ratio = m["std_error"].to_numpy(float) / m["std_error_before"].to_numpy(float)
    ratio = np.where((m["std_error"] == m["std_error_before"]).to_numpy(), 1.0, ratio)
    bad_ratio = ~np.isfinite(ratio) | (ratio > max_se_ratio) | (ratio < 1.0 / max_se_ratio)
    moved = ~np.isfinite(move) | (move > max_move_se) | bad_ratio
    return m.assign(move_se=move, se_ratio=ratio, moved=moved).drop(columns="_col")


def column_label(spec) -> str:
    return f"{spec.paper}|{spec.table}|{spec.column}|{spec.variant or ''}"
