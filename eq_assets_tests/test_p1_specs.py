"""P1 Tables 2-11 specifications: layout as printed, every column on its panel, named samples."""

from __future__ import annotations

import pandas as pd

from eq_assets.panels.schemas import P1Panel
from eq_assets.panels.schemas_p1 import P1FirmPanel, P1IndustryPanel, P1ObsPanel
from eq_assets.regressions.samples import get_sample
from eq_assets.regressions.specs import specs_for
from eq_assets.regressions.specs_p1 import P1_ALL_FE, P1_CONTROLS, P1_SPECS, P1_TITLES, P1_TWOWAY_FE

PANEL_MODELS = {"p1_panel": P1Panel, "p1_firm_panel": P1FirmPanel, "p1_industry_panel": P1IndustryPanel,
                "p1_obs_panel": P1ObsPanel}


def test_every_spec_column_is_a_column_of_its_panel_schema():
    for s in P1_SPECS:
        cols = set(PANEL_MODELS[s.panel].to_schema().columns)
        missing = [c for c in s.columns_needed if c not in cols]
        assert not missing, (s.key, missing)


def test_tables_2_to_11_declared_with_titles():
    for t in map(str, range(1, 12)):
        assert specs_for("P1", t)
        assert ("P1", t) in P1_TITLES
    published = [[s for s in specs_for("P1", str(t)) if not s.variant] for t in range(1, 12)]
    assert [len(x) for x in published] == [4, 6, 4, 6, 4, 6, 3, 6, 4, 6, 6]
    keys = [s.result_key for s in P1_SPECS]
    assert len(keys) == len(set(keys))  # (table, column, variant) unique


def test_table7_iv_layout():
    t7 = specs_for("P1", "7")
    assert [(s.column, s.first_stage_column, s.instruments, s.panel, s.variant) for s in t7] == [
        ("2", "1", ("IV_phone",), "p1_panel", ""), ("4", "3", ("IV_post",), "p1_panel", ""),
        ("6", "5", ("IV_patent",), "p1_obs_panel", ""),
        ("6", "5", ("IV_patent_industry",), "p1_panel", "industry_year")]
    for s in t7:
        assert s.estimator == "iv" and s.endogenous == ("Eco",) and s.controls == P1_CONTROLS
        assert s.fixed_effects == P1_TWOWAY_FE and s.depvar == "Distance"


def test_observation_level_columns_and_their_variants():
    """Table 2 cols 1-4 (ratio distances on standardized quality; exp scale as a variant), Table 8
    and Table 9 cols 3-4 on the export rows (firm-year grain as a variant); Table 9 cols 1-2 and
    Table 2 cols 5-6 on firm-years (P1's N: 445,087 and 502,577)."""
    by = {(s.table, s.column, s.variant): s for s in P1_SPECS}
    for c, y in (("1", "Distance_1"), ("2", "Distance_1"), ("3", "Distance_2"), ("4", "Distance_2")):
        assert (by[("2", c, "")].depvar, by[("2", c, "")].panel) == (y, "p1_obs_panel")
        assert (by[("2", c, "exp_scale")].depvar, by[("2", c, "exp_scale")].panel) == (f"{y}_exp", "p1_obs_panel")
    for t, cols in (("8", "123456"), ("9", "34")):
        for c in cols:
            assert by[(t, c, "")].panel == "p1_obs_panel"
            fy = by[(t, c, "firm_year")]
            assert fy.panel == "p1_firm_panel" and fy.depvar == by[(t, c, "")].depvar
            assert fy.fixed_effects == P1_ALL_FE and fy.controls == P1_CONTROLS
    for t, c in (("9", "1"), ("9", "2"), ("2", "5"), ("2", "6")):
        assert by[(t, c, "")].panel == "p1_firm_panel" and (t, c, "firm_year") not in by


def test_tables_4_and_6_layout():
    t4 = specs_for("P1", "4")
    assert [(s.regressors[0], bool(s.controls), len(s.fixed_effects)) for s in t4] == [
        ("Eco_invent", False, 2), ("Eco_invent", True, 2), ("Eco_invent", True, 4),
        ("Eco_str", False, 2), ("Eco_str", True, 2), ("Eco_str", True, 4)]
    t6 = specs_for("P1", "6")
    assert [(s.regressors[0], s.fixed_effects) for s in t6] == [
        ("Eco_manu", ()), ("Eco_manu", P1_ALL_FE), ("Eco_apply", ()), ("Eco_apply", P1_ALL_FE),
        ("Eco_factor", ()), ("Eco_factor", P1_ALL_FE)]


def test_samples():
    d = pd.DataFrame({
        "op_status": ["营业", "停业", "撤销", "筹建", None, "其他"],
        "ip_protection_high": pd.array([1, 0, None, 1, 0, 1], dtype="Int64"),
        "ownership": ["soe", "private", None, "foreign", "soe", "collective"],
        "labour_intensive": pd.array([1, 0, 1, None, 0, 1], dtype="Int64"),
        "firm_trade_class": ["pure_general", "pure_processing", "mixed", "mixed", None, "pure_general"],
        "dest_development": ["developed", "developing", "least_developed", None, "developed", "developing"],
    })
    m = lambda name: get_sample(name).mask(d).tolist()  # noqa: E731
    assert m("normal_status") == [True, False, False, False, True, True]
    assert m("ip_high") == [True, False, False, True, False, True]
    assert m("ip_low") == [False, True, False, False, True, False]
    assert m("soe") == [True, False, False, False, True, False]
    assert m("private") == [False, True, False, False, False, False]
    assert m("labour_intensive") == [True, False, True, False, False, True]
    assert m("capital_intensive") == [False, True, False, False, True, False]
    assert m("pure_general") == [True, False, False, False, False, True]
    assert m("pure_processing") == [False, True, False, False, False, False]
    assert m("mixed_trade") == [False, False, True, True, False, False]
    assert m("dest_developed") == [True, False, False, False, True, False]
    assert m("dest_developing") == [False, True, False, False, False, True]
    assert m("dest_least_developed") == [False, False, True, False, False, False]
