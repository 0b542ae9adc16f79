"""Command line: ``python -m eq_assets.synth --scale {tiny,small,paper} --out DIR [--seed N] [--force]
[--latent] [--oracle-scope {all,key,none}] [--workers N] [--messy]``.

Writes the synthetic world into DIR (default: the raw directory of ``eq_assets.settings``),
refusing with exit code 1 when DIR already holds files unless ``--force`` is given, and prints
each year as it is drawn, the phases' times (world, survey years, late years, assembling the
all-year files, P2 oracle, P1 oracle with each fit, writing the truth), rows per file and the
wall time. ``--messy`` then rewrites the raw files in the shapes real
copies come in (Stata, GBK CSV in monthly parts, header variants, Excel: ``synth/messy.py``).
"""

from __future__ import annotations

import argparse
import logging
import sys

# quiet by default: a library that calls logging.basicConfig at import (pyfixest does, at INFO)
# would print every oracle fit; the root logger gets a handler first, so basicConfig does nothing
if not logging.getLogger().handlers:
    logging.getLogger().addHandler(logging.NullHandler())

from eq_assets.synth.params import SCALE_PRESETS
from eq_assets.synth.world import OutputDirNotEmpty, generate


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eq_assets.synth", description="Write the synthetic world's raw files.")
    ap.add_argument("--scale", choices=sorted(SCALE_PRESETS), default="small", help="size preset (number of firms)")
    ap.add_argument("--out", default=None, help="output (raw) directory; default: eq_assets.settings.raw_dir()")
    ap.add_argument("--seed", type=int, default=20240801, help="master seed")
    ap.add_argument("--force", action="store_true", help="replace the world's files in a non-empty directory")
    ap.add_argument("--messy", action="store_true", help="then convert to the messy real-world layout (synth/messy.py)")
    ap.add_argument("--latent", action="store_true", help="also write latent/obs_{year}.parquet (oracle checks)")
    ap.add_argument("--workers", type=int, default=None,
                    help="processes drawing the years (default: 2 at paper, 1 otherwise; same bytes for any number)")
    ap.add_argument("--oracle-scope", choices=("all", "key", "none"), default=None,
                    help="oracle truth rows of P1: every Eco column, Table 1 and Table 7 (2) (default at paper), or none")
    args = ap.parse_args(argv)
    try:
        s = generate(args.out, scale=args.scale, seed=args.seed, force=args.force, latent=args.latent, verbose=True,
                     oracle_scope=args.oracle_scope, workers=args.workers)
    except OutputDirNotEmpty as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"synthetic world ({s['scale']}, seed {s['seed']}) written to {s['out_dir']} in {s['seconds']:.1f} s")
    if args.messy:
        from eq_assets.synth.messy import make_messy

        written = make_messy(s["out_dir"])
        print("  messy layout: " + "; ".join(f"{k} {len(v)} file(s)" for k, v in written.items()))
    by_folder: dict[str, list[int]] = {}  # one line per source folder (check-raw lists every file)
    for name, n in s["files"].items():
        by_folder.setdefault(name.split("/")[0] if "/" in name else name, []).append(n)
    for folder, ns in by_folder.items():
        print(f"  {folder:24s} {len(ns):>3} file(s) {sum(ns):>14,} rows")
    print(f"  firms: {s['firms']}")
    print(f"  export observations {s['export_observations']:,}; expected P1 analysis observations "
          f"~{s['expected_p1_observations']:,}; own share of cells {s['own_cell_share']}")
    print("  seconds by phase: " + ", ".join(f"{k} {v:.1f}" for k, v in s["phase_seconds"].items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
