"""Orchestration: draw the world, write the raw files, the truth and the parameters.

:func:`generate` writes, under ``out_dir`` (the raw directory):

- the raw sources of the contract (``eq_assets.sources.contract``): ``customs/customs_{year}.csv``,
  ``asif/asif_{year}.csv`` (2004-2014), ``patents/patents.csv`` and ``reference/*.csv``;
- ``truth.csv`` (paper, table, column, term, true_value, basis): P1 Table 1's true coefficients,
  ``-beta_eco`` on Eco in columns 1-4 and ``-gamma_k`` on each control in columns 3-4, basis
  "structural" (SPEC section 7);
- ``truth_firms.csv``: every customs firm code with its survey legal code (empty if none), the
  intermediary flag and the kind of name spelling, to score matching;
- ``params.json``: every parameter, the scale and the seed;
- with ``latent=True``, ``latent/obs_{year}.parquet``: the latent observations (ln lambda and its
  components, ln p, ln q, written totals, defects) for oracle checks.

Why the truth is structural: the pipeline's quality is ln lambda minus its product x
destination x year cell mean (CES identity, see ``trade``), and Distance = industry-year
maximum - quality. With firm and year FE, a unit of Eco moves the firm's own Distance by
-beta_eco; the cell mean and the industry frontier move only through the firm's own weight in
them (1/cell size, and only when the firm holds the frontier), which vanishes with scale
(reported as ``own_cell_share`` in the summary). Controls likewise give -gamma_k.

Years are drawn from their own streams, one at a time (memory stays at one year's rows).
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from eq_assets.settings import P1_YEARS, P2_YEARS
from eq_assets.sources.contract import (
    ASIF, CITY_PANEL, COUNTRY_CODES, CUSTOMS, DIGITAL_IPC, HS_CONCORDANCE, PATENTS, TRADE_MODES,
)
from eq_assets.synth import p2 as p2_model  # P2:
from eq_assets.synth import reference
from eq_assets.synth.catalog import Products, build_products, destinations_frame
from eq_assets.synth.firmyear import asif_rows, firm_years
from eq_assets.synth.params import CONTROL_NAMES, WorldParams
from eq_assets.synth.patents import patent_rows
from eq_assets.synth.population import KIND_INTERMEDIARY, KIND_SURVEY, Population, build_population
from eq_assets.synth.trade import customs_rows, observations
from eq_assets.synth.writer import write_frame, write_source
from eq_assets.synth import p2_oracle  # P2:  (noqa: E402 order kept for a minimal diff)

GENERATOR_VERSION = "1"
#: what generate writes (top-level names under out_dir); --force removes only these
OUTPUTS = ("customs", "asif", "patents", "reference", "latent", "truth.csv", "truth_firms.csv", "params.json")


class OutputDirNotEmpty(RuntimeError):
    """The output directory already holds files and ``force`` was not given."""


@dataclass
class World:
    params: WorldParams
    products: Products
    population: Population
    p2: p2_model.P2World | None = None  # P2: places, e-government scores and instruments


@dataclass
class YearDraw:
    """Everything drawn for one year: firm-years, latent observations, and the raw rows."""

    firm_years: pd.DataFrame
    obs: pd.DataFrame  # latent observations with written totals and defect flags
    customs: pd.DataFrame  # canonical customs columns
    asif: pd.DataFrame  # canonical survey columns
    patents: pd.DataFrame  # canonical patent columns (+ _fid, _digital)


def build_world(params: WorldParams) -> World:
    products = build_products()
    return World(params=params, products=products, population=build_population(params, products),
                 p2=p2_model.build_p2(params))  # P2:


def simulate_year(world: World, year: int) -> YearDraw:
    """Draw one year (independent of any other year's draws)."""
    p, pop = world.params, world.population
    fy = firm_years(pop, p, year)
    if world.p2 is not None:  # P2: e-government terms of log quality (2010-2012 only)
        fy = p2_model.firm_year_effects(fy, pop, world.p2, p, year)
    obs = observations(pop, fy, world.products, p, year)
    yt = customs_rows(obs, pop, world.products, p, year)
    exports = yt.obs.groupby("fid")["value_usd"].sum()
    if world.p2 is not None and year in P2_YEARS:  # P2: survey export delivery net of the P2 terms
        exports = p2_model.survey_exports(exports, fy, p)
    asif = asif_rows(fy, pop, exports, year)
    pats = patent_rows(fy, pop, p, year)
    return YearDraw(firm_years=fy, obs=yt.obs, customs=yt.rows, asif=asif, patents=pats)


def truth_table(p: WorldParams) -> pd.DataFrame:
    """P1 Table 1's true coefficients (SPEC section 4 and 7): basis 'structural'."""
    rows = [("P1", "1", c, "Eco", -p.beta_eco, "structural") for c in ("1", "2", "3", "4")]
    rows += [("P1", "1", c, k, -p.gamma[k], "structural") for c in ("3", "4") for k in CONTROL_NAMES]
    return pd.DataFrame(rows, columns=["paper", "table", "column", "term", "true_value", "basis"])


def truth_firms(pop: Population) -> pd.DataFrame:
    f = pop.firms[pop.firms["exporter"]]
    out = pd.DataFrame({
        "customs_firm_code": f["customs_code"].to_numpy(),
        "legal_code": f["legal_code"].where(f["kind"] == KIND_SURVEY, None).to_numpy(),
        "is_intermediary": (f["kind"] == KIND_INTERMEDIARY).to_numpy(),
        "name_variant_kind": f["name_variant_kind"].to_numpy(),
    })
    return out.sort_values("customs_firm_code").reset_index(drop=True)


def analysis_diagnostics(obs: pd.DataFrame, fy: pd.DataFrame) -> dict:
    """Approximate P1 analysis sample of a year from the latent frame, and the own-cell share.

    Sample: survey firms' observations without customs defects (all of them match), in cells of
    2+ such observations, with every control defined (as P1's panel). ``own_share`` is the mean
    share of the firm's own observations in its product x destination x year cell: the measured
    quality of an observation moves by beta*(1 - own_share) when the firm's Eco moves, because
    the cell mean moves too. It shrinks like 1/scale (about 0.35 tiny, 0.10 small, 0.008 paper).
    """
    o = obs[(obs["kind"] == KIND_SURVEY) & (obs["defect"] == "")]
    cell = o.groupby(["product", "dest"])["fid"].transform("size")
    own = o.groupby(["product", "dest", "fid"])["fid"].transform("size")
    ok = fy.set_index("fid")
    complete = (ok["profit_defined"] & ~ok["missing_employees"]).reindex(o["fid"]).to_numpy()
    keep = (cell.to_numpy() > 1) & complete
    share = (own / cell).to_numpy()[keep]
    return {"n": int(keep.sum()), "own_share_sum": float(share.sum())}


def _latent_frame(world: World, d: YearDraw) -> pd.DataFrame:
    """Latent observations with the codes the pipeline uses (legal code, HS6, destination, mode)."""
    lat = d.obs.merge(world.population.firms[["fid", "legal_code", "customs_code"]], on="fid", how="left")
    fyc = d.firm_years[["fid", "city", *CONTROL_NAMES, "profit_defined", "missing_employees", "abnormal_status"]]
    lat = lat.merge(fyc, on="fid", how="left")
    lat["hs6"] = world.products.table["hs6"].to_numpy()[lat["product"]]
    lat["dest_code"] = destinations_frame()["dest_code"].to_numpy()[lat["dest"]]
    lat["trade_mode"] = np.array(list(TRADE_MODES.values()), dtype=object)[lat["mode"]]
    return lat


def _check_out_dir(out: Path, force: bool) -> None:
    if out.exists() and any(out.iterdir()):
        if not force:
            raise OutputDirNotEmpty(
                f"{out} is not empty; refusing to overwrite (pass --force / force=True to replace "
                f"the synthetic world's files)"
            )
        for name in OUTPUTS:
            target = out / name
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()


def generate(out_dir: str | Path | None = None, scale: str = "small", seed: int = 20240801, *,
             force: bool = False, latent: bool = False, years: tuple[int, ...] | None = None,
             verbose: bool = False, **overrides) -> dict:
    """Write the synthetic world into ``out_dir``; returns a summary (rows per file, seconds).

    ``overrides`` replace WorldParams fields (e.g. ``beta_eco=0.1``, ``endog_loading=0.3``);
    ``years`` restricts the yearly files written (default: 2004-2014).
    """
    from eq_assets.settings import raw_dir

    t0 = time.perf_counter()
    out = Path(out_dir) if out_dir is not None else raw_dir()
    _check_out_dir(out, force)
    out.mkdir(parents=True, exist_ok=True)
    p = WorldParams.for_scale(scale, seed, **overrides)
    world = build_world(p)
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    files: dict[str, int] = {}
    patents: list[pd.DataFrame] = []
    diag = {"n": 0, "own_share_sum": 0.0}
    stats: dict[str, int] = {"export_observations": 0, "survey_export_observations": 0}
    p2_draws: dict[int, YearDraw] = {}  # P2: the draws of 2010-2012 for the oracle truths
    for year in years or P1_YEARS:
        t1 = time.perf_counter()
        d = simulate_year(world, year)
        files[CUSTOMS.path_for(year)] = write_source(con, d.customs, CUSTOMS, out, year)
        files[ASIF.path_for(year)] = write_source(con, d.asif, ASIF, out, year)
        patents.append(d.patents)
        if year in P2_YEARS:  # P2:
            p2_draws[year] = d
        stats["export_observations"] += len(d.obs)
        stats["survey_export_observations"] += int((d.obs["kind"] == KIND_SURVEY).sum())
        dg = analysis_diagnostics(d.obs, d.firm_years)
        diag["n"] += dg["n"]
        diag["own_share_sum"] += dg["own_share_sum"]
        if latent:
            lat = _latent_frame(world, d)
            (out / "latent").mkdir(exist_ok=True)
            con.register("_lat", lat)
            con.execute(f"copy (select * from _lat) to '{(out / 'latent' / f'obs_{year}.parquet').as_posix()}' (format parquet)")
            con.unregister("_lat")
        if verbose:
            print(f"  {year}: {len(d.customs):>9,} customs rows, {len(d.asif):>8,} survey rows, "
                  f"{len(d.obs):>9,} observations ({time.perf_counter() - t1:.1f} s)", flush=True)
    pat = pd.concat(patents, ignore_index=True).sort_values("application_no", kind="stable")
    files[PATENTS.path_for()] = write_source(con, pat.drop(columns=["_fid", "_digital"]), PATENTS, out)
    files[DIGITAL_IPC.path_for()] = write_source(con, reference.digital_ipc_table(), DIGITAL_IPC, out)
    files[HS_CONCORDANCE.path_for()] = write_source(con, reference.hs_concordance(world.products), HS_CONCORDANCE, out)
    files[COUNTRY_CODES.path_for()] = write_source(con, reference.country_codes(), COUNTRY_CODES, out)
    files[CITY_PANEL.path_for()] = write_source(con, reference.city_panel(p.seed), CITY_PANEL, out)
    city_panel = reference.city_panel(p.seed)  # P2: shared with the P2 oracle
    for src, frame in p2_oracle.reference_frames(world.p2):  # P2: P2's raw reference files
        files[src.path_for()] = write_source(con, frame, src, out)
    truth = truth_table(p)
    p2_info: dict = {}
    if set(P2_YEARS) <= set(p2_draws):  # P2: oracle truths of P2 Tables 2-9 (see p2_oracle)
        p2_truth, p2_info, p2_panel = p2_oracle.p2_truths(world, p2_draws, city_panel)
        truth = pd.concat([truth, p2_truth], ignore_index=True)
        if latent:  # the latent P2 panel (true qua, qua_causal, every panel column) for checks
            (out / "latent").mkdir(exist_ok=True)
            con.register("_p2", p2_panel.drop(columns=["smart_city_year"]))
            con.execute(f"copy (select * from _p2) to '{(out / 'latent' / 'p2_panel.parquet').as_posix()}' (format parquet)")
            con.unregister("_p2")
    files["truth.csv"] = write_frame(con, truth, out / "truth.csv")
    files["truth_firms.csv"] = write_frame(con, truth_firms(world.population), out / "truth_firms.csv")
    own = round(diag["own_share_sum"] / max(diag["n"], 1), 4)
    diagnostics = {
        "expected_p1_observations": diag["n"],
        "own_cell_share": own,
        "approx_eco_coefficient_at_this_scale": round(-p.beta_eco * (1 - own), 4),
        "note": "truth.csv holds the population (structural) values; at finite scale the "
                "within-cell quality residual attenuates firm-level effects by about own_cell_share",
    }
    (out / "params.json").write_text(
        json.dumps({"generator_version": GENERATOR_VERSION, "scale": scale, "seed": seed, "params": p.to_dict(),
                    "true_values": {f"{r.column}:{r.term}": r.true_value for r in truth.itertuples()
                                    if r.paper == "P1"},  # P2: P2's truths are under "p2"
                    "diagnostics": diagnostics, "p2": p2_info},
                   ensure_ascii=False, indent=2, sort_keys=True) + "\n",
        encoding="utf-8",
    )
    files["params.json"] = 1
    con.close()
    f = world.population.firms
    summary = {
        "out_dir": str(out),
        "scale": scale,
        "seed": seed,
        "seconds": round(time.perf_counter() - t0, 2),
        "files": files,
        "firms": {
            "survey": int((f["kind"] == KIND_SURVEY).sum()),
            "survey_exporters": int(((f["kind"] == KIND_SURVEY) & f["exporter"]).sum()),
            "nonsurvey_exporters": int((f["kind"] == 1).sum()),
            "intermediaries": int((f["kind"] == KIND_INTERMEDIARY).sum()),
        },
        **stats,
        **{k: v for k, v in diagnostics.items() if k != "note"},
        "digital_patents": int(pat["_digital"].sum()),
    }
    return summary
