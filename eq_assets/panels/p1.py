"""Observation-level inputs of P1: matched exports and the analysis panel.

``matched_exports``: customs observations of matched exporters, re-keyed by survey firm
(``firm_id`` = legal code) with the firm's city and industry. Several customs codes of one
survey firm that sold the same product to the same destination under the same trade mode are
merged (and counted).

``p1_panel``: one row per year x firm x HS6 x destination x trade mode with ``Distance``,
``Eco``, the six controls and the fixed-effect identifiers (firm_id, year, city, industry),
plus the attributes later tables split on. Rows missing any control are dropped (P1 reports one
N for all Table 1 columns, so the sample is the one with complete controls), counted per reason.

Tables 4-11 add (see :mod:`eq_assets.panels.p1_vars` and :mod:`eq_assets.instruments.p1`):
``Eco_invent``, ``Eco_str``, ``Eco_manu``, ``Eco_apply``, ``Eco_factor``, the instruments
``IV_phone``, ``IV_post``, ``IV_patent_industry`` (the industry-year reading of IV_patent) and the
split variables ``ownership``, ``labour_intensive``, ``ip_protection_high``, ``firm_trade_class``
(firm-year attributes) and ``dest_development`` (destination). A missing attribute stays missing:
the row leaves only the columns that need it. What needs every year (the ratio distances on
standardized quality, the firm-level IV_patent, the firm-year mechanism outcomes on export rows)
is in ``p1_obs_panel`` (:mod:`eq_assets.panels.p1_obs`).
"""

from __future__ import annotations

import pandas as pd

from eq_assets.core.accounting import RowAccount
from eq_assets.core.sql import count, run_sql, run_transform
from eq_assets.panels.controls import CONTROLS
from eq_assets.panels.p1_vars import eco_variant_exprs

#: Firm-year attribute columns joined into p1_panel (from the p1_firm_attributes asset).
ATTRIBUTE_COLUMNS: tuple[str, ...] = (
    "IV_phone", "IV_post", "IV_patent_industry", "ownership", "labour_intensive", "ip_protection_high", "firm_trade_class",
)

OBS_KEY = ("year", "firm_id", "hs6", "dest_code", "trade_mode")


def matched_exports_sql(con) -> tuple[str, RowAccount]:
    """Matched observations as DuckDB SQL over ``e`` (customs observations), ``m`` (the match)
    and ``f`` (survey firm-years: year, legal_code, city, industry)."""
    n_e = count(con, "e")
    acc = RowAccount(rows_in=n_e, unit="observations")
    con.execute(
        """
        create or replace temp table _matched_exports as
        with j as (
            select e.*, m.legal_code as firm_id
            from e join m on e.year = m.year and e.customs_firm_code = m.customs_firm_code
        )
        select j.year::BIGINT as year, j.firm_id, j.hs6, j.dest_code, j.trade_mode,
               sum(j.value_usd) as value_usd, sum(j.quantity) as quantity,
               count(*)::BIGINT as n_customs_codes,
               any_value(f.city) as city, any_value(f.industry) as industry
        from j join f on j.year = f.year and j.firm_id = f.legal_code
        group by j.year, j.firm_id, j.hs6, j.dest_code, j.trade_mode
        """
    )
    n_matched = count(con, "(select 1 from e where customs_firm_code in (select customs_firm_code from m))")
    acc.drop("exporter_not_matched_to_survey", n_e - n_matched)
    acc.drop("merged_customs_codes_of_one_firm", n_matched - count(con, "_matched_exports"))
    return "select * from _matched_exports order by firm_id, hs6, dest_code, trade_mode", acc


def matched_exports(exports, match, firms) -> tuple[pd.DataFrame, RowAccount]:
    """Frames (or stored tables) in, matched observations out; the asset runs :func:`matched_exports_sql`."""
    return run_transform(matched_exports_sql, inputs={"e": exports, "m": match, "f": firms})


def p1_panel_sql(con, *, with_attributes: bool = True, with_development: bool = True) -> tuple[str, RowAccount, dict]:
    """The P1 panel as DuckDB SQL over ``d`` (quality_distance), ``x`` (eco), ``c`` (controls),
    ``f`` (survey: year, legal_code, province, reg_type, op_status), ``a`` (firm attributes) and
    ``dev`` (dest_code, dest_development)."""
    acc = RowAccount(rows_in=count(con, "d"), unit="observations")
    eco_cols = [r[0] for r in con.execute("describe x").fetchall() if r[0] not in ("year", "legal_code")]
    eco_sel = ", ".join(f'coalesce(x."{c}", 0) as "{c}"' for c in eco_cols)
    ctrl = ", ".join(f'c."{c}"' for c in CONTROLS)
    con.execute(
        f"""
        create or replace temp table _joined as
        select d.year::BIGINT as year, d.firm_id, d.hs6, d.dest_code, d.trade_mode, d.city, d.industry,
               f.province, f.reg_type, f.op_status,
               d.value_usd, d.quantity, d.quality, d.frontier, d."Distance",
               {eco_sel}, {ctrl}
        from d
        left join x on d.year = x.year and d.firm_id = x.legal_code
        left join c on d.year = c.year and d.firm_id = c.legal_code
        left join f on d.year = f.year and d.firm_id = f.legal_code
        """
    )
    extra = {f"missing_{c}": count(con, f'(select 1 from _joined where "{c}" is null)') for c in CONTROLS}
    complete = " and ".join(f'"{c}" is not null' for c in CONTROLS)
    acc.drop("missing_control", count(con, f"(select 1 from _joined where not ({complete}))"))
    variants = ", ".join(f'{e} as "{n}"' for n, e in eco_variant_exprs().items())
    attrs = (", ".join(f'a."{c}"' for c in ATTRIBUTE_COLUMNS) if with_attributes
             else ", ".join(f'null as "{c}"' for c in ATTRIBUTE_COLUMNS))
    dev = "v.dest_development" if with_development else "null as dest_development"
    joins = ("left join a on p.year = a.year and p.firm_id = a.legal_code " if with_attributes else "") + \
            ("left join dev v on p.dest_code = v.dest_code" if with_development else "")
    con.execute(
        f"""
        create or replace temp table _panel as
        with p as (select *, {variants}
                   from _joined where {complete})
        select p.*, {attrs}, {dev} from p {joins}
        """
    )
    for c in ATTRIBUTE_COLUMNS + ("dest_development",):
        extra[f"missing_{c}"] = count(con, f'(select 1 from _panel where "{c}" is null)')
    return "select * from _panel order by firm_id, hs6, dest_code, trade_mode", acc, extra


def p1_panel(
    distance,
    eco,
    controls,
    firms,
    attributes=None,
    development=None,
) -> tuple[pd.DataFrame, RowAccount, dict]:
    """Join distance observations with Eco, controls and firm attributes; drop incomplete rows
    (frames or stored tables; the asset runs :func:`p1_panel_sql`).

    ``attributes`` (year, legal_code and :data:`ATTRIBUTE_COLUMNS`) and ``development``
    (dest_code, dest_development) add the Tables 7, 10, 11 columns; without them those columns
    are missing.
    """
    return run_transform(
        p1_panel_sql, with_attributes=attributes is not None, with_development=development is not None,
        inputs={"d": distance, "x": eco, "c": controls, "f": firms, "a": attributes, "dev": development},
    )
