"""P1 (Song & Hu 2024) regression specifications (SPEC section 4), one record per column.

P1 Table 1 (eq. 16 and Table 1)::

    Distance_ijmt = a0 + a1 Eco_it + Controls_it + mu_i + lambda_t (+ city + industry) + e_ijmt

(1) firm + year FE; (2) + city + industry FE; (3) firm + year FE + controls; (4) all four FE +
controls. SE clustered by firm (table note: "稳健标准误经过企业层面聚类处理", "下表统同": every
later firm-level table clusters by firm too).

Panels (asset names; every regressor, control, FE and sample column below is a column of one):

- ``p1_panel``: year x firm x HS6 x destination x trade mode, per year (Tables 1, 4-7, 10, 11).
- ``p1_obs_panel``: the same observations with what needs every year (:data:`P1_OBS_PANEL`):
  Distance_1/_2 on quality standardized within HS6 over all years (Table 2 cols 1-4), the
  firm-level IV_patent (Table 7 cols 5-6) and the firm-year outcomes on export rows (Table 8,
  Table 9 cols 3-4). P1 prints observation-level N for those (Table 8: 8,093,261 to 10,035,672;
  Table 9 col. 3: 9,621,760; 9,621,862 observations, 502,577 firm-years), so they are fitted
  on the export rows; the firm-year grain (better: one row per firm-year outcome) is the
  variant ``firm_year``.
- ``p1_firm_panel``: firm-year (Table 2 cols 5-6 ``Distance_q``: N 502,577; Table 9 cols 1-2
  ``Knowledge``: N 445,087, firm-years with cumulative filings).
- ``p1_industry_panel``: year x destination x HS6 x trade mode of the firm-anonymous customs
  aggregate, 2004-2017 by default (Table 3; the end year is a config of the panel).

Reading of the printed tables (each a constant below, with the evidence):

- Table 2: every column has controls; (2), (4), (6) add city and industry FE (table note).
- Table 3: (1) industry controls + individual (product x destination x trade mode) FE; (2) + year
  and industry FE; (3), (4) the same with the destination controls (table note). No firm exists
  at that level, so SEs are clustered by the individual (:data:`P1_T3_CLUSTER`).
- Table 4: for each of Eco_invent / Eco_str: no controls, controls, controls + city + industry FE
  (the Adj. R2 0.5682 / 0.5689 / 0.5691 repeat Table 1 cols 1, 3, 4).
- Table 5: Table 1 on the firms with a normal operating status (sample ``normal_status``).
- Table 6: (1), (3), (5) controls and no FE at all (Adj. R2 0.0055 vs 0.569 with FE); (2), (4),
  (6) controls and all four FE.
- Table 7: two-way FE (firm, year) and controls; odd columns the first stage (Eco on the
  instrument), even columns the 2SLS second stage, with KP rk LM and rk Wald F.
- Table 8 and 9: controls + all four FE (Table 8 note "本表增加了城市和行业固定效应，下表统同").
- Table 10: controls + all four FE, one subsample per column.
- Table 11: controls, one subsample per column, no FE: the printed Adj. R2 (0.006-0.024) are
  those of regressions without firm FE (compare Table 6's no-FE columns), despite the Table 8
  note (:data:`P1_T11_FE`).
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from eq_assets.regressions.samples import Sample, register_sample
from eq_assets.regressions.spec import RegressionSpec
from eq_assets.sources.contract import OP_STATUS_ABNORMAL

#: P1's firm-year controls (section III.2.3), in the paper's order.
P1_CONTROLS: tuple[str, ...] = ("Size", "Profit_rate", "Finance", "Age", "Tangible", "Leverage")
#: Two-way FE of every P1 table ("控制固定企业个体和固定时间的双向固定效应").
P1_TWOWAY_FE: tuple[str, ...] = ("firm_id", "year")
#: Two-way FE plus city and industry FE (Table 1 columns 2 and 4).
P1_ALL_FE: tuple[str, ...] = ("firm_id", "year", "city", "industry")
#: Cluster variable of the firm-level tables.
P1_VCOV = {"CRV1": "firm_id"}

#: Firm-year panel: Distance_q (Table 2 cols 5-6), Knowledge (Table 9 cols 1-2), firm-year variants.
P1_MECHANISM_PANEL = "p1_firm_panel"
#: All-years observation panel: Table 2 cols 1-4, Table 7 cols 5-6, Table 8, Table 9 cols 3-4.
P1_OBS_PANEL = "p1_obs_panel"
#: Variant names (results.csv column ``variant``; the table notes list them).
VARIANT_EXP_SCALE = "exp_scale"
VARIANT_INDUSTRY_IV = "industry_year"
VARIANT_FIRM_YEAR = "firm_year"
VARIANT_INDUSTRY_CLUSTER = "industry_cluster"
#: Table 3 panel (year x destination x HS6 x trade mode, customs aggregate 2004-2017 by default).
P1_INDUSTRY_PANEL = "p1_industry_panel"
#: Table 3 individual FE: product x destination x trade mode (the paper's "个体").
P1_T3_INDIVIDUAL = "cell_id"
#: Table 3 cluster variable: the individual (no firm at that level).
P1_T3_CLUSTER = {"CRV1": P1_T3_INDIVIDUAL}
#: Table 3 industry controls (P1 section IV.2.2: Fixasset, PPI, Firm, Sales).
P1_T3_INDUSTRY_CONTROLS: tuple[str, ...] = ("Fixasset", "PPI", "Firm", "Sales")
#: Table 3 destination controls (Country_market = ln GDP, Country_economic = GDP pc growth).
P1_T3_COUNTRY_CONTROLS: tuple[str, ...] = ("Country_market", "Country_economic")
#: Table 11 fixed effects (none: see the module docstring).
P1_T11_FE: tuple[str, ...] = ()

# ---- named samples (Tables 5, 10, 11) -------------------------------------------------------


def _normal_status(d: pd.DataFrame) -> pd.Series:
    # a missing status is not one of the abnormal states: kept
    return ~d["op_status"].isin(OP_STATUS_ABNORMAL)


def _is(column: str, value):
    def pred(d: pd.DataFrame) -> pd.Series:
        return d[column] == value

    pred.__name__ = f"{column}_is_{value}"
    pred.__qualname__ = pred.__name__
    return pred


def _register(name: str, description: str, column: str, value) -> str:
    register_sample(Sample(name, description, (column,), _PREDICATES.setdefault(name, _is(column, value))))
    return name


_PREDICATES: dict[str, object] = {}

SAMPLE_NORMAL_STATUS = register_sample(
    Sample(
        "normal_status",
        "P1 Table 5: drop firm-years whose operating status (营业状态) is 停业, 撤销 or 筹建 "
        "(contract OP_STATUS_ABNORMAL); a missing status is kept",
        ("op_status",),
        _normal_status,
    )
).name

#: Table 10 (1)/(2): city IP-protection index above / at-or-below the median of city-years.
SAMPLE_IP_HIGH = _register("ip_high", "P1 Table 10 (1): city IP protection above the median", "ip_protection_high", 1)
SAMPLE_IP_LOW = _register("ip_low", "P1 Table 10 (2): city IP protection at or below the median", "ip_protection_high", 0)
#: Table 10 (3)/(4): ownership from the registration type (see eq_assets.panels.p1_extra).
SAMPLE_SOE = _register("soe", "P1 Table 10 (3): state-owned firms (registration type 110/141/143/151)", "ownership", "soe")
SAMPLE_PRIVATE = _register("private", "P1 Table 10 (4): private firms (registration type 171-174)", "ownership", "private")
#: Table 10 (5)/(6): employees / total assets above / at-or-below the industry-year median.
SAMPLE_LABOUR = _register("labour_intensive", "P1 Table 10 (5): labour-intensive firm-years", "labour_intensive", 1)
SAMPLE_CAPITAL = _register("capital_intensive", "P1 Table 10 (6): capital/technology-intensive firm-years", "labour_intensive", 0)
#: Table 11 (1)-(3): the firm-year's trade-mode class.
SAMPLE_PURE_GENERAL = _register("pure_general", "P1 Table 11 (1): firm-years exporting only under general trade", "firm_trade_class", "pure_general")
SAMPLE_PURE_PROCESSING = _register("pure_processing", "P1 Table 11 (2): firm-years exporting only under processing trade", "firm_trade_class", "pure_processing")
SAMPLE_MIXED = _register("mixed_trade", "P1 Table 11 (3): firm-years exporting under both", "firm_trade_class", "mixed")
#: Table 11 (4)-(6): destination's UN development status.
SAMPLE_DEVELOPED = _register("dest_developed", "P1 Table 11 (4): developed destinations", "dest_development", "developed")
SAMPLE_DEVELOPING = _register("dest_developing", "P1 Table 11 (5): developing destinations", "dest_development", "developing")
SAMPLE_LDC = _register("dest_least_developed", "P1 Table 11 (6): least developed destinations", "dest_development", "least_developed")

# ---- Table 1 ----------------------------------------------------------------------------------

_P1_T1 = RegressionSpec(
    paper="P1", table="1", column="1", depvar="Distance", regressors=("Eco",),
    fixed_effects=P1_TWOWAY_FE, vcov=P1_VCOV, panel="p1_panel",
)

#: P1 Table 1, baseline (Distance on Eco).
P1_TABLE1: tuple[RegressionSpec, ...] = (
    _P1_T1,
    replace(_P1_T1, column="2", fixed_effects=P1_ALL_FE),
    replace(_P1_T1, column="3", controls=P1_CONTROLS),
    replace(_P1_T1, column="4", controls=P1_CONTROLS, fixed_effects=P1_ALL_FE),
)

# ---- Table 2: alternative distance measures ----------------------------------------------------

_T2 = replace(_P1_T1, table="2", controls=P1_CONTROLS, panel=P1_OBS_PANEL)
_T2_RATIOS = (
    replace(_T2, column="1", depvar="Distance_1"),
    replace(_T2, column="2", depvar="Distance_1", fixed_effects=P1_ALL_FE),
    replace(_T2, column="3", depvar="Distance_2"),
    replace(_T2, column="4", depvar="Distance_2", fixed_effects=P1_ALL_FE),
)
P1_TABLE2: tuple[RegressionSpec, ...] = _T2_RATIOS + (
    replace(_T2, column="5", depvar="Distance_q", panel=P1_MECHANISM_PANEL),
    replace(_T2, column="6", depvar="Distance_q", panel=P1_MECHANISM_PANEL, fixed_effects=P1_ALL_FE),
) + tuple(  # variant: the ratios on quality levels exp(quality) (the earlier reading)
    replace(s, depvar=f"{s.depvar}_exp", variant=VARIANT_EXP_SCALE) for s in _T2_RATIOS
)

# ---- Table 3: extended sample, year x destination x product x trade mode -----------------------

_T3 = RegressionSpec(
    paper="P1", table="3", column="1", depvar="Distance", regressors=("Eco",),
    controls=P1_T3_INDUSTRY_CONTROLS, fixed_effects=(P1_T3_INDIVIDUAL,), vcov=P1_T3_CLUSTER,
    panel=P1_INDUSTRY_PANEL,
)
_T3_COLS = (
    _T3,
    replace(_T3, column="2", fixed_effects=(P1_T3_INDIVIDUAL, "year", "industry")),
    replace(_T3, column="3", controls=P1_T3_INDUSTRY_CONTROLS + P1_T3_COUNTRY_CONTROLS),
    replace(_T3, column="4", controls=P1_T3_INDUSTRY_CONTROLS + P1_T3_COUNTRY_CONTROLS,
            fixed_effects=(P1_T3_INDIVIDUAL, "year", "industry")),
)
#: variant industry_cluster: SE clustered by the 2-digit industry, the level at which Eco (and the
#: industry controls) vary; the individual clusters treat each cell's copy of the industry-year as
#: independent information (few clusters: about 20 industries).
P1_TABLE3: tuple[RegressionSpec, ...] = _T3_COLS + tuple(
    replace(s, vcov={"CRV1": "industry"}, variant=VARIANT_INDUSTRY_CLUSTER) for s in _T3_COLS
)

# ---- Table 4: invention vs strategic (utility + design) digital patents ------------------------

_T4 = replace(_P1_T1, table="4")
#: (controls, FE) of each Table 4 column within a variable's block of three.
_T4_STEPS = (((), P1_TWOWAY_FE), (P1_CONTROLS, P1_TWOWAY_FE), (P1_CONTROLS, P1_ALL_FE))
P1_TABLE4: tuple[RegressionSpec, ...] = tuple(
    replace(_T4, column=str(3 * k + j + 1), regressors=(var,), controls=ctrl, fixed_effects=fe)
    for k, var in enumerate(("Eco_invent", "Eco_str"))
    for j, (ctrl, fe) in enumerate(_T4_STEPS)
)

# ---- Table 5: normal operating status only -----------------------------------------------------

P1_TABLE5: tuple[RegressionSpec, ...] = tuple(replace(s, table="5", sample=SAMPLE_NORMAL_STATUS) for s in P1_TABLE1)

# ---- Table 6: digital categories ---------------------------------------------------------------

_T6 = replace(_P1_T1, table="6", controls=P1_CONTROLS)
P1_TABLE6: tuple[RegressionSpec, ...] = tuple(
    replace(_T6, column=str(2 * k + j + 1), regressors=(var,), fixed_effects=fe)
    for k, var in enumerate(("Eco_manu", "Eco_apply", "Eco_factor"))
    for j, fe in enumerate(((), P1_ALL_FE))
)

# ---- Table 7: instruments (first stage in the odd column, 2SLS in the even one) ----------------

_T7 = replace(_P1_T1, table="7", controls=P1_CONTROLS)
_T7_IV = tuple(
    replace(_T7, column=str(2 * k + 2), estimator="iv", endogenous=("Eco",), instruments=(iv,),
            first_stage_column=str(2 * k + 1), panel=P1_OBS_PANEL if iv == "IV_patent" else "p1_panel")
    for k, iv in enumerate(("IV_phone", "IV_post", "IV_patent"))
)
#: Table 7 (5)-(6) read with the industry-year series (variant; see instruments.p1).
P1_TABLE7: tuple[RegressionSpec, ...] = _T7_IV + (
    replace(_T7_IV[2], instruments=("IV_patent_industry",), panel="p1_panel", variant=VARIANT_INDUSTRY_IV),
)

# ---- Table 8: frontier technology catch-up and spillovers (export rows) -------------------------

_T8 = replace(_P1_T1, table="8", controls=P1_CONTROLS, fixed_effects=P1_ALL_FE, panel=P1_OBS_PANEL)
_T8_COLS = tuple(
    replace(_T8, column=str(i + 1), depvar=y)
    for i, y in enumerate(("TFP", "DistTFP_CIC_CN", "DistTFP_US_CN", "DistLP_US_CN", "Patent_site", "Dist_site"))
)


def _firm_year(specs: tuple[RegressionSpec, ...]) -> tuple[RegressionSpec, ...]:
    """The firm-year-grain variant of observation-level mechanism columns."""
    return tuple(replace(s, panel=P1_MECHANISM_PANEL, variant=VARIANT_FIRM_YEAR) for s in specs)


P1_TABLE8: tuple[RegressionSpec, ...] = _T8_COLS + _firm_year(_T8_COLS)

# ---- Table 9: knowledge breadth (firm-year) and product variety (export rows) ------------------

_T9_COLS = tuple(
    replace(_T8, table="9", column=str(i + 1), depvar=y, panel=P1_MECHANISM_PANEL if i < 2 else P1_OBS_PANEL)
    for i, y in enumerate(("Knowledge", "Dist_knowledge", "Variety", "Dist_variety"))
)
P1_TABLE9: tuple[RegressionSpec, ...] = _T9_COLS + _firm_year(_T9_COLS[2:])

# ---- Tables 10 and 11: heterogeneity (one subsample per column) --------------------------------

_T10 = replace(_P1_T1, table="10", controls=P1_CONTROLS, fixed_effects=P1_ALL_FE)
P1_TABLE10: tuple[RegressionSpec, ...] = tuple(
    replace(_T10, column=str(i + 1), sample=s)
    for i, s in enumerate((SAMPLE_IP_HIGH, SAMPLE_IP_LOW, SAMPLE_SOE, SAMPLE_PRIVATE, SAMPLE_LABOUR, SAMPLE_CAPITAL))
)
_T11 = replace(_P1_T1, table="11", controls=P1_CONTROLS, fixed_effects=P1_T11_FE)
P1_TABLE11: tuple[RegressionSpec, ...] = tuple(
    replace(_T11, column=str(i + 1), sample=s)
    for i, s in enumerate((SAMPLE_PURE_GENERAL, SAMPLE_PURE_PROCESSING, SAMPLE_MIXED,
                           SAMPLE_DEVELOPED, SAMPLE_DEVELOPING, SAMPLE_LDC))
)

#: Every P1 specification, in table/column order.
P1_SPECS: tuple[RegressionSpec, ...] = (
    P1_TABLE1 + P1_TABLE2 + P1_TABLE3 + P1_TABLE4 + P1_TABLE5 + P1_TABLE6
    + P1_TABLE7 + P1_TABLE8 + P1_TABLE9 + P1_TABLE10 + P1_TABLE11
)

#: Titles used by the table renderers.
P1_TITLES: dict[tuple[str, str], str] = {
    ("P1", "1"): "Baseline: digital technology and the export quality distance",
    ("P1", "2"): "Alternative measures of the export quality distance",
    ("P1", "3"): "Extended sample 2004-2017: year-destination-product-trade mode level",
    ("P1", "4"): "Excluding strategic behaviour: invention vs utility/design digital patents",
    ("P1", "5"): "Excluding firms with an abnormal operating status",
    ("P1", "6"): "Digital technology subcategories",
    ("P1", "7"): "Instrumental variables (2SLS)",
    ("P1", "8"): "Mechanisms: frontier technology catch-up and digital spillovers",
    ("P1", "9"): "Mechanisms: independent innovation and product range",
    ("P1", "10"): "Heterogeneity: external environment and firm characteristics",
    ("P1", "11"): "Heterogeneity: trade mode and destination development",
}


_BASE = ("Observations: year x firm x HS6 x destination x trade mode, 2004-2014, matched exporters with "
         "complete controls; quality: KSW residual on product x destination x year FE (eq. 20-21), sigma = 3 "
         "(P1 silent; P2's value), singleton cells dropped; Distance = 4-digit industry-year maximum quality "
         "- quality (eq. 22). Singleton FE groups dropped (reghdfe's rule; paper silent).")

#: Table notes: FE, cluster, sample and every choice where P1 is silent (rendered under each table).
P1_NOTES: dict[tuple[str, str], str] = {
    ("P1", "1"): "FE: firm and year; columns (2) and (4) add city and 4-digit industry. SE clustered by firm "
                 "(P1 Table 1 note). " + _BASE,
    ("P1", "2"): "All columns with controls; FE firm and year, (2), (4), (6) add city and industry; SE clustered by "
                 "firm. (1)-(4): Distance_1 = F / q and Distance_2 = (F - q) / F on P1's standardized quality, "
                 "min-max within HS6 over all firms, destinations and years (Shi 2014, as P2 and Distance_q), F its "
                 "industry-year maximum (P1's Distance_2 has Distance's coefficient, SE and R2, which a [0, 1] scale "
                 "gives); Distance_1 is undefined at standardized quality 0 (each product's lowest observation: those "
                 "rows leave (1)-(2)). (5)-(6): Distance_q on firm-years (standardized quality, value-weighted, "
                 "industry-year maximum minus own; P1's N 502,577). Variant exp_scale: (1)-(4) on quality levels "
                 "exp(quality). " + _BASE,
    ("P1", "3"): "Firm-anonymous customs aggregate, year x destination x HS6 x trade mode, 2004-2017: P1 names no "
                 "end year; the extension must run past 2016 (customs firm ids end then) and 2017 is the last year "
                 "with industry fixed-asset investment levels in the yearbooks (config last_year). Quality: KSW on "
                 "the aggregate flows with product x destination x year FE, sigma = 3, singletons dropped; frontier: "
                 "2-digit industry-year maximum. Eco = ln(1 + digital patents of applicants matched to survey firms, "
                 "2-digit industry of the firm's last survey year, application year). FE: the individual (product x "
                 "destination x trade mode); (2) and (4) add year and industry. SE clustered by the individual "
                 "(paper silent; Eco varies by industry-year only, which these SEs do not reflect: variant "
                 "industry_cluster clusters by the 2-digit industry). "
                 "Country_economic: GDP per capita growth in percent (P1: its log, undefined when growth < 0).",
    ("P1", "4"): "Eco_invent: digital invention patents; Eco_str: digital utility models + designs. For each: no "
                 "controls / controls / controls with city and industry FE; firm and year FE throughout; SE "
                 "clustered by firm. " + _BASE,
    ("P1", "5"): "Table 1 on firm-years whose operating status (营业状态) is not 停业, 撤销 or 筹建; a missing status "
                 "is kept. FE and SE as Table 1. " + _BASE,
    ("P1", "6"): "Digital patents by 2021 category (a patent's category from its digital IPC codes): 01 product "
                 "manufacturing, 03 technology application, 04 factor-driven (02 not reported, as in P1). Controls "
                 "throughout; (1), (3), (5) without FE (P1's Adj. R2 0.0055), (2), (4), (6) with firm, year, city "
                 "and industry FE; SE clustered by firm. " + _BASE,
    ("P1", "7"): "2SLS with firm and year FE and controls, SE clustered by firm; odd columns the first stage. "
                 "IV_phone / IV_post: the city's 1984 fixed telephones / post offices x the province's internet "
                 "ports of the year (levels). IV_patent (source WIPO; P1 gives no level): the firm's exposure, the "
                 "mean of the year's ln foreign-origin filings in China over the IPC subclasses of its patents "
                 "(sample years), weighted by its patents' shares; 0 for firms without patents (constant, absorbed "
                 "by the firm FE). Variant industry_year: ln foreign filings of the firm's 2-digit industry-year "
                 "(it moves the industry-year frontier of Distance too). " + _BASE,
    ("P1", "8"): "Firm-year outcomes regressed on the firm-year's export rows (P1's N 8.09M-10.04M are observation "
                 "counts); firm, year, city and industry FE, controls, SE clustered by firm. TFP: Levinsohn-Petrin "
                 "per 2-digit industry on deflated value added (PPI of the industry; paper silent beyond 'LP'); "
                 "DistTFP_CIC_CN = exp(industry-year max ln TFP - ln TFP); DistTFP_US_CN = exp(US industry ln TFP - "
                 "ln TFP); DistLP_US_CN = US / own real value added per worker; Patent_site = ln(1 + forward "
                 "citations of the firm-year's patents, all types); Dist_site = industry-year maximum over the "
                 "panel's firm-years - own. Variant firm_year: one row per firm-year. P1's N of (5)-(6), 10,035,672, "
                 "exceeds its 9,621,862 observations (not reproduced; here the Table 1 rows).",
    ("P1", "9"): "(1)-(2) on firm-years with cumulative invention + utility filings (P1's N 445,087): Knowledge = 1 "
                 "- sum of squared shares of IPC main groups among the firm's filings since 2004. (3)-(4) on the "
                 "export rows (P1's N 9,621,760): Variety = number of HS6 products exported. Dist_* = industry-year "
                 "maximum over the panel's firm-years - own. Firm, year, city and industry FE, controls, SE clustered "
                 "by firm. Variant firm_year: (3)-(4) on one row per firm-year.",
    ("P1", "10"): "One subsample per column; firm, year, city and industry FE, controls, SE clustered by firm. IP "
                  "protection: the city's index above / at or below the median of cities that year. SOE: registration "
                  "types 110, 141, 143, 151; private: 171-174 (other types in neither). Labour-intensive: employees / "
                  "total assets above its industry-year median (韩国高等 2022). " + _BASE,
    ("P1", "11"): "One subsample per column; controls, no FE (P1's Adj. R2 0.006-0.024 are those of regressions "
                  "without firm FE, although its Table 8 note says FE carry over); SE clustered by firm. Trade class "
                  "of the firm-year from its export rows: pure general, pure processing (进料 or 来料加工), mixed; other "
                  "modes ignored. Destination: UN development status. " + _BASE,
}
