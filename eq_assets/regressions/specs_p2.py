"""P2 (Ma, Wang & Gong) regression specifications (SPEC section 5), one record per column.

Baseline (P2 eq. 8)::

    qua_it = a0 + a1 egscore_n_ct + a2 Control_it + sigma_i + sigma_t + e_it

on the ``p2_panel`` asset (one row per firm_id x year, 2010-2012; column names shared with the
synthetic world's oracle, ``prompts/p2_names.md``).

Choices the paper leaves open (each a named constant below, documented here):

* **Standard errors** (:data:`P2_VCOV`). Every table note says "括号中报告了基于稳健聚类标准误差的 P 值"
  (p-values from cluster-robust SEs) without naming the cluster. A firm-year panel with firm
  effects in Stata (``xtreg y x, fe vce(robust)``, the command the paper's "R2" and N point to,
  below) clusters on the panel identifier, the firm; and P2's p = 0.000 on a regressor that
  varies only by city-year with ~270 cities fits firm clusters far better than city clusters.
  So the published reading clusters by **firm** (CRV1 on ``firm_id``). Because egscore is a
  city-year regressor, firm clusters ignore the within-city correlation of the regressor and the
  common city shocks (Moulton 1990): every column of Tables 2-10 is also reported clustered by
  **city** as the variant ``city_cluster`` (:data:`P2_VCOV_CITY`; same point estimates).
* **R2**: P2's "R2" (0.0076 in Table 2 col. 2 with firm and year FE and no controls) is a within
  R2 (Stata ``xtreg, fe`` "R-sq within"); the tables print ``r2_within`` (the R2 without fixed
  effects in Table 2 col. 1); results.csv keeps ``adj_r2`` too (see reports/tables.py).
* **Singletons kept** (:data:`P2_FIXEF_RM` = "none"): P2 prints N = 191,754 both without and with
  firm FE (Table 2 cols. 1-2), so firms observed once stay in (``xtreg, fe`` keeps them; they
  add nothing to the slopes but count in N and in the within R2's degrees of freedom).
* **Samples**: N differs across the columns of Table 2 (191,754 without controls, 76,767 with),
  so each column uses every firm-year with its own variables non-missing (the engine drops
  incomplete rows and counts them); "full" is the whole panel.
* **Table 4 column 1** (``qua_price``): the export-value-weighted firm-year mean of the log unit
  value, not standardized (:func:`eq_assets.quality.p2.qua_price`; its 0.489 is ten times the
  0.046 of the [0, 1] qua and fits a log price); variant ``price_minmax`` = the log unit value
  min-max standardized within HS6 like qua (``qua_price_minmax``).
* **Table 4 column 3** (first differences): P2 "选择对政府数字化绩效与出口产品质量分别做差分以此作为
  变化量的回归" and ticks Controls YES / Fixed Effects YES. The published reading is the
  first-difference regression: ``D_qua`` on ``D_egscore`` and the differenced controls
  ``D_Con_*`` with year effects (differencing removes the firm effect, which is what the FE tick
  stands for; differences within firm between consecutive years). Controls in levels plus firm
  FE on a differenced equation would estimate a model with firm-specific trends; that reading is
  the variant ``fd_firm_trends``.
* **Table 5** keeps the paper's column numbers (5)-(8) (it continues Table 4 in the paper).
* **Table 6**: 2SLS, egscore instrumented. Columns 1-3 use the neighbour-city instruments
  ``egscore_size5/7/10`` on one common sample (the paper's N is 49,118 in all three): sample
  ``neighbour_iv`` = rows where all three neighbour instruments exist, i.e. firms in cities that
  are neither municipalities nor provincial capitals and have an eligible neighbour
  (:func:`eq_assets.instruments.neighbours.neighbour_iv`). Columns 4-5 use ``IV_int`` and ``IV_gov``
  on all rows where they exist (N 56,102 / 55,324 in the paper). The paper labels the coefficient
  rows of columns 1-3 by the instrument; the term here is ``egscore`` in every column and the
  table's "Instrument" row names each column's instrument. The paper prints no first stage; the
  pipeline reports it (egscore on the instrument, controls and FE, same sample) as results.csv
  column ``fs<k>`` of 2SLS column ``k`` (``first_stage_column``), printed as a "First stage" panel
  under the 2SLS coefficients, with the Kleibergen-Paap statistics as ``stat:`` rows under each
  2SLS column.
* **Interaction tables 7-10**: the printed rows are ``egscore`` and ``egscore_<x>`` (Table 10 also
  prints the main effect ``x``). The main effect of every moderator enters the model: as a printed
  regressor where the paper prints it (Table 10), otherwise as a control (Tables 7-9; a
  moderator that is constant within firm is absorbed by the firm FE and dropped as collinear).
  Without the main effect, a time-varying moderator (ln assets, SA index, ownership, trade mode)
  would load onto the interaction.
* Table 7 column 1 is the East subsample (sample ``east``), no interaction. **Column 3** is
  headed 智慧城市 (egscore x sma_city) but P2's text defines it: "根据城市是否实施电子政务相关政策...
  2010-2012年间共有 177 座城市陆续开展电子政务建设" -- the cities with local e-government policies
  in 2010-2012 (``egov_policy``, from the reference list ``egov_policy``); the smart-city pilots
  (first batch 2013, after the sample) are the variant ``smart_city_pilot``.
* **Table 8 column 1**: the moderator is P2's ``ind_type`` = 1 for labour-intensive industries: P2 prints egscore x
  ind_type = -0.017 and says the effect is stronger in capital-intensive industries, which holds
  only with ind_type = 1 for labour-intensive ones (:data:`eq_assets.panels.p2.IND_TYPE_DOC`);
  the capital-coded interaction is the variant ``capital_coded``.
* **Table 9 column 4**: ``gvc_top`` = top decile of the firm's upstreamness aggregated from its
  exported products ("将产品层面的 GVC 汇总到企业层面"); the firm's own industry's upstreamness is the
  variant ``gvc_industry`` (``gvc_top_industry``).
* **Table 10 column 4**: ``innov`` = the city's firm patent-application score of the PKU regional
  innovation and entrepreneurship index (the source P2 names; it is regional), variant
  ``innov_firm_patents`` = ln(1 + the firm's own patent applications).
"""

