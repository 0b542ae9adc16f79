"""Estimation groups: specifications that share one demeaned matrix (Frisch-Waugh-Lovell).

By FWL, the slope coefficients of ``y ~ X | FE`` are those of the regression of the FE-demeaned
``y`` on the FE-demeaned ``X``, on the same rows. Demeaning is linear and column by column, so
one demeaned matrix holding every variable of several specifications serves all of them, as long
as they use the **same rows** and the **same fixed effects**. Here a group is the specs that share

* the panel, the named sample, the fixed-effect set (same order) and the singleton rule
  (:func:`candidate_key`; one load of the union of their columns per such candidate), and
* exactly the same complete-case rows: in the sample, every model variable finite and every
  identifier (FE, cluster) present. Masks are compared element by element, never by a hash;
  specs whose row sets differ are never merged, so each fit is the one it would be alone.

Equal complete-case rows and FE give equal singletons, so the singleton rule (pyfixest's
``detect_singletons``, iterative over the FE like reghdfe and fixest) runs once per group. The
group then demeans the union of its numeric columns once with pyfixest's own routine
(``pyfixest.estimation.internals.demean_.dispatch_demean``, the configured ``within`` LSMR or
MAP demeaner; each column is solved independently, measured: a column demeaned alone or with
others gives bit-identical values; when many rows share each combination of FE levels, as
P1's product x destination rows share a firm-year, it is solved on those cells' means with
row-count weights: :mod:`.cells`) and forms the Gram matrix ``D'D`` once: every ``X'X``,
``X'y``, ``Z'X`` of the group's OLS fits, IV first stages and second stages is a block of it.

Row order: the group's rows are put in a canonical order (:func:`canonical_order`: firm, then a
hash of the identifiers and model values; ``EstimationSettings.sort_rows``) before singletons are
removed, so the same rows in any input order give the same floats. A spec fitted inside a
larger group may differ from the same spec fitted alone in the last bits (another order of
summation; measured far below 1e-8).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Iterator

import numpy as np
import pandas as pd

from eq_assets.regressions.cells import fe_cells
from eq_assets.regressions.options import EstimationSettings
from eq_assets.regressions.samples import get_sample
from eq_assets.regressions.spec import RegressionSpec

log = logging.getLogger(__name__)

#: Name of the constant column added to the matrix of a group without fixed effects.
INTERCEPT = "Intercept"
#: Columns demeaned per call (bounds the raw copy held next to the demeaned matrix, and the
#: solver's own per-column work space; a tuning constant, not a modelling choice: the result does
#: not depend on it. 2 instead of 4: -0.3 GiB on a 4-FE fit of 10M rows, same time on 2 cores).
DEMEAN_BLOCK_COLUMNS = 2


def candidate_key(spec: RegressionSpec, settings: EstimationSettings) -> tuple:
    """(panel, sample, fixed effects, singleton rule): specs that may share a load and a group."""
    rule = spec.singleton_rule(settings.fixef_rm) if spec.fixed_effects else "none"
    return (spec.panel, spec.sample, spec.fixed_effects, rule)


def plan_candidates(specs: list[RegressionSpec], settings: EstimationSettings) -> list[list[int]]:
    """Indices of ``specs`` grouped by :func:`candidate_key`, in order of first appearance."""
    out: dict[tuple, list[int]] = {}
    for i, s in enumerate(specs):
        out.setdefault(candidate_key(s, settings), []).append(i)
    return list(out.values())


def union_columns(specs: list[RegressionSpec]) -> tuple[str, ...]:
    """Every panel column the specs read, in order of first appearance."""
    return tuple(dict.fromkeys(c for s in specs for c in s.columns_needed))


@dataclass(frozen=True)
class SpecAccount:
    """Rows of the loaded panel a spec leaves out before the group is formed."""

    n_input: int
    n_excluded: int
    n_missing: int


@dataclass
class EstimationGroup:
    """One demeaned matrix and everything the fits sharing it need.

    ``D`` (n x p, Fortran order) holds the union of the group's numeric columns, demeaned by the
    fixed effects (raw values plus an ``Intercept`` column of ones without fixed effects);
    ``gram`` = ``D'D``. ``tss`` is each column's total sum of squares about its mean on the
    group's rows, before demeaning (the R2 denominator); ``ids`` the dense integer codes of the
    FE and cluster columns on those rows; ``fe_levels`` the levels of each FE.
    """

    label: str
    fixed_effects: tuple[str, ...]
    singleton_rule: str
    names: tuple[str, ...]
    D: np.ndarray
    gram: np.ndarray
    tss: dict[str, float]
    ids: dict[str, np.ndarray]
    fe_levels: tuple[int, ...]
    n_before_singletons: int
    no_variation: frozenset[str]
    seconds: float
    n_specs: int
    cache: dict = field(default_factory=dict)

    @property
    def n_obs(self) -> int:
        return int(self.D.shape[0])

    def index(self, names) -> list[int]:
        pos = {n: i for i, n in enumerate(self.names)}
        return [pos[n] for n in names]

    def col(self, name: str) -> np.ndarray:
        return self.D[:, self.names.index(name)]

    def fe_codes(self) -> np.ndarray:
        """The FE codes as an n x m uint32 array (Fortran order), as pyfixest's routines take them."""
        if "fe_codes" not in self.cache:
            arr = np.empty((self.n_obs, len(self.fixed_effects)), dtype=np.uint32, order="F")
            for j, c in enumerate(self.fixed_effects):
                arr[:, j] = self.ids[c]
            self.cache["fe_codes"] = arr
        return self.cache["fe_codes"]


