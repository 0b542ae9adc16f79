"""``make coverage``: run the coverage replications and write docs/validation.md and the CSV.

``python -m eq_assets.validation.coverage --reps 200 --seed 20240801 --out docs/validation.md
--csv data/coverage/coverage.csv``: one progress line per 10 worlds (with an ETA) on stderr,
nothing else on the console. The CSV holds one row per world and column (seed included), so the
summary can be recomputed and any world redrawn; ``<csv stem>_summary.csv`` holds the table.
The Markdown is generated whole from the measured figures (rerunning overwrites it).
"""

from __future__ import annotations

import argparse
import logging
import platform
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from eq_assets.validation import coverage as cov


def _commit() -> str:
    try:
        sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True,
                               check=True).stdout.strip()
        return sha + (" (with uncommitted changes)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _pct(x: float) -> str:
    return "n/a" if pd.isna(x) else f"{100 * x:.1f}%"


def _g(x: float, digits: int = 4) -> str:
    return "n/a" if pd.isna(x) else f"{x:.{digits}g}"


def _strong(row) -> str:
    n = getattr(row, "n_strong", float("nan"))
    return "n/a" if pd.isna(n) else f"{int(n)} ({_pct(row.strong_share)})"


def _flag(row) -> str:
    lo, hi = cov.EXPECTED_BAND
    if lo <= row.coverage <= hi:
        return "in band"
    side = "below" if row.coverage < lo else "above"
    return f"**{side} {100 * lo:.0f}-{100 * hi:.0f}%**"


ESTIMAND_TEXT = {
    "mean_estimate": "mean of the R estimates (the estimator's expectation over worlds of this design)",
    "causal": "mean over the R worlds of the OLS of the causal outcome (P1 `Distance_causal`, P2 "
              "`qua_causal`) on the regressor, same controls, FE and sample: the causal effect",
}

READING = """\
## How to read this

- **SE/SD** compares the mean reported standard error with the standard deviation of the
  estimates across independent worlds: about 1 when the standard errors measure the estimator's
  sampling spread. Coverage below 95% with SE/SD near 1 points to bias (the estimate is centred
  away from the estimand); with SE/SD well below 1, to standard errors that are too small.
- **P2 with firm clusters.** egscore varies by city-year, and the world has a city-year shock
  u_ct that moves quality (`p2_shock_quality`) and the e-government score (`p2_shock_egscore`);
  the firms of a city share it. Firm clusters treat them as independent (Moulton 1990), so across
  worlds, where u_ct is redrawn, the firm-clustered SEs are too small. They are valid conditional
  on the realized city-year shocks (Abadie, Athey, Imbens & Wooldridge 2023): that is why the P2
  oracle's truth for the firm-clustered IV is the 2SLS on the draw's latent qua (the estimate
  itself here) and for the city-clustered IV the causal 2SLS. The `city_cluster` rows show the
  same estimates with SEs clustered at the level of the regressor. When a firm moves between
  cities, its FE is no longer nested in the city clusters and fixest's small-sample rule (the
  engine's) counts every firm FE in K: in a tiny world with a few hundred firm-years that factor
  reaches about 1.8 (column `ssc_factor` of the per-world CSV), inflating the city-clustered SEs.
- **P2 Table 2 (3) OLS** targets the OLS estimand (causal effect plus the built-in upward bias
  from u_ct), averaged over worlds; its coverage measures only the SEs, not the bias.
- **IV columns** target the causal effect. In a tiny world the first stage can be weak (first-stage
  F in the table). Just-identified 2SLS then has no finite moments, its estimates are centred
  towards OLS and its Wald intervals are unreliable (Staiger & Stock 1997): too narrow when the
  endogeneity is strong relative to the noise, very wide (over-covering) when, as in P1's world,
  the first stage is weak and the endogeneity mild. Either way it is a property of 2SLS with a
  weak instrument, not of the SE formula: the coverage among the worlds with a strong first stage
  is shown as a diagnostic (conditioning on F is a pre-test, so it is not the headline figure).
  Median estimate, median SE and robust SD are shown for the heavy tails.
- **Own truth**: coverage of each world's oracle truth (what truth.csv holds for that world: the
  2SLS on the causal outcome), i.e. conditional on the world's instruments and first stage.
- Each world is tiny (800 survey firms): the figures are about the SEs at that size; the
  coverage at SCALE=small/paper can differ (more clusters, stronger first stages).
"""


def findings(summary: pd.DataFrame) -> list[str]:
    """One line per column outside :data:`cov.EXPECTED_BAND`, with the figures that explain it."""
    lo, hi = cov.EXPECTED_BAND
    out = []
    for r in summary.itertuples():
        if lo <= r.coverage <= hi:
            continue
        why = []
        strong = getattr(r, "strong_share", float("nan"))
        if not pd.isna(strong) and strong < 0.8:
            why.append(f"weak instrument: {int(r.n_strong)} of {r.reps} worlds ({_pct(strong)}) have a first-stage F above "
                       f"{cov.STRONG_F:g} (mean F {_g(r.mean_first_stage_f, 3)}); the 2SLS estimates are heavy-tailed "
                       f"(SD {_g(r.sd_estimate)} vs robust SD {_g(r.robust_sd)}); the typical SE matches the typical "
                       f"spread (median SE / robust SD {_g(r.median_se_over_robust_sd, 3)}) but the weak-instrument "
                       f"worlds' Wald intervals are wide (median SE {_g(r.median_se_weak)} with F <= {cov.STRONG_F:g}, "
                       f"{_g(r.median_se_strong)} with F > {cov.STRONG_F:g}); among the {int(r.n_strong)} worlds with F > "
                       f"{cov.STRONG_F:g} coverage is {_pct(r.coverage_strong)}")
        elif r.se_over_sd < 0.9:
            why.append(f"the SEs are smaller than the spread of the estimates across worlds (SE/SD "
                       f"{_g(r.se_over_sd, 3)}, median SE / robust SD {_g(r.median_se_over_robust_sd, 3)})")
        elif r.se_over_sd > 1.1:
            why.append(f"the SEs are larger than the spread of the estimates (SE/SD {_g(r.se_over_sd, 3)})")
        alt = summary[summary["column"] == f"{r.column}, city clusters"]
        if len(alt):
            why.append(f"the regressor varies by city-year and these SEs are clustered by firm; the same estimates "
                       f"with city clusters cover {_pct(alt['coverage'].iloc[0])} (SE/SD {_g(alt['se_over_sd'].iloc[0], 3)})")
        bias = (r.mean_estimate - r.estimand) / r.sd_estimate if r.sd_estimate > 0 else float("nan")
        if abs(bias) > 0.25:
            why.append(f"the estimates are centred {_g(bias, 2)} SD from the estimand")
        out.append(f"- **{r.column}**: {_pct(r.coverage)} ({_pct(r.coverage_low)}-{_pct(r.coverage_high)}): "
                   + ("; ".join(why) if why else "no simple diagnostic; see the per-world rows") + ".")
    return out


def reference_section(summary: pd.DataFrame, reference: pd.DataFrame, *, seed: int, scale: str,
                      cov_scale: str = cov.DEFAULT_SCALE) -> list[str]:
    """The headline columns on one larger world (seed ``seed``): the large-draw value of each estimand."""
    est = summary.set_index("column")
    lines = ["", f"## Reference: one {scale} world", "",
             f"The same columns on one SCALE={scale} world (seed {seed}), the \"very large draw\" reading of the "
             "estimand. It is not the coverage target: the estimand moves with the size of the world, because "
             "P1's quality is relative to the product x destination x year cell mean (a firm's own weight in "
             "small cells attenuates the slope) and to an industry-year maximum, and P2's qua is min-max scaled "
             "within HS6 (the range widens with more firms, shrinking the slope per unit); and one world keeps "
             "its own draw of cities and city-year shocks, which more firms do not average out. A world's "
             f"interval is meant to cover the {cov_scale} design's estimand.", "",
             f"| column | estimate (SE) | causal OLS | first-stage F | {cov_scale} estimand (coverage target) |", "|---|---|---|---|---|"]
    for r in reference.itertuples():
        lines.append(f"| {r.column} | {_g(r.estimate)} ({_g(r.std_error, 3)}) | {_g(r.causal_ols)} | "
                     f"{_g(r.first_stage_f, 3)} | {_g(est.loc[r.column, 'estimand']) if r.column in est.index else 'n/a'} |")
    return lines


def render(summary: pd.DataFrame, results: pd.DataFrame, *, reps: int, seed: int, scale: str, seconds: float,
           commit: str, reference: pd.DataFrame | None = None, reference_scale: str = "small") -> str:
    """docs/validation.md from the measured summary (:func:`cov.coverage`) and per-world rows."""
    per_rep = results.groupby("rep")["seconds"].first()
    lines = [
        "# Validation: standard errors proven by coverage",
        "",
        "Generated by `make coverage` (`python -m eq_assets.validation.coverage`); do not edit by hand.",
        f"R = {reps} independent {scale} worlds, seeds {seed} to {seed + reps - 1} (world r: seed {seed} + r); "
        f"commit {commit}; wall time {seconds / 60:.1f} min for the R worlds ({per_rep.mean():.2f} s per world on average, "
        f"machine shared with other jobs); Python {platform.python_version()}.",
        "",
        "Each world is drawn in memory by the synthetic package (`eq_assets/synth`) and the column is "
        "fitted by the project's engine (`eq_assets.regressions.engine.fit_spec`: CRV1 clustered SEs, "
        "fixest small-sample rules) on the world's latent panel (true quality, as the oracle truths). "
        f"An interval is the engine's {100 * cov.LEVEL:.0f}% Wald interval, estimate +- t(G-1) x SE "
        "(G clusters); the share's interval is Clopper-Pearson (exact binomial, 95%).",
        "",
        "**What the draws cover**: sampling of firms and their shocks, city and city-year effects, "
        "e-government scores, reference data and instruments (everything the world's seed drives). "
        "**Not covered**: the measurement error of the quality estimation step (KSW / P2's demand "
        "regression) and of the customs-survey matching: the panels use the true quality. So this "
        "validates the regression standard errors, not the whole pipeline's uncertainty.",
        "",
        "## Coverage",
        "",
        "| column | estimand | mean est. | median est. | SD of est. | mean SE | SE/SD | coverage (95% CI) | |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in summary.itertuples():
        lines.append(
            f"| {r.column} | {_g(r.estimand)} (SE {_g(r.estimand_se, 2)}) | {_g(r.mean_estimate)} | "
            f"{_g(r.median_estimate)} | {_g(r.sd_estimate)} | {_g(r.mean_se)} | {_g(r.se_over_sd, 3)} | "
            f"{_pct(r.coverage)} ({_pct(r.coverage_low)}-{_pct(r.coverage_high)}) | {_flag(r)} |"
        )
    lines += ["", f"| column | N (mean) | clusters (mean) | median SE | robust SD | first-stage F (mean) | "
              f"worlds with F > {cov.STRONG_F:g} | coverage if F > {cov.STRONG_F:g} | coverage of own truth (95% CI) |",
              "|---|---|---|---|---|---|---|---|---|"]
    for r in summary.itertuples():
        own = getattr(r, "coverage_own_truth", float("nan"))
        own_txt = "n/a (truth = estimate)" if pd.isna(own) else (
            f"{_pct(own)} ({_pct(r.coverage_own_truth_low)}-{_pct(r.coverage_own_truth_high)})")
        lines.append(f"| {r.column} | {r.mean_n_obs:,.0f} | {r.mean_clusters:,.0f} | {_g(r.median_se)} | {_g(r.robust_sd)} | "
                     f"{_g(r.mean_first_stage_f, 3)} | {_strong(r)} | "
                     f"{_pct(getattr(r, 'coverage_strong', float('nan')))} | {own_txt} |")
    lines += ["", "Robust SD: 1.4826 x the median absolute deviation of the estimates (the SD of a normal); "
              "median SE / robust SD is the heavy-tail-proof version of SE/SD.", "", "## Columns outside the band", ""]
    lines += findings(summary) or ["None."]
    if reference is not None:
        lines += reference_section(summary, reference, seed=seed, scale=reference_scale, cov_scale=scale)
    lines += ["", "## Estimands", ""]
    for h in cov.HEADLINES:
        s = h.spec
        lines.append(f"- **{h.label}** (`{s.paper}` Table {s.table} col. {s.column}"
                     f"{', variant ' + s.variant if s.variant else ''}; `{s.formula}`, vcov {s.vcov_label}): "
                     f"{ESTIMAND_TEXT[h.estimand]}.")
    lines += ["", READING]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eq_assets.validation.coverage", description=cov.__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reps", type=int, default=cov.DEFAULT_REPS, help="number of worlds R (default %(default)s)")
    ap.add_argument("--seed", type=int, default=cov.DEFAULT_SEED, help="base seed; world r uses seed + r")
    ap.add_argument("--scale", default=cov.DEFAULT_SCALE, help="scale of each world (default %(default)s)")
    ap.add_argument("--out", type=Path, default=Path("docs/validation.md"), help="Markdown report")
    ap.add_argument("--csv", type=Path, default=Path("data/coverage/coverage.csv"), help="per-world rows")
    ap.add_argument("--reference-scale", default="small",
                    help="also fit the columns on one world of this scale (seed --seed) as the large-draw "
                         "reference; 'none' to skip (default %(default)s, about 10 s)")
    ap.add_argument("-v", "--verbose", action="store_true", help="log every fit (engine INFO lines)")
    a = ap.parse_args(argv)
    # quiet by default: the engine logs each fit at INFO (6 x R fits); progress lines only
    logging.getLogger("eq_assets").setLevel(logging.INFO if a.verbose else logging.WARNING)
    if a.reps < 2:
        ap.error("--reps must be at least 2 (an SD across worlds is needed)")

    def progress(done: int, elapsed: float) -> None:
        if done % 10 == 0 or done == a.reps:
            eta = elapsed / done * (a.reps - done)
            print(f"[coverage] {done}/{a.reps} worlds, {elapsed / 60:.1f} min, ETA {eta / 60:.1f} min",
                  file=sys.stderr, flush=True)

    t0 = time.perf_counter()
    results = cov.run(a.reps, a.seed, a.scale, progress=progress)
    seconds = time.perf_counter() - t0
    reference = None
    if a.reference_scale != "none":
        reference = cov.fit_headline(cov.draw_world(a.seed, a.reference_scale))
    summary = cov.coverage(results, cov.estimands(results))
    a.csv.parent.mkdir(parents=True, exist_ok=True)
    results.to_csv(a.csv, index=False, float_format="%.10g")
    summary.to_csv(a.csv.with_name(a.csv.stem + "_summary.csv"), index=False, float_format="%.10g")
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(render(summary, results, reps=a.reps, seed=a.seed, scale=a.scale, seconds=seconds,
                            commit=_commit(), reference=reference, reference_scale=a.reference_scale),
                     encoding="utf-8")
    return 0