from __future__ import annotations

from dataclasses import replace

from eq_assets.regressions.samples import Sample, register_sample
from eq_assets.regressions.spec import RegressionSpec

#: The analysis panel every P2 table reads.
P2_PANEL = "p2_panel"

#: P2's controls (section 3.2.3; SPEC section 5), logs: firm wage, revenue, export delivery value;
#: city GDP per capita, number of industrial firms; province broadband users.
P2_CONTROLS: tuple[str, ...] = ("Con_wag", "Con_inc", "Con_exp", "Con_gdp", "Con_num", "Con_inf")

#: Extra controls of Table 4 column 4 (firm age, assets, input tariff, ownership, city college students).
P2_EXTRA_CONTROLS: tuple[str, ...] = ("Con_age", "Con_asset", "Con_tariff", "soe", "foreign", "Con_college")

#: Firm and year fixed effects (P2 eq. 8: sigma_i, sigma_t).
P2_FE: tuple[str, ...] = ("firm_id", "year")

#: Cluster-robust SEs by firm, the panel id (``xtreg, fe vce(robust)``; see the module docstring).
P2_VCOV: dict[str, str] = {"CRV1": "firm_id"}

#: The variant clustered by city, the level at which egscore varies (Moulton 1990).
P2_VCOV_CITY: dict[str, str] = {"CRV1": "city"}

#: Singletons kept: P2's N is the same with and without firm FE (Table 2 cols. 1-2).
P2_FIXEF_RM = "none"

