"""The generator streams (eq_assets.synth.world.generate, spill, assemble; issue 8 item 1).

What is checked, without timing anything: no year's draw outlives its year (the generator held
every year's frames before, and was killed at 22 GiB at SCALE=paper); the temporary spill
directory is removed, also after an error; and the files and truths assembled from the spilled
yearly parts equal the in-memory construction (all years' frames concatenated, sorted stably,
the oracle fitted on the concatenated panels) at SCALE=tiny.
"""

from __future__ import annotations

import gc
import weakref

import pandas as pd
import pytest

from eq_assets.settings import P1_YEARS, P2_YEARS
from eq_assets.sources.contract import PATENTS
from eq_assets.sources.contract_p1 import CUSTOMS_AGGREGATE, P1_AGGREGATE_YEARS
from eq_assets.synth import WorldParams, build_world, generate, oracle, p2_oracle, reference
from eq_assets.synth import world as world_module
from eq_assets.synth.derived import aggregate_rows
from eq_assets.synth.spill import SPILL_PREFIX
from eq_assets.synth.writer import write_source

SEED = 11


def _spill_dirs(out):
    return sorted(p.name for p in out.glob(SPILL_PREFIX + "*"))


@pytest.fixture(scope="module")
def streamed(tmp_path_factory):
    """A tiny world written by generate, with every year's draw watched by weak references:
    (out dir, summary, leaks), leaks = frames of an earlier year still alive when a year is drawn
    or after generate returned."""
    refs: list[tuple[int, str, weakref.ref]] = []
    leaks: list[str] = []

    def check(now: int) -> None:
        gc.collect()
        leaks.extend(f"{y} {name} alive at {now}" for y, name, r in refs if r() is not None)

    def simulate_year(world, year):
        check(year)
        d = real_year(world, year)
        refs.extend((year, name, weakref.ref(getattr(d, name))) for name in ("obs", "customs", "asif", "patents", "firm_years"))
        refs.append((year, "draw", weakref.ref(d)))
        return d

    def simulate_late_year(world, year):
        check(year)
        fy, obs, pats = real_late(world, year)
        refs.extend((year, name, weakref.ref(f)) for name, f in (("firm_years", fy), ("obs", obs), ("patents", pats)))
        return fy, obs, pats

    real_year, real_late = world_module.simulate_year, world_module.simulate_late_year
    out = tmp_path_factory.mktemp("stream") / "raw"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(world_module, "simulate_year", simulate_year)
        mp.setattr(world_module, "simulate_late_year", simulate_late_year)
        summary = generate(out, scale="tiny", seed=SEED, latent=True)
    check(0)
    assert {y for y, _, _ in refs} == set(P1_AGGREGATE_YEARS)
    return out, summary, leaks


def test_no_year_draw_outlives_its_year(streamed):
    """Each year's frames are released before the next year is drawn (none survive generate)."""
    out, summary, leaks = streamed
    assert not leaks, leaks[:5]
    assert summary["files"]["truth.csv"] > 0 and (out / "latent" / "p2_panel.parquet").exists()  # P2 truths were built
    assert _spill_dirs(out) == []


def test_spill_removed_after_error(tmp_path, monkeypatch):
    real_year = world_module.simulate_year

    def failing(world, year):
        if year == 2005:
            raise RuntimeError("drawing 2005 failed")
        return real_year(world, year)

    monkeypatch.setattr(world_module, "simulate_year", failing)
    out = tmp_path / "raw"
    with pytest.raises(RuntimeError, match="2005"):
        generate(out, scale="tiny", seed=SEED, years=(2004, 2005))
    assert (out / "customs").exists()  # 2004 was written before the failure
    assert _spill_dirs(out) == []


@pytest.fixture(scope="module")
def in_memory():
    """Every year's draw of the same world, held in memory (what generate did before it streamed)."""
    w = build_world(WorldParams.for_scale("tiny", SEED))
    draws = {y: world_module.simulate_year(w, y) for y in P1_YEARS}
    late = {y: world_module.simulate_late_year(w, y) for y in P1_AGGREGATE_YEARS if y > P1_YEARS[-1]}
    return w, draws, late


