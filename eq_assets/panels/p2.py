"""P2 (Ma, Wang & Gong) variables and the firm-year analysis panel (SPEC section 5).

Pure transforms on DataFrames; :mod:`eq_assets.panels.assets_p2` wires them. Column names are
those of ``prompts/p2_names.md`` (shared with the synthetic world's oracle). Every choice the
paper leaves open is a keyword argument with the default documented here.

Firm-year (from the cleaned survey, :func:`firm_year_p2`)

* ``Con_wag`` = ln(wage bill / employees) (P2 "人均工资水平"), ``Con_inc`` = ln revenue (主营业务收入,
  "企业收入"), ``Con_exp`` = ln export delivery value (出口交货值). Logs of non-positive values are
  missing (P2 logs the controls "为了降低模型共线性影响"; a zero has no log).
* Extra controls (Table 4 col. 4): ``Con_age`` = ln(age), age = year - opening year + 1;
  ``Con_asset`` = ln total assets; ``Con_tariff`` = the industry's intermediate-input tariff
  (percent, level); ownership dummies ``soe`` and ``foreign`` (private and other domestic = base).
* Ownership from the registration type (GB/T 登记注册类型; P2 Table 4 col. 4 "企业所属权虚拟变量" names
  no codes): ``soe`` = 110 国有企业, 141 国有联营企业, 143 国有与集体联营企业, 151 国有独资公司 (the usual
  registration-type definition of state ownership in ASIF work, e.g. Nie, Jiang & Yang 2012; 142
  集体联营企业 is a collective joint venture, not state-owned; ``soe_types``); ``foreign`` = 2xx
  (HK/Macao/Taiwan) or 3xx (foreign); ``private`` = 17x 私营 (P2 Table 9 "私有企业").
* ``SA`` = -0.737 size + 0.043 size^2 - 0.040 age (P2 footnote 5; Hadlock & Pierce 2010), size = ln
  of total assets. The survey reports assets in thousand yuan; Hadlock-Pierce's coefficients are
  for assets in million (USD, 2004) and Chinese applications use million yuan, so size =
  ln(total assets / 1000) by default (``sa_asset_divisor``); P2 does not say. ``ln_assets`` = ln
  total assets (thousand yuan), as Table 9 col. 2 ("企业资产额对数").
* Industry attributes: ``high_tech``, ``energy_raw`` from the reference table;
  ``gvc_upstreamness`` = the upstreamness of the firm's own 4-digit industry (the firm-level
  measure P2 uses, aggregated from its products, is built with the exports in
  :mod:`eq_assets.quality.p2_steps` and the top-decile dummies in :func:`p2_panel`);
  ``capital_intensive`` (P2 splits industries "by name" into labour- and capital-intensive: CIC
  divisions 25-43 vs 13-24 by default, :func:`capital_intensive_industries`) and its complement
  ``ind_type`` (1 for labour-intensive industries, P2's name; see :data:`IND_TYPE_DOC`).
* Sample flags (Table 5): ``city_changer`` / ``industry_changer`` = the firm's city / 4-digit CIC
  is not the same in all its survey years of the P2 period.
* Mechanisms (Table 10): ``exit`` = city x industry exit rate (:func:`exit_rate`), ``innov_patents``
  = ln(1 + the firm's patent applications) (variant reading of ``innov``; the default ``innov`` is
  the city's score, below), ``fdi`` (city, below), ``imp`` (from exports, quality assets).

City-year (:func:`eq_assets.panels.p2_city.city_year_p2`): ``Con_gdp`` = ln GDP per capita, ``Con_num`` = ln number of
industrial firms, ``Con_college`` = ln college students, ``fdi`` = ln actual FDI, region dummies
``east``, ``coastal``, ``smart_city`` (ever a pilot city; the first batch, 2013, falls after the
sample, so the dummy marks the pilot cities), province ``Con_inf`` = ln broadband users, ``ftz``,
``infra`` = broadband users above their mean over province-years of the P2 period (P2: "将该变量低于
平均值的样本赋值为 0"), ``egov_policy`` (:func:`egov_policy_dummy`: the city issued a local
e-government policy in 2010-2012, P2 Table 7 col. 3) and ``innov`` = the city's firm patent
application score of the PKU regional innovation and entrepreneurship index (P2 Table 10 col. 4:
"采用北京大学企业大数据研究中心公布的创新创业指数中企业专利申请数来衡量企业的创新水平"; the index is
published for regions -- provinces, cities, counties -- not firms, and P2's coefficients on innov
(-0.0003) and egscore x innov (0.0002) fit a 0-100 score, not a log count).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from eq_assets.core.accounting import RowAccount
from eq_assets.core.sql import run_sql
from eq_assets.settings import P2_YEARS

#: SA index coefficients (P2 footnote 5; Hadlock & Pierce 2010): size, size^2, age.
SA_COEFS: tuple[float, float, float] = (-0.737, 0.043, -0.040)
#: Registration types read as state-owned (see the module docstring; 142 is a collective).
SOE_TYPES: tuple[str, ...] = ("110", "141", "143", "151")
PRIVATE_PREFIX = "17"
FOREIGN_PREFIXES: tuple[str, ...] = ("2", "3")

#: Moderators whose egscore interaction P2 Tables 7-10 use (egscore_<x> = egscore * x).
INTERACTION_MODERATORS: tuple[str, ...] = (
    "coastal", "egov_policy", "smart_city", "ftz", "infra", "ind_type", "capital_intensive", "high_tech",
    "private", "ln_assets", "SA", "gvc_top", "gvc_top_industry", "general_trade", "exit", "imp", "fdi", "innov",
    "innov_patents",
)
EGOV_COLUMNS: tuple[str, ...] = (
    "egscore", "egscore_idf", "egscore_enp", "egscore_tax", "egscore_int", "egscore_emp", "egscore_doc", "egscore_tra",
)
P2_CONTROL_COLUMNS: tuple[str, ...] = ("Con_wag", "Con_inc", "Con_exp", "Con_gdp", "Con_num", "Con_inf")
INSTRUMENT_COLUMNS: tuple[str, ...] = ("egscore_size5", "egscore_size7", "egscore_size10", "IV_int", "IV_gov")


def safe_log(x) -> np.ndarray:
    """ln(x) for x > 0, NaN otherwise (a zero or negative value has no log)."""
    v = pd.to_numeric(pd.Series(x), errors="coerce").to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(v > 0, np.log(np.where(v > 0, v, 1.0)), np.nan)


def sa_index(total_assets, age, *, asset_divisor: float = 1000.0, coefs: tuple[float, float, float] = SA_COEFS) -> np.ndarray:
    """SA = -0.737 size + 0.043 size^2 - 0.040 age, size = ln(total_assets / asset_divisor).

    P2 footnote 5 (Hadlock & Pierce 2010). ``asset_divisor`` = 1000 turns the survey's thousand
    yuan into million yuan (*: P2 does not state the unit). Missing where assets are not positive
    or age is missing.
    """
    size = safe_log(pd.to_numeric(pd.Series(total_assets), errors="coerce") / float(asset_divisor))
    a = pd.to_numeric(pd.Series(age), errors="coerce").to_numpy(dtype=float)
    b1, b2, b3 = coefs
    return b1 * size + b2 * size**2 + b3 * a


def ownership_dummies(reg_type: pd.Series, *, soe_types: Sequence[str] = SOE_TYPES) -> pd.DataFrame:
    """soe / foreign / private 0-1 dummies from the 3-digit registration type (NaN if missing).

    ``soe_types``: the codes read as state-owned (default :data:`SOE_TYPES`, 110/141/143/151)."""
    r = reg_type.astype("string").str.strip()
    miss = r.isna().to_numpy()
    soe = r.isin(list(soe_types)).fillna(False).to_numpy()
    foreign = r.str[:1].isin(FOREIGN_PREFIXES).fillna(False).to_numpy()
    private = (r.str[:2] == PRIVATE_PREFIX).fillna(False).to_numpy()
    out = pd.DataFrame({"soe": soe, "foreign": foreign, "private": private}, index=reg_type.index).astype(float)
    out[miss] = np.nan
    return out


def exit_rate(
    firms: pd.DataFrame,
    *,
    industry_digits: int = 2,
    years: Sequence[int] | None = None,
) -> pd.DataFrame:
    """City x industry exit rate (P2 Table 10 col. 1, "企业退出作为市场竞争强度的代理变量").

    exit_{c,j,t} = share of the survey firms located in city c, industry j (CIC at
    ``industry_digits``, default 2: 4-digit city-industry cells are mostly a handful of firms) in
    year t-1 that are absent from the survey in year t (exit from the above-scale population).
    Defined only where the survey of t-1 is in ``firms``; ``years`` restricts the output years.
    Input: year, legal_code, city, cic. Output: year, city, exit_industry, exit, n_firms_prev.
    """
    f = firms[["year", "legal_code", "city", "cic"]].copy()
    f["exit_industry"] = f["cic"].astype(str).str[:industry_digits]
    out = run_sql(
        """
        with prev as (select year + 1 as year, legal_code, city, exit_industry from f),
        present as (select distinct year, legal_code from f),
        have as (select distinct year from f)
        select p.year, p.city, p.exit_industry,
               avg(case when q.legal_code is null then 1.0 else 0.0 end) as exit,
               count(*)::BIGINT as n_firms_prev
        from prev p
        join have h on p.year = h.year
        left join present q on p.year = q.year and p.legal_code = q.legal_code
        group by p.year, p.city, p.exit_industry
        order by p.year, p.city, p.exit_industry
        """,
        f=f,
    )
    out["year"] = out["year"].astype("int64")
    if years is not None:
        out = out[out["year"].isin(list(years))].reset_index(drop=True)
    return out


#: CIC divisions (2-digit) read as capital-intensive (P2 Table 8: "根据行业名称将行业区分为劳动密集型（例如纺织、
#: 服装业等）和资本密集型（例如冶金、机械制造业等）"): 25-43 (petroleum, chemicals, pharmaceuticals, fibres,
#: rubber and plastics, minerals, metals, machinery, transport and electrical equipment, electronics,
#: instruments); 13-24 (food, beverages, tobacco, textiles, apparel, leather, wood, furniture, paper,
#: printing, culture goods) are labour-intensive.
CAPITAL_INTENSIVE_DIVISIONS: tuple[int, int] = (25, 43)

IND_TYPE_DOC = """P2 Table 8 col. 1 (header "资本密集型行业") prints egscore 0.051 and egscore x ind_type
-0.017 and concludes "数字政务赋能企业出口对于资本密集型行业更为显著" (the effect is stronger in
capital-intensive industries; the abstract and conclusion say the same). Both hold only if
ind_type = 1 marks the labour-intensive industries: egscore is then the capital-intensive effect
(0.051) and labour-intensive industries gain 0.017 less. So the printed moderator is
``ind_type`` = 1 - ``capital_intensive``; the capital-coded interaction (same fit,
mirrored sign) is the variant ``capital_coded``."""


def capital_intensive_industries(
    firms: pd.DataFrame,
    *,
    years: Sequence[int] = P2_YEARS,
    rule: str = "division",
    divisions: tuple[int, int] = CAPITAL_INTENSIVE_DIVISIONS,
) -> pd.DataFrame:
    """``capital_intensive`` per 4-digit CIC of ``firms``.

    ``rule="division"`` (default; P2 classifies "by industry name"): CIC division within
    ``divisions`` (25-43). ``rule="median_kl"``: the industry's median ln(fixed assets / employee)
    over the firm-years of ``years`` is above the median of that statistic across industries.
    Output: cic, k_per_worker (median ln K/L), capital_intensive.
    """
    if rule not in ("division", "median_kl"):
        raise ValueError(f"rule must be 'division' or 'median_kl'; got {rule!r}")
    f = firms[firms["year"].isin(list(years))]
    kl = safe_log(pd.to_numeric(f["fixed_assets"], errors="coerce") / pd.to_numeric(f["employees"], errors="coerce"))
    d = pd.DataFrame({"cic": f["cic"].astype(str).to_numpy(), "kl": kl})
    med = d.groupby("cic", sort=True)["kl"].median()
    cics = med.index.astype(str)
    if rule == "division":
        div = pd.to_numeric(pd.Series(cics).str[:2], errors="coerce").to_numpy()
        flag = ((div >= divisions[0]) & (div <= divisions[1])).astype(float)
    else:
        cut = med.median()
        flag = np.where(med.notna(), (med.to_numpy() > cut).astype(float), np.nan)
    return pd.DataFrame({"cic": cics, "k_per_worker": med.to_numpy(), "capital_intensive": flag})


def changers(firms: pd.DataFrame, *, years: Sequence[int] = P2_YEARS) -> pd.DataFrame:
    """Per firm: ``city_changer`` / ``industry_changer`` = 1 if its city / 4-digit CIC is not the
    same in all its survey years within ``years`` (P2 Table 5 "城市变化、行业变化")."""
    f = firms[firms["year"].isin(list(years))]
    g = f.groupby("legal_code", sort=True)
    return pd.DataFrame({
        "legal_code": g.size().index.astype(str),
        "city_changer": (g["city"].nunique() > 1).astype(float).to_numpy(),
        "industry_changer": (g["cic"].nunique() > 1).astype(float).to_numpy(),
    })


def firm_year_p2(
    firms: pd.DataFrame,
    *,
    tariffs: pd.DataFrame,
    industry: pd.DataFrame,
    patents: pd.DataFrame | None = None,
    years: Sequence[int] = P2_YEARS,
    sa_asset_divisor: float = 1000.0,
    exit_industry_digits: int = 2,
    capital_rule: str = "division",
    soe_types: Sequence[str] = SOE_TYPES,
) -> tuple[pd.DataFrame, RowAccount]:
    """Firm-year controls and attributes of P2 for the survey firm-years of ``years``.

    ``firms``: cleaned survey (all available years: the exit rate of t needs t-1) with year,
    legal_code, city, province, cic, reg_type, open_year, employees, total_assets, fixed_assets,
    wage_bill, revenue, export_delivery. ``tariffs``: cic, year, input_tariff. ``industry``: cic,
    gvc_upstreamness, high_tech, energy_raw. ``patents``: year, legal_code, n_patents (optional;
    missing firm-years count 0 patents). Rows outside ``years`` are dropped ("outside_p2_years").
    """
    acc = RowAccount(rows_in=len(firms), unit="firm-years")
    inside = firms["year"].isin(list(years)).to_numpy()
    acc.drop("outside_p2_years", int((~inside).sum()))
    f = firms[inside].sort_values(["year", "legal_code"]).reset_index(drop=True)
    num = lambda c: pd.to_numeric(f[c], errors="coerce").astype(float)  # noqa: E731
    out = f[["year", "legal_code", "city", "province", "cic"]].copy()
    out["industry"] = f["industry"].astype(str) if "industry" in f.columns else f["cic"].astype(str)
    out["Con_wag"] = safe_log(num("wage_bill") / num("employees"))
    out["Con_inc"] = safe_log(num("revenue"))
    out["Con_exp"] = safe_log(num("export_delivery"))
    age = f["year"].astype(float) - pd.to_numeric(f["open_year"], errors="coerce").astype(float) + 1.0
    age = age.where(age >= 1)
    out["age"] = age.to_numpy()
    out["Con_age"] = safe_log(age)
    out["Con_asset"] = safe_log(num("total_assets"))
    out["ln_assets"] = out["Con_asset"]
    out["SA"] = sa_index(num("total_assets"), age, asset_divisor=sa_asset_divisor)
    own = ownership_dummies(f["reg_type"], soe_types=soe_types)
    for c in ("soe", "foreign", "private"):
        out[c] = own[c].to_numpy()

    t = tariffs[["cic", "year", "input_tariff"]].rename(columns={"input_tariff": "Con_tariff"})
    out = out.merge(t, on=["cic", "year"], how="left", validate="many_to_one")
    ind = industry[["cic", "gvc_upstreamness", "high_tech", "energy_raw"]]
    out = out.merge(ind, on="cic", how="left", validate="many_to_one")
    for c in ("high_tech", "energy_raw"):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype(float)
    out["gvc_upstreamness"] = pd.to_numeric(out["gvc_upstreamness"], errors="coerce").astype(float)
    ci = capital_intensive_industries(firms, years=years, rule=capital_rule)
    out = out.merge(ci[["cic", "capital_intensive"]], on="cic", how="left", validate="many_to_one")
    out["ind_type"] = 1.0 - out["capital_intensive"]
    out = out.merge(changers(firms, years=years), on="legal_code", how="left", validate="many_to_one")
    ex = exit_rate(firms, industry_digits=exit_industry_digits, years=years)
    out["exit_industry"] = out["cic"].astype(str).str[:exit_industry_digits]
    out = out.merge(ex[["year", "city", "exit_industry", "exit"]], on=["year", "city", "exit_industry"], how="left",
                    validate="many_to_one").drop(columns="exit_industry")
    if patents is not None:
        p = patents[["year", "legal_code", "n_patents"]]
        out = out.merge(p, on=["year", "legal_code"], how="left", validate="one_to_one")
        out["n_patents"] = out["n_patents"].fillna(0).astype(float)
    else:
        out["n_patents"] = 0.0
    out["innov_patents"] = np.log1p(out["n_patents"])
    out = out.sort_values(["year", "legal_code"]).reset_index(drop=True)
    out["year"] = out["year"].astype("int64")
    return out, acc.finish(len(out))


def first_differences(panel: pd.DataFrame, cols: Sequence[str], *, id_col: str = "firm_id", time_col: str = "year",
                      prefix: str = "D_") -> pd.DataFrame:
    """Add ``D_<col>`` = x_t - x_{t-1} within ``id_col``, only between consecutive years (a gap of
    more than one year, or the first year of a firm, gives NaN). Row order is preserved."""
    df = panel.copy()
    order = df.sort_values([id_col, time_col]).index
    s = df.loc[order]
    same = s[id_col].eq(s[id_col].shift(1)) & (s[time_col] - s[time_col].shift(1)).eq(1)
    for c in cols:
        d = s[c].astype(float) - s[c].astype(float).shift(1)
        df.loc[order, f"{prefix}{c}"] = np.where(same.to_numpy(), d.to_numpy(), np.nan)
    return df


def add_interactions(panel: pd.DataFrame, moderators: Sequence[str] = INTERACTION_MODERATORS, *, base: str = "egscore") -> pd.DataFrame:
    """Add ``<base>_<x>`` = base * x for each moderator (P2 Tables 7-10)."""
    df = panel.copy()
    for x in moderators:
        df[f"{base}_{x}"] = df[base].astype(float) * df[x].astype(float)
    return df


def balanced_flag(panel: pd.DataFrame, *, years: Sequence[int] = P2_YEARS, id_col: str = "firm_id",
                  require: str | None = None) -> pd.Series:
    """1 if the firm has a row in every one of ``years`` (P2 Table 5 (8) "平衡面板"), else 0.

    ``require``: count only rows where that column is present (the panel passes "qua": a firm-year
    that exported but has no quality, e.g. single-destination sales only, is not in P2's sample)."""
    ok = panel["year"].isin(list(years))
    if require is not None:
        ok &= panel[require].notna()
    n = panel["year"].where(ok).groupby(panel[id_col]).transform("nunique")
    return (n == len(set(years))).astype(float)


#: Where P2 Table 9 col. 4's GVC position is measured (see :func:`p2_panel`).
GVC_LEVELS = ("firm", "industry")


def top_share(x: pd.Series, quantile: float) -> np.ndarray:
    """1 where ``x`` is at or above its ``quantile`` over the non-missing rows, 0 below, NaN where missing."""
    v = pd.to_numeric(x, errors="coerce").astype(float)
    if not v.notna().any():
        return np.full(len(v), np.nan)
    cut = v.quantile(quantile)
    return np.where(v.notna(), (v >= cut).astype(float), np.nan)


def p2_panel(
    quality: pd.DataFrame,
    firm_year: pd.DataFrame,
    city_year: pd.DataFrame,
    instruments: pd.DataFrame,
    *,
    years: Sequence[int] = P2_YEARS,
    gvc_level: str = "firm",
    gvc_top_quantile: float = 0.9,
    differenced: Sequence[str] = ("qua", "egscore", *P2_CONTROL_COLUMNS),
) -> tuple[pd.DataFrame, RowAccount, dict]:
    """The P2 analysis panel: one row per firm_id x year with qua and every variable of Tables 1-10.

    ``quality``: firm-year qua, qua_price, qua_sub, imp, general_trade (export_quality_p2).
    ``firm_year``: :func:`firm_year_p2`; ``city_year``: :func:`city_year_p2`; ``instruments``:
    city-year egscore_size5/7/10, IV_int, IV_gov. A firm-year with export quality but no survey row
    cannot be located and is dropped ("no_survey_firm_year"; matched exports are survey firms, so
    this is normally 0). Missing city variables stay missing (each regression drops its own
    incomplete rows, as P2's N differ by column). First differences are within firm between
    consecutive years (``differenced``: qua, egscore and the six controls, for Table 4 col. 3);
    ``balanced`` marks firms with a ``qua`` in every year.

    GVC position (P2 Table 9 col. 4): P2 measures upstreamness as in Antras et al. (2012) and
    "将产品层面的 GVC 汇总到企业层面，衡量该企业在 GVC中的位置。本文选择对企业 GVC上游度前 10%样本" --
    product-level upstreamness aggregated to the firm, then the top 10% of firms.
    ``gvc_level="firm"`` (default) reads that literally: ``gvc_upstreamness_firm`` (the
    export-value-weighted mean upstreamness of the firm-year's HS6 products, each product at its
    industry's upstreamness; from ``quality``); ``"industry"``: the firm's own 4-digit industry's
    (``gvc_upstreamness`` from ``firm_year``). ``gvc_top`` = 1 at or above the
    ``gvc_top_quantile`` (0.9: "前 10%") of the chosen measure over the panel's firm-years;
    ``gvc_top_industry`` is always the industry reading (the variant ``gvc_industry``).
    """
    if gvc_level not in GVC_LEVELS:
        raise ValueError(f"gvc_level must be one of {GVC_LEVELS}; got {gvc_level!r}")
    acc = RowAccount(rows_in=len(quality), unit="firm-years")
    q = quality[quality["year"].isin(list(years))]
    acc.drop("outside_p2_years", len(quality) - len(q))
    fy = firm_year.rename(columns={"legal_code": "firm_id"})
    df = q.merge(fy, on=["firm_id", "year"], how="left", validate="one_to_one", indicator=True)
    nos = (df["_merge"] == "left_only").to_numpy()
    acc.drop("no_survey_firm_year", int(nos.sum()))
    df = df[~nos].drop(columns="_merge")
    cy = city_year.rename(columns={"city_code": "city"}).drop(columns=["province_code"])
    df = df.merge(cy, on=["city", "year"], how="left", validate="many_to_one")
    iv = instruments.rename(columns={"city_code": "city"})[["city", "year", *INSTRUMENT_COLUMNS]]
    df = df.merge(iv, on=["city", "year"], how="left", validate="many_to_one")
    df = df.sort_values(["firm_id", "year"]).reset_index(drop=True)
    df = first_differences(df, list(differenced))
    firm_gvc = df["gvc_upstreamness_firm"] if "gvc_upstreamness_firm" in df.columns else pd.Series(np.nan, index=df.index)
    df["gvc_upstreamness_firm"] = pd.to_numeric(firm_gvc, errors="coerce").astype(float)
    df["gvc_top_industry"] = top_share(df["gvc_upstreamness"], gvc_top_quantile)
    df["gvc_top"] = (top_share(df["gvc_upstreamness_firm"], gvc_top_quantile) if gvc_level == "firm"
                     else df["gvc_top_industry"].to_numpy())
    df = add_interactions(df)
    df["balanced"] = balanced_flag(df, years=years, require="qua").to_numpy()
    extra = {
        "firm_years_without_egscore": int(df["egscore"].isna().sum()),
        "firm_years_with_all_controls": int(df[list(P2_CONTROL_COLUMNS)].notna().all(axis=1).sum()),
        "firms": int(df["firm_id"].nunique()),
        "cities": int(df["city"].nunique()),
    }
    df["year"] = df["year"].astype("int64")
    return df, acc.finish(len(df)), extra