#: Name of the city-clustered variant reported beside every column of Tables 2-10.
CITY_CLUSTER = "city_cluster"

#: Sub-indices used alone in Table 3 (P2 Table 3 order).
P2_SUBINDICES: tuple[str, ...] = ("idf", "enp", "tax", "int", "emp", "doc", "tra")

#: Neighbour-city instruments of Table 6 columns 1-3 (5, 7, 10 neighbours).
P2_NEIGHBOUR_INSTRUMENTS: tuple[str, ...] = ("egscore_size5", "egscore_size7", "egscore_size10")

#: Moderators of the heterogeneity tables (each enters as egscore_<x> = egscore * x).
P2_TABLE7_MODERATORS: tuple[str, ...] = ("coastal", "egov_policy", "ftz", "infra")
P2_TABLE8_MODERATORS: tuple[str, ...] = ("ind_type", "high_tech")
P2_TABLE9_MODERATORS: tuple[str, ...] = ("private", "ln_assets", "SA", "gvc_top", "general_trade")
P2_TABLE10_MECHANISMS: tuple[str, ...] = ("exit", "imp", "fdi", "innov")


def _eq1(col: str):
    return lambda d: d[col] == 1


def _eq0(col: str):
    return lambda d: d[col] == 0


# ---- named samples (registered once; re-registration with the same definition is a no-op) ----
# Predicates are module-level callables so that re-importing yields equal Sample records.
_east = _eq1("east")
_no_city = _eq0("city_changer")
_no_ind = _eq0("industry_changer")
_no_energy = _eq0("energy_raw")
_balanced = _eq1("balanced")


def _neighbour_iv(d):
    return d[list(P2_NEIGHBOUR_INSTRUMENTS)].notna().all(axis=1)


P2_SAMPLES: dict[str, Sample] = {
    s.name: register_sample(s)
    for s in (
        Sample("east", "P2 Table 7 (1): firms in eastern-region cities", ("east",), _east),
        Sample("no_city_change", "P2 Table 5 (5): firms that never change city in 2010-2012",
               ("city_changer",), _no_city),
        Sample("no_industry_change", "P2 Table 5 (6): firms that never change 4-digit industry in 2010-2012",
               ("industry_changer",), _no_ind),
        Sample("no_energy_raw", "P2 Table 5 (7): firms outside energy and raw-material industries",
               ("energy_raw",), _no_energy),
        Sample("balanced", "P2 Table 5 (8): firms observed in every year 2010-2012 (balanced panel)",
               ("balanced",), _balanced),
        Sample("neighbour_iv", "P2 Table 6 (1)-(3): cities with neighbour instruments (municipalities "
               "and provincial capitals dropped): all of egscore_size5/7/10 present",
               P2_NEIGHBOUR_INSTRUMENTS, _neighbour_iv),
    )
}

_BASE = RegressionSpec(
    paper="P2", table="2", column="3", depvar="qua", regressors=("egscore",), controls=P2_CONTROLS,
    fixed_effects=P2_FE, vcov=P2_VCOV, panel=P2_PANEL, fixef_rm=P2_FIXEF_RM,
)

#: Table 2, baseline: (1) no FE, no controls; (2) firm + year FE; (3) + controls.
P2_TABLE2: tuple[RegressionSpec, ...] = (
    replace(_BASE, column="1", controls=(), fixed_effects=()),
    replace(_BASE, column="2", controls=()),
    _BASE,
)

#: Table 3, one sub-index per column.
P2_TABLE3: tuple[RegressionSpec, ...] = tuple(
    replace(_BASE, table="3", column=str(i), regressors=(f"egscore_{s}",))
    for i, s in enumerate(P2_SUBINDICES, start=1)
)

#: The differenced controls of Table 4 column 3.
P2_DIFF_CONTROLS: tuple[str, ...] = tuple(f"D_{c}" for c in P2_CONTROLS)

