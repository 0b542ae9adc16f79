"""Regression engine: specifications as data (specs), one engine (engine), results.csv (results)."""

from eq_assets.regressions.engine import FitResult, fit_spec, fit_summaries, prepare_frame, run_specs
from eq_assets.regressions.loaders import duckdb_loader, frame_loader
from eq_assets.regressions.options import DEFAULT_SETTINGS, EstimationSettings
from eq_assets.regressions.results import RESULT_COLUMNS, read_results_csv, write_results_csv
from eq_assets.regressions.specs import SPECS, RegressionSpec, specs_for

__all__ = [
    "DEFAULT_SETTINGS", "EstimationSettings", "FitResult", "RESULT_COLUMNS", "RegressionSpec", "SPECS",
    "duckdb_loader", "fit_spec", "fit_summaries", "frame_loader", "prepare_frame", "read_results_csv", "run_specs", "specs_for",
    "write_results_csv",
]