class _PanelColumns:
    """The loaded panel's columns as numpy arrays, converted once per candidate."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self._num: dict[str, np.ndarray] = {}
        self._finite: dict[str, np.ndarray] = {}
        self._codes: dict[str, np.ndarray] = {}

    def numeric(self, col: str) -> np.ndarray:
        if col not in self._num:
            s = self.frame[col]
            if not (pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)):
                raise TypeError(f"model variable {col!r} is not numeric (dtype {s.dtype})")
            self._num[col] = s.to_numpy(dtype="float64", na_value=np.nan)
        return self._num[col]

    def finite(self, col: str) -> np.ndarray:
        if col not in self._finite:
            self._finite[col] = np.isfinite(self.numeric(col))
        return self._finite[col]

    def codes(self, col: str) -> np.ndarray:
        """Codes of the sorted distinct values (``pd.factorize(sort=True)``), -1 where missing."""
        if col not in self._codes:
            codes, _ = pd.factorize(self.frame[col], sort=True)
            self._codes[col] = codes
        return self._codes[col]

    def release(self) -> None:
        """Drop the cached codes and finiteness masks (recomputed if asked for again): the last
        group of a candidate does not need them once it has its rows and identifiers (memory)."""
        self._codes.clear()
        self._finite.clear()


def _row_hash(columns: list[np.ndarray]) -> np.ndarray:
    """Deterministic uint64 hash of each row's values (pandas' hash_array, combined per column)."""
    h = np.zeros(len(columns[0]) if columns else 0, dtype=np.uint64)
    for arr in columns:
        h = h * np.uint64(1_000_003) ^ pd.util.hash_array(arr)
    return h


def canonical_order(ids: list[np.ndarray], values: list[np.ndarray]) -> np.ndarray:
    """A row order that depends only on the rows' contents, not on the order they came in.

    Rows are ordered by the code of the first identifier (the firm: rows stay together as in a
    panel) and then by a 64-bit hash of every identifier code and model value, packed into one
    uint64 key and sorted once (a lexsort on every column took ~4x longer at 3M rows). Rows with
    equal keys are identical rows (their order is irrelevant), unless the truncated hashes of
    two different rows collide (probability ~ rows per firm^2 / 2^45): then the exact order,
    ``lexsort`` on (first identifier, full hash), is used.
    """
    n = len(values[0]) if values else (len(ids[0]) if ids else 0)
    h = _row_hash(list(ids) + list(values)) if (ids or values) else np.zeros(0, dtype=np.uint64)
    if not ids or n == 0:
        return np.argsort(h, kind="stable")
    first = ids[0].astype(np.uint64)
    bits = max(int(first.max()).bit_length(), 1)
    if bits > 32:
        return np.lexsort((h, first))
    key = (first << np.uint64(64 - bits)) | (h >> np.uint64(bits))
    order = np.argsort(key, kind="stable")
    k, hs = key[order], h[order]
    if np.any((k[1:] == k[:-1]) & (hs[1:] != hs[:-1])):
        return np.lexsort((h, first))
    return order


def _dense(codes: np.ndarray) -> tuple[np.ndarray, int]:
    """Renumber non-negative codes 0..L-1 keeping their order (= factorize(sort=True) of the subset)."""
    if codes.size == 0:
        return codes.astype(np.int32), 0
    used = np.zeros(int(codes.max()) + 1, dtype=bool)
    used[codes] = True
    remap = np.cumsum(used, dtype=np.int64) - 1
    return remap[codes].astype(np.int32), int(used.sum())


def check_columns(specs: list[RegressionSpec], frame: pd.DataFrame) -> None:
    for spec in specs:
        absent = [c for c in spec.columns_needed if c not in frame.columns]
        if absent:
            raise KeyError(f"{spec.paper} Table {spec.table} ({spec.column}): panel lacks columns {absent}")


def spec_mask(spec: RegressionSpec, cols: _PanelColumns, in_sample: np.ndarray) -> tuple[np.ndarray, SpecAccount]:
    """Rows the spec uses before singletons: in sample, model variables finite, ids present."""
    complete = np.ones(len(in_sample), dtype=bool)
    for c in spec.numeric_columns:
        complete &= cols.finite(c)
    for c in spec.id_columns:
        if c not in spec.numeric_columns:
            complete &= cols.codes(c) >= 0
    keep = in_sample & complete
    n_excluded = int((~in_sample).sum())
    account = SpecAccount(n_input=len(in_sample), n_excluded=n_excluded,
                          n_missing=int(len(in_sample) - n_excluded - keep.sum()))
    return keep, account


def iter_groups(
    specs: list[RegressionSpec], frame: pd.DataFrame, settings: EstimationSettings, *, build=None,
) -> Iterator[tuple[EstimationGroup | None, list[int], dict[int, SpecAccount]]]:
    """Split one candidate (specs sharing :func:`candidate_key`) into groups of identical rows.

    Yields ``(group, member indices into specs, accounts)`` one group at a time (the previous
    group's matrix can be freed before the next is built). ``build`` selects the members to build
    the group for (e.g. only those the shared path can fit); a group with no rows is yielded as
    ``None`` (its specs fail with a message naming them).
    """
    check_columns(specs, frame)
    cols = _PanelColumns(frame)
    in_sample = get_sample(specs[0].sample).mask(frame)
    masks: list[tuple[np.ndarray, list[int]]] = []
    accounts: dict[int, SpecAccount] = {}
    for i, spec in enumerate(specs):
        keep, accounts[i] = spec_mask(spec, cols, in_sample)
        for mask, members in masks:
            if np.array_equal(mask, keep):
                members.append(i)
                break
        else:
            masks.append((keep, [i]))
    log.debug("candidate %s: %d specs in %d row sets", candidate_key(specs[0], settings), len(specs), len(masks))
    for k, (mask, members) in enumerate(masks):
        chosen = [specs[i] for i in members if build is None or build(specs[i])]
        if not chosen or not mask.any():
            yield None, members, accounts
            continue
        group = _build_group(chosen, cols, mask, settings, label=f"{specs[0].panel}/{specs[0].sample}/"
                             f"{'+'.join(specs[0].fixed_effects) or 'no FE'}#{k + 1}",
                             last=k == len(masks) - 1)
        yield group, members, accounts
        del group


def _build_group(specs: list[RegressionSpec], cols: _PanelColumns, mask: np.ndarray,
                 settings: EstimationSettings, label: str, last: bool = False) -> EstimationGroup:
    t0 = time.perf_counter()
    fe = specs[0].fixed_effects
    rule = specs[0].singleton_rule(settings.fixef_rm) if fe else "none"
    numeric = list(dict.fromkeys(c for s in specs for c in s.numeric_columns))
    id_cols = list(dict.fromkeys(c for s in specs for c in s.id_columns))
    rows = np.flatnonzero(mask)

    if settings.sort_rows:
        rows = rows[canonical_order([cols.codes(c)[rows] for c in id_cols], [cols.numeric(c)[rows] for c in numeric])]
    n_before = len(rows)
    varying = list(dict.fromkeys(v for s in specs for v in s.regressors + s.instruments))
    no_variation = frozenset(v for v in varying if np.ptp(cols.numeric(v)[rows]) == 0)

    if fe and rule == "singleton":
        from pyfixest.estimation import detect_singletons

        ids = np.empty((len(rows), len(fe)), dtype=np.uint32, order="F")
        for j, c in enumerate(fe):
            ids[:, j] = cols.codes(c)[rows]
        rows = rows[~np.asarray(detect_singletons(ids), dtype=bool)]
        del ids
        if len(rows) == 0:  # pyfixest's within demeaner aborts the process on an empty frame
            from eq_assets.regressions.fitresult import NotEstimable

            raise NotEstimable(f"{label}: all {n_before:,} rows are singletons of {'+'.join(fe)}")
    ids: dict[str, np.ndarray] = {}
    levels: dict[str, int] = {}
    for c in id_cols:
        ids[c], levels[c] = _dense(cols.codes(c)[rows])
    if last:  # no later group reads the candidate's codes: free them before the demeaning
        cols.release()

    n = len(rows)
    names = tuple(numeric) + (() if fe else (INTERCEPT,))
    D = np.empty((n, len(names)), dtype=np.float64, order="F")
    tss: dict[str, float] = {}
    cells = fe_cells(ids, fe) if fe and settings.compress_fe_cells else None
    if fe:
        from pyfixest.estimation.internals.demean_ import dispatch_demean

        flist = None
        if cells is None:
            # uintp: the type pyfixest's dispatch_demean converts to (no copy of it per call)
            flist = np.empty((n, len(fe)), dtype=np.uintp, order="F")
            for j, c in enumerate(fe):
                flist[:, j] = ids[c]
        demeaner, preconditioner = settings.demeaner(), None
    # columns are gathered and demeaned a block at a time into D (each column is solved on its
    # own, so blocks do not change the result; the within preconditioner is built once)
    for start in range(0, len(numeric), DEMEAN_BLOCK_COLUMNS):
        block = numeric[start:start + DEMEAN_BLOCK_COLUMNS]
        M = np.empty((n, len(block)), dtype=np.float64, order="F")
        for j, c in enumerate(block):
            np.take(cols.numeric(c), rows, out=M[:, j])
            tss[c] = float(np.sum((M[:, j] - M[:, j].mean()) ** 2)) if n else float("nan")
        if fe:
            if cells is None:
                Md, ok, built = dispatch_demean(M, flist, None, demeaner, cached_preconditioner=preconditioner)
                D[:, start:start + len(block)] = Md
                del Md
            else:  # written into D directly
                _, ok, built = cells.demean(M, demeaner, preconditioner, out=D[:, start:start + len(block)])
            if not ok:
                raise ValueError(f"Demeaning failed after {demeaner.fixef_maxiter} iterations ({label}).")
            preconditioner = preconditioner or built
        else:
            D[:, start:start + len(block)] = M
        del M
    n_cells = cells.n_cells if cells is not None else 0
    if fe:
        del flist, cells
    else:
        D[:, -1] = 1.0
    gram = D.T @ D
    seconds = time.perf_counter() - t0
    group = EstimationGroup(
        label=f"{label} ({n:,} rows, {len(specs)} specs)", fixed_effects=fe, singleton_rule=rule, names=names,
        D=D, gram=gram, tss=tss, ids=ids, fe_levels=tuple(levels[c] for c in fe), n_before_singletons=n_before,
        no_variation=no_variation, seconds=seconds, n_specs=len(specs),
    )
    log.info("group %s: %d columns demeaned once in %.2fs%s", group.label, len(names), seconds,
             f" (on {n_cells:,} FE cells)" if n_cells else "")
    return group