_FD = replace(_BASE, table="4", column="3", depvar="D_qua", regressors=("D_egscore",), controls=P2_DIFF_CONTROLS,
              fixed_effects=("year",))

#: Table 4, robustness: other quality measures, first differences, extra controls.
P2_TABLE4: tuple[RegressionSpec, ...] = (
    replace(_BASE, table="4", column="1", depvar="qua_price"),
    replace(_BASE, table="4", column="2", depvar="qua_sub"),
    _FD,
    replace(_BASE, table="4", column="4", controls=P2_CONTROLS + P2_EXTRA_CONTROLS),
)

#: Table 5, samples (the paper numbers these columns (5)-(8)).
P2_TABLE5: tuple[RegressionSpec, ...] = tuple(
    replace(_BASE, table="5", column=str(c), sample=s)
    for c, s in zip((5, 6, 7, 8), ("no_city_change", "no_industry_change", "no_energy_raw", "balanced"))
)

_IV = replace(_BASE, table="6", estimator="iv", endogenous=("egscore",), instruments=("IV_int",))

#: Table 6, 2SLS: neighbour IV with 5 / 7 / 10 cities, work-report words, ruggedness x domains.
P2_TABLE6: tuple[RegressionSpec, ...] = (
    *(
        replace(_IV, column=str(i), instruments=(z,), sample="neighbour_iv", first_stage_column=f"fs{i}")
        for i, z in enumerate(P2_NEIGHBOUR_INSTRUMENTS, start=1)
    ),
    replace(_IV, column="4", instruments=("IV_int",), first_stage_column="fs4"),
    replace(_IV, column="5", instruments=("IV_gov",), first_stage_column="fs5"),
)


def _interaction(table: str, column: str, x: str, *, print_main: bool) -> RegressionSpec:
    regs = ("egscore", x, f"egscore_{x}") if print_main else ("egscore", f"egscore_{x}")
    ctrl = P2_CONTROLS if print_main else P2_CONTROLS + (x,)
    return replace(_BASE, table=table, column=column, regressors=regs, controls=ctrl)


#: Table 7, regional heterogeneity: (1) East subsample; (2)-(5) egscore x coastal / smart city /
#: FTZ province / digital infrastructure.
P2_TABLE7: tuple[RegressionSpec, ...] = (
    replace(_BASE, table="7", column="1", sample="east"),
    *(_interaction("7", str(i), x, print_main=False) for i, x in enumerate(P2_TABLE7_MODERATORS, start=2)),
)

#: Table 8, industry heterogeneity.
P2_TABLE8: tuple[RegressionSpec, ...] = tuple(
    _interaction("8", str(i), x, print_main=False) for i, x in enumerate(P2_TABLE8_MODERATORS, start=1)
)

#: Table 9, firm heterogeneity.
P2_TABLE9: tuple[RegressionSpec, ...] = tuple(
    _interaction("9", str(i), x, print_main=False) for i, x in enumerate(P2_TABLE9_MODERATORS, start=1)
)

#: Table 10, mechanisms (main effect printed).
P2_TABLE10: tuple[RegressionSpec, ...] = tuple(
    _interaction("10", str(i), x, print_main=True) for i, x in enumerate(P2_TABLE10_MECHANISMS, start=1)
)

#: The published readings (variant ""), in table/column order.
P2_PUBLISHED: tuple[RegressionSpec, ...] = (
    P2_TABLE2 + P2_TABLE3 + P2_TABLE4 + P2_TABLE5 + P2_TABLE6 + P2_TABLE7 + P2_TABLE8 + P2_TABLE9 + P2_TABLE10
)


def _column(table: str, column: str) -> RegressionSpec:
    return next(s for s in P2_PUBLISHED if (s.table, s.column) == (table, column))


