"""Mechanism variables: production-function TFP (Levinsohn-Petrin 2003; Ackerberg-Caves-Frazer 2015)."""

from eq_assets.mechanisms.tfp import (
    DEFAULT_BOOTSTRAP_REPS,
    TOLERANCE,
    ProductionFunctionResult,
    ackerberg_caves_frazer,
    levinsohn_petrin,
    lp_first_stage,
    polynomial_features,
)
from eq_assets.mechanisms.tfp_groups import DEFAULT_MIN_GROUP_OBS, GroupedProductionFunction, tfp_by_group

__all__ = [
    "DEFAULT_BOOTSTRAP_REPS",
    "DEFAULT_MIN_GROUP_OBS",
    "TOLERANCE",
    "GroupedProductionFunction",
    "ProductionFunctionResult",
    "ackerberg_caves_frazer",
    "levinsohn_petrin",
    "lp_first_stage",
    "polynomial_features",
    "tfp_by_group",
]
