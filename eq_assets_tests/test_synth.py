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
    ALL_SOURCES, ASIF, CUSTOMS, FLOW_EXPORT, FLOW_IMPORT, OP_STATUS_ABNORMAL, PATENT_TYPES, PATENTS,
    TRADE_MODES,
)
from eq_assets.synth import (
    CONTROL_NAMES, OutputDirNotEmpty, WorldParams, build_world, generate, simulate_year,
)
from eq_assets.synth.__main__ import main as cli_main
from eq_assets.synth.catalog import DIGITAL_IPC, is_digital_code
from eq_assets.synth.names import normalize
from eq_assets.synth.population import KIND_SURVEY

SEED = 7
INTERMEDIARY = ("进出口", "贸易", "经贸", "科贸", "外经")


def _digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def world_dir(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("synth") / "raw"
    return out, generate(out, scale="tiny", seed=SEED)


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
    root, _ = world_dir
    again = tmp_path / "again"
    generate(again, scale="tiny", seed=SEED)
    assert _digest(root) == _digest(again)


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
    for source in ALL_SOURCES.values():
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
    assert p["application_no"].str.fullmatch(r"CN20(0[4-9]|1[0-4])[123]\d{8}").all()
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
    t = pd.read_csv(root / "truth.csv", dtype={"column": str, "table": str})
    assert list(t.columns) == ["paper", "table", "column", "term", "true_value", "basis"]
    assert not t.duplicated(["paper", "table", "column", "term"]).any()
    t = t[t["paper"] == "P1"]  # P2: P2's oracle rows are tested in test_synth_p2.py
    assert (t["basis"] == "structural").all() and (t["paper"] == "P1").all() and (t["table"] == "1").all()
    assert not t.duplicated(["paper", "table", "column", "term"]).any()
    params = json.loads((root / "params.json").read_text(encoding="utf-8"))["params"]
    eco = t[t["term"] == "Eco"].set_index("column")["true_value"]
    assert sorted(eco.index) == ["1", "2", "3", "4"]
    assert np.allclose(eco, -params["beta_eco"])
    for col in ("3", "4"):
        ctrl = t[(t["column"] == col) & (t["term"] != "Eco")].set_index("term")["true_value"]
        assert set(ctrl.index) == set(CONTROL_NAMES)
        assert all(np.isclose(ctrl[k], -params["gamma"][k]) for k in CONTROL_NAMES)


def test_scales_change_only_size():
    a, b = WorldParams.for_scale("tiny", 1), WorldParams.for_scale("paper", 1)
    differ = {f.name for f in fields(WorldParams) if getattr(a, f.name) != getattr(b, f.name)}
    assert differ == {"scale", "n_survey_firms"}
    with pytest.raises(TypeError):
        WorldParams.for_scale("tiny", 1, no_such_param=1)


def test_tiny_size_in_target_range(world_dir):
    _, s = world_dir
    assert 10_000 <= s["expected_p1_observations"] <= 20_000
    assert s["seconds"] < 15


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
    rebuilt = m["a"] + p.beta_eco * m["Eco"] + ctrl + p.endog_loading * m["v"] + m["theta"] + m["nu"] + m["e"]
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
        assert abs(np.corrcoef(eco, x)[0, 1]) < 0.06, k


def test_observations_per_firm_year(draws):
    o = pd.concat([d.obs for d in draws.values()])
    per = o[o["kind"] == KIND_SURVEY].groupby(["year", "fid"]).size().mean()
    assert 12 <= per <= 22


def test_table1_recovered_on_latent_panel(draws, tiny_world):
    """P1 Table 1 built from the latent frame (oracle.latent_panel) recovers -beta_eco."""
    from eq_assets.synth.oracle import fit_table1, latent_panel

    p = tiny_world.params
    panel = latent_panel(pd.concat([d.obs for d in draws.values()]), pd.concat([d.firm_years for d in draws.values()]), p)
    # measured quality equals the latent within-cell quality up to rounding of units and cents
    gap = (panel["quality"] - panel["quality_latent"]).abs()
    assert gap.max() < 2e-2 and gap.mean() < 1e-3  # P2: max was 1e-2 (P2 years have cost-only prices, smaller units)
    eco = fit_table1(panel).query("term == 'Eco'")
    assert len(eco) == 4
    assert ((eco["estimate"] + p.beta_eco).abs() < 3 * eco["std_error"]).all()
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
    assert np.allclose(o["ln_lambda"] - o["a"] - w.params.beta_eco * o["Eco"] - o["ctrl_effect"] - o["theta"] - o["nu"] - o["e"], 0.8 * o["v"])


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
