"""Firm-year draws: balance sheets, P1's controls, digital patent counts, Eco (SPEC section 4).

For every active non-intermediary firm in a year:

- balance sheet in thousand yuan, rounded to whole numbers as the survey reports them:
  employees, total / fixed / current assets, total / current liabilities, total profit (a
  share of loss-making firm-years, whose ``Profit_rate`` is undefined: a real defect);
- P1's six controls computed *from the written (rounded) values* with SPEC section 4's
  formulas, so the controls the pipeline computes are exactly the ones that moved quality;
  where a control is undefined (missing employees, loss) its latent value is used, and the
  pipeline drops those rows anyway;
- digital patent count ``n_dig ~ Poisson(exp(rate_i + trend*(t-2004) + endog_loading*v_it))``
  and ``Eco = ln(1 + n_dig)``; non-digital patent counts;
- the firm-year quality component ``nu`` and the unobserved shock ``v``.

Within-firm variation of every control comes from firm-specific trends and iid yearly
shocks drawn independently of the patent process, so the controls' within variation is
independent of Eco's (P1 Table 1 columns with and without controls estimate the same Eco
coefficient). All year draws are made for all firms from the year's own stream.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from eq_assets.synth.catalog import INDUSTRIES, cities_frame
from eq_assets.synth.params import CONTROL_NAMES, WorldParams
from eq_assets.synth.population import FIRST_YEAR, KIND_INTERMEDIARY, KIND_SURVEY, Population
from eq_assets.synth.rng import stream


def _logistic(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def firm_years(pop: Population, p: WorldParams, year: int) -> pd.DataFrame:
    """One row per firm active in ``year`` (all kinds), with year-specific draws."""
    f = pop.firms
    n = len(f)
    rng = stream(p.seed, "firmyear", year)
    z = rng.standard_normal((n, 12))
    u = rng.random((n, 6))
    active = ((f["first_year"] <= year) & (f["last_year"] >= year)).to_numpy()
    t = year - FIRST_YEAR

    d = pd.DataFrame({"fid": f["fid"].to_numpy(), "year": year, "kind": f["kind"].to_numpy()})
    # where the firm is this year (movers change city or industry once)
    moved_c = (f["move_city_year"] > 0) & (year >= f["move_city_year"])
    d["city"] = np.where(moved_c, f["city2"], f["city"])
    d["district"] = np.where(moved_c, f["district2"], f["district"])
    moved_i = (f["move_ind_year"] > 0) & (year >= f["move_ind_year"])
    d["industry"] = np.where(moved_i, f["industry2"], f["industry"])
    d["exporting"] = f["exporter"].to_numpy() & ((u[:, 0] < p.export_year_prob) | (f["kind"] == KIND_INTERMEDIARY).to_numpy())

    # balance sheet (thousand yuan), written rounded
    is_survey = (f["kind"] == KIND_SURVEY).to_numpy()
    ln_emp = f["le"].to_numpy() + f["g_emp"].to_numpy() * (year - 2009) + 0.12 * z[:, 0]
    emp = np.maximum(np.where(is_survey, 8, 1), np.round(np.exp(ln_emp)))
    ta = np.maximum(100.0, np.round(np.exp(np.log(emp) + f["k_int"].to_numpy() + 0.12 * z[:, 1])))
    s_fix = _logistic(f["f_fix"].to_numpy() + 0.25 * z[:, 2])
    fa = np.maximum(1.0, np.round(ta * s_fix))
    s_cur = _logistic(f["f_cur"].to_numpy() + 0.30 * z[:, 3])
    ca = np.round((ta - fa) * s_cur)
    lev = _logistic(f["f_lev"].to_numpy() + 0.25 * z[:, 4])
    tl = np.maximum(1.0, np.round(ta * lev))
    s_cl = _logistic(f["f_cl"].to_numpy() + 0.30 * z[:, 5])
    cl = np.round(tl * s_cl)
    ln_r = f["f_prof"].to_numpy() + 0.35 * z[:, 6]
    loss = u[:, 1] < p.loss_rate
    profit = np.where(loss, -np.round(ta * np.exp(ln_r) * (0.1 + 0.9 * u[:, 2])), np.round(ta * np.exp(ln_r)))
    d["employees"], d["total_assets"], d["fixed_assets"] = emp, ta, fa
    d["current_assets"], d["total_liabilities"], d["current_liabilities"], d["total_profit"] = ca, tl, cl, profit

    # P1 controls from the written values (latent value where the formula is undefined)
    ctrl = {
        "Size": np.log(emp),
        "Profit_rate": np.where(profit > 0, np.log(np.maximum(profit, 1.0) / ta), ln_r),
        "Finance": (ca - cl) / ta,
        "Age": np.log(np.maximum(year - f["open_year"].to_numpy() + 1.0, 1.0)),
        "Tangible": np.log(fa / ta),
        "Leverage": np.log(tl / ta),
    }
    for k in CONTROL_NAMES:
        d[k] = ctrl[k]
    d["ctrl_effect"] = sum(p.gamma[k] * ctrl[k] for k in CONTROL_NAMES)
    d["profit_defined"] = profit > 0

    # survey defects decided here so the latent frame knows them
    d["missing_employees"] = is_survey & (u[:, 3] < p.missing_employees_rate)
    d["abnormal_status"] = is_survey & (u[:, 4] < p.abnormal_status_rate)
    d["duplicated"] = is_survey & (u[:, 5] < p.duplicate_row_rate)

    # patents and the firm-year shocks
    v = z[:, 7]
    d["v"] = v
    d["nu"] = p.sd_firm_year * z[:, 8]
    lam_dig = np.exp(f["dig_rate"].to_numpy() + p.digital_trend * t + p.endog_loading * v)
    lam_nd = np.exp(f["nondig_rate"].to_numpy() + 0.08 * t)
    d["n_dig"] = rng.poisson(lam_dig)
    d["n_nondig"] = rng.poisson(lam_nd)
    d.loc[d["kind"] == KIND_INTERMEDIARY, ["n_dig", "n_nondig"]] = 0
    d["Eco"] = np.log1p(d["n_dig"].to_numpy().astype(float))
    # production side (refined later, see asif rows): noise drawn now for determinism
    d["z_out"], d["z_va"], d["z_wage"], d["z_rev"], d["z_ed"] = z[:, 9], z[:, 10], z[:, 11], u[:, 0], u[:, 2]
    return d[active].reset_index(drop=True)


#: CNY per USD, annual averages (for export delivery value in thousand yuan).
CNY_PER_USD = {2004: 8.277, 2005: 8.194, 2006: 7.973, 2007: 7.604, 2008: 6.945, 2009: 6.831,
               2010: 6.770, 2011: 6.459, 2012: 6.313, 2013: 6.193, 2014: 6.143}


def asif_rows(fy: pd.DataFrame, pop: Population, exports_usd: pd.Series, year: int) -> pd.DataFrame:
    """The survey's firm-year rows in canonical names (survey firms only), defects included.

    ``exports_usd``: the firm's customs exports this year (USD) indexed by fid; export
    delivery value is that in thousand yuan with reporting noise. Gross output is
    Cobb-Douglas in fixed assets and employment (scaled up when needed to cover exports),
    value added a firm-year share of it, intermediate input the rest plus VAT, wages grow 12%
    a year.
    """
    f = pop.firms
    s = fy[fy["kind"] == KIND_SURVEY].copy()
    fi = f.set_index("fid").loc[s["fid"]]
    cities = cities_frame()
    ed = exports_usd.reindex(s["fid"]).fillna(0.0).to_numpy() * CNY_PER_USD[year] / 1000.0
    ed = np.round(ed * np.exp(0.1 * (s["z_rev"].to_numpy() - 0.5)))  # reporting noise
    ln_y = 4.4 + fi["tfp"].to_numpy() + 0.35 * np.log(s["fixed_assets"].to_numpy()) + 0.6 * np.log(s["employees"].to_numpy()) + 0.03 * (year - 2009) + 0.1 * s["z_out"].to_numpy()
    y = np.maximum(np.exp(ln_y), ed / (0.5 + 0.45 * s["z_ed"].to_numpy()))
    va_share = _logistic(-1.0 + 0.3 * s["z_va"].to_numpy())
    va = np.round(y * va_share)
    y = np.round(y)
    ii = np.round(y * (1.0 - va_share + 0.04))
    wage = np.round(s["employees"].to_numpy() * 14.0 * 1.12 ** (year - 2004) * np.exp(0.2 * s["z_wage"].to_numpy()))
    rev = np.round(y * np.exp(-0.02 + 0.05 * (s["z_rev"].to_numpy() - 0.5)))
    status = np.where(s["abnormal_status"], np.array(["停业", "撤销", "筹建"])[s["fid"].to_numpy() % 3], "营业")
    out = pd.DataFrame({
        "legal_code": fi["legal_code"].to_numpy(),
        "firm_name": fi["name"].to_numpy(),
        "phone": fi["phone"].to_numpy(),
        "zip": fi["zip"].to_numpy(),
        "year": year,
        "admin_code": cities["city_code"].to_numpy()[s["city"]] + s["district"].to_numpy().astype(str),
        "cic": np.array([c[0] for c in INDUSTRIES], dtype=object)[s["industry"]],
        "reg_type": fi["reg_type"].to_numpy(),
        "open_year": fi["open_year"].to_numpy(),
        "op_status": status,
        "employees": pd.array(np.where(s["missing_employees"], np.nan, s["employees"]), dtype="Int64"),
        "total_assets": s["total_assets"].to_numpy(),
        "fixed_assets": s["fixed_assets"].to_numpy(),
        "current_assets": s["current_assets"].to_numpy(),
        "current_liabilities": s["current_liabilities"].to_numpy(),
        "total_liabilities": s["total_liabilities"].to_numpy(),
        "total_profit": s["total_profit"].to_numpy(),
        "gross_output": y,
        "value_added": va,
        "intermediate_input": ii,
        "wage_bill": wage,
        "export_delivery": ed,
        "revenue": rev,
    })
    # duplicated (legal code, year): a stale partial copy with smaller assets, written after the row
    dup = out[s["duplicated"].to_numpy()].copy()
    if len(dup):
        shrink = 0.5 + 0.4 * s.loc[s["duplicated"], "z_rev"].to_numpy()
        for c in ("total_assets", "fixed_assets", "current_assets", "gross_output", "revenue"):
            dup[c] = np.round(dup[c].to_numpy() * shrink)
        dup["_dup"] = 1
    out["_dup"] = 0
    out = pd.concat([out, dup], ignore_index=True).sort_values(["legal_code", "_dup"], kind="stable")
    money = [c for c in out.columns if c not in ("legal_code", "firm_name", "phone", "zip", "year", "admin_code", "cic", "reg_type", "open_year", "op_status", "employees", "_dup")]
    out[money] = out[money].astype("int64")
    return out.drop(columns="_dup").reset_index(drop=True)
