"""Tests of the synthetic world generator (eq_assets.synth; SPEC section 7), tiny scale only.

What is checked: byte-identical output for the same seed (and year by year, in any order);
headers and code formats of every raw file against the contract; the truth table; the rates of
the defects the cleaning must handle; the structural relations on the generator's own latent
frame (CES identity, digital patents and Eco, independence of controls and Eco within firms);
and refusing to write into a non-empty directory.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import fields
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eq_assets.settings import P1_YEARS, P2_YEARS
from eq_assets.sources.contract import (
    ASIF, CITY_PANEL, COUNTRY_CODES, HS_CONCORDANCE, CUSTOMS, FLOW_EXPORT, FLOW_IMPORT, OP_STATUS_ABNORMAL, PATENT_TYPES, PATENTS,
    TRADE_MODES,
)
from eq_assets.synth import (
    CONTROL_NAMES, OutputDirNotEmpty, WorldParams, build_world, generate, simulate_year, truth_table,
)
from eq_assets.synth.__main__ import main as cli_main
from eq_assets.synth.catalog import DIGITAL_IPC, INDUSTRIES, is_digital_code
from eq_assets.synth.names import normalize
from eq_assets.sources.contract import DIGITAL_IPC as DIGITAL_IPC_SOURCE
from eq_assets.sources.contract_p1 import P1_SOURCES
from eq_assets.synth.population import KIND_SURVEY

#: sources this branch's world writes: the base contract and P1's (contract_p2.P2_SOURCES are
#: written by the P2 world, developed on another branch, and are not checked here)
WRITTEN_SOURCES = (CUSTOMS, ASIF, PATENTS, DIGITAL_IPC_SOURCE, CITY_PANEL, HS_CONCORDANCE, COUNTRY_CODES, *P1_SOURCES)

SEED = 7
INTERMEDIARY = ("进出口", "贸易", "经贸", "科贸", "外经")


def _digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def world_dir(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("synth") / "raw"
    return out, generate(out, scale="tiny", seed=SEED, latent=True)


@pytest.fixture(scope="module")
def tiny_world():
    return build_world(WorldParams.for_scale("tiny", SEED))


@pytest.fixture(scope="module")
def draws(tiny_world):
    return {y: simulate_year(tiny_world, y) for y in P1_YEARS}


def _read(root: Path, rel: str) -> pd.DataFrame:
    return pd.read_csv(root / rel, dtype=str, keep_default_na=False)


# --- determinism -------------------------------------------------------------------------------

def test_same_seed_same_bytes(world_dir, tmp_path):
    """Same seed, same bytes (truth.csv and the latent files included), also when the years are
    drawn in two worker processes (world_dir draws them in one: the default at tiny)."""
    root, _ = world_dir
    again = tmp_path / "again"
    summary = generate(again, scale="tiny", seed=SEED, latent=True, workers=2)
    assert _digest(root) == _digest(again)
    assert summary["files"] == world_dir[1]["files"] and summary["digital_patents"] == world_dir[1]["digital_patents"]


def test_years_are_order_independent(world_dir, tmp_path):
    root, _ = world_dir
    one = tmp_path / "one_year"
    generate(one, scale="tiny", seed=SEED, years=(2010,))
    for rel in (CUSTOMS.path_for(2010), ASIF.path_for(2010)):
        assert (one / rel).read_bytes() == (root / rel).read_bytes(), rel


def test_other_seed_differs(world_dir, tmp_path):
    root, _ = world_dir
    other = tmp_path / "other"
    generate(other, scale="tiny", seed=SEED + 1, years=(2004,))
    assert (other / CUSTOMS.path_for(2004)).read_bytes() != (root / CUSTOMS.path_for(2004)).read_bytes()


# --- files against the contract ------------------------------------------------------------------

def test_headers_equal_contract(world_dir):
    root, summary = world_dir
    for source in WRITTEN_SOURCES:
        paths = [source.path_for(y) for y in P1_YEARS] if source.yearly else [source.path_for()]
        for rel in paths:
            with open(root / rel, encoding="utf-8") as fh:
                header = fh.readline().rstrip("\n").split(",")
            assert header == list(source.columns), rel
            assert summary["files"][rel] > 0


def test_codes_keep_leading_zeros_and_vocabularies(world_dir):
    root, _ = world_dir
    c = _read(root, CUSTOMS.path_for(2005)).rename(columns=CUSTOMS.columns)
    ok = c[(c["hs8"] != "") & (c["dest_code"] != "")]
    assert ok["hs8"].str.fullmatch(r"\d{8}").all()
    assert ok["dest_code"].str.fullmatch(r"\d{3}").all()
    assert c["customs_firm_code"].str.fullmatch(r"\d{10}").all()
    assert c["zip"].str.fullmatch(r"\d{6}").all()
    assert set(c["flow"]) == {FLOW_EXPORT, FLOW_IMPORT}
    assert set(c["trade_mode"]) <= set(TRADE_MODES)
    assert c["month"].astype(int).between(1, 12).all()
    assert ok["hs8"].str.startswith("0").any()  # chapter 03 fish keeps its zero
    a = _read(root, ASIF.path_for(2005)).rename(columns=ASIF.columns)
    assert a["legal_code"].str.fullmatch(r"\d{8}[\dX]").all()
    assert a["admin_code"].str.fullmatch(r"\d{6}").all()
    assert a["cic"].str.fullmatch(r"\d{4}").all()
    assert set(a["op_status"]) <= {"营业", *OP_STATUS_ABNORMAL}
    p = _read(root, PATENTS.path_for()).rename(columns=PATENTS.columns)
    assert p["application_no"].is_unique
    assert p["application_no"].str.fullmatch(r"CN20(0[4-9]|1[0-9])[123]\d{8}").all()
    assert set(p["patent_type"]) <= set(PATENT_TYPES)
    d = _read(root, "reference/digital_ipc_2023.csv")
    assert "0101" in set(d["数字经济核心产业代码"])
    assert set(d["数字经济核心产业代码"].str[:2]) == {"01", "02", "03", "04"}


def test_hs_concordance_covers_customs_codes(world_dir):
    root, _ = world_dir
    conc = _read(root, "reference/hs_concordance.csv")
    assert set(conc["版本"]) == {"HS2002", "HS2007", "HS2012"}
    for v, g in conc.groupby("版本"):
        assert g["HS6"].is_unique and g["HS2002"].is_unique, v  # one-to-one
    assert (conc["HS6"] != conc["HS2002"]).sum() > 10  # some codes renumbered
    for year, version in ((2005, "HS2002"), (2009, "HS2007"), (2013, "HS2012")):
        c = _read(root, CUSTOMS.path_for(year))
        hs6 = set(c.loc[c["产品编码"] != "", "产品编码"].str[:6])
        assert hs6 <= set(conc.loc[conc["版本"] == version, "HS6"]), year
    # renumbered codes do show up in their new form
    new07 = set(conc.loc[(conc["版本"] == "HS2007") & (conc["HS6"] != conc["HS2002"]), "HS6"])
    c09 = _read(root, CUSTOMS.path_for(2009))
    assert new07 & set(c09["产品编码"].str[:6])


def test_truth_table(world_dir):
    root, _ = world_dir
    t = pd.read_csv(root / "truth.csv", dtype={"column": str, "table": str, "variant": str}, keep_default_na=False,
                    na_values={"true_value": [""]})
    assert list(t.columns) == ["paper", "table", "column", "term", "true_value", "basis", "variant"]
    assert not t.duplicated(["paper", "table", "column", "term", "variant"]).any()  # P2 variants share keys
    t = t[t["paper"] == "P1"]  # P2: P2's oracle rows are tested in test_synth_p2.py
    assert set(t["basis"]) == {"oracle", "structural"}
    assert t["true_value"].notna().all()
    params = json.loads((root / "params.json").read_text(encoding="utf-8"))["params"]
    # structural: each 2-digit industry's elasticities under the TFP asset's keys ("LP:<cic2>");
    # several technologies, so no pooled "LP"/"ACF" truth
    tfp = t[t["table"] == "TFP"].set_index(["column", "term"])["true_value"]
    el = params["industry_elasticities"]
    assert set(el) == {c[0][:2] for c in INDUSTRIES} and len({tuple(v) for v in el.values()}) > 1
    for code, (b_l, b_k) in el.items():
        assert tfp[(f"LP:{code}", "ln_l")] == b_l == tfp[(f"ACF:{code}", "ln_l")]
        assert tfp[(f"LP:{code}", "ln_k")] == b_k == tfp[(f"ACF:{code}", "ln_k")]
    assert len(tfp) == 4 * len(el) and ("LP", "ln_l") not in tfp.index
    assert (t.loc[t["table"] == "TFP", "basis"] == "structural").all()
    one = truth_table(WorldParams.for_scale("tiny", SEED, industry_elasticities={}))  # one technology
    assert ("LP", "ln_l") in set(zip(one["column"], one["term"])) and len(one) == 4 * len(el) + 4
    # oracle: the Eco row of every estimated column of Tables 1-11 and of every variant
    from eq_assets.regressions.specs_p1 import P1_SPECS

    o = t[t["basis"] == "oracle"]
    assert {(s.table, s.column, s.variant) for s in P1_SPECS} == set(zip(o["table"], o["column"], o["variant"]))
    o = o[o["variant"] == ""]
    have = set(zip(o["table"], o["column"], o["term"]))
    for col in "1234":
        assert ("1", col, "Eco") in have and ("5", col, "Eco") in have
    for col in "123456":
        assert ("2", col, "Eco") in have
        assert ("6", col, {"1": "Eco_manu", "2": "Eco_manu", "3": "Eco_apply", "4": "Eco_apply"}.get(col, "Eco_factor")) in have
        assert ("4", col, "Eco_invent" if col in "123" else "Eco_str") in have
    assert {("7", c, "Eco") for c in "246"} <= have
    assert {("3", c, "Eco") for c in "1234"} | {("8", c, "Eco") for c in "123456"} | {("9", c, "Eco") for c in "1234"} <= have
    # Eco raises TFP, citations and variety (Table 8 (1), (5); Table 9 (3)) and knowledge breadth
    tv = o.set_index(["table", "column"])["true_value"]
    assert tv[("8", "1")] > 0 and tv[("8", "5")] > 0 and tv[("9", "3")] > 0 and tv[("9", "1")] > 0
    # OLS oracle of Table 1 is negative (digital patents bring products closer to the frontier)
    assert (o[(o["table"] == "1")]["true_value"] < 0).all()


def test_scales_change_only_size():
    a, b = WorldParams.for_scale("tiny", 1), WorldParams.for_scale("paper", 1)
    differ = {f.name for f in fields(WorldParams) if getattr(a, f.name) != getattr(b, f.name)}
    assert differ == {"scale", "n_survey_firms"}
    with pytest.raises(TypeError):
        WorldParams.for_scale("tiny", 1, no_such_param=1)


def test_tiny_size_in_target_range(world_dir):
    _, s = world_dir
    assert 10_000 <= s["expected_p1_observations"] <= 20_000
    # (generation time is measured by `make bench`, not asserted: timed tests are flaky on shared CI)


# --- defects -----------------------------------------------------------------------------------------

def test_customs_defect_rates(world_dir):
    root, _ = world_dir
    c = pd.concat([_read(root, CUSTOMS.path_for(y)) for y in P1_YEARS]).rename(columns=CUSTOMS.columns)
    exports = c[c["flow"] == FLOW_EXPORT]
    assert 0.07 < (c["flow"] == FLOW_IMPORT).sum() / len(exports) < 0.13
    missing = (exports[["firm_name", "hs8", "dest_code"]] == "").any(axis=1)
    assert 0.002 < missing.mean() < 0.012
    inter = exports["firm_name"].str.contains("|".join(INTERMEDIARY))
    assert 0.02 < inter.mean() < 0.2
    e = exports[~missing & ~inter].astype({"quantity": float, "value_usd": float})
    obs = e.groupby(["customs_firm_code", "hs8", "dest_code", "trade_mode", "year"])[["quantity", "value_usd"]].sum()
    small = (obs["value_usd"] < 50) | (obs["quantity"] < 1)
    assert 0.003 < small.mean() < 0.03
    assert (c.groupby(["customs_firm_code", "hs8", "dest_code", "trade_mode", "year"]).size() > 1).any()  # split shipments


def test_names_matching_defects(world_dir):
    root, _ = world_dir
    tf = _read(root, "truth_firms.csv")
    assert tf["customs_firm_code"].is_unique
    survey = tf[tf["legal_code"] != ""]
    kinds = survey["name_variant_kind"].value_counts(normalize=True)
    assert 0.2 < kinds.drop("exact").sum() < 0.5
    assert 0.01 < kinds.get("hard_phone_zip", 0) < 0.12
    direct = tf[tf["is_intermediary"] == "false"]
    assert 0.08 < (direct["legal_code"] == "").mean() < 0.25  # no survey match at all
    assert (tf.loc[tf["is_intermediary"] == "true", "legal_code"] == "").all()
    # survey names never contain intermediary keywords, and normalize to distinct names
    a = _read(root, ASIF.path_for(2010))
    names = a.drop_duplicates("法人代码")["企业名称"]
    assert not names.str.contains("|".join(INTERMEDIARY)).any()
    assert names.map(normalize).is_unique


def test_name_variants_normalize_except_hard(world_dir):
    root, _ = world_dir
    tf = _read(root, "truth_firms.csv").set_index("customs_firm_code")
    c = _read(root, CUSTOMS.path_for(2012)).rename(columns=CUSTOMS.columns)
    c = c[c["firm_name"] != ""].drop_duplicates("customs_firm_code")
    a = _read(root, ASIF.path_for(2012)).rename(columns=ASIF.columns).drop_duplicates("legal_code").set_index("legal_code")
    c = c.join(tf, on="customs_firm_code")
    c = c[c["legal_code"].isin(a.index)]
    s = a.loc[c["legal_code"]]
    same_norm = c["firm_name"].map(normalize).to_numpy() == s["firm_name"].map(normalize).to_numpy()
    hard = (c["name_variant_kind"] == "hard_phone_zip").to_numpy()
    assert same_norm[~hard].all() and not same_norm[hard].any()
    assert (c["phone"].to_numpy()[hard] == s["phone"].to_numpy()[hard]).all()
    assert (c["zip"].to_numpy() == s["zip"].to_numpy()).all()
    assert (c["firm_name"].to_numpy()[~hard] != s["firm_name"].to_numpy()[~hard]).mean() > 0.2


def test_survey_defect_rates(world_dir):
    root, _ = world_dir
    a = pd.concat([_read(root, ASIF.path_for(y)) for y in P1_YEARS]).rename(columns=ASIF.columns)
    assert a.duplicated(["legal_code", "year"]).sum() > 0
    assert 0.002 < a["op_status"].isin(OP_STATUS_ABNORMAL).mean() < 0.03
    assert 0.002 < (a["employees"] == "").mean() < 0.03
    assert 0.02 < (a["total_profit"].astype(float) <= 0).mean() < 0.1
    num = a[["total_assets", "fixed_assets", "current_assets", "total_liabilities", "current_liabilities"]].astype(float)
    assert (num["fixed_assets"] + num["current_assets"] <= num["total_assets"]).all()
    assert (num["current_liabilities"] <= num["total_liabilities"]).all()
    # entry and exit: firms are active over contiguous spans inside 2004-2014, some not all years
    span = a.groupby("legal_code")["year"].agg(["min", "max", "nunique"]).astype(int)
    assert (span["max"] - span["min"] + 1 == span["nunique"]).all()
    assert (span["nunique"] < len(P1_YEARS)).mean() > 0.3


# --- structure on the latent frame --------------------------------------------------------------

def _within(x: pd.Series, g: pd.Series) -> np.ndarray:
    return (x - x.groupby(g).transform("mean")).to_numpy()


def test_ces_identity_on_latent_frame(draws, tiny_world):
    """ln q + sigma ln p on cell dummies + ln lambda: slope sigma-1, nothing left (SPEC 3)."""
    p = tiny_world.params
    o = pd.concat([d.obs for d in draws.values()])
    o = o[o["defect"] == ""]
    cell = o["year"].astype(str) + "_" + o["product"].astype(str) + "_" + o["dest"].astype(str)
    y_true = _within(o["ln_q"] + p.sigma * o["ln_p"], cell)
    lam = _within(o["ln_lambda"], cell)
    slope = (lam @ y_true) / (lam @ lam)
    assert slope == pytest.approx(p.sigma - 1, abs=1e-9)
    assert np.abs(y_true - slope * lam).max() < 1e-8
    # the same identity on the written totals holds up to rounding of units and cents
    y_obs = _within(np.log(o["quantity"]) + p.sigma * np.log(o["value_usd"] / o["quantity"]), cell)
    slope_obs = (lam @ y_obs) / (lam @ lam)
    assert slope_obs == pytest.approx(p.sigma - 1, abs=2e-3)
    # prices rise with quality (alpha) and are not the quality measure themselves
    p2y = o["year"].isin(P2_YEARS).to_numpy()  # P2: prices carry no quality in 2010-2012
    lp = _within(o["ln_p"], cell)
    assert (lam[~p2y] @ lp[~p2y]) / (lam[~p2y] @ lam[~p2y]) == pytest.approx(p.alpha_price, abs=0.05)
    assert (lam[p2y] @ lp[p2y]) / (lam[p2y] @ lam[p2y]) == pytest.approx(p.p2_alpha_price, abs=0.05)


def test_quality_components(draws, tiny_world):
    """ln lambda = a + beta*Eco + controls + endog*v + theta + nu + e, exactly."""
    p = tiny_world.params
    o = pd.concat([d.obs for d in draws.values()])
    fy = pd.concat([d.firm_years for d in draws.values()])
    m = o.merge(fy[["year", "fid", *CONTROL_NAMES, "p2_effect"]], on=["year", "fid"])
    m = m[m["kind"] == KIND_SURVEY]
    ctrl = sum(p.gamma[k] * m[k] for k in CONTROL_NAMES)
    fyd = fy.set_index(["year", "fid"])
    dig = p.beta_eco * m["Eco"] + sum(p.beta_parts[k] * fyd.loc[list(zip(m["year"], m["fid"])), k].to_numpy() for k in p.beta_parts)
    assert np.allclose(dig, m["dig_effect"])
    rebuilt = m["a"] + dig + ctrl + p.endog_loading * m["v"] + m["theta"] + m["nu"] + m["e"]
    rebuilt = rebuilt + m["p2_effect"]  # P2: e-government terms, zero outside 2010-2012
    assert (m.loc[~m["year"].isin(P2_YEARS), "p2_effect"] == 0).all()
    assert np.allclose(rebuilt, m["ln_lambda"])


def test_eco_counts_digital_patents(draws, tiny_world):
    """Eco = ln(1 + digital patents filed by the firm in the year); digital = IPC in the table."""
    for year in (2006, 2013):
        d = draws[year]
        pats = d.patents
        assert all(any(is_digital_code(c) for c in s.split(";")) for s in pats.loc[pats["_digital"], "ipc_all"])
        assert not any(is_digital_code(c) for s in pats.loc[~pats["_digital"], "ipc_all"] for c in s.split(";"))
        n = pats[pats["_digital"] & (pats["_fid"] >= 0)].groupby("_fid").size()
        fy = d.firm_years.set_index("fid")
        assert (n.reindex(fy.index, fill_value=0) == fy["n_dig"]).all()
        assert np.allclose(fy["Eco"], np.log1p(fy["n_dig"]))
        # applicants of firm patents normalize to the firm's own name (first applicant)
        own = pats[pats["_fid"] >= 0]
        names = tiny_world.population.firms["name"].to_numpy()[own["_fid"].to_numpy()]
        first = own["applicant"].str.split(";").str[0]
        assert (first.map(normalize).to_numpy() == np.array([normalize(x) for x in names])).all()
        assert (first.to_numpy() != names).any()  # some spelling variants
    assert len({e for _, _, e in DIGITAL_IPC}) == len(DIGITAL_IPC)


def test_digital_patenting_shares(draws):
    fy = pd.concat([d.firm_years for d in draws.values()])
    s = fy[(fy["kind"] == KIND_SURVEY) & fy["exporting"]]
    ever = s.groupby("fid")["n_dig"].max() > 0
    assert 0.15 < ever.mean() < 0.40
    assert 0.5 < (s["n_dig"] == 0).mean() < 0.95
    # real within-firm variation among patenting firms
    pat = s[s["fid"].isin(ever[ever].index)]
    assert pat.groupby("fid")["Eco"].std().mean() > 0.2


def test_controls_within_firm_independent_of_eco(draws):
    fy = pd.concat([d.firm_years for d in draws.values()])
    s = fy[fy["kind"] == KIND_SURVEY]
    eco = _within(s["Eco"], s["fid"])
    eco = eco - pd.Series(eco).groupby(s["year"].to_numpy()).transform("mean").to_numpy()
    for k in CONTROL_NAMES:
        x = _within(s[k], s["fid"])
        x = x - pd.Series(x).groupby(s["year"].to_numpy()).transform("mean").to_numpy()
        # Eco has city- and industry-specific trends (the instruments' drivers) and Age a
        # firm-specific concave trend: a small within correlation remains (truths are oracle
        # values per column, so this only guards against a structural link)
        assert abs(np.corrcoef(eco, x)[0, 1]) < 0.12, k


def test_observations_per_firm_year(draws):
    o = pd.concat([d.obs for d in draws.values()])
    per = o[o["kind"] == KIND_SURVEY].groupby(["year", "fid"]).size().mean()
    assert 12 <= per <= 22


def test_table1_measured_vs_oracle(draws, tiny_world, world_dir):
    """P1 Table 1 from the written totals (oracle.latent_panel) is within 3 SE of the oracle
    truth (the same columns on ln lambda): measurement (rounding) changes nothing."""
    from eq_assets.synth.oracle import fit_table1, latent_panel

    root, _ = world_dir
    p = tiny_world.params
    panel = latent_panel(pd.concat([d.obs for d in draws.values()]), pd.concat([d.firm_years for d in draws.values()]), p)
    gap = (panel["quality"] - panel["quality_latent"]).abs()
    # rounding of the written totals: max was 1e-2 before P2 (P2 years have cost-only prices, so
    # some observations have small quantities whose rounding moves ln q more); the mean stays tiny
    # a handful of tiny-quantity observations move most; the bulk is at rounding precision
    assert gap.quantile(0.999) < 1e-2 and gap.max() < 0.1 and gap.mean() < 1e-3
    eco = fit_table1(panel).query("term == 'Eco'").set_index("column")
    t = pd.read_csv(root / "truth.csv", dtype={"column": str, "table": str})
    truth = t[(t["table"] == "1") & (t["term"] == "Eco") & (t["paper"] == "P1")].set_index("column")["true_value"]
    assert len(eco) == 4
    assert ((eco["estimate"] - truth.reindex(eco.index)).abs() < 3 * eco["std_error"]).all()
    assert (eco["estimate"] < 0).all()


def test_every_param_has_a_docstring():
    import ast
    import inspect

    from eq_assets.synth import params as mod

    body = next(n for n in ast.parse(inspect.getsource(mod)).body if isinstance(n, ast.ClassDef) and n.name == "WorldParams").body
    documented = {a.target.id for a, b in zip(body, body[1:]) if isinstance(a, ast.AnnAssign)
                  and isinstance(b, ast.Expr) and isinstance(b.value, ast.Constant) and isinstance(b.value.value, str)}
    assert documented == {f.name for f in fields(WorldParams)}


def test_endogeneity_hook():
    """endog_loading > 0: the unobserved shock v raises digital patenting and quality."""
    w = build_world(WorldParams.for_scale("tiny", SEED, endog_loading=0.8))
    d = simulate_year(w, 2012)
    fy = d.firm_years[d.firm_years["n_dig"] > 0]
    assert fy["v"].mean() > 0.2  # firm-years that patent had higher shocks
    o = d.obs[d.obs["kind"] == KIND_SURVEY]
    o = o.assign(ln_lambda=o["ln_lambda"] - d.firm_years.set_index("fid")["p2_effect"].reindex(o["fid"]).to_numpy())  # P2:
    assert np.allclose(o["ln_lambda"] - o["a"] - o["dig_effect"] - o["ctrl_effect"] - o["theta"] - o["nu"] - o["e"], 0.8 * o["v"])


# --- output directory ----------------------------------------------------------------------------------

def test_refuses_non_empty_dir(tmp_path):
    out = tmp_path / "raw"
    out.mkdir()
    (out / "keep.txt").write_text("user file")
    with pytest.raises(OutputDirNotEmpty):
        generate(out, scale="tiny", seed=SEED, years=(2004,))
    assert cli_main(["--scale", "tiny", "--out", str(out), "--seed", str(SEED)]) == 1
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]
    generate(out, scale="tiny", seed=SEED, years=(2004,), force=True)
    assert (out / "keep.txt").exists() and (out / CUSTOMS.path_for(2004)).exists()


# --- P1 Tables 2-11: reference files, production, instruments (issue 3) ------------------------


def test_p1_reference_vocabularies_and_coverage(world_dir):
    from eq_assets.sources.contract_p1 import DEVELOPMENT_STATUS, P1_AGGREGATE_YEARS

    root, _ = world_dir
    dev = _read(root, "reference/country_development.csv")
    assert set(dev["发展程度"]) == set(DEVELOPMENT_STATUS)
    a = pd.concat([_read(root, ASIF.path_for(y)) for y in P1_YEARS]).rename(columns=ASIF.columns)
    assert a["op_status"].isin(OP_STATUS_ABNORMAL).any() and (a["op_status"] == "营业").mean() > 0.95
    c84 = _read(root, "reference/city_1984.csv")
    assert set(a["admin_code"].str[:4]) <= set(c84["城市代码"])
    ports = _read(root, "reference/province_internet_ports.csv")
    assert set(a["admin_code"].str[:2]) <= set(ports["省份代码"])
    assert set(ports["年份"].astype(int)) == set(P1_AGGREGATE_YEARS)
    fp = _read(root, "reference/foreign_patents.csv")
    ind = _read(root, "reference/industry_panel.csv")
    us = _read(root, "reference/us_industry_productivity.csv")
    for frame in (fp, ind, us):
        assert set(a["cic"].str[:2]) <= set(frame["行业代码"])
        assert frame["行业代码"].str.fullmatch(r"\d{2}").all()
    assert (ind.loc[ind["年份"] == "2004", "工业生产者出厂价格指数"].astype(float) == 100).all()
    hc = _read(root, "reference/hs6_cic.csv")
    conc = _read(root, "reference/hs_concordance.csv")
    assert set(conc["HS2002"]) == set(hc["HS6"]) and hc["行业代码"].str.fullmatch(r"\d{4}").all()
    cp = _read(root, "reference/country_panel.csv")
    assert set(cp["国别代码"]) == set(dev["国别代码"]) and set(cp["年份"].astype(int)) == set(P1_AGGREGATE_YEARS)
    ip = _read(root, "reference/city_ip_protection.csv")
    assert set(c84["城市代码"]) == set(ip["城市代码"])


def test_customs_aggregate_runs_to_2019_and_matches_customs(world_dir):
    from eq_assets.sources.contract_p1 import P1_AGGREGATE_YEARS

    root, _ = world_dir
    agg = _read(root, "customs_aggregate/customs_aggregate.csv")
    assert set(agg["年份"].astype(int)) == set(P1_AGGREGATE_YEARS)
    assert not agg.duplicated(["年份", "目的国(地区)", "产品编码", "贸易方式"]).any()
    assert agg["产品编码"].str.fullmatch(r"\d{6}").all() and set(agg["贸易方式"]) <= set(TRADE_MODES)
    c = _read(root, CUSTOMS.path_for(2010)).rename(columns=CUSTOMS.columns)
    e = c[c["flow"] == FLOW_EXPORT]
    total = e["value_usd"].astype(float).sum()
    a10 = agg.loc[agg["年份"] == "2010", "金额(美元)"].astype(float).sum()
    assert abs(a10 / total - 1) < 0.05  # the same exports (customs rows carry the small-value defects)
    # patents continue after the survey (Table 3's industry digital patents 2015-2019)
    p = _read(root, PATENTS.path_for())
    assert p["申请年份"].astype(int).max() == 2019


def test_patent_types_and_categories_match_eco_parts(draws):
    """Eco_invent, Eco_str, Eco_manu, Eco_apply, Eco_factor recomputed from the patent rows."""
    from eq_assets.synth.catalog import DIGITAL_IPC

    cat_of = [(e.replace(" ", ""), c[:2]) for c, _, e in DIGITAL_IPC]

    def cats(ipc_all: str) -> set[str]:
        out = set()
        for code in ipc_all.split(";"):
            c = code.replace(" ", "")
            out |= {k for e, k in cat_of if c.startswith(e)}
        return out

    d = draws[2012]
    pats = d.patents[d.patents["_digital"] & (d.patents["_fid"] >= 0)].copy()
    pc = pats["ipc_all"].map(cats)
    assert (pc.map(len) == 1).all()  # one category per digital patent
    pats["cat"] = pc.map(lambda s: next(iter(s)))
    fy = d.firm_years.set_index("fid")
    g = pats.groupby("_fid")
    n = lambda mask: mask.groupby(pats["_fid"]).sum().reindex(fy.index, fill_value=0)  # noqa: E731
    assert np.allclose(np.log1p(n(pats["patent_type"] == "发明")), fy["Eco_invent"])
    assert np.allclose(np.log1p(n(pats["patent_type"] != "发明")), fy["Eco_str"])
    for c, k in (("01", "Eco_manu"), ("03", "Eco_apply"), ("04", "Eco_factor")):
        assert np.allclose(np.log1p(n(pats["cat"] == c)), fy[k]), k
    assert g.size().sum() == fy["n_dig"].sum()


@pytest.fixture(scope="module")
def production_panel(world_dir):
    """The pipeline's TFP inputs from the written files (deflated by the cic2 PPI) + true omega."""
    root, _ = world_dir
    a = pd.concat([pd.read_csv(root / ASIF.path_for(y), dtype={"法人代码": str, "行业代码": str}) for y in P1_YEARS])
    a = a.rename(columns=ASIF.columns).drop_duplicates(["legal_code", "year"], keep="first")
    ind = pd.read_csv(root / "reference/industry_panel.csv", dtype={"行业代码": str}).rename(columns={"行业代码": "cic2", "年份": "year", "工业生产者出厂价格指数": "ppi"})
    a["cic2"] = a["cic"].str[:2]
    a = a.merge(ind[["cic2", "year", "ppi"]], on=["cic2", "year"], how="left")
    defl = a["ppi"] / 100.0
    a["ln_va"] = np.log(a["value_added"] / defl)
    a["ln_l"] = np.log(a["employees"])
    a["ln_k"] = np.log(a["fixed_assets"] / defl)
    a["ln_m"] = np.log(a["intermediate_input"] / defl)
    import duckdb

    lat = duckdb.sql(f"select legal_code, year, omega from read_parquet('{(root / 'latent' / 'firm_years.parquet').as_posix()}')").df()
    a = a.merge(lat[["legal_code", "year", "omega"]], on=["legal_code", "year"], how="left", validate="one_to_one")
    return a.dropna(subset=["ln_va", "ln_l", "ln_k", "ln_m", "omega"]).reset_index(drop=True)


