"""Comparing estimates with the synthetic world's true values (``data/raw/truth.csv``).

``truth.csv`` is keyed like results.csv (paper, table, column, term) plus ``true_value`` and
``basis`` (SPEC section 7: "structural" when the estimand equals a structural parameter by
design, "oracle" when it is the estimand computed from the true latent variables). An estimate
*recovers* its truth when it lies within ``k`` standard errors of it (k = 3 by default, the
foundation issue's criterion) and that standard error is not exploded (at most ``max_se_ratio``
times the true value's magnitude: a huge SE must not make any estimate "recover" its truth). With real data there is no truth.csv and nothing is compared.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

KEY = ["paper", "table", "column", "term"]


def load_truth(raw_dir: Path) -> pd.DataFrame | None:
    """The truth table, or None when the raw directory holds none (real data). A truth row without
    a ``variant`` is the truth of the published reading (variant "")."""
    path = Path(raw_dir) / "truth.csv"
    if not path.exists():
        return None
    t = pd.read_csv(path, dtype={"paper": str, "table": str, "column": str, "term": str, "variant": str},
                    keep_default_na=False, na_values={"true_value": [""]})
    if "variant" not in t.columns:
        t["variant"] = ""
    return t


def compare_to_truth(results: pd.DataFrame, truth: pd.DataFrame, k: float = 3.0,
                     max_se_ratio: float | None = 50.0, min_truth_scale: float = 1.0) -> pd.DataFrame:
    """Results rows that have a truth, with z = (estimate - truth) / SE, ``se_plausible`` and
    ``within``: |z| <= k with finite numbers and a plausible SE.

    An SE larger than ``max_se_ratio`` x |true value| makes any estimate "within k SE": such an
    estimate does not recover its truth (issue 9: one corrupted row gave Eco = 3.8e10 with SE
    4.3e10 against a truth of -1.18, and the check passed). None disables that condition. A true
    value near 0 has no scale of its own: its magnitude is floored at ``min_truth_scale`` (1.0:
    at tiny scale P2 Table 9 (2) has a truth of -0.0018 and an honest SE of 0.53, while the
    exploded SEs this guards against are of the order of 1e10)."""
    truth = truth if "variant" in truth.columns else truth.assign(variant="")
    results = results if "variant" in results.columns else results.assign(variant="")
    key = KEY + ["variant"]
    cols = key + ["true_value"] + (["basis"] if "basis" in truth.columns else [])
    m = results.assign(variant=results["variant"].fillna("")).merge(truth[cols], on=key, how="inner")
    m["z"] = (m["estimate"] - m["true_value"]) / m["std_error"]
    scale = np.maximum(np.abs(m["true_value"].to_numpy(dtype=float)), min_truth_scale)
    se = m["std_error"].to_numpy(dtype=float)
    plausible = np.isfinite(se) & ((max_se_ratio is None) | (se <= (max_se_ratio or 0) * scale))
    m["se_plausible"] = plausible
    m["within"] = (np.abs(m["z"]) <= k) & np.isfinite(m["z"].to_numpy(dtype=float)) & plausible
    return m
