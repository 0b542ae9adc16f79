"""P1 (Song & Hu 2024) regression specifications (SPEC section 4), one record per column.

P1 Table 1 (eq. 16 and Table 1)::

    Distance_ijmt = a0 + a1 Eco_it + Controls_it + mu_i + lambda_t (+ city + industry) + e_ijmt

(1) firm + year FE; (2) + city + industry FE; (3) firm + year FE + controls; (4) all four FE +
controls. SE clustered by firm (table note: "稳健标准误经过企业层面聚类处理").
"""

from __future__ import annotations

from dataclasses import replace

from eq_assets.regressions.spec import RegressionSpec

#: P1's firm-year controls (section III.2.3), in the paper's order.
P1_CONTROLS: tuple[str, ...] = ("Size", "Profit_rate", "Finance", "Age", "Tangible", "Leverage")
#: Two-way FE of every P1 table ("控制固定企业个体和固定时间的双向固定效应").
P1_TWOWAY_FE: tuple[str, ...] = ("firm_id", "year")
#: Two-way FE plus city and industry FE (Table 1 columns 2 and 4).
P1_ALL_FE: tuple[str, ...] = ("firm_id", "year", "city", "industry")

_P1_T1 = RegressionSpec(
    paper="P1", table="1", column="1", depvar="Distance", regressors=("Eco",),
    fixed_effects=P1_TWOWAY_FE, vcov={"CRV1": "firm_id"}, panel="p1_panel",
)

#: P1 Table 1, baseline (Distance on Eco).
P1_TABLE1: tuple[RegressionSpec, ...] = (
    _P1_T1,
    replace(_P1_T1, column="2", fixed_effects=P1_ALL_FE),
    replace(_P1_T1, column="3", controls=P1_CONTROLS),
    replace(_P1_T1, column="4", controls=P1_CONTROLS, fixed_effects=P1_ALL_FE),
)

#: Every P1 specification, in table/column order.
P1_SPECS: tuple[RegressionSpec, ...] = P1_TABLE1

#: Titles used by the table renderers.
P1_TITLES: dict[tuple[str, str], str] = {
    ("P1", "1"): "Baseline: digital technology and the export quality distance",
}
