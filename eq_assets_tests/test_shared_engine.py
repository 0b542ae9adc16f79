"""The shared-work engine against the per-spec engine it replaced, on every spec of both papers.

``run_specs`` (groups of specs sharing one demeaned matrix, hand-written OLS/2SLS algebra on it)
must give what ``fit_spec_reference`` (each spec alone, pyfixest ``feols``; the engine before
work sharing) gives, to 1e-8, on a synthetic panel holding every column the 94 specifications
read: coefficients, SEs, p-values, N, adjusted R2 (except the 2SLS columns, whose adjusted R2
now counts every FE level: checked against pyfixest in test_iv), within R2, IV statistics and
first stages, the same skipped columns, the same row accounting.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from eq_assets.regressions.engine import NotEstimable, fit_spec, run_specs
from eq_assets.regressions.iv import STAT_TERMS
from eq_assets.regressions.reference import fit_spec_reference
from eq_assets.regressions.results import results_frame
from eq_assets.regressions.specs import SPECS
from eq_assets.regressions.synthetic import synthetic_spec_panel

TOL = 1e-8
PANELS = sorted({s.panel for s in SPECS})


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return synthetic_spec_panel(SPECS, 12_000, seed=3)


@pytest.fixture(scope="module")
def both(panel):
    """(new results, new fits, new skipped, reference results, reference fits, reference skipped)."""
    fits, skipped = [], []
    new = run_specs(SPECS, {p: (lambda cols: panel[list(cols)]) for p in PANELS}, fit_log=fits, skipped=skipped)
    ref_fits, ref_skipped = [], []
    for spec in SPECS:
        try:
            ref_fits.append(fit_spec_reference(spec, panel))
        except NotEstimable as exc:
            ref_skipped.append(str(exc))
    ref = results_frame([r for f in ref_fits for r in f.rows()])
    return new, fits, skipped, ref, ref_fits, ref_skipped


def _merged(new: pd.DataFrame, ref: pd.DataFrame) -> pd.DataFrame:
    key = ["paper", "table", "column", "term", "variant"]  # variants share (paper, table, column, term)
    m = new.merge(ref, on=key, how="outer", suffixes=("_new", "_ref"), indicator=True)
    assert (m["_merge"] == "both").all(), m.loc[m["_merge"] != "both", key + ["_merge"]]
    return m


def _max_abs(m: pd.DataFrame, col: str, rows=None) -> float:
    sub = m if rows is None else m[rows]
    a, b = sub[f"{col}_new"].to_numpy(float), sub[f"{col}_ref"].to_numpy(float)
    assert (np.isnan(a) == np.isnan(b)).all(), col
    d = np.abs(a - b)[~np.isnan(a)]
    return float(d.max()) if d.size else 0.0


def test_every_spec_of_both_papers_equals_the_per_spec_engine(both):
    new, fits, skipped, ref, ref_fits, ref_skipped = both
    assert skipped == ref_skipped
    assert len(fits) == len(ref_fits) >= 80  # the panel supplies every column: nearly all specs fit
    m = _merged(new, ref)
    assert (m["n_obs_new"] == m["n_obs_ref"]).all()
    iv_columns = {(s.paper, s.table, s.column) for s in SPECS if s.estimator == "iv"}
    second_stage = np.array([k in iv_columns for k in zip(m["paper"], m["table"], m["column"])])
    diffs = {c: _max_abs(m, c) for c in ("estimate", "std_error", "p_value", "r2_within", "adj_r2_within")}
    diffs["adj_r2"] = _max_abs(m, "adj_r2", ~second_stage)
    print("max |new - per-spec| over", len(m), "rows:", diffs)
    assert all(d < TOL for d in diffs.values()), diffs
    # row accounting and shared groups
    for f, g in zip(fits, ref_fits):
        assert f.spec == g.spec
        assert (f.n_input, f.n_excluded, f.n_missing, f.n_singletons, f.n_obs) == \
            (g.n_input, g.n_excluded, g.n_missing, g.n_singletons, g.n_obs)
        assert f.n_clusters == g.n_clusters and f.df_k == g.df_k and f.dropped_collinear == g.dropped_collinear
    shared = pd.Series([f.group for f in fits]).value_counts()
    assert shared.max() >= 3, "some specs on identical rows must share one demeaned matrix"
    assert (m["term"].isin(STAT_TERMS)).sum() == 3 * sum(s.estimator == "iv" for s in SPECS)  # variants too


def test_specs_on_different_rows_are_not_merged(both, panel):
    """Table 1 (1) and (3) differ by the controls' missing rows: separate groups, each exact."""
    _, fits, *_ = both
    by_key = {f.spec.key: f for f in fits if not f.spec.variant}  # the published readings
    one, three = by_key[("P1", "1", "1")], by_key[("P1", "1", "3")]
    assert one.group != three.group and one.n_obs > three.n_obs
    # a spec fitted inside its group equals the same spec fitted alone
    for spec_key in [("P1", "1", "3"), ("P1", "2", "1")]:
        alone = fit_spec(next(s for s in SPECS if s.key == spec_key and not s.variant), panel)
        np.testing.assert_allclose(alone.estimate, by_key[spec_key].estimate, rtol=0, atol=TOL)


