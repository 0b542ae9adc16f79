"""Cleaning customs records into export observations (SPEC section 2; P1 section III.3).

From monthly shipment rows to one observation per year x firm x HS6 product x destination x
trade mode, the unit of P1's analysis. Steps, each counted in the row account:

1. keep exports (``flow == 出口``);
2. drop rows missing a key (firm code or name, HS code, destination, trade mode, quantity, value);
3. drop trade intermediaries by firm-name keywords (Ahn, Khandelwal & Wei 2011);
4. drop HS codes that are not 8 digits;
5. harmonize HS6 to the base revision (HS2002) through the concordance, by the revision in force
   in the record's year (codes missing from the concordance are kept as they are, and counted);
6. aggregate shipments to observations (rows merged are counted as such);
7. drop observations with total value < ``min_value_usd`` or total quantity < ``min_quantity``
   (P1: "剔除...出口总额小于50美元和总数量小于1的企业样本").
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from eq_assets.core.accounting import RowAccount
from eq_assets.core.sql import count_sql, run_sql
from eq_assets.sources.contract import FLOW_EXPORT, TRADE_MODES

#: Firm-name keywords of trade intermediaries (Ahn, Khandelwal & Wei 2011, used by P1 and P2).
INTERMEDIARY_KEYWORDS: tuple[str, ...] = ("进出口", "经贸", "贸易", "科贸", "外经")

KEY = ("year", "customs_firm_code", "hs6", "dest_code", "trade_mode")


def hs_revision(year: int) -> str:
    """HS revision in force for Chinese customs records of ``year`` (HS2002/2007/2012)."""
    if year >= 2012:
        return "HS2012"
    if year >= 2007:
        return "HS2007"
    return "HS2002"


@dataclass(frozen=True)
class CustomsCleaningParams:
    """Named choices of the customs cleaning, defaults from P1 section III.3."""

    intermediary_keywords: tuple[str, ...] = INTERMEDIARY_KEYWORDS
    min_value_usd: float = 50.0
    min_quantity: float = 1.0


def clean_customs(
    raw: pd.DataFrame,
    hs_concordance: pd.DataFrame,
    year: int,
    params: CustomsCleaningParams = CustomsCleaningParams(),
) -> tuple[pd.DataFrame, RowAccount, dict]:
    """Clean one year's raw customs rows; returns (observations, row account, extra metadata)."""
    acc = RowAccount(rows_in=len(raw), unit="shipment rows, then observations")
    extra: dict = {}

    exports = raw[raw["flow"] == FLOW_EXPORT]
    acc.drop("import_or_other_flow", len(raw) - len(exports))

    key_cols = ["customs_firm_code", "firm_name", "hs8", "dest_code", "trade_mode", "quantity", "value_usd"]
    complete = exports.dropna(subset=key_cols)
    acc.drop("missing_key", len(exports) - len(complete))

    pattern = "|".join(params.intermediary_keywords)
    is_interm = complete["firm_name"].str.contains(pattern, regex=True) if pattern else False
    direct = complete[~is_interm] if pattern else complete
    acc.drop("trade_intermediary", len(complete) - len(direct))

    valid_hs = direct["hs8"].str.fullmatch(r"\d{8}")
    direct = direct[valid_hs]
    acc.drop("invalid_hs_code", int((~valid_hs).sum()))

    conc = hs_concordance[hs_concordance["hs_version"] == hs_revision(year)][["hs6", "hs6_base"]]
    modes = pd.DataFrame({"trade_mode_cn": list(TRADE_MODES), "trade_mode": list(TRADE_MODES.values())})
    extra["hs_revision"] = hs_revision(year)
    extra["hs6_not_in_concordance_kept"] = count_sql(
        "select count(*) from d anti join conc c on substr(d.hs8, 1, 6) = c.hs6", d=direct, conc=conc
    )
    obs = run_sql(
        """
        with s as (
            select d.*, coalesce(c.hs6_base, substr(d.hs8, 1, 6)) as hs6,
                   coalesce(m.trade_mode, 'other') as trade_mode_en
            from d left join conc c on substr(d.hs8, 1, 6) = c.hs6
                   left join modes m on d.trade_mode = m.trade_mode_cn
        )
        select ?::INTEGER as year, customs_firm_code, min(firm_name) as firm_name,
               min(phone) as phone, min(zip) as zip, hs6, dest_code, trade_mode_en as trade_mode,
               sum(value_usd) as value_usd, sum(quantity) as quantity, min(unit) as unit,
               count(distinct unit) > 1 as mixed_units, count(*)::INTEGER as n_shipments
        from s
        group by customs_firm_code, hs6, dest_code, trade_mode_en
        order by customs_firm_code, hs6, dest_code, trade_mode
        """,
        [year],
        d=direct,
        conc=conc,
        modes=modes,
    )
    acc.drop("merged_into_observations", len(direct) - len(obs))
    extra["observations_with_mixed_units"] = int(obs["mixed_units"].sum())
    obs = obs.drop(columns="mixed_units")

    small = (obs["value_usd"] < params.min_value_usd) | (obs["quantity"] < params.min_quantity)
    acc.drop("observation_value_or_quantity_below_minimum", int(small.sum()))
    obs = obs[~small].reset_index(drop=True)
    return obs, acc, extra
