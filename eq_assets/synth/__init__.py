"""The synthetic world: raw files shaped like the licensed sources, from a known structure.

The real microdata (customs, industrial survey, patents) are licensed and never shipped, so
the project generates a world whose true parameters it records (SPEC section 7). The
generator draws firms, products, destinations, digital patents and balance sheets, makes
latent export quality depend on Eco and P1's controls by known amounts (``WorldParams``), sets
prices from costs and quantities from CES demand (SPEC section 3), then writes the raw files
with the contract's original headers (``eq_assets.sources.contract``), the defects the
cleaning must handle (SPEC section 2), and ``truth.csv``.

Usage::

    python -m eq_assets.synth --scale tiny --out data/raw
    from eq_assets.synth import generate; generate("data/raw", scale="tiny", seed=1)

Modules: ``params`` (WorldParams, scale presets), ``catalog`` (codes), ``names`` (firm names
and identifiers), ``population`` (firms), ``firmyear`` (balance sheets, controls, patent
counts), ``trade`` (observations, customs rows), ``patents`` (applications), ``reference``
(reference tables), ``writer`` (CSV), ``world`` (orchestration, truth).
"""

from eq_assets.synth.params import CONTROL_NAMES, SCALE_PRESETS, WorldParams
from eq_assets.synth.world import OutputDirNotEmpty, build_world, generate, simulate_year, truth_table

__all__ = [
    "CONTROL_NAMES", "SCALE_PRESETS", "WorldParams", "OutputDirNotEmpty", "build_world", "generate",
    "simulate_year", "truth_table",
]