def test_assembled_files_equal_in_memory_concatenation(streamed, in_memory, tmp_path):
    import duckdb

    out, _, _ = streamed
    w, draws, late = in_memory
    patents = pd.concat([d.patents for d in draws.values()] + [pats for _, _, pats in late.values()], ignore_index=True)
    patents = patents.sort_values("application_no", kind="stable")
    aggregate = pd.concat([aggregate_rows(d.obs, w.products, y) for y, d in draws.items()]
                          + [aggregate_rows(obs, w.products, y) for y, (_, obs, _) in late.items()],
                          ignore_index=True)
    con = duckdb.connect()
    write_source(con, patents.drop(columns=["_fid", "_digital"]), PATENTS, tmp_path)
    write_source(con, aggregate, CUSTOMS_AGGREGATE, tmp_path)
    con.close()
    for src in (PATENTS, CUSTOMS_AGGREGATE):
        assert (out / src.path_for()).read_bytes() == (tmp_path / src.path_for()).read_bytes(), src.name


def test_spilled_oracle_equals_in_memory_oracle(streamed, in_memory, tmp_path):
    """The truths written by the streaming generator (one spilled part per year) equal the oracle
    on the concatenated in-memory frames (every year in one part): P1 (all tables, variants) and P2."""
    import duckdb

    from eq_assets.synth import assemble, oracle_vars
    from eq_assets.synth.spill import Spill

    out, summary, _ = streamed
    w, draws, late = in_memory
    p = w.params
    prev = draws[P2_YEARS[0] - 1].asif[list(p2_oracle.PREV_SURVEY_COLUMNS)]  # the 2009 survey (exit rates)
    ctx = oracle_vars.oracle_context(w)
    parts = [oracle.year_parts(d.obs, d.firm_years, d.patents, p, w.ref, ctx) for d in draws.values()]
    patents = pd.concat([d.patents for d in draws.values()] + [pats for _, _, pats in late.values()], ignore_index=True)
    aggregate = pd.concat([aggregate_rows(d.obs, w.products, y) for y, d in draws.items()]
                          + [aggregate_rows(obs, w.products, y) for y, (_, obs, _) in late.items()], ignore_index=True)
    con = duckdb.connect()
    with Spill(con, tmp_path) as spill:
        spill.put(assemble.P1_OBS_PARTS, pd.concat([o for o, _ in parts], ignore_index=True))
        spill.put(assemble.P1_FY_PARTS, pd.concat([f for _, f in parts], ignore_index=True))
        spill.put(assemble.PATENT_PARTS, patents, ordered=True)
        spill.put(assemble.AGGREGATE_PARTS, aggregate, ordered=True)
        p1, diag = assemble.p1_oracle(spill, "all", None, ctx)
    con.close()
    p2, _, _ = p2_oracle.p2_truths(w, {y: draws[y] for y in P2_YEARS}, w.p2.city_panel, prev_survey=prev)
    written = pd.read_csv(out / "truth.csv", dtype={"table": str, "column": str, "variant": str}, keep_default_na=False,
                          na_values={"true_value": [""]})
    written = written[written["basis"] == "oracle"].reset_index(drop=True)
    expected = pd.concat([p1, p2.assign(variant=p2["variant"].fillna("") if "variant" in p2.columns else "")], ignore_index=True)
    assert len(p1) >= 60 and len(p2) > 20  # an Eco row per P1 spec (variants included), P2's rows
    assert set(p1["table"]) == {str(t) for t in range(1, 12)}  # a truth for every estimated P1 table
    key = ["paper", "table", "column", "term", "variant"]
    assert written[key].equals(expected[key].astype({"variant": str}))
    diff = (written["true_value"] - expected["true_value"].astype(float)).abs()
    assert (diff <= 1e-9 * expected["true_value"].abs().clip(lower=1.0)).all(), diff.max()
    assert set(summary["iv_columns"]) == set(diag)


def test_destination_ranking_independent_of_block_size(monkeypatch):
    """trade._top_destinations draws and ranks in blocks of rows: any block size gives the
    destinations (and leaves the stream where) one draw of the whole matrix would."""
    import numpy as np

    from eq_assets.synth import trade
    from eq_assets.synth.rng import stream

    keys = np.random.default_rng(3).gumbel(size=(50, 7)).astype(np.float32)
    firm = np.random.default_rng(4).integers(0, 50, 1000)
    n_d = np.random.default_rng(5).integers(1, 5, 1000)
    rng = stream(SEED, "blocks")
    whole = keys[firm] + 0.7 * rng.gumbel(size=(1000, 7)).astype(np.float32)
    rank = np.argsort(np.argsort(-whole, axis=1), axis=1)
    expected, after = np.nonzero(rank < n_d[:, None]), rng.random()
    for block in (1, 97, 10_000):
        monkeypatch.setattr(trade, "RANK_BLOCK", block)
        rng = stream(SEED, "blocks")
        rows, dests = trade._top_destinations(keys, firm, n_d, 0.7, rng, 7)
        assert np.array_equal(rows, expected[0]) and np.array_equal(dests, expected[1]), block
        assert rng.random() == after, block