@pytest.mark.parametrize("method", ["LP", "ACF"])
def test_tfp_recovers_production_function(production_panel, tiny_world, method):
    """LP / ACF per 2-digit industry on the written survey data recover that industry's beta_l,
    beta_k (3 SE); TFP tracks omega."""
    from eq_assets.mechanisms import ackerberg_caves_frazer, levinsohn_petrin, tfp_by_group
    from eq_assets.synth.production import industry_elasticities

    el = industry_elasticities(tiny_world.params)
    est = levinsohn_petrin if method == "LP" else ackerberg_caves_frazer
    g = tfp_by_group(production_panel, "cic2", estimator=est, min_obs=500, output="ln_va", free="ln_l", state="ln_k",
                     proxy="ln_m", firm="legal_code", year="year", bootstrap_reps=20, seed=1)
    own = [k for k in g.results if k != "other"]
    assert len(own) >= 2, g.members  # at SCALE=tiny: 39 and 40
    for code in own:
        res = g.results[code]
        assert res.converged
        for term, true in zip(("ln_l", "ln_k"), el[code]):
            assert abs(res.coef[term] - true) < 3 * res.se[term], (code, term, res.coef[term], res.se[term])
        assert res.ols_coef["ln_l"] > el[code][0]  # labour responds to omega: OLS is biased up
        m = (production_panel["cic2"] == code).to_numpy()
        assert np.corrcoef(g.ln_tfp[m], production_panel.loc[m, "omega"])[0, 1] > 0.9


