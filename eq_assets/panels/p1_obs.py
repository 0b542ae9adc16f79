"""``p1_obs_panel``: P1's observation panel with the columns that need every year (SQL).

Rows: the observations of ``p1_panel`` (year x firm x HS6 x destination x trade mode, complete
controls), all years; columns: the FE identifiers, Distance, Eco and the controls, plus

- ``quality_std``, ``frontier_std``: quality min-max standardized within HS6 over all years (every
  observation with a quality, ``quality_distance``) and its industry-year maximum; ``Distance_1``,
  ``Distance_2`` on the configured scale (``ratio_scale="minmax"``: on these; see
  :mod:`eq_assets.panels.p1_vars`) and ``Distance_1_exp``, ``Distance_2_exp`` on the exp scale
  (the variant ``exp_scale`` of P1 Table 2 cols 1-4);
- ``IV_patent``: the firm's exposure to foreign filings in its IPC classes, shares over all
  sample years (:func:`eq_assets.instruments.p1.patent_exposure_sql`; P1 Table 7 cols 5-6);
- the firm-year mechanism outcomes of ``p1_firm_panel`` on each of the firm-year's export rows
  (:data:`OBS_OUTCOMES`): P1 Table 8 and Table 9 cols 3-4 print observation-level N (8,093,261
  and 9,621,760, against 9,621,862 observations and 502,577 firm-years), i.e. firm-year outcomes
  regressed on the export rows, each firm-year weighted by its number of rows.

Nothing is dropped (rows in = rows out); undefined values are missing and counted.
"""

from __future__ import annotations

from eq_assets.core.accounting import RowAccount
from eq_assets.core.sql import count, run_transform
from eq_assets.panels.controls import CONTROLS
from eq_assets.panels.p1_vars import DistanceRatioParams, distance_ratio_exprs, standardized_frontier_sql

#: Firm-year outcomes of p1_firm_panel carried to the observation rows (P1 Tables 8, 9 cols 3-4).
OBS_OUTCOMES: tuple[str, ...] = (
    "TFP", "DistTFP_CIC_CN", "DistTFP_US_CN", "DistLP_US_CN", "Patent_site", "Dist_site", "Variety", "Dist_variety",
)
OBS_PANEL_KEY = ("year", "firm_id", "hs6", "dest_code", "trade_mode")


def p1_obs_panel_sql(con, params: DistanceRatioParams = DistanceRatioParams()) -> tuple[str, RowAccount, dict]:
    """The panel as DuckDB SQL over ``p`` (p1_panel), ``q`` (quality_distance: year, hs6,
    industry, quality), ``fp`` (p1_firm_panel) and ``x`` (year, legal_code, IV_patent)."""
    acc = RowAccount(rows_in=count(con, "p"), unit="observations")
    keys = list(dict.fromkeys(params.standardize_by + params.cell))
    con.execute(f"create or replace temp table _sf as {standardized_frontier_sql(params, 'q')}")
    on = " and ".join(f"p.{k} = s.{k}" for k in keys)
    con.execute(f"""
        create or replace temp table _std as
        select p.*, (p.quality - s.q_lo) / nullif(s.q_hi - s.q_lo, 0) as quality_std, s.frontier_std
        from p left join _sf s on {on}""")
    if params.ratio_scale == "minmax":
        d1, d2 = distance_ratio_exprs(params, quality="quality_std", frontier="frontier_std")
    else:
        d1, d2 = distance_ratio_exprs(params)
    e1, e2 = distance_ratio_exprs(DistanceRatioParams(ratio_scale="exp"))
    ctrl = ", ".join(f'"{c}"' for c in CONTROLS)
    outcomes = ", ".join(f'fp."{c}"' for c in OBS_OUTCOMES)
    con.execute(f"""
        create or replace temp table _obs as
        select r.year::BIGINT as year, r.firm_id, r.hs6, r.dest_code, r.trade_mode, r.city, r.industry,
               r."Distance", r."Eco", {", ".join(f"r.{c}" for c in ctrl.split(", "))},
               r.quality_std, r.frontier_std, r."Distance_1", r."Distance_2", r."Distance_1_exp", r."Distance_2_exp",
               x."IV_patent", {outcomes}
        from (select *, {d1} as "Distance_1", {d2} as "Distance_2", {e1} as "Distance_1_exp", {e2} as "Distance_2_exp"
              from _std) r
        left join x on x.year = r.year and x.legal_code = r.firm_id
        left join fp on fp.year = r.year and fp.firm_id = r.firm_id
        """)
    extra = {f"missing_{c}": count(con, f'(select 1 from _obs where "{c}" is null)')
             for c in ("quality_std", "Distance_1", "Distance_2", "IV_patent", *OBS_OUTCOMES)}
    extra["ratio_scale"] = params.ratio_scale
    return "select * from _obs order by year, firm_id, hs6, dest_code, trade_mode", acc, extra


def p1_obs_panel(panel, quality, firm_panel, exposure, params: DistanceRatioParams = DistanceRatioParams()):
    """Frames (or stored tables) in, the panel out (:func:`p1_obs_panel_sql`)."""
    return run_transform(p1_obs_panel_sql, params, inputs={"p": panel, "q": quality, "fp": firm_panel, "x": exposure})
