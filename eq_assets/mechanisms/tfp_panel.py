"""The firm-year panel of the control-function estimators (:mod:`eq_assets.mechanisms.tfp`) and its
samples: the full sample and levpet's firm-block bootstrap draws as frequency weights.

A firm-block bootstrap draw picks ``n_firms`` firms with replacement and stacks every picked
firm's rows (levpet's ``bootstrap, cluster(firm)``). Each estimating equation is a sum over the
stacked rows, so a firm drawn ``c`` times contributes its rows ``c`` times: the stacked sample is
the panel's rows with frequency weight ``c`` (``X[rows]'X[rows] = X' W X``). :func:`block_draw`
returns that weighted sample (rows of firms never drawn left out) instead of the copies: same
random numbers, same estimate up to the order of floating-point sums, a third fewer rows and
no copies (written by hand: the estimators are, see ``tfp.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass
class Panel:
    y: np.ndarray
    free: np.ndarray  # n x pf
    state: np.ndarray  # n x ps
    proxy: np.ndarray  # n
    t_idx: np.ndarray  # stage-2 pairs: row of year t
    lag_idx: np.ndarray  # row of year t-1, same firm
    lag2_idx: np.ndarray  # row of year t-2 (-1 if none)
    row_firm: np.ndarray  # firm code (0..n_firms-1) of every row
    n_firms: int
    n_dropped: int
    cache: dict = field(default_factory=dict)

    @property
    def pair_firm(self) -> np.ndarray:
        if "pair_firm" not in self.cache:
            self.cache["pair_firm"] = self.row_firm[self.t_idx]
        return self.cache["pair_firm"]


@dataclass(frozen=True)
class Sample:
    """Rows (stage 1) and pairs (stage 2) of one estimation, with frequency weights (None: 1)."""

    rows: np.ndarray
    pairs: np.ndarray
    row_weights: np.ndarray | None = None
    pair_weights: np.ndarray | None = None


def full_sample(p: Panel) -> Sample:
    return Sample(np.arange(len(p.y)), np.arange(len(p.t_idx)))


def block_draw(p: Panel, pick: np.ndarray) -> Sample:
    """The firm-block bootstrap sample of the firms ``pick`` (codes, with repetitions) as weights:
    every row and pair of a firm drawn ``c`` times has weight ``c``; firms not drawn are left out."""
    counts = np.bincount(pick, minlength=p.n_firms).astype(float)
    w_rows, w_pairs = np.take(counts, p.row_firm), np.take(counts, p.pair_firm)
    rows, pairs = np.flatnonzero(w_rows), np.flatnonzero(w_pairs)
    return Sample(rows, pairs, np.take(w_rows, rows), np.take(w_pairs, pairs))


def stacked_draw(p: Panel, pick: np.ndarray) -> Sample:
    """The same draw as copies of the picked firms' rows, in the order drawn (levpet's way; the
    reference the weighted draw is tested against)."""
    rows_by_firm, pairs_by_firm = _split(p.row_firm, p.n_firms), _split(p.pair_firm, p.n_firms)
    return Sample(np.concatenate([rows_by_firm[f] for f in pick]), np.concatenate([pairs_by_firm[f] for f in pick]))


def _split(codes: np.ndarray, n_f: int) -> list[np.ndarray]:
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(n_f + 1))
    return [order[bounds[f]: bounds[f + 1]] for f in range(n_f)]


def prepare(df: pd.DataFrame, output: str, free: list[str], state: list[str], proxy: str, firm: str, year: str) -> Panel:
    """Complete rows of ``df`` as arrays, with each row's previous year (same firm) and the one before."""
    cols = [output, *free, *state, proxy]
    d = df[[*cols, firm, year]].copy()
    num = d[cols].apply(pd.to_numeric, errors="coerce").astype(float)
    ok = np.isfinite(num.to_numpy()).all(axis=1) & d[firm].notna().to_numpy() & d[year].notna().to_numpy()
    d, num = d[ok], num[ok]
    if d.duplicated([firm, year]).any():
        raise ValueError(f"duplicate ({firm}, {year}) rows")
    if len(d) == 0:
        raise ValueError("no complete observations")
    fcode, _ = pd.factorize(d[firm], sort=True)
    yr = d[year].to_numpy()
    if not np.allclose(yr, np.round(yr.astype(float))):
        raise ValueError(f"{year} must be integer years")
    yr = np.round(yr.astype(float)).astype(np.int64)
    key = pd.Series(np.arange(len(d)), index=pd.MultiIndex.from_arrays([fcode, yr]))
    lag_of = key.reindex(pd.MultiIndex.from_arrays([fcode, yr - 1])).to_numpy()
    lag_of = np.where(np.isnan(lag_of), -1, lag_of).astype(np.int64)
    t_idx = np.flatnonzero(lag_of >= 0)
    lag_idx = lag_of[t_idx]
    return Panel(y=num[output].to_numpy(), free=num[free].to_numpy(), state=num[state].to_numpy(),
                 proxy=num[proxy].to_numpy(), t_idx=t_idx, lag_idx=lag_idx, lag2_idx=lag_of[lag_idx],
                 row_firm=fcode.astype(np.int64), n_firms=int(fcode.max()) + 1, n_dropped=int((~ok).sum()))