@pytest.fixture(scope="module")
def small_firm_years():
    """Survey firm-years of a SCALE=small world (firm-year and patent draws only: a few seconds),
    with IV_patent computed by the pipeline's exposure SQL from the firms' patents."""
    from eq_assets.instruments.p1 import patent_exposure
    from eq_assets.synth.firmyear import firm_years
    from eq_assets.synth.oracle import firm_year_covariates
    from eq_assets.synth.patents import patent_rows
    from eq_assets.synth.reference import foreign_patents_ipc

    w = build_world(WorldParams.for_scale("small", SEED))
    out, pats = [], []
    for y in P1_YEARS:
        fy = firm_years(w.population, w.params, y, w.ref, w.production)
        cov = firm_year_covariates(fy, w.ref)
        s = fy[fy["kind"] == KIND_SURVEY]
        cov["nu"] = s["nu"].to_numpy()
        cov["dig_effect"] = s["dig_effect"].to_numpy()
        out.append(cov)
        pt = patent_rows(fy, w.population, w.params, y)
        pats.append(pt.loc[pt["_fid"] >= 0, ["_fid", "ipc_main", "_digital"]])
    d = pd.concat(out, ignore_index=True)
    pt = pd.concat(pats, ignore_index=True)
    ex = patent_exposure(pd.DataFrame({"year": d["year"].astype(int), "legal_code": d["fid"].astype(int)}),
                         pd.DataFrame({"legal_code": pt["_fid"], "ipc_main": pt["ipc_main"], "is_digital": pt["_digital"]}),
                         foreign_patents_ipc(w.ref))
    d = d.assign(year=d["year"].astype(int), legal_code=d["fid"].astype(int)).merge(ex, on=["year", "legal_code"], how="left")
    p = w.params
    # firm-year part of log quality, with and without the unobserved shock
    d["q_obs"] = d["dig_effect"] + p.endog_loading * d["v"] + d["nu"]
    d["q_causal"] = d["dig_effect"] + d["nu"]
    return d, p