#: Alternative readings of single columns (results.csv column ``variant``; not printed).
P2_READING_VARIANTS: tuple[RegressionSpec, ...] = (
    replace(_column("4", "1"), variant="price_minmax", depvar="qua_price_minmax"),
    replace(_column("4", "3"), variant="fd_firm_trends", controls=P2_CONTROLS, fixed_effects=P2_FE),
    replace(_interaction("7", "3", "smart_city", print_main=False), variant="smart_city_pilot"),
    replace(_interaction("8", "1", "capital_intensive", print_main=False), variant="capital_coded"),
    replace(_interaction("9", "4", "gvc_top_industry", print_main=False), variant="gvc_industry"),
    replace(_interaction("10", "4", "innov_patents", print_main=True), variant="innov_firm_patents"),
)

#: Every published column clustered by city (:data:`P2_VCOV_CITY`), variant ``city_cluster``.
P2_CITY_CLUSTER: tuple[RegressionSpec, ...] = tuple(
    replace(s, vcov=P2_VCOV_CITY, variant=CITY_CLUSTER) for s in P2_PUBLISHED
)

#: Every P2 specification: the published readings, then their variants.
P2_SPECS: tuple[RegressionSpec, ...] = P2_PUBLISHED + P2_READING_VARIANTS + P2_CITY_CLUSTER

#: Titles used by the table renderers.
P2_TITLES: dict[tuple[str, str], str] = {
    ("P2", "1"): "Descriptive statistics",
    ("P2", "2"): "Baseline: e-government and firm export quality",
    ("P2", "3"): "E-government sub-indices",
    ("P2", "4"): "Robustness I: other quality measures, first differences, extra controls",
    ("P2", "5"): "Robustness II: samples",
    ("P2", "6"): "Endogeneity: instrumental variables (2SLS)",
    ("P2", "7"): "Regional heterogeneity",
    ("P2", "8"): "Industry heterogeneity",
    ("P2", "9"): "Firm heterogeneity",
    ("P2", "10"): "Mechanisms",
}

#: Every panel column some P2 spec reads (the panel asset must provide all of them).
P2_SPEC_COLUMNS: tuple[str, ...] = tuple(dict.fromkeys(c for s in P2_SPECS for c in s.columns_needed))


#: Said under every P2 regression table (FE, cluster, R2, sample rule, outcome).
P2_COMMON_NOTE = (
    "Firm and year FE (P2 eq. 8) unless the FE rows say otherwise, singletons kept (P2's N is the same with and "
    "without firm FE). P2 names no cluster: firm clusters, as xtreg, fe vce(robust) (variant city_cluster: by "
    "city, where egscore varies). R2 = within R2 (P2's 0.0076 with FE and no controls is one; the ordinary R2 "
    "without FE). Each column uses every firm-year with its variables non-missing (P2's N differ by column). "
    "qua: quality min-max standardized within HS6 over 2010-2012, value-weighted to the firm-year (P2 eqs. 10-13)."
)

_CONTROLS_NOTE = ("Controls: ln average wage, ln revenue, ln export delivery value (firm), ln GDP per capita, "
                  "ln number of industrial firms (city), ln broadband users (province) (P2 section 3.2.3).")

