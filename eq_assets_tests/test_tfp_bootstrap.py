"""The firm-block bootstrap as frequency weights (tfp_panel.block_draw) against levpet's stacked copies.

A draw that picks firm f c times stacks f's rows c times; the estimator sees the same sums when
each row carries weight c instead. Both forms of every draw go through the estimator here: the
stacked copies run the unweighted code (the former bootstrap, unchanged), the weights the
weighted one. Exactly identified systems (ACF, LP's moment stage, levpet's just-identified
revenue model) have a root: the draws agree to rounding (1e-10). Least-squares objectives
(levpet) are flat at their minimum, so their minimiser is determined only to about the square
root of the rounding error of the criterion: there the objective itself is compared (1e-12,
relative) and the draws to 1e-6, 50 times the size by which the stacked bootstrap itself moves
when the same firms are stacked in another order (measured: 2e-8 for levpet, 7e-8 with two
states). The over-identified revenue model's Levenberg-Marquardt stops in a valley so flat that
draws differing by up to 8e-7 have criteria equal to 1e-15 (relative): 1e-5 there.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_tfp import COLS, simulate_panel

from eq_assets.mechanisms import ackerberg_caves_frazer, levinsohn_petrin
from eq_assets.mechanisms import tfp as T
from eq_assets.mechanisms import tfp_panel as P


@pytest.fixture(scope="module")
def panels():
    df = simulate_panel(n_firms=150, n_years=7, seed=11)
    df["y_go"] = df["y"] + 0.4 * df["m"] + np.random.default_rng(1).normal(0, 0.05, len(df))
    df["k2"] = 0.5 * df["k"] + np.random.default_rng(2).normal(0, 0.3, len(df))
    return df, simulate_panel(n_firms=150, n_years=7, labour_timing=0.5, adjust=0.8, seed=12)


CASES = {  # name: (estimator, acf panel?, options, tolerance of the draws)
    "lp_levpet": (levinsohn_petrin, False, {}, 1e-6),
    "lp_levpet_two_states": (levinsohn_petrin, False, {"state": ["k", "k2"]}, 1e-6),
    "lp_moment": (levinsohn_petrin, False, {"second_stage": "moment"}, 1e-10),
    "lp_revenue_over": (levinsohn_petrin, False, {"output": "y_go", "value_added": False}, 1e-5),
    "lp_revenue_just": (levinsohn_petrin, False, {"output": "y_go", "value_added": False, "revenue_instruments": "just"}, 1e-10),
    "acf": (ackerberg_caves_frazer, True, {}, 1e-10),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_weighted_draws_are_the_stacked_draws(name, panels, monkeypatch):
    est, acf, kw, tol = CASES[name]
    df = panels[1] if acf else panels[0]
    out = {}
    for draw in (P.stacked_draw, P.block_draw):
        monkeypatch.setattr(T, "_bootstrap_sample", draw)
        out[draw.__name__] = est(df, **{**COLS, **kw}, bootstrap_reps=8, seed=5)
    stacked, weighted = out["stacked_draw"], out["block_draw"]
    assert stacked.coef == weighted.coef  # the full sample does not depend on the draws
    assert stacked.bootstrap_failures == weighted.bootstrap_failures and weighted.bootstrap_reps >= 6
    assert weighted.draws.shape == stacked.draws.shape
    np.testing.assert_allclose(weighted.draws, stacked.draws, rtol=0, atol=tol)
    np.testing.assert_allclose(list(weighted.se.values()), list(stacked.se.values()), rtol=0, atol=tol)
    assert np.ptp(weighted.draws, axis=0).min() > 100 * tol  # draws differ from each other far more


@pytest.mark.parametrize("name", sorted(CASES))
def test_weighted_objective_is_the_stacked_objective(name, panels):
    """Stage 1 and the stage-2 objective of one draw, at several coefficients, weights vs copies."""
    _est, acf, kw, _tol = CASES[name]
    df = panels[1] if acf else panels[0]
    opts = {**COLS, **kw}
    state = opts["state"] if isinstance(opts["state"], list) else [opts["state"]]
    p = P.prepare(df, opts["output"], ["l"], state, "m", "firm", "year")
    spec = T._Spec("ACF" if acf else "LP", kw.get("second_stage", "moment" if acf else "levpet"),
                   kw.get("value_added", True), 3, 3, kw.get("revenue_instruments", "overidentified"))
    pick = np.random.default_rng(3).integers(0, p.n_firms, p.n_firms)
    objectives, phis = [], []
    drawn = P.block_draw(p, pick).rows  # rows of the firms drawn: the only ones stage 2 reads
    for sample in (P.stacked_draw(p, pick), P.block_draw(p, pick)):
        assert sample.row_weights is None or sample.row_weights.sum() == len(P.stacked_draw(p, pick).rows)
        phi, b_free = T._stage1(p, spec, sample.rows, sample.row_weights)
        pairs, weights = T._usable_pairs(p, spec, sample.pairs, sample.pair_weights)
        phis.append(np.concatenate([phi[drawn], b_free]))
        objectives.append(T._objective(p, spec, phi, b_free, pairs, None, weights))
    np.testing.assert_allclose(phis[1], phis[0], rtol=1e-12, atol=1e-12)
    n = objectives[0].n_params
    for b in np.random.default_rng(4).uniform(0.1, 0.7, (5, n)):
        c_stacked, c_weighted = objectives[0].criterion(b), objectives[1].criterion(b)
        assert c_weighted == pytest.approx(c_stacked, rel=1e-12, abs=1e-25)
        r_stacked, r_weighted = objectives[0].residuals(b), objectives[1].residuals(b)
        # sum of squared residuals (what Levenberg-Marquardt minimises) is the same
        assert np.sum(r_weighted**2) == pytest.approx(np.sum(r_stacked**2), rel=1e-12, abs=1e-25)


def test_block_draw_weights_count_the_picks():
    df = simulate_panel(n_firms=20, n_years=4, seed=13)
    p = P.prepare(df, "y", ["l"], ["k"], "m", "firm", "year")
    pick = np.array([3, 3, 3, 7, 0, 19, 7, 3, 12, 12, 5, 5, 5, 5, 1, 2, 3, 4, 6, 8])
    s = P.block_draw(p, pick)
    counts = np.bincount(pick, minlength=20)
    assert np.array_equal(s.rows, np.flatnonzero(counts[p.row_firm] > 0))
    np.testing.assert_array_equal(s.row_weights, counts[p.row_firm[s.rows]])
    np.testing.assert_array_equal(s.pair_weights, counts[p.pair_firm[s.pairs]])
    stacked = P.stacked_draw(p, pick)
    np.testing.assert_array_equal(np.bincount(stacked.rows, minlength=len(p.y))[s.rows], s.row_weights)
    assert len(stacked.rows) == s.row_weights.sum() and len(stacked.pairs) == s.pair_weights.sum()


def test_weighted_draw_matches_the_independent_levpet_objective_on_stacked_copies():
    """A second engine: the draw written out as a stacked DataFrame (each copy of a firm a new
    firm, as levpet's bootstrap does) through test_tfp's own levpet objective (raw polynomials,
    lags by a merge, SVD least squares) against the module's weighted draw."""
    from test_tfp import levpet_objective

    df = simulate_panel(n_firms=150, n_years=7, seed=14)
    p = P.prepare(df, "y", ["l"], ["k"], "m", "firm", "year")
    pick = np.random.default_rng(6).integers(0, p.n_firms, p.n_firms)
    firms = np.sort(df["firm"].unique())  # prepare's firm codes are the sorted firm ids
    stacked = pd.concat([df[df["firm"] == firms[f]].assign(firm=i) for i, f in enumerate(pick)], ignore_index=True)
    b_l, objective = levpet_objective(stacked)

    spec = T._Spec("LP", "levpet", True, 3, 3)
    draw = P.block_draw(p, pick)
    phi, b_free = T._stage1(p, spec, draw.rows, draw.row_weights)
    obj = T._objective(p, spec, phi, b_free, draw.pairs, None, draw.pair_weights)
    assert b_free[0] == pytest.approx(b_l, rel=1e-9)
    for b_k in (0.1, 0.3, 0.5):
        assert obj.criterion(np.array([b_k])) * draw.pair_weights.sum() == pytest.approx(objective(b_k), rel=1e-8)