def test_singletons_kept_per_spec(panel):
    """fixef_rm="none" on a spec keeps singletons (as xtreg, fe; P2's reading), equal to pyfixest's
    fixef_rm="none"; the reghdfe rule ("singleton") drops them."""
    kept = next(s for s in SPECS if s.key == ("P2", "2", "3") and not s.variant)
    assert kept.fixef_rm == "none"
    base = replace(kept, column="3d", fixef_rm="singleton")
    new = run_specs([base, kept], lambda cols: panel[list(cols)], fit_log=(fits := []))
    ref = fit_spec_reference(kept, panel)
    dropped, keep = fits
    assert dropped.n_singletons > 0 and keep.n_singletons == 0
    assert keep.n_obs == dropped.n_obs + dropped.n_singletons == ref.n_obs
    assert dropped.group != keep.group  # another singleton rule: another group
    np.testing.assert_allclose(keep.estimate, ref.estimate, rtol=0, atol=TOL)
    np.testing.assert_allclose(keep.std_error, ref.std_error, rtol=0, atol=TOL)
    assert keep.adj_r2 == pytest.approx(ref.adj_r2, abs=TOL)
    assert set(new["column"]) == {"3", "3d"}


def test_within_r2_equals_pyfixest(both):
    """r2_within / adj_r2_within of OLS fits are pyfixest's ``_r2_within`` / ``_adj_r2_within``."""
    _, fits, _, _, ref_fits, _ = both
    checked = 0
    for f, g in zip(fits, ref_fits):
        if f.spec.estimator == "ols" and f.spec.fixed_effects:
            assert f.r2_within == pytest.approx(g.r2_within, abs=TOL)
            assert f.adj_r2_within == pytest.approx(g.adj_r2_within, abs=TOL)
            assert 0 < f.r2_within < f.r2 < 1
            checked += 1
        elif not f.spec.fixed_effects:
            assert np.isnan(f.r2_within) and np.isnan(g.r2_within)
    assert checked >= 60


@pytest.mark.parametrize("vcov", ["iid", "hetero", {"CRV1": "firm_id"}, {"CRV1": "city"}])
@pytest.mark.parametrize("fe", [(), ("firm_id",), ("firm_id", "year", "city")])
def test_vcov_types_equal_pyfixest(panel, vcov, fe):
    """Each vcov the shared path computes, with 0, 1 and 3 FE, equals pyfixest feols on the same spec."""
    spec = replace(next(s for s in SPECS if s.key == ("P1", "1", "3")), fixed_effects=fe, vcov=vcov)
    new, ref = fit_spec(spec, panel), fit_spec_reference(spec, panel)
    assert new.terms == ref.terms and new.n_obs == ref.n_obs and new.df_k == ref.df_k
    np.testing.assert_allclose(new.estimate, ref.estimate, rtol=0, atol=TOL)
    np.testing.assert_allclose(new.std_error, ref.std_error, rtol=0, atol=TOL)
    np.testing.assert_allclose(new.p_value, ref.p_value, rtol=0, atol=TOL)
    assert new.ssc_factor == pytest.approx(ref.ssc_factor, rel=1e-12)
    assert new.adj_r2 == pytest.approx(ref.adj_r2, abs=TOL)
    assert new.backend == "within" and ref.backend == "within+pyfixest"


def test_two_way_clustering_goes_through_pyfixest(panel):
    """A vcov the shared path does not compute is fitted by pyfixest, not approximated."""
    spec = replace(next(s for s in SPECS if s.key == ("P1", "1", "1")), vcov={"CRV1": "firm_id+year"})
    fits = []
    run_specs([spec], lambda cols: panel[list(cols)], fit_log=fits)
    ref = fit_spec_reference(spec, panel)
    assert fits[0].backend.endswith("+pyfixest") and fits[0].estimate == ref.estimate
