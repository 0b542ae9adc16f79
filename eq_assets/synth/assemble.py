"""After the yearly draws: the all-year files and the oracle truths, from the spilled parts.

:func:`eq_assets.synth.world.generate` draws one year at a time and spills (``spill.Spill``)
what later steps need; this module turns those parts into

- ``patents/patents.csv`` (stably sorted by application number, as a concatenation of the
  years sorted with ``kind="stable"`` would be), ``customs_aggregate/customs_aggregate.csv``
  (years in order) and ``latent/firm_years.parquet``, written by DuckDB straight from Parquet;
- the P1 oracle truths: knowledge breadth and the IV_patent exposure from the spilled patents
  (the pipeline's SQL), the firm-year panel built year by year (only the product bounds of
  quality and the cumulated patents need all years), the observation panel with the all-years
  columns as a DuckDB query over the spilled parts, the Table 3 panel from the spilled customs
  aggregate; then every fit loading only the columns its spec needs
  (:func:`eq_assets.synth.oracle.oracle_truth_panels`);
- the P2 oracle's draws of 2010-2012 with only the columns it reads
  (:data:`eq_assets.synth.p2_oracle.DRAW_COLUMNS`).
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import duckdb
import pandas as pd

from eq_assets.core.warehouse import estimation_frame
from eq_assets.sources.contract import PATENTS
from eq_assets.sources.contract_p1 import CUSTOMS_AGGREGATE
from eq_assets.synth import oracle
from eq_assets.synth.p2_oracle import DRAW_COLUMNS, matched_mask
from eq_assets.synth.spill import Spill, quote, release_memory
from eq_assets.synth.writer import write_source_query

#: spilled tables (one part per year drawn)
PATENT_PARTS = "patents"
AGGREGATE_PARTS = "customs_aggregate"
LATENT_FY_PARTS = "latent_firm_years"
P1_OBS_PARTS = "p1_obs"  # oracle.year_obs_panel
P1_FY_PARTS = "p1_fy"  # oracle.firm_year_covariates
P1_FIRM_PARTS = "p1_firm"  # oracle.firm_panel_year


def spill_p2_draw(spill: Spill, draw, part: int | None = None) -> None:
    """Keep the columns of one P2 year's draw that the P2 oracle reads (as spill part ``part``);
    of the observations only the survey firms' that the customs cleaning keeps (the oracle's
    sample, :func:`eq_assets.synth.p2_latent.latent_observations`; memory at SCALE=paper)."""
    for name, cols in DRAW_COLUMNS.items():
        frame = getattr(draw, name)
        keep = [c for c in cols if c in frame.columns]
        if name == "obs":  # one copy: the matched rows of the needed columns
            frame = frame.loc[matched_mask(frame).to_numpy(), keep]
        else:
            frame = frame[keep]
        spill.put(f"p2_{name}", frame, part=part)


def p2_draws(spill: Spill, years: list[int]) -> dict[int, SimpleNamespace]:
    """The spilled P2 draws, ``{year: namespace(obs=, firm_years=, asif=)}`` in written row order."""
    return {y: SimpleNamespace(**{name: spill.frame(f"p2_{name}", part=i) for name in DRAW_COLUMNS})
            for i, y in enumerate(years)}


def write_patents(spill: Spill, out: Path) -> int:
    """``patents.csv``: every year's applications, stably sorted by application number."""
    return write_source_query(spill.con, spill.scan(PATENT_PARTS), "application_no, _part, _row", PATENTS, out)


def write_aggregate(spill: Spill, out: Path) -> int:
    """``customs_aggregate.csv``: the years' aggregates in the order drawn."""
    return write_source_query(spill.con, spill.scan(AGGREGATE_PARTS), "_part, _row", CUSTOMS_AGGREGATE, out)


