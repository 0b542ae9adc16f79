"""make coverage (eq_assets.validation.coverage): the command runs, its rows are usable, seeds are
recorded, the binomial interval and the coverage count are right, and a seed redraws the same world.

No coverage figure is asserted here: R = 3 says nothing about coverage (docs/validation.md has
the R = 200 run)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from eq_assets.validation import coverage as cov
from eq_assets.validation.coverage_report import main

SEED = 777


@pytest.fixture(scope="module")
def three_worlds(tmp_path_factory):
    out = tmp_path_factory.mktemp("coverage")
    rc = main(["--reps", "3", "--seed", str(SEED), "--out", str(out / "validation.md"), "--csv", str(out / "c.csv"),
               "--reference-scale", "none"])
    assert rc == 0
    return out, pd.read_csv(out / "c.csv", dtype={"variant": str, "table": str, "spec_column": str}, keep_default_na=False,
                            na_values={c: [""] for c in ("causal_ols", "draw_truth", "first_stage_f")})


def test_command_writes_finite_estimates_and_seeds(three_worlds):
    out, res = three_worlds
    labels = [h.label for h in cov.HEADLINES]
    assert len(res) == 3 * len(labels)
    assert sorted(res["seed"].unique().tolist()) == [SEED, SEED + 1, SEED + 2]
    assert (res["seed"] == SEED + res["rep"]).all()
    for _, r in res.groupby("rep"):
        assert r["column"].tolist() == labels
    assert np.isfinite(res["estimate"]).all()
    assert (res["std_error"] > 0).all() and np.isfinite(res["std_error"]).all()
    assert (res["n_clusters"] > 1).all() and (res["df_t"] == res["n_clusters"] - 1).all()
    assert (res["ssc_factor"] >= 1).all()
    iv = res["column"].isin([h.label for h in cov.HEADLINES if h.spec.estimator == "iv"])
    assert np.isfinite(res.loc[iv, "causal_ols"]).all() and (res.loc[iv, "first_stage_f"] > 0).all()
    # the city-clustered variant has the published column's point estimate, another SE
    p2 = res[res["paper"] == "P2"].set_index(["rep", "table", "variant"])
    for t in ("2", "6"):
        a, b = p2.xs((t, ""), level=["table", "variant"]), p2.xs((t, "city_cluster"), level=["table", "variant"])
        np.testing.assert_allclose(a["estimate"], b["estimate"], rtol=1e-12)
        assert (a["std_error"] != b["std_error"]).any()
    text = (out / "validation.md").read_text(encoding="utf-8")
    assert f"seeds {SEED} to {SEED + 2}" in text and "R = 3" in text
    assert all(label in text for label in labels)
    summary = pd.read_csv(out / "c_summary.csv")
    assert summary["reps"].eq(3).all() and summary["coverage"].between(0, 1).all()


def test_same_seed_same_estimates(three_worlds):
    _, res = three_worlds
    again = cov.fit_headline(cov.draw_world(SEED + 1))
    first = res[res["rep"] == 1].reset_index(drop=True)
    assert again["column"].tolist() == first["column"].tolist()
    # the CSV holds 10 significant digits; the multithreaded demeaner may move the last ulp
    np.testing.assert_allclose(again["estimate"], first["estimate"], rtol=1e-9, atol=0)
    np.testing.assert_allclose(again["std_error"], first["std_error"], rtol=1e-9, atol=0)
    assert again["n_obs"].tolist() == first["n_obs"].tolist()


def test_binomial_interval_is_clopper_pearson():
    n = 10
    lo, hi = cov.binomial_interval(0, n)  # closed form at k = 0 and k = n
    assert lo == 0.0 and hi == pytest.approx(1 - 0.025 ** (1 / n), rel=1e-9)
    lo, hi = cov.binomial_interval(n, n)
    assert hi == 1.0 and lo == pytest.approx(0.025 ** (1 / n), rel=1e-9)
    k, n = 190, 200  # Clopper-Pearson from the beta quantiles
    lo, hi = cov.binomial_interval(k, n)
    assert lo == pytest.approx(stats.beta.ppf(0.025, k, n - k + 1), rel=1e-7)
    assert hi == pytest.approx(stats.beta.ppf(0.975, k + 1, n - k), rel=1e-7)
    assert lo < k / n < hi


def test_coverage_counts_and_estimands():
    h_ols, h_iv = cov.HEADLINES[0], cov.HEADLINES[1]
    df = 10_000  # t critical value about 1.96
    res = pd.DataFrame({
        "column": [h_ols.label] * 4 + [h_iv.label] * 4,
        "estimate": [0.0, 1.5, -3.0, 1.5, 2.0, 2.0, 2.0, 9.0],
        "std_error": [1.0] * 8,
        "df_t": [df] * 8,
        "n_clusters": [df + 1] * 8, "n_obs": [50_000] * 8,
        "causal_ols": [np.nan] * 4 + [1.0, 2.0, 3.0, 2.0],
        "draw_truth": [np.nan] * 4 + [2.0, 5.0, 2.0, 2.0],
        "first_stage_f": [np.nan] * 4 + [20.0] * 4,
    })
    est = cov.estimands(res, (h_ols, h_iv)).set_index("column")
    assert est.loc[h_ols.label, "estimand"] == pytest.approx(0.0)  # OLS: mean of the estimates
    assert est.loc[h_iv.label, "estimand"] == pytest.approx(2.0)  # IV: mean causal value
    summ = cov.coverage(res, est.reset_index()).set_index("column")
    # OLS around 0: 0 and 1.5 and 1.5 covered, -3 not; IV around 2: 2, 2, 2 covered, 9 not
    assert summ.loc[h_ols.label, "covered"] == 3 and summ.loc[h_iv.label, "covered"] == 3
    assert summ.loc[h_iv.label, "coverage_own_truth"] == pytest.approx(0.5)  # 2 vs 2 and 2 vs 2
    assert summ.loc[h_ols.label, "se_over_sd"] == pytest.approx(1.0 / np.std([0, 1.5, -3, 1.5], ddof=1))
    assert cov.covers([1.959], [1.0], [df], 0.0)[0] and not cov.covers([1.961], [1.0], [df], 0.0)[0]
