"""Instrument diagnostics: Kleibergen-Paap (2006) rank statistics as ivreg2/ivreghdfe report them."""

from eq_assets.instruments.kp import (
    VCE_TYPES,
    KPResult,
    absorbed_dof,
    demean_by_fe,
    kleibergen_paap,
    kleibergen_paap_frame,
)

__all__ = [
    "VCE_TYPES",
    "KPResult",
    "absorbed_dof",
    "demean_by_fe",
    "kleibergen_paap",
    "kleibergen_paap_frame",
]
