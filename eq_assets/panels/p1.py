"""Observation-level inputs of P1: matched exports and the analysis panel.

``matched_exports``: customs observations of matched exporters, re-keyed by survey firm
(``firm_id`` = legal code) with the firm's city and industry. Several customs codes of one
survey firm that sold the same product to the same destination under the same trade mode are
merged (and counted).

``p1_panel``: one row per year x firm x HS6 x destination x trade mode with ``Distance``,
``Eco``, the six controls and the fixed-effect identifiers (firm_id, year, city, industry),
plus the attributes later tables split on. Rows missing any control are dropped (P1 reports one
N for all Table 1 columns, so the sample is the one with complete controls), counted per reason.

Tables 2-11 add (see :mod:`eq_assets.panels.p1_vars` and :mod:`eq_assets.instruments.p1`):
``Distance_1``, ``Distance_2`` (ratio distances), ``Eco_invent``, ``Eco_str``, ``Eco_manu``,
``Eco_apply``, ``Eco_factor``, the instruments ``IV_phone``, ``IV_post``, ``IV_patent`` and the
split variables ``ownership``, ``labour_intensive``, ``ip_protection_high``, ``firm_trade_class``
(firm-year attributes) and ``dest_development`` (destination). A missing attribute stays missing:
the row leaves only the columns that need it.
"""

from __future__ import annotations

import pandas as pd

from eq_assets.core.accounting import RowAccount
from eq_assets.core.sql import run_sql
from eq_assets.panels.controls import CONTROLS
from eq_assets.panels.p1_vars import DistanceRatioParams, distance_ratios, eco_variants

#: Firm-year attribute columns joined into p1_panel (from the p1_firm_attributes asset).
ATTRIBUTE_COLUMNS: tuple[str, ...] = (
    "IV_phone", "IV_post", "IV_patent", "ownership", "labour_intensive", "ip_protection_high", "firm_trade_class",
)

OBS_KEY = ("year", "firm_id", "hs6", "dest_code", "trade_mode")


def matched_exports(exports: pd.DataFrame, match: pd.DataFrame, firms: pd.DataFrame) -> tuple[pd.DataFrame, RowAccount]:
    acc = RowAccount(rows_in=len(exports), unit="observations")
    out = run_sql(
        """
        with j as (
            select e.*, m.legal_code as firm_id
            from e join m on e.year = m.year and e.customs_firm_code = m.customs_firm_code
        )
        select j.year, j.firm_id, j.hs6, j.dest_code, j.trade_mode,
               sum(j.value_usd) as value_usd, sum(j.quantity) as quantity,
               count(*)::BIGINT as n_customs_codes,
               any_value(f.city) as city, any_value(f.industry) as industry
        from j join f on j.year = f.year and j.firm_id = f.legal_code
        group by j.year, j.firm_id, j.hs6, j.dest_code, j.trade_mode
        order by j.firm_id, j.hs6, j.dest_code, j.trade_mode
        """,
        e=exports,
        m=match[["year", "customs_firm_code", "legal_code"]],
        f=firms[["year", "legal_code", "city", "industry"]],
    )
    n_matched = int(exports["customs_firm_code"].isin(match["customs_firm_code"]).sum())
    acc.drop("exporter_not_matched_to_survey", len(exports) - n_matched)
    acc.drop("merged_customs_codes_of_one_firm", n_matched - len(out))
    out["year"] = out["year"].astype("int64")
    return out, acc


def p1_panel(
    distance: pd.DataFrame,
    eco: pd.DataFrame,
    controls: pd.DataFrame,
    firms: pd.DataFrame,
    attributes: pd.DataFrame | None = None,
    development: pd.DataFrame | None = None,
    ratio_params: DistanceRatioParams = DistanceRatioParams(),
) -> tuple[pd.DataFrame, RowAccount, dict]:
    """Join distance observations with Eco, controls and firm attributes; drop incomplete rows.

    ``attributes`` (year, legal_code and :data:`ATTRIBUTE_COLUMNS`) and ``development``
    (dest_code, dest_development) add the Tables 7, 10, 11 columns; without them those columns
    are missing.
    """
    acc = RowAccount(rows_in=len(distance), unit="observations")
    ctrl = ", ".join(f'c."{c}"' for c in CONTROLS)
    eco_cols = [c for c in eco.columns if c not in ("year", "legal_code")]
    eco_sel = ", ".join(f'coalesce(x."{c}", 0) as "{c}"' for c in eco_cols)
    joined = run_sql(
        f"""
        select d.year, d.firm_id, d.hs6, d.dest_code, d.trade_mode, d.city, d.industry,
               f.province, f.reg_type, f.op_status,
               d.value_usd, d.quantity, d.quality, d.frontier, d."Distance",
               {eco_sel}, {ctrl}
        from d
        left join x on d.year = x.year and d.firm_id = x.legal_code
        left join c on d.year = c.year and d.firm_id = c.legal_code
        left join f on d.year = f.year and d.firm_id = f.legal_code
        order by d.firm_id, d.hs6, d.dest_code, d.trade_mode
        """,
        d=distance,
        x=eco,
        c=controls,
        f=firms[["year", "legal_code", "province", "reg_type", "op_status"]],
    )
    missing = joined[list(CONTROLS)].isna()
    extra = {f"missing_{c}": int(missing[c].sum()) for c in CONTROLS}
    incomplete = missing.any(axis=1)
    acc.drop("missing_control", int(incomplete.sum()))
    out = joined[~incomplete].reset_index(drop=True)
    out["year"] = out["year"].astype("int64")
    out = distance_ratios(eco_variants(out), ratio_params)
    if attributes is not None:
        a = attributes[["year", "legal_code", *ATTRIBUTE_COLUMNS]].rename(columns={"legal_code": "firm_id"})
        a = a.assign(year=a["year"].astype("int64"))
        out = out.merge(a, on=["year", "firm_id"], how="left", validate="many_to_one")
    else:
        for c in ATTRIBUTE_COLUMNS:
            out[c] = pd.NA
    if development is not None:
        out = out.merge(development[["dest_code", "dest_development"]], on="dest_code", how="left", validate="many_to_one")
    else:
        out["dest_development"] = pd.NA
    for c in ATTRIBUTE_COLUMNS + ("dest_development",):
        extra[f"missing_{c}"] = int(out[c].isna().sum())
    return out, acc, extra