#: Table notes: FE, cluster, sample and every choice where P2 is silent (rendered under each table;
#: see specs.TABLE_NOTES). The renderer adds the vcov, the samples and the variant names itself.
P2_NOTES: dict[tuple[str, str], str] = {
    ("P2", "2"): P2_COMMON_NOTE + " Column 1: no FE, with intercept. " + _CONTROLS_NOTE,
    ("P2", "3"): P2_COMMON_NOTE + " Each sub-index (0-1, China Software Testing Center website scores) alone with the "
                 "controls; housing and information disclosure enter egscore but are not printed, as in P2. " + _CONTROLS_NOTE,
    ("P2", "4"): P2_COMMON_NOTE + " (1) qua_price = value-weighted firm-year mean of ln unit value, not standardized "
                 "(P2 silent; its 0.489 fits a log price; variant price_minmax = min-max within HS6). (2) qua_sub = the "
                 "demand residual estimated by OLS without the price instrument (Shi 2013 reading; P2 gives no detail). "
                 "(3) first differences within firm between consecutive years: D.qua on D.egscore and the differenced "
                 "controls with year FE (differencing removes the firm FE; variant fd_firm_trends = levels controls + "
                 "firm FE, i.e. firm trends). (4) adds ln age, ln assets, the industry's input tariff, SOE (registration "
                 "type 110/141/143/151) and foreign (2xx/3xx) dummies, ln city college students. " + _CONTROLS_NOTE,
    ("P2", "5"): P2_COMMON_NOTE + " Columns keep P2's numbers (5)-(8). Changers: the city / 4-digit CIC differs between "
                 "the firm's survey years 2010-2012; energy and raw materials from the industry list; balanced = qua "
                 "in all three years. " + _CONTROLS_NOTE,
    ("P2", "6"): P2_COMMON_NOTE + " 2SLS, egscore instrumented. (1)-(3): ln mean egscore of the 5/7/10 same-province "
                 "cities closest in GDP (levels), municipalities and provincial capitals dropped, a province with fewer "
                 "eligible cities averages all it has, one common sample; (4) digital-economy word frequency of the "
                 "work report; (5) terrain ruggedness x ln province domain count. P2 prints no first stage; it is "
                 "reported under each column. " + _CONTROLS_NOTE,
    ("P2", "7"): P2_COMMON_NOTE + " (1) eastern-region cities only; (2)-(5) egscore x moderator, the moderator's main "
                 "effect as a control (absorbed by the firm FE where constant within firm). (3) = the cities with a "
                 "local e-government policy in 2010-2012 (北大法宝 list), as P2's text defines the column (its "
                 "header says 智慧城市; variant smart_city_pilot = the 2013+ smart-city pilots). FTZ provinces: "
                 "pilot FTZs of 2013-2015 (all after the sample; P2 silent). Digital infrastructure: province "
                 "broadband users above their 2010-2012 mean. " + _CONTROLS_NOTE,
    ("P2", "8"): P2_COMMON_NOTE + " (1) ind_type = 1 for labour-intensive industries (CIC divisions 13-24; capital-"
                 "intensive 25-43; P2 splits by industry name): with P2's sign (-0.017) and text (stronger in capital-"
                 "intensive industries) only this coding is consistent; variant capital_coded. (2) high-tech = NBS "
                 "high-tech manufacturing list. " + _CONTROLS_NOTE,
    ("P2", "9"): P2_COMMON_NOTE + " (1) private = registration type 17x; (2) ln total assets; (3) SA = -0.737 size + "
                 "0.043 size^2 - 0.040 age, size = ln assets in million yuan (P2 fn. 5; unit not stated); (4) top 10% "
                 "of the firm-year's upstreamness, its exported HS6 products' industry upstreamness (Antras et al. "
                 "2012) weighted by export value (P2: product level aggregated to the firm; variant gvc_industry = "
                 "the firm's own industry); (5) general trade over half of export value (P2 silent on the cut). "
                 "Moderators' main effects are controls. " + _CONTROLS_NOTE,
    ("P2", "10"): P2_COMMON_NOTE + " Main effects printed. (1) exit = share of the city x 2-digit-industry survey firms "
                  "of t-1 absent in t (P2: firm exit as competition proxy; cell level not stated); (2) imp = ln number "
                  "of HS6 exported; (3) fdi = ln actual FDI used by the city; (4) innov = the city's firm patent-"
                  "application score of the PKU regional innovation and entrepreneurship index (the source P2 names; "
                  "variant innov_firm_patents = ln(1 + the firm's patent applications)). " + _CONTROLS_NOTE,
}
