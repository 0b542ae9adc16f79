"""P2 (Ma, Wang & Gong) regression specifications (SPEC section 5), one record per column.

Baseline (P2 eq. 8)::

    qua_it = a0 + a1 egscore_n_ct + a2 Control_it + sigma_i + sigma_t + e_it

on the ``p2_panel`` asset (one row per firm_id x year, 2010-2012; column names shared with the
synthetic world's oracle, ``prompts/p2_names.md``).

Choices the paper leaves open (each a named constant below, documented here):

* **Standard errors** (:data:`P2_VCOV`). Every table note says "括号中报告了基于稳健聚类标准误差的 P 值"
  (p-values from cluster-robust SEs) without naming the cluster. The regressor of interest,
  egscore, varies at the city-year level only, so firm-level clustering would ignore the
  within-city correlation of the regressor and the common city shocks (Moulton 1990); the
  pipeline clusters by **city** (CRV1), the coarser of the two natural choices. The instruments of
  Table 6 are city-level too. Replace :data:`P2_VCOV` by ``{"CRV1": "firm_id"}`` for firm clusters.
* **Samples**: N differs across the columns of Table 2 (191,754 without controls, 76,767 with),
  so each column uses every firm-year with its own variables non-missing (the engine drops
  incomplete rows and counts them); "full" is the whole panel.
* **Table 4 column 3** (first differences): ``D_qua`` on ``D_egscore`` (differences within firm
  between consecutive years), with the controls (in levels) and firm + year FE, as the table
  prints "Controls YES, Fixed Effects YES".
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
* Table 7 column 1 is the East subsample (sample ``east``), no interaction.
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

#: Cluster-robust SEs by city (see the module docstring for why city, not firm).
P2_VCOV: dict[str, str] = {"CRV1": "city"}

#: Sub-indices used alone in Table 3 (P2 Table 3 order).
P2_SUBINDICES: tuple[str, ...] = ("idf", "enp", "tax", "int", "emp", "doc", "tra")

#: Neighbour-city instruments of Table 6 columns 1-3 (5, 7, 10 neighbours).
P2_NEIGHBOUR_INSTRUMENTS: tuple[str, ...] = ("egscore_size5", "egscore_size7", "egscore_size10")

#: Moderators of the heterogeneity tables (each enters as egscore_<x> = egscore * x).
P2_TABLE7_MODERATORS: tuple[str, ...] = ("coastal", "smart_city", "ftz", "infra")
P2_TABLE8_MODERATORS: tuple[str, ...] = ("capital_intensive", "high_tech")
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
    fixed_effects=P2_FE, vcov=P2_VCOV, panel=P2_PANEL,
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

#: Table 4, robustness: other quality measures, first differences, extra controls.
P2_TABLE4: tuple[RegressionSpec, ...] = (
    replace(_BASE, table="4", column="1", depvar="qua_price"),
    replace(_BASE, table="4", column="2", depvar="qua_sub"),
    replace(_BASE, table="4", column="3", depvar="D_qua", regressors=("D_egscore",)),
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

#: Every P2 specification, in table/column order.
P2_SPECS: tuple[RegressionSpec, ...] = (
    P2_TABLE2 + P2_TABLE3 + P2_TABLE4 + P2_TABLE5 + P2_TABLE6 + P2_TABLE7 + P2_TABLE8 + P2_TABLE9 + P2_TABLE10
)

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


#: Table notes: choices where P2 is silent (rendered under each table; see specs.TABLE_NOTES).
P2_NOTES: dict[tuple[str, str], str] = {}
