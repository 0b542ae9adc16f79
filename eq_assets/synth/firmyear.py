"""Firm-year draws: balance sheets, P1's controls, digital patent counts, Eco (SPEC section 4).

For every active non-intermediary firm in a year:

- balance sheet in thousand yuan, rounded to whole numbers as the survey reports them:
  employees, total / fixed / current assets, total / current liabilities, total profit (a
  share of loss-making firm-years, whose ``Profit_rate`` is undefined: a real defect);
- P1's six controls computed *from the written (rounded) values* with SPEC section 4's
  formulas, so the controls the pipeline computes are exactly the ones that moved quality;
  where a control is undefined (missing employees, loss) its latent value is used, and the
  pipeline drops those rows anyway;
- production (``production``): employees chosen knowing omega_it, fixed assets = the
  predetermined real capital path times the cic2 PPI, value added and intermediate input;
- digital patent count ``n_dig ~ Poisson(exp(rate_i + trend*(t-2004) + endog_rate_loading*v_it
  + pi_internet*internet_driver + pi_foreign*class_driver + pi_foreign_industry*industry_driver))``
  (the instruments' drivers: ``reference.RefData``, ``technology.class_driver``), split into
  types and digital categories (multinomial), and
  ``Eco = ln(1 + n_dig)`` with its parts Eco_invent, Eco_str, Eco_manu, Eco_apply, Eco_factor;
  ``dig_effect`` = the digital part of log quality; non-digital patent counts;
- value added gains ``tfp_eco * Eco`` (TFP), unanticipated when labour and materials are chosen;
- the firm-year quality component ``nu`` and the unobserved shock ``v``.

Controls do not depend on v, the instruments or the patent draws (Size moves with omega,
which does not enter quality). All year draws are made for all firms from the year's own
stream; years 2015-2019 are drawn for firms alive in 2014 (aggregate and patents only).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from eq_assets.synth.catalog import INDUSTRIES, cities_frame
from eq_assets.synth.params import CONTROL_NAMES, ECO_PARTS, WorldParams
from eq_assets.synth.population import FIRST_YEAR, KIND_INTERMEDIARY, KIND_SURVEY, LAST_YEAR, Population
from eq_assets.synth.production import MATERIALS_CONSTANT, ProductionPaths, va_elasticities
from eq_assets.synth.reference import RefData
from eq_assets.synth.rng import stream
from eq_assets.synth.technology import class_driver


LAST_SURVEY_YEAR = LAST_YEAR


def _logistic(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


#: digital patent types (发明, 实用新型, 外观设计) and their shares among digital filings
DIGITAL_TYPE_SHARES = (0.55, 0.38, 0.07)
#: digital categories (01 manufacturing, 02 services, 03 application, 04 factor-driven)
CATEGORY_CODES = ("01", "02", "03", "04")
CATEGORY_SHARES = (0.35, 0.05, 0.40, 0.20)


def is_active(f: pd.DataFrame, year: int) -> np.ndarray:
    """Active firms: inside their span; firms alive in 2014 continue through 2019 (P1 Table 3's
    aggregate and patents after the survey ends)."""
    last = f["last_year"].to_numpy()
    return (f["first_year"].to_numpy() <= year) & ((last >= year) | ((last == LAST_SURVEY_YEAR) & (year > LAST_SURVEY_YEAR)))


def firm_years(pop: Population, p: WorldParams, year: int, ref: RefData, prod: ProductionPaths) -> pd.DataFrame:
    """One row per firm active in ``year`` (all kinds), with year-specific draws."""
    f = pop.firms
    n = len(f)
    rng = stream(p.seed, "firmyear", year)
    z = rng.standard_normal((n, 12))
    u = rng.random((n, 6))
    active = is_active(f, year)
    t = year - FIRST_YEAR
    col = prod.col(year)

    d = pd.DataFrame({"fid": f["fid"].to_numpy(), "year": year, "kind": f["kind"].to_numpy()})
    # where the firm is this year (movers change city or industry once)
    moved_c = (f["move_city_year"] > 0) & (year >= f["move_city_year"])
    d["city"] = np.where(moved_c, f["city2"], f["city"])
    d["district"] = np.where(moved_c, f["district2"], f["district"])
    moved_i = (f["move_ind_year"] > 0) & (year >= f["move_ind_year"])
    d["industry"] = np.where(moved_i, f["industry2"], f["industry"])
    d["exporting"] = f["exporter"].to_numpy() & ((u[:, 0] < p.export_year_prob) | (f["kind"] == KIND_INTERMEDIARY).to_numpy())
    city, industry = d["city"].to_numpy(), d["industry"].to_numpy()

    # production state (production.py): omega, real capital, labour chosen knowing omega
    omega = prod.omega[:, col]
    k_real = prod.k[:, col]
    ppi = ref.ppi_of(industry, year) / 100.0
    is_survey = (f["kind"] == KIND_SURVEY).to_numpy()
    ln_emp = (f["le"].to_numpy() + f["g_emp"].to_numpy() * (year - 2009) + p.labour_omega * omega
              + prod.labour_shock[:, col])
    emp = np.maximum(np.where(is_survey, 8, 1), np.round(np.exp(ln_emp)))
    b_l, b_k = va_elasticities(industry, p)  # the firm-year's 2-digit industry's technology
    ln_va = p.va_constant + b_l * np.log(emp) + b_k * k_real + omega + p.sd_va_noise * z[:, 9]
    ln_m = MATERIALS_CONSTANT + p.materials_omega * omega + p.materials_k * k_real
    d["omega"], d["ln_k_real"], d["ln_va_real"], d["ln_m_real"], d["ppi"] = omega, k_real, ln_va, ln_m, ppi * 100.0

    # balance sheet (thousand yuan, nominal), written rounded; fixed assets = nominal capital
    fa = np.maximum(1.0, np.round(np.exp(k_real) * ppi))
    s_fix = _logistic(f["f_fix"].to_numpy() + 0.25 * z[:, 2])
    ta = np.maximum(100.0, np.round(fa / s_fix))
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

    # digital patents: the unobserved shock v and the instruments' drivers move the rate
    v = z[:, 7]
    d["v"] = v
    d["nu"] = p.sd_firm_year * z[:, 8]
    d["iv_internet"] = ref.internet_driver(city, year)
    d["iv_foreign"] = class_driver(pop.tech, f["fid"].to_numpy(), ref.foreign_class_rel(year), p.tech_focus, CATEGORY_SHARES)
    d["iv_foreign_industry"] = ref.foreign_driver(industry, year)
    lam_dig = np.exp(f["dig_rate"].to_numpy() + p.digital_trend * t + p.endog_rate_loading * v
                     + p.pi_internet * np.minimum(d["iv_internet"].to_numpy(), p.internet_driver_cap)
                     + p.pi_foreign * d["iv_foreign"].to_numpy()
                     + p.pi_foreign_industry * d["iv_foreign_industry"].to_numpy())
    lam_nd = np.exp(f["nondig_rate"].to_numpy() + 0.08 * t)
    n_dig = rng.poisson(lam_dig)
    n_nd = rng.poisson(lam_nd)
    inter = (f["kind"] == KIND_INTERMEDIARY).to_numpy()
    n_dig[inter] = 0
    n_nd[inter] = 0
    d["n_dig"], d["n_nondig"] = n_dig, n_nd
    types = rng.multinomial(n_dig, DIGITAL_TYPE_SHARES)
    cats = rng.multinomial(n_dig, CATEGORY_SHARES)
    d["n_invent"], d["n_utility"], d["n_design"] = types[:, 0], types[:, 1], types[:, 2]
    for j, c in enumerate(CATEGORY_CODES):
        d[f"n_cat{c}"] = cats[:, j]
    d["Eco"] = np.log1p(n_dig.astype(float))
    d["Eco_invent"] = np.log1p(types[:, 0].astype(float))
    d["Eco_str"] = np.log1p((types[:, 1] + types[:, 2]).astype(float))
    d["Eco_manu"] = np.log1p(cats[:, 0].astype(float))
    d["Eco_apply"] = np.log1p(cats[:, 2].astype(float))
    d["Eco_factor"] = np.log1p(cats[:, 3].astype(float))
    d["dig_effect"] = p.beta_eco * d["Eco"] + sum(p.beta_parts[k] * d[k] for k in ECO_PARTS)
    # TFP: Eco raises value added, unanticipated when labour and materials were chosen
    d["ln_va_real"] = d["ln_va_real"] + p.tfp_eco * d["Eco"]
    # reporting noise drawn now for determinism
    d["z_wage"], d["z_rev"], d["z_ed"] = z[:, 11], u[:, 0], u[:, 2]
    return d[active].reset_index(drop=True)


#: CNY per USD, annual averages (for export delivery value in thousand yuan).
CNY_PER_USD = {2004: 8.277, 2005: 8.194, 2006: 7.973, 2007: 7.604, 2008: 6.945, 2009: 6.831,
               2010: 6.770, 2011: 6.459, 2012: 6.313, 2013: 6.193, 2014: 6.143}


def asif_rows(fy: pd.DataFrame, pop: Population, exports_usd: pd.Series, year: int) -> pd.DataFrame:
    """The survey's firm-year rows in canonical names (survey firms only), defects included.

    ``exports_usd``: the firm's customs exports this year (USD) indexed by fid; export
    delivery value is that in thousand yuan with reporting noise (at most 90% of output).
    Value added and intermediate input come from the production function (``production``),
    in nominal terms: real (2004 yuan) times the firm's cic2 PPI / 100 (the pipeline deflates
    工业增加值, 中间投入, 工业总产值 and 固定资产合计 by the industry_panel PPI of the firm's 2-digit
    industry-year); gross output = value added + intermediate input; wages grow 12% a year.
    """
    f = pop.firms
    s = fy[fy["kind"] == KIND_SURVEY].copy()
    fi = f.set_index("fid").loc[s["fid"]]
    cities = cities_frame()
    ed = exports_usd.reindex(s["fid"]).fillna(0.0).to_numpy() * CNY_PER_USD[year] / 1000.0
    ed = np.round(ed * np.exp(0.1 * (s["z_rev"].to_numpy() - 0.5)))  # reporting noise
    ppi = s["ppi"].to_numpy() / 100.0
    va = np.round(np.exp(s["ln_va_real"].to_numpy()) * ppi)
    ii = np.round(np.exp(s["ln_m_real"].to_numpy()) * ppi)
    y = va + ii
    ed = np.minimum(ed, np.round(0.9 * y))  # export delivery cannot exceed output
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