def test_instruments_relevant_with_firm_and_year_fe(small_firm_years):
    import pyfixest as pf

    d, _ = small_firm_years
    t = {}
    for iv in ("IV_phone", "IV_post", "IV_patent", "IV_patent_industry"):
        fit = pf.feols(f"Eco ~ {iv} | fid + year", data=d, vcov={"CRV1": "fid"})
        t[iv] = float(fit.tstat()[iv])
    assert t["IV_patent"] > 10 and t["IV_patent_industry"] > 3, t
    assert t["IV_phone"] > 6 and t["IV_post"] > 6, t


def test_ols_biased_iv_recovers_causal_on_latent_firm_years(small_firm_years):
    """Firm-year quality on Eco: OLS is biased upwards (Distance: downwards) by the shock v;
    2SLS with the internet instrument gives the same as 2SLS on the shock-free quality."""
    import pyfixest as pf

    d, _ = small_firm_years
    ols = pf.feols("q_obs ~ Eco | fid + year", data=d, vcov={"CRV1": "fid"})
    ols_c = pf.feols("q_causal ~ Eco | fid + year", data=d, vcov={"CRV1": "fid"})
    bias = float(ols.coef()["Eco"] - ols_c.coef()["Eco"])
    assert bias > 3 * float(ols.se()["Eco"])
    for iv in ("IV_phone", "IV_patent"):
        iv_o = pf.feols(f"q_obs ~ 1 | fid + year | Eco ~ {iv}", data=d, vcov={"CRV1": "fid"})
        iv_c = pf.feols(f"q_causal ~ 1 | fid + year | Eco ~ {iv}", data=d, vcov={"CRV1": "fid"})
        se = float(iv_o.se()["Eco"])
        assert abs(float(iv_o.coef()["Eco"]) - float(iv_c.coef()["Eco"])) < 3 * se, iv
        assert abs(float(iv_o.coef()["Eco"]) - float(ols_c.coef()["Eco"])) < 3 * se, iv


def test_oracle_sample_is_what_the_customs_cleaning_keeps():
    """The oracles start from ``kept_by_cleaning``: on a year's written customs rows the pipeline's
    cleaning keeps exactly those observations (count and value). At SCALE=small some genuine
    observations fall below 50 USD or 1 unit, so the mask differs from "no defect" and the test
    can fail if either side changes its rule."""
    from eq_assets.cleaning.customs import clean_customs
    from eq_assets.synth.population import KIND_INTERMEDIARY
    from eq_assets.synth.reference import hs_concordance
    from eq_assets.synth.trade import kept_by_cleaning

    world = build_world(WorldParams.for_scale("small"))
    d = simulate_year(world, 2011)
    obs, acc, _ = clean_customs(d.customs.to_pandas(), hs_concordance(world.products), 2011)
    direct = d.obs[d.obs["kind"] != KIND_INTERMEDIARY]
    kept = direct[kept_by_cleaning(direct)]
    assert len(kept) < int((direct["defect"] == "").sum())  # genuine small observations exist
    assert len(obs) == len(kept)
    assert obs["value_usd"].sum() == pytest.approx(kept["value_usd"].sum(), rel=1e-12)
