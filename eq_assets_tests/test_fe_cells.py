"""Demeaning on fixed-effect cells (groups.fe_cells) equals the row-level solve.

P1's panels hold many product x destination rows per firm-year; the engine then demeans the
cells' means with row-count weights (``EstimationSettings.compress_fe_cells``). These tests hold
it to the row-level solve and to pyfixest's ``feols`` at 1e-8, on panels where it is used.
"""

from __future__ import annotations

import logging
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from eq_assets.regressions.engine import run_specs
from eq_assets.regressions.cells import fe_cells
from eq_assets.regressions.options import DEFAULT_SETTINGS
from eq_assets.regressions.reference import fit_spec_reference
from eq_assets.regressions.specs import SPECS
from eq_assets.regressions.synthetic import synthetic_spec_panel

TOL = 1e-8
PANELS = sorted({s.panel for s in SPECS})
ROW_LEVEL = replace(DEFAULT_SETTINGS, compress_fe_cells=False)


def _ids(rng, n, levels):
    return {f"f{j}": rng.integers(0, L, n) for j, L in enumerate(levels)}


def test_cell_demeaning_equals_row_level_demeaning():
    from pyfixest.estimation.internals.demean_ import dispatch_demean

    rng = np.random.default_rng(5)
    n_cells, n = 3_000, 40_000
    cell_fe = _ids(rng, n_cells, (600, 9, 40))  # firm, year, city of each cell
    row_cell = rng.integers(0, n_cells, n)
    ids = {}
    for c, v in cell_fe.items():
        ids[c] = pd.factorize(v[row_cell], sort=True)[0]
    fe = tuple(ids)
    cells = fe_cells(ids, fe)
    assert cells is not None and cells.n_cells <= n_cells
    assert cells.weights.sum() == n
    M = np.asfortranarray(rng.normal(size=(n, 3)) + ids["f0"][:, None] * 0.01)
    flist = np.asfortranarray(np.column_stack([ids[c] for c in fe]).astype(np.uintp))
    # the same projection: solved tightly, both ways agree to rounding
    tight = replace(DEFAULT_SETTINGS, fixef_tol=1e-14).demeaner()
    exact, ok, _ = dispatch_demean(M, flist, None, tight)
    exact_cells, ok2, _ = cells.demean(M, tight, None)
    assert ok and ok2
    assert np.abs(exact - exact_cells).max() < 1e-10
    # at the default tolerance each solve is within the tolerance's reach of it (measured here:
    # rows 6e-8, cells 7e-9: the smaller problem is solved more accurately)
    rows, _, _ = dispatch_demean(M, flist, None, DEFAULT_SETTINGS.demeaner())
    compressed, _, _ = cells.demean(M, DEFAULT_SETTINGS.demeaner(), None)
    assert np.abs(compressed - exact).max() <= max(np.abs(rows - exact).max(), 1e-9)
    # demeaned columns are orthogonal to every FE dummy: their sum within each level is ~0
    for c in fe:
        sums = np.stack([np.bincount(ids[c], weights=exact_cells[:, j]) for j in range(3)])
        assert np.abs(sums).max() < 1e-8


def test_no_cells_when_rows_are_nearly_unique():
    rng = np.random.default_rng(1)
    ids = _ids(rng, 1_000, (900, 50))
    assert fe_cells(ids, tuple(ids)) is None  # ~1 row per cell: nothing to gain
    assert fe_cells(ids, ()) is None


@pytest.fixture(scope="module")
def product_panel() -> pd.DataFrame:
    """Firms with ~12 rows per firm-year (products and destinations), as P1's panels."""
    return synthetic_spec_panel(SPECS, 9_000, seed=8, mean_rows_per_firm=45.0, n_years=4)


def test_every_spec_equals_row_level_and_pyfixest_on_cells(product_panel, caplog):
    load = {p: (lambda cols: product_panel[list(cols)]) for p in PANELS}
    with caplog.at_level(logging.INFO, logger="eq_assets.regressions.groups"):
        cells_fits: list = []
        new = run_specs(SPECS, load, fit_log=cells_fits, skipped=[])
    assert "FE cells" in caplog.text, "the panel must exercise the cell path"
    rows_fits: list = []
    old = run_specs(SPECS, load, settings=ROW_LEVEL, fit_log=rows_fits, skipped=[])
    key = ["paper", "table", "column", "term", "variant"]
    m = new.merge(old, on=key, suffixes=("_cells", "_rows"), validate="one_to_one")
    assert len(m) == len(new) == len(old) > 500
    assert (m["n_obs_cells"] == m["n_obs_rows"]).all()
    for c in ("estimate", "std_error", "p_value", "adj_r2", "r2_within"):
        a, b = m[f"{c}_cells"].to_numpy(float), m[f"{c}_rows"].to_numpy(float)
        assert (np.isnan(a) == np.isnan(b)).all(), c
        assert np.nanmax(np.abs(a - b)) < TOL, c
    # and against pyfixest feols (a second engine) on the 4-FE columns of P1
    checked = 0
    for fit in cells_fits:
        s = fit.spec
        if s.paper == "P1" and len(s.fixed_effects) == 4 and s.estimator == "ols" and not s.variant:
            ref = fit_spec_reference(s, product_panel)
            np.testing.assert_allclose(fit.estimate, ref.estimate, rtol=0, atol=TOL)
            np.testing.assert_allclose(fit.std_error, ref.std_error, rtol=0, atol=TOL)
            assert fit.n_obs == ref.n_obs
            checked += 1
    assert checked >= 5
