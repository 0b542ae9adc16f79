"""Orchestration: draw the world, write the raw files, the truth and the parameters.

:func:`generate` writes, under ``out_dir`` (the raw directory):

- the raw sources of the contract (``eq_assets.sources.contract``): ``customs/customs_{year}.csv``,
  ``asif/asif_{year}.csv`` (2004-2014), ``patents/patents.csv`` and ``reference/*.csv``;
- the P1 reference sources of ``contract_p1`` (``reference/*.csv``) and the firm-anonymous
  ``customs_aggregate/customs_aggregate.csv`` (2004-2019; 2015-2019 simulated for firms alive
  in 2014, whose patents also run to 2019);
- ``truth.csv`` (paper, table, column, term, true_value, basis, variant): oracle rows for the Eco
  terms of every estimated column of P1 Tables 1-11, variants included (``oracle.py``), and
  structural rows for the production
  function (table "TFP", columns "LP:<cic2>"/"ACF:<cic2>" per 2-digit industry, terms ln_l, ln_k;
  see :func:`truth_table`);
- ``truth_firms.csv``: every customs firm code with its survey legal code (empty if none), the
  intermediary flag and the kind of name spelling, to score matching;
- ``params.json``: every parameter, the scale and the seed;
- with ``latent=True``, ``latent/obs_{year}.parquet``: the latent observations (ln lambda and its
  components, ln p, ln q, written totals, defects) and ``latent/firm_years.parquet`` (true
  omega, real production variables, Eco parts, v, the instruments' drivers) for oracle checks.

Why oracle truths: Eco is endogenous by construction (shock v), the digital part of quality has
several components, the pipeline's quality is ln lambda minus its cell mean (the firm's own
weight in the cell attenuates effects by about ``own_cell_share``) and Distance is relative to
an industry-year maximum; so each table's estimand is computed from the latent variables of
the same draw with the same spec (README.md in this folder lists the constructions assumed).

Years are drawn from their own streams, one at a time (memory stays at one year's rows): what
later steps need of each year is spilled to Parquet (``spill``) and assembled from there
(``assemble``).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from eq_assets.settings import P1_YEARS, P2_YEARS
from eq_assets.sources.contract import (
    ASIF, CITY_PANEL, COUNTRY_CODES, CUSTOMS, DIGITAL_IPC, HS_CONCORDANCE, PATENTS,
)
from eq_assets.synth import p2 as p2_model  # P2:
from eq_assets.synth import reference
from eq_assets.sources.contract_p1 import (
    CITY_1984, CITY_IP_PROTECTION, COUNTRY_DEVELOPMENT, COUNTRY_PANEL, CUSTOMS_AGGREGATE, FOREIGN_PATENTS,
    FOREIGN_PATENTS_IPC, HS_CIC,
    INDUSTRY_PANEL, P1_AGGREGATE_YEARS, PROVINCE_INTERNET_PORTS, US_INDUSTRY,
)
from eq_assets.synth import assemble, oracle, oracle_vars
from eq_assets.synth.catalog import Products, build_products
from eq_assets.synth.derived import (  # noqa: F401  (aggregate_rows: part of this module's interface)
    aggregate_rows, analysis_diagnostics, latent_firm_years, latent_frame, truth_firms,
)
from eq_assets.synth.firmyear import asif_rows, firm_years
from eq_assets.synth.params import WorldParams
from eq_assets.synth.patents import patent_rows
from eq_assets.synth.population import KIND_INTERMEDIARY, KIND_SURVEY, Population, build_population
from eq_assets.synth.production import ProductionPaths, industry_elasticities, production_paths
from eq_assets.synth.reference import RefData
from eq_assets.synth.spill import SPILL_PREFIX, Spill, release_memory
from eq_assets.synth.shipments import ShipmentRows
from eq_assets.synth.trade import customs_rows, observations
from eq_assets.synth.writer import write_frame, write_source
from eq_assets.synth.years import YearPool, YearResult
from eq_assets.synth import p2_oracle  # P2:  (noqa: E402 order kept for a minimal diff)

GENERATOR_VERSION = "3"
#: what generate writes (top-level names under out_dir); --force removes only these
OUTPUTS = ("customs", "asif", "patents", "reference", "customs_aggregate", "latent", "truth.csv", "truth_firms.csv", "params.json")


class OutputDirNotEmpty(RuntimeError):
    """The output directory already holds files and ``force`` was not given."""


@dataclass
class World:
    params: WorldParams
    products: Products
    population: Population
    ref: RefData
    production: ProductionPaths
    p2: p2_model.P2World | None = None  # P2: places, e-government scores and instruments


@dataclass
class YearDraw:
    """Everything drawn for one year: firm-years, latent observations, and the raw rows (the
    generator sets each raw table to None once it is written or spilled, to free its memory)."""

    firm_years: pd.DataFrame
    obs: pd.DataFrame  # latent observations with written totals and defect flags
    customs: ShipmentRows | None  # the customs rows' keys, written as strings slice by slice (shipments.py)
    asif: pd.DataFrame | None  # canonical survey columns
    patents: pd.DataFrame | None  # canonical patent columns (+ _fid, _digital)


def build_world(params: WorldParams) -> World:
    products = build_products()
    pop = build_population(params, products)
    return World(params=params, products=products, population=pop, ref=reference.build_refdata(params.seed),
                 production=production_paths(pop.firms, params), p2=p2_model.build_p2(params))  # P2: p2


def simulate_year(world: World, year: int) -> YearDraw:
    """Draw one survey year 2004-2014 (independent of any other year's draws)."""
    p, pop = world.params, world.population
    fy = firm_years(pop, p, year, world.ref, world.production)
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


def simulate_late_year(world: World, year: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """A year after the survey (2015-2019): firm-years, latent observations, patents (no
    customs or survey rows: P1 Table 3 has only the firm-anonymous aggregate then)."""
    p, pop = world.params, world.population
    fy = firm_years(pop, p, year, world.ref, world.production)
    obs = observations(pop, fy, world.products, p, year)
    return fy, obs, patent_rows(fy, pop, p, year)


def reference_sources(world: World) -> list[tuple]:
    """P1's reference files: (contract source, canonical frame) pairs, in writing order."""
    p, ref = world.params, world.ref
    return [
        (DIGITAL_IPC, reference.digital_ipc_table()),
        (HS_CONCORDANCE, reference.hs_concordance(world.products)),
        (COUNTRY_CODES, reference.country_codes()),
        (CITY_PANEL, world.p2.city_panel if world.p2 is not None else reference.city_panel(p.seed)),  # P2: FDI moved by egscore
        (CITY_IP_PROTECTION, reference.city_ip_protection(p.seed)),
        (CITY_1984, reference.city_1984(ref)),
        (PROVINCE_INTERNET_PORTS, reference.province_internet_ports(ref)),
        (FOREIGN_PATENTS, reference.foreign_patents(ref)),
        (FOREIGN_PATENTS_IPC, reference.foreign_patents_ipc(ref)),
        (COUNTRY_PANEL, reference.country_panel(p.seed)),
        (COUNTRY_DEVELOPMENT, reference.country_development()),
        (INDUSTRY_PANEL, reference.industry_panel(ref, p.seed)),
        (US_INDUSTRY, reference.us_industry(ref, p, p.seed)),
        (HS_CIC, reference.hs6_cic(world.products)),
    ]


TRUTH_COLUMNS = ["paper", "table", "column", "term", "true_value", "basis", "variant"]


def truth_table(p: WorldParams) -> pd.DataFrame:
    """Structural truths: the production-function elasticities of P1 Table 8's TFP step.

    paper "P1", table "TFP", terms ``ln_l`` and ``ln_k`` (value added: ln VA on ln employees and
    ln real fixed assets; see ``production``); column ``"<method>:<cic2>"`` (method LP or ACF) for
    the production function of 2-digit industry cic2, e.g. "LP:13", the key under which the
    p1_production_function asset writes its per-industry estimates. The pooled columns "LP" and
    "ACF" are listed only when every industry has the same technology (``industry_elasticities``
    empty or uniform): a pooled production function over several technologies has no structural
    value. The regression tables' truths are oracle values (:mod:`eq_assets.synth.oracle`).
    """
    el = industry_elasticities(p)
    rows = []
    for m in ("LP", "ACF"):
        if len(set(el.values())) == 1:
            b_l, b_k = next(iter(el.values()))
            rows += [("P1", "TFP", m, "ln_l", b_l, "structural", ""), ("P1", "TFP", m, "ln_k", b_k, "structural", "")]
        for code, (b_l, b_k) in el.items():
            rows += [("P1", "TFP", f"{m}:{code}", "ln_l", b_l, "structural", ""),
                     ("P1", "TFP", f"{m}:{code}", "ln_k", b_k, "structural", "")]
    return pd.DataFrame(rows, columns=TRUTH_COLUMNS)


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
        for stale in out.glob(SPILL_PREFIX + "*"):  # left by a generator that was killed
            shutil.rmtree(stale, ignore_errors=True)


def generate(out_dir: str | Path | None = None, scale: str = "small", seed: int = 20240801, *,
             force: bool = False, latent: bool = False, years: tuple[int, ...] | None = None,
             verbose: bool = False, oracle_scope: str | None = None, workers: int | None = None, **overrides) -> dict:
    """Write the synthetic world into ``out_dir``; returns a summary (rows per file, seconds).

    ``overrides`` replace WorldParams fields (e.g. ``beta_eco=0.1``, ``endog_loading=0.3``);
    ``years`` restricts the yearly survey/customs files written (default: 2004-2014; with
    ``years`` set, the post-survey years 2015-2019 are not simulated and the aggregate holds
    only ``years``). ``oracle_scope``: "all" (every Eco-bearing column of P1 Tables 1-11),
    "key" (Table 1 and Table 7 column 2 only, ``oracle.PAPER_KEY_COLUMNS``; default at SCALE=paper) or
    "none" (no oracle truth rows). ``workers``: processes drawing the years (:mod:`.years`; the
    files are the same bytes for any number); default :func:`default_workers`.

    Memory stays at about one year's draw per worker: each year's customs and survey files are
    written as drawn, and what later steps need (patents, the customs aggregate, the latent oracle
    panels, latent firm-years, the P2 draws of 2010-2012) is spilled to Parquet in a temporary
    directory under ``out_dir`` (removed at the end, also after an error) and assembled from there
    (:mod:`eq_assets.synth.assemble`). ``summary["phase_seconds"]`` times the phases.
    """
    from eq_assets.settings import raw_dir

    t0 = time.perf_counter()
    out = Path(out_dir) if out_dir is not None else raw_dir()
    _check_out_dir(out, force)
    out.mkdir(parents=True, exist_ok=True)
    p = WorldParams.for_scale(scale, seed, **overrides)
    scope = oracle_scope or ("key" if scale == "paper" else "all")
    lap = time.perf_counter()
    world = build_world(p)
    ctx = oracle_vars.oracle_context(world) if scope != "none" else None  # what the P1 oracle needs of the world
    phases = {"world": round(time.perf_counter() - lap, 2)}
    if verbose:
        print(f"  [world: {phases['world']:.1f} s]", flush=True)
    held = [world]  # _generate takes the world out and drops it before the P1 oracle (its memory is freed then)
    del world
    tasks = year_tasks(years)
    n_workers = min(default_workers(scale) if workers is None else workers, len(tasks))
    # the spill directory is made first, the pool forked next, the DuckDB connection opened last
    root = Path(tempfile.mkdtemp(prefix=SPILL_PREFIX, dir=out))
    try:
        with YearPool(n_workers, _draw_year, (held[0], ctx, out, scope, latent, root)) as pool:
            con = duckdb.connect()
            con.execute("set enable_progress_bar = false")
            try:
                with Spill(con, out, root=root) as spill:
                    summary = _generate(spill, out, held, ctx, scope, latent, tasks, pool, phases, verbose)
            finally:
                con.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return {"out_dir": str(out), "scale": scale, "seed": seed, "seconds": round(time.perf_counter() - t0, 2), **summary}


def default_workers(scale: str) -> int:
    """Processes drawing the years by default: two at SCALE=paper (where a year takes tens of
    seconds), one otherwise (a tiny world's years take less than forking costs)."""
    return min(2, os.cpu_count() or 1) if scale == "paper" else 1


def year_tasks(years: tuple[int, ...] | None) -> list:
    """(part, year, late) per year drawn: ``years`` (default the survey years 2004-2014), then,
    by default only, the post-survey years of the aggregate (2015-2019)."""
    ys = [(y, False) for y in (years or P1_YEARS)]
    if years is None:
        ys += [(y, True) for y in P1_AGGREGATE_YEARS if y > P1_YEARS[-1]]
    return [(k, y, late) for k, (y, late) in enumerate(ys)]


def _draw_year(task, world: World, ctx, out: Path, scope: str, latent: bool, sink) -> YearResult:
    """Draw one year and write its files and spilled parts (part number = the task's). ``sink``:
    the generator's :class:`Spill`, or (in a worker process) its directory, attached to with a
    connection of this process."""
    part, year, late = task
    if isinstance(sink, Spill):
        return _year_outputs(world, ctx, out, scope, latent, sink, part, year, late)
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    try:
        spill = Spill.attach(con, Path(sink))
        res = _year_outputs(world, ctx, out, scope, latent, spill, part, year, late)
        res.parts = spill.written()
        return res
    finally:
        con.close()
        release_memory()  # the worker's next year starts from its base, not from this year's high-water mark


def _year_outputs(world: World, ctx, out: Path, scope: str, latent: bool, spill: Spill, part: int, year: int,
                  late: bool) -> YearResult:
    con, p = spill.con, world.params
    t1 = time.perf_counter()
    res = YearResult(year, late)
    if late:
        fy, obs, pats = simulate_late_year(world, year)
        spill.put(assemble.PATENT_PARTS, pats, ordered=True, part=part)
        res.counts["digital_patents"] = int(pats["_digital"].sum())
        spill.put(assemble.AGGREGATE_PARTS, aggregate_rows(obs, world.products, year), ordered=True, part=part)
        if latent:
            spill.put(assemble.LATENT_FY_PARTS, latent_firm_years(world, fy), ordered=True, part=part)
        res.line = f"  {year}: {len(obs):>9,} observations (aggregate and patents only, {time.perf_counter() - t1:.1f} s)"
        return res
    d = simulate_year(world, year)
    # each raw table is released once written or spilled (memory: two years are drawn at once
    # at SCALE=paper; the observations and firm-years stay for the oracle parts below)
    n_customs = res.files[CUSTOMS.path_for(year)] = write_source(con, d.customs.batches(), CUSTOMS, out, year)
    d.customs = None
    release_memory()  # the customs rows are Arrow's (its own allocator pool)
    n_survey = res.files[ASIF.path_for(year)] = write_source(con, d.asif, ASIF, out, year)
    digital_patents = int(d.patents["_digital"].sum())
    spill.put(assemble.PATENT_PARTS, d.patents, ordered=True, part=part)
    firm_parts = scope != "none" and assemble.firm_panel_needed(scope)
    if not firm_parts:  # oracle.year_parts reads them
        d.patents = None
    spill.put(assemble.AGGREGATE_PARTS, aggregate_rows(d.obs, world.products, year), ordered=True, part=part)
    if year in P2_YEARS:  # P2:
        assemble.spill_p2_draw(spill, d, part=part)
    elif year == P2_YEARS[0] - 1:  # P2: the survey of t-1 for the exit rates of 2010
        spill.put(p2_oracle.PREV_SURVEY, d.asif[list(p2_oracle.PREV_SURVEY_COLUMNS)], part=part)
    d.asif = None
    dg = analysis_diagnostics(d.obs, d.firm_years)
    res.counts = {"digital_patents": digital_patents, "export_observations": len(d.obs),
                  "survey_export_observations": int((d.obs["kind"] == KIND_SURVEY).sum()),
                  "diag_n": dg["n"], "own_share_sum": dg["own_share_sum"]}
    if firm_parts:
        obs_part, fy_part = oracle.year_parts(d.obs, d.firm_years, d.patents, p, world.ref, ctx)
        spill.put(assemble.P1_OBS_PARTS, obs_part, part=part)
        spill.put(assemble.P1_FY_PARTS, fy_part, part=part)
        del obs_part, fy_part
    elif scope != "none":  # p1_panel's columns only (the split attributes and outcomes are not fitted)
        spill.put(assemble.P1_OBS_PARTS, oracle.year_obs_panel(d.obs, d.firm_years, p, world.ref), part=part)
    if latent:
        lat = latent_frame(world, d)
        (out / "latent").mkdir(exist_ok=True)
        con.register("_lat", lat)
        con.execute(f"copy (select * from _lat) to '{(out / 'latent' / f'obs_{year}.parquet').as_posix()}' (format parquet)")
        con.unregister("_lat")
        del lat
        spill.put(assemble.LATENT_FY_PARTS, latent_firm_years(world, d.firm_years), ordered=True, part=part)
    res.line = (f"  {year}: {n_customs:>9,} customs rows, {n_survey:>8,} survey rows, "
                f"{len(d.obs):>9,} observations ({time.perf_counter() - t1:.1f} s)")
    return res


def _generate(spill: Spill, out: Path, held: list[World], ctx, scope: str, latent: bool, tasks: list, pool: YearPool,
              phases: dict[str, float], verbose: bool) -> dict:
    world = held.pop()  # the only reference left once the year pool is closed
    con, p = spill.con, world.params
    lap = [time.perf_counter()]

    def phase(name: str) -> None:
        now = time.perf_counter()
        phases[name] = round(now - lap[0], 2)
        lap[0] = now
        if verbose:
            print(f"  [{name}: {phases[name]:.1f} s]", flush=True)

    files: dict[str, int] = {}
    diag = {"n": 0, "own_share_sum": 0.0}
    stats: dict[str, int] = {"export_observations": 0, "survey_export_observations": 0}
    digital_patents = 0
    p2_years: list[int] = []  # P2: years whose draws are spilled for the oracle truths
    in_survey = True
    for res in pool.map(tasks, local_args=(world, ctx, out, scope, latent, spill)):
        if res.late and in_survey:
            phase("survey years")
            in_survey = False
        spill.adopt(res.parts)
        files.update(res.files)
        digital_patents += int(res.counts.get("digital_patents", 0))
        stats["export_observations"] += int(res.counts.get("export_observations", 0))
        stats["survey_export_observations"] += int(res.counts.get("survey_export_observations", 0))
        diag["n"] += int(res.counts.get("diag_n", 0))
        diag["own_share_sum"] += res.counts.get("own_share_sum", 0.0)
        if res.files and res.year in P2_YEARS:
            p2_years.append(res.year)
        if verbose:
            print(res.line, flush=True)
    pool.close()
    phase("survey years" if in_survey else "late years")
    files[PATENTS.path_for()] = assemble.write_patents(spill, out)
    files[CUSTOMS_AGGREGATE.path_for()] = assemble.write_aggregate(spill, out)
    for source, frame in reference_sources(world):
        files[source.path_for()] = write_source(con, frame, source, out)
    if latent and spill.has(assemble.LATENT_FY_PARTS):
        assemble.write_latent_firm_years(spill, out / "latent" / "firm_years.parquet")
    phase("assemble files")

    city_panel = world.p2.city_panel  # P2: the written city panel, shared with the P2 oracle
    for src, frame in p2_oracle.reference_frames(world.p2):  # P2: P2's raw reference files
        files[src.path_for()] = write_source(con, frame, src, out)
    firms_truth = truth_firms(world.population)
    f = world.population.firms
    firms = {
        "survey": int((f["kind"] == KIND_SURVEY).sum()),
        "survey_exporters": int(((f["kind"] == KIND_SURVEY) & f["exporter"]).sum()),
        "nonsurvey_exporters": int((f["kind"] == 1).sum()),
        "intermediaries": int((f["kind"] == KIND_INTERMEDIARY).sum()),
    }
    p2_world = p2_oracle.oracle_world(world)  # what the P2 oracle reads of the world
    del world, f  # the oracles need only the spilled parts, p2_world (and ctx)
    release_memory()  # the world's and the assembled files' buffers, before the P2 oracle
    p2_info: dict = {}
    p2_truth = None
    if set(P2_YEARS) <= set(p2_years):  # P2: oracle truths of P2 Tables 2-9 (see p2_oracle)
        prev = spill.frame(p2_oracle.PREV_SURVEY) if spill.has(p2_oracle.PREV_SURVEY) else None
        p2_truth, p2_info, p2_panel = p2_oracle.p2_truths(p2_world, assemble.p2_draws(spill, p2_years), city_panel,
                                                          prev_survey=prev)
        if latent:  # the latent P2 panel (true qua, qua_causal, every panel column) for checks
            (out / "latent").mkdir(exist_ok=True)
            con.register("_p2", p2_panel.drop(columns=["smart_city_year"]))
            con.execute(f"copy (select * from _p2) to '{(out / 'latent' / 'p2_panel.parquet').as_posix()}' (format parquet)")
            con.unregister("_p2")
        del p2_panel
    del p2_world
    phase("P2 oracle")
    release_memory()

    # truth: oracle (P1 regression tables) + structural (production function) + oracle (P2)
    t_or = time.perf_counter()
    fit_seconds: list[tuple[str, float]] = []
    truth = truth_table(p)
    oracle_diag: dict = {}
    if scope != "none":
        otruth, oracle_diag = assemble.p1_oracle(spill, scope, fit_seconds, ctx)
        if len(otruth):
            truth = pd.concat([otruth, truth], ignore_index=True)
    oracle_seconds = round(time.perf_counter() - t_or, 2)
    if verbose and fit_seconds:  # one line (each fit's time is in the summary's oracle_fit_seconds)
        slow = max(fit_seconds, key=lambda x: x[1])
        print(f"    {len(fit_seconds)} oracle fits, the slowest {slow[0]} ({slow[1]:.1f} s)", flush=True)
    phase("P1 oracle")
    if p2_truth is not None:
        truth = pd.concat([truth, p2_truth], ignore_index=True)
    # the reading a truth belongs to (P2's variants; empty = the published reading), always written
    truth["variant"] = truth["variant"].fillna("") if "variant" in truth.columns else ""
    # 10 significant digits: the multithreaded demeaner can jitter the last bits between runs
    truth["true_value"] = [_sig(v) for v in truth["true_value"]]
    files["truth.csv"] = write_frame(con, truth, out / "truth.csv")
    files["truth_firms.csv"] = write_frame(con, firms_truth, out / "truth_firms.csv")
    own = round(diag["own_share_sum"] / max(diag["n"], 1), 4)
    diagnostics = {
        "expected_p1_observations": diag["n"],
        "own_cell_share": own,
        "oracle_scope": scope,
        "iv_columns": {k: {n: (_sig(v) if isinstance(v, float) else v) for n, v in d.items()} for k, d in oracle_diag.items()},
        "note": "truth.csv: oracle rows are P1's specs on the latent panel of this draw (OLS: "
                "causal + built-in bias; IV: causal, shock excluded); iv_columns gives, per IV "
                "column of Table 7, the latent OLS, the causal OLS and 2SLS, and the first-stage t",
    }
    (out / "params.json").write_text(
        json.dumps({"generator_version": GENERATOR_VERSION, "scale": p.scale, "seed": p.seed, "params": p.to_dict(),
                    "true_values": {f"{r.table}:{r.column}:{r.term}" + (f":{r.variant}" if r.variant else ""): r.true_value
                                    for r in truth.itertuples() if r.paper == "P1"},  # P2: P2's truths are under "p2"
                    "causal_effects": {"beta_eco": p.beta_eco, **p.beta_parts,
                                       "endog_loading_quality": p.endog_loading,
                                       "endog_rate_loading": p.endog_rate_loading,
                                       "ols_bias_direction": "OLS of Distance on Eco more negative than causal"},
                    "diagnostics": diagnostics, "p2": p2_info},
                   ensure_ascii=False, indent=2, sort_keys=True, default=float) + "\n",
        encoding="utf-8",
    )
    files["params.json"] = 1
    phase("write truth")
    return {
        "files": files,
        "firms": firms,
        **stats,
        **{k: v for k, v in diagnostics.items() if k not in ("note", "iv_columns")},
        "oracle_seconds": oracle_seconds,
        "iv_columns": oracle_diag,
        "digital_patents": digital_patents,
        "phase_seconds": phases,
        "oracle_fit_seconds": {label: round(sec, 2) for label, sec in fit_seconds},
    }


def _sig(x: float, digits: int = 10) -> float:
    return float(f"{x:.{digits}g}")