def write_latent_firm_years(spill: Spill, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lit = path.as_posix().replace("'", "''")
    spill.con.execute(f"copy (select * exclude (_part, _row) from {spill.scan(LATENT_FY_PARTS)} order by _part, _row) "
                      f"to '{lit}' (format parquet)")


def spilled_panel(spill: Spill, table: str, causal: bool = False) -> oracle.Panel:
    """An oracle :class:`~eq_assets.synth.oracle.Panel` over spilled parts: each load reads only
    the requested columns (renamed as :func:`~eq_assets.synth.oracle.panel_columns` says)."""
    mapping = oracle.panel_columns(spill.columns(table), causal)
    scan, con = spill.scan(table), spill.con

    def load(cols: tuple[str, ...]) -> pd.DataFrame:
        sel = ", ".join(f"{quote(mapping[c])} as {quote(c)}" for c in cols)
        frame = estimation_frame(con, f"select {sel} from {scan}")
        release_memory()  # the Arrow copy of the panel is freed: return its pages before the fit
        return frame

    return oracle.Panel(frozenset(mapping), load)


def query_panel(con: duckdb.DuckDBPyConnection, sql: str, causal: bool = False) -> oracle.Panel:
    """An oracle Panel over a DuckDB query: each load selects only the requested columns."""
    mapping = oracle.panel_columns(con.sql(f"select * from ({sql}) limit 0").columns, causal)

    def load(cols: tuple[str, ...]) -> pd.DataFrame:
        sel = ", ".join(f"{quote(mapping[c])} as {quote(c)}" for c in cols)
        frame = estimation_frame(con, f"select {sel} from ({sql})")
        release_memory()
        return frame

    return oracle.Panel(frozenset(mapping), load)


#: patent types as the pipeline names them (contract PATENT_TYPES)
_TYPE_EN = "case patent_type when '发明' then 'invention' when '实用新型' then 'utility' when '外观设计' then 'design' else 'other' end"


def _patent_tables(spill: Spill, ctx) -> None:
    """Temp tables ``_know`` (Knowledge per survey firm-year) and ``_expo`` (IV_patent) from the
    true patents of the sample years, by the pipeline's own SQL."""
    from eq_assets.instruments.p1 import patent_exposure_sql
    from eq_assets.mechanisms.p1 import knowledge_breadth_sql
    from eq_assets.settings import P1_YEARS

    con = spill.con
    con.execute(f"""create or replace temp view _pat as select app_year::BIGINT as year, _fid as fid, {_TYPE_EN} as patent_type_en,
                    ipc_main, _digital as is_digital from {spill.scan(PATENT_PARTS)} where _fid >= 0 and app_year <= {P1_YEARS[-1]}""")
    con.execute(f"create or replace temp view g as select distinct year::BIGINT as year, fid from {spill.scan(P1_FY_PARTS)}")
    con.execute("create or replace temp view kp as select * from _pat")
    con.execute(f"create or replace temp table _know as {knowledge_breadth_sql(con, firm='fid')}")
    con.execute("create or replace temp view fy as select year, fid as legal_code from g")
    con.execute("create or replace temp view fp as select fid as legal_code, ipc_main, is_digital from _pat")
    con.register("fx", ctx.frames["foreign_patents_ipc"])
    sql, _ = patent_exposure_sql(con)
    con.execute(f"create or replace temp table _expo_fid as select year, legal_code as fid, \"IV_patent\" from ({sql})")


def _obs_panel_sql(spill: Spill) -> str:
    """p1_obs_panel over the spilled parts: standardized quality and its frontier, the ratio
    distances (the pipeline's expressions), IV_patent and the firm-year outcomes."""
    from eq_assets.panels.p1_obs import OBS_OUTCOMES
    from eq_assets.panels.p1_vars import distance_ratio_exprs

    con, obs = spill.con, spill.scan(P1_OBS_PARTS)
    con.execute(f"create or replace temp table _bounds as select product, min(quality) as lo, max(quality) as hi from {obs} group by product")
    con.execute(f"""create or replace temp table _fstd as select industry, year, max((quality - lo) / nullif(hi - lo, 0)) as frontier_std
                    from {obs} join _bounds using (product) group by industry, year""")
    d1, d2 = distance_ratio_exprs(quality="quality_std", frontier="frontier_std")
    outcomes = ", ".join(f"fp.{quote(c)}" for c in OBS_OUTCOMES)
    return f"""select r.*, {d1} as "Distance_1", {d2} as "Distance_2", x."IV_patent", {outcomes}
        from (select o.*, (o.quality - b.lo) / nullif(b.hi - b.lo, 0) as quality_std, f.frontier_std
              from {obs} o join _bounds b using (product) join _fstd f using (industry, year)) r
        left join _expo_fid x on x.year = r.year and x.fid = r.fid
        left join {spill.scan(P1_FIRM_PARTS)} fp on fp.year = r.year and fp.fid = r.fid"""


def industry_panel_frame(spill: Spill, ctx) -> pd.DataFrame:
    """The Table 3 panel by the pipeline's construction on the written aggregate, with the true
    industry digital-patent counts (survey firms' patents, industry of their last survey year)."""
    from eq_assets.panels.p1_industry import p1_industry_panel
    from eq_assets.synth.population import KIND_SURVEY

    con = spill.con
    survey = ctx.kind == KIND_SURVEY
    con.register("_fid_cic2", pd.DataFrame({"fid": pd.Series(range(len(ctx.kind)))[survey].to_numpy(),
                                            "industry": ctx.cic2_last[survey].astype(str)}))
    pats = con.execute(f"""select c.industry, p.app_year::BIGINT as year, count(*)::BIGINT as n_patents,
                              count(*) filter (where p._digital)::BIGINT as n_digital
                           from {spill.scan(PATENT_PARTS)} p join _fid_cic2 c on c.fid = p._fid
                           group by 1, 2 order by 1, 2""").df()
    con.unregister("_fid_cic2")
    agg = spill.frame(AGGREGATE_PARTS, ["year", "dest_code", "hs6", "trade_mode", "quantity", "value_usd"])
    fr = ctx.frames
    panel, _, _ = p1_industry_panel(agg, fr["hs_concordance"], fr["hs_cic"], pats, fr["industry_panel"], fr["country_panel"])
    return panel


def firm_panel_needed(scope: str) -> bool:
    """Whether the oracle specs of ``scope`` use the firm-year panel (p1_obs_panel joins its
    outcomes); if not ("key"), the years spill only p1_panel's columns."""
    return bool({sp.panel for sp in oracle.oracle_specs(scope)} & {"p1_firm_panel", "p1_obs_panel"})


def p1_oracle(spill: Spill, scope: str, timings: list[tuple[str, float]] | None = None, ctx=None) -> tuple[pd.DataFrame, dict]:
    """P1's oracle truth rows and IV diagnostics from the spilled latent panels (``ctx``: the
    world's :class:`~eq_assets.synth.oracle_vars.OracleContext`; without it only the panels
    that need no patents or aggregate, p1_panel and p1_firm_panel, are fitted). Only the panels
    the specs of ``scope`` use are built (at SCALE=paper, "key": p1_panel alone)."""
    if not spill.has(P1_OBS_PARTS):
        return pd.DataFrame(columns=["paper", "table", "column", "term", "true_value", "basis", "variant"]), {}
    con: duckdb.DuckDBPyConnection = spill.con
    need = {sp.panel for sp in oracle.oracle_specs(scope)}  # e.g. "key" at SCALE=paper: p1_panel only
    firm_needed = firm_panel_needed(scope)
    panels = {
        "p1_panel": spilled_panel(spill, P1_OBS_PARTS),
        "p1_panel_causal": spilled_panel(spill, P1_OBS_PARTS, causal=True),
    }
    if ctx is not None and firm_needed:
        _patent_tables(spill, ctx)
    if firm_needed:
        bounds = con.execute(f"select product, min(quality) as lo, max(quality) as hi from {spill.scan(P1_OBS_PARTS)} "
                             f"group by product").df().set_index("product")
        cols = ["year", "fid", "product", "industry", "quality", "value_usd"]
        for i in range(spill.n_parts(P1_OBS_PARTS)):
            obs = spill.frame(P1_OBS_PARTS, cols, part=i)
            know = None
            if ctx is not None:
                yrs = ", ".join(str(int(y)) for y in sorted(obs["year"].unique()))
                know = con.execute(f'select year, fid, n_knowledge_filings, "Knowledge" from _know where year in ({yrs})').df()
            part = oracle.firm_panel_year(obs, spill.frame(P1_FY_PARTS, part=i), bounds, know)
            spill.put(P1_FIRM_PARTS, part)
        panels["p1_firm_panel"] = spilled_panel(spill, P1_FIRM_PARTS)
    if ctx is not None and "p1_obs_panel" in need:
        sql = _obs_panel_sql(spill)
        panels["p1_obs_panel"] = query_panel(con, sql)
        panels["p1_obs_panel_causal"] = query_panel(con, sql, causal=True)
    if ctx is not None and "p1_industry_panel" in need:
        panels["p1_industry_panel"] = oracle.frame_panel(industry_panel_frame(spill, ctx))
    return oracle.oracle_truth_panels(panels, scope, timings)
