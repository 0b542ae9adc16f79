"""Oracle truths: P1's specifications run on the world's latent panels (SPEC section 7).

The true value of a column is not a structural parameter: Eco is endogenous by construction
(``WorldParams.endog_loading``), the quality measure is relative to product x destination x year
cells and the distance to an industry-year maximum, the digital part of quality has several
components (``beta_eco``, ``beta_parts``) and the mechanism outcomes are nonlinear in patents.
So the truth of every estimated column of P1 Tables 1-11 (Eco-bearing regressors; variants
included, keyed by ``variant``) is the *oracle*: the same
:class:`~eq_assets.regressions.spec.RegressionSpec` (``specs_p1.P1_SPECS``), fitted by the same
engine, on panels built from the true latent variables of the same draw with the pipeline's
constructions:

- ``p1_panel``: survey firms' export observations the customs cleaning keeps
  (:func:`~eq_assets.synth.trade.kept_by_cleaning`: no defect, not below 50 USD or 1 unit), in product x
  destination x year cells of 2+ such observations; ``quality`` = ln lambda minus its cell mean
  (the KSW residual without rounding), ``frontier`` = industry-year max, ``Distance``; the true
  Eco variables, the six controls as computed from the written values (missing where the
  pipeline's are), city, 4-digit industry, ``op_status``, the split attributes of Tables 10-11
  (:mod:`.oracle_vars`) and ``dest_development``; ``IV_phone``, ``IV_post``,
  ``IV_patent_industry`` from the written reference files as the pipeline computes them;
- ``p1_firm_panel`` (firm-years): ``Distance_q`` (quality min-max standardized within HS6 over
  all years, value-weighted per firm-year, industry-year max minus it), TFP and its distances
  with the true technology, ``Patent_site`` (true citations of the firm's patents),
  ``Knowledge`` (cumulative true filings, the pipeline's SQL), ``Variety`` and the ``Dist_*``
  distances to the industry-year best over the panel's firm-years with complete controls;
- ``p1_obs_panel``: ``p1_panel``'s rows with ``Distance_1``/``Distance_2`` on the standardized
  quality (and ``_exp`` on quality levels), ``IV_patent`` (the pipeline's exposure SQL on the
  firms' true patents) and the firm-year outcomes;
- ``p1_industry_panel`` (Table 3): the pipeline's construction on the written customs aggregate
  with the true industry digital-patent counts (survey firms' digital patents by the industry of
  their last survey year, as the pipeline assigns them). In this world industry-wide shifts of
  quality cancel in Table 3's construction (quality relative to product x destination x year,
  distance to the industry-year maximum), so its estimand is the effect of industry digital
  patenting on the within-industry dispersion of the aggregate cells' relative quality: defined
  by the oracle on the same draw, not a structural parameter.

IV columns (Table 7): the truth is the causal effect, the 2SLS estimand of the quality component
that excludes the unobserved shock: the same 2SLS on panels whose ``Distance`` is built from
``ln lambda - endog_loading * v`` (``<panel>_causal``). The OLS-on-causal fit of the same column
is recorded in params.json as the causal benchmark, so the built-in OLS bias is (OLS oracle) -
(causal).

:func:`latent_panel` and :func:`fit_table1` (the Table 1 construction from the raw written
totals, used by tests to separate measurement from estimation) are kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from eq_assets.panels.p1_vars import DistanceRatioParams, distance_ratios
from eq_assets.synth import oracle_vars as ov
from eq_assets.synth.params import CONTROL_NAMES, ECO_PARTS, WorldParams
from eq_assets.synth.population import KIND_SURVEY
from eq_assets.synth.reference import RefData
from eq_assets.synth.trade import kept_by_cleaning

#: tables whose Eco-bearing columns get oracle truths: all of P1's estimated tables
ORACLE_TABLES: tuple[str, ...] = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11")
#: the columns fitted at SCALE=paper (10M rows: each fit 30-80 s, so every all-FE column of
#: Tables 1-11 took 20 min of the generator's time, measured): Table 1, the headline, and Table 7's
#: first 2SLS column; the other tables' truths are checked at SCALE=small and tiny (every column)
PAPER_KEY_COLUMNS: dict[str, tuple[str, ...]] = {"1": ("1", "2", "3", "4"), "7": ("2",)}
#: firm-year outcome columns of the latent firm panel
FIRM_OUTCOMES = ("TFP", "DistTFP_CIC_CN", "DistTFP_US_CN", "DistLP_US_CN", "Patent_site", "Dist_site",
                 "Knowledge", "Dist_knowledge", "Variety", "Dist_variety")
ECO_TERMS = ("Eco", *ECO_PARTS)
OP_STATUS_ABNORMAL_LIST = np.array(["停业", "撤销", "筹建"], dtype=object)


def op_status(fy: pd.DataFrame) -> np.ndarray:
    """Operating status as asif_rows writes it."""
    return np.where(fy["abnormal_status"], OP_STATUS_ABNORMAL_LIST[fy["fid"].to_numpy() % 3], "营业")


def year_obs_panel(obs: pd.DataFrame, fy: pd.DataFrame, p: WorldParams, ref: RefData,
                   ctx: ov.OracleContext | None = None, fy_cov: pd.DataFrame | None = None) -> pd.DataFrame:
    """Latent observation-level panel of one year (compact dtypes; see the module docstring).
    ``fy_cov``: the year's firm-year covariates if already computed (their firm-year outcome
    columns are not carried to the observations: p1_obs_panel joins them)."""
    o = obs.loc[(obs["kind"] == KIND_SURVEY) & kept_by_cleaning(obs),
                ["year", "fid", "product", "dest", "mode", "ln_lambda", "v", "ln_q", "ln_p"]]
    dest = o["dest"].to_numpy()
    cell = [o["product"].to_numpy(), o["dest"].to_numpy()]
    g = o.groupby(cell)
    size = g["ln_lambda"].transform("size").to_numpy()
    q = (o["ln_lambda"] - g["ln_lambda"].transform("mean")).to_numpy()
    causal = o["ln_lambda"].to_numpy() - p.endog_loading * o["v"].to_numpy()
    qc = causal - pd.Series(causal, index=o.index).groupby(cell).transform("mean").to_numpy()
    keep = size > 1
    value = np.maximum(1.0, np.round(np.exp(o["ln_q"].to_numpy()))) * np.exp(o["ln_p"].to_numpy())
    out = pd.DataFrame({
        "year": o["year"].to_numpy()[keep].astype(np.int16),
        "fid": o["fid"].to_numpy()[keep].astype(np.int32),
        "product": o["product"].to_numpy()[keep].astype(np.int16),
        "quality": q[keep],
        "quality_causal": qc[keep],
        "value_usd": value[keep].astype(np.float32),
    })
    if ctx is not None:
        out["dest_development"] = ov.destination_development(dest[keep], ctx)
    cols = fy.set_index("fid")[["industry", "city"]].loc[out["fid"].to_numpy()]
    out["industry"] = cols["industry"].to_numpy().astype(np.int16)
    out["city"] = cols["city"].to_numpy().astype(np.int16)
    for name, qcol in (("Distance", "quality"), ("Distance_causal", "quality_causal")):
        front = out.groupby("industry")[qcol].transform("max").to_numpy()
        out[name] = front - out[qcol].to_numpy()
        if qcol == "quality":
            # the exp-scale ratios (variant exp_scale; panels.p1_vars.distance_ratios); the
            # default min-max ones need every year (p1_obs_panel in assemble)
            ratios = distance_ratios(pd.DataFrame({"quality": out["quality"].to_numpy(), "frontier": front}),
                                     DistanceRatioParams(ratio_scale="exp"))
            out["Distance_1_exp"] = ratios["Distance_1"].to_numpy()
            out["Distance_2_exp"] = ratios["Distance_2"].to_numpy()
    fyv = fy_cov if fy_cov is not None else firm_year_covariates(fy, ref, ctx, p)
    fyv = fyv.drop(columns=[c for c in (*FIRM_OUTCOMES, "citations", "n_knowledge_filings") if c in fyv.columns])
    return _join_firm_years(out, fyv)


def _join_firm_years(out: pd.DataFrame, fyv: pd.DataFrame) -> pd.DataFrame:
    """``out`` with the columns of ``fyv`` it lacks, by (year, fid) (many to one): the frame of
    ``out.merge(fyv, how="left", validate="many_to_one", suffixes=("", "_fy"))`` without the
    ``_fy`` columns. When every row finds its firm-year (always, in this world), the columns are
    taken one at a time into ``out`` (pandas' merge copied the whole panel twice, ~0.6 GB per
    year at SCALE=paper, with two years drawn at once: issue 8); otherwise pandas' merge."""
    right = pd.MultiIndex.from_arrays([fyv["year"].to_numpy(), fyv["fid"].to_numpy()])
    if not right.is_unique:
        raise ValueError("firm-year covariates: (year, fid) is not unique")
    pos = right.get_indexer(pd.MultiIndex.from_arrays([out["year"].to_numpy(), out["fid"].to_numpy()]))
    if (pos < 0).any():
        out = out.merge(fyv, on=["year", "fid"], how="left", validate="many_to_one", suffixes=("", "_fy"))
        return out.drop(columns=[c for c in out.columns if c.endswith("_fy")])
    for c in fyv.columns:
        if c not in out.columns:
            out[c] = fyv[c].array.take(pos)
    return out


def firm_year_covariates(fy: pd.DataFrame, ref: RefData, ctx: ov.OracleContext | None = None,
                         p: WorldParams | None = None) -> pd.DataFrame:
    """Survey firm-years: Eco variables, controls (NaN where the pipeline's are missing),
    operating status and the instruments as the pipeline computes them from the files; with
    ``ctx`` (and ``p``) also the split attributes of Tables 10-11 and the TFP outcomes."""
    s = fy[fy["kind"] == KIND_SURVEY]
    year = int(s["year"].iloc[0]) if len(s) else 2004
    t = ref.year_index(year)
    city = s["city"].to_numpy()
    industry = s["industry"].to_numpy()
    ports = ref.ports[ref.province_of_city[city], t]
    out = pd.DataFrame({"year": s["year"].to_numpy().astype(np.int16), "fid": s["fid"].to_numpy().astype(np.int32)})
    for k in ECO_TERMS:
        out[k] = s[k].to_numpy()
    for k in CONTROL_NAMES:
        out[k] = s[k].to_numpy()
    out.loc[~s["profit_defined"].to_numpy(), "Profit_rate"] = np.nan
    out.loc[s["missing_employees"].to_numpy(), "Size"] = np.nan
    out["op_status"] = op_status(s)
    out["IV_phone"] = ref.phones[city] * ports
    out["IV_post"] = ref.posts[city] * ports
    out["IV_patent_industry"] = np.log(ref.foreign[ref.cic2_of_industry[industry], t])
    out["v"] = s["v"].to_numpy()
    out["omega"] = s["omega"].to_numpy()
    out["industry"] = industry.astype(np.int16)
    out["city"] = city.astype(np.int16)
    if ctx is not None:
        for frame in (ov.split_attributes(s, ctx, year), ov.tfp_outcomes(s, ref, p, ctx, year)):
            for c in frame.columns:
                out[c] = frame[c].to_numpy()
    return out


def year_parts(obs: pd.DataFrame, fy: pd.DataFrame, patents: pd.DataFrame, p: WorldParams, ref: RefData,
               ctx: ov.OracleContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One year's oracle parts: (observation panel, firm-year covariates with Variety,
    firm_trade_class, citations and the TFP outcomes)."""
    cov = firm_year_covariates(fy, ref, ctx, p)
    extra = ov.firm_year_trade(obs).merge(ov.patent_citations(patents), on=["year", "fid"], how="outer")
    extra = extra.astype({"year": np.int16, "fid": np.int32})
    cov = cov.merge(extra, on=["year", "fid"], how="left", validate="one_to_one")
    return year_obs_panel(obs, fy, p, ref, ctx, fy_cov=cov), cov


def quality_bounds(obs_panel: pd.DataFrame) -> pd.DataFrame:
    """Per product (HS6): min and max of ``quality`` over the rows given (all years)."""
    return obs_panel.groupby("product")["quality"].agg(lo="min", hi="max")


def firm_panel_year(obs_year: pd.DataFrame, fy_cov: pd.DataFrame, bounds: pd.DataFrame,
                    knowledge: pd.DataFrame | None = None) -> pd.DataFrame:
    """Firm-year rows of one year's observations with ``Distance_q`` (quality min-max standardized
    within HS6 by ``bounds`` over all years, value-weighted per firm-year, industry-year max minus
    it), joined to the firm-year covariates (and ``knowledge``: year, fid, Knowledge); with the
    outcomes present, ``Dist_site``, ``Dist_knowledge``, ``Dist_variety`` = industry-year max
    over the firm-years with complete controls (the pipeline's p1_firm_panel) minus own. Every
    step groups within a year, so the years' frames concatenated in year order are
    :func:`firm_panel` of all years."""
    o = obs_year[["year", "fid", "product", "industry", "quality", "value_usd"]]
    b = bounds.reindex(o["product"].to_numpy())
    lo, hi = b["lo"].to_numpy(), b["hi"].to_numpy()
    ok = hi > lo
    r = pd.DataFrame({"year": o["year"].to_numpy()[ok], "fid": o["fid"].to_numpy()[ok],
                      "industry": o["industry"].to_numpy()[ok],
                      "w": o["value_usd"].to_numpy()[ok].astype(float),
                      "rq": ((o["quality"].to_numpy() - lo) / np.where(ok, hi - lo, 1.0))[ok]})
    r["wrq"] = r["w"] * r["rq"]
    a = r.groupby(["year", "fid"], sort=True).agg(industry=("industry", "first"), w=("w", "sum"), wrq=("wrq", "sum")).reset_index()
    a["quality_q"] = a["wrq"] / a["w"]
    a["Distance_q"] = a.groupby(["industry", "year"])["quality_q"].transform("max") - a["quality_q"]
    cov = fy_cov.drop(columns=["industry"])
    out = a[["year", "fid", "industry", "Distance_q"]].merge(cov, on=["year", "fid"], how="left", validate="one_to_one")
    if knowledge is not None:
        out = out.merge(knowledge, on=["year", "fid"], how="left", validate="one_to_one")
    if "citations" in out.columns:
        out["citations"] = out["citations"].fillna(0.0)
        out["Patent_site"] = np.log1p(out["citations"].to_numpy(dtype=float))
    complete = out[list(CONTROL_NAMES)].notna().all(axis=1)
    for src, dst in (("Patent_site", "Dist_site"), ("Knowledge", "Dist_knowledge"), ("Variety", "Dist_variety")):
        if src in out.columns:
            x = out[src].astype(float)
            front = x.where(complete).groupby([out["industry"], out["year"]]).transform("max")
            out[dst] = front - x
    return out


def firm_panel(obs_panel: pd.DataFrame, fy_cov: pd.DataFrame, knowledge: pd.DataFrame | None = None) -> pd.DataFrame:
    """Firm-year panel with ``Distance_q`` (standardized quality within HS6 over all years)."""
    bounds = quality_bounds(obs_panel)
    parts = [firm_panel_year(o, fy_cov, bounds, knowledge) for _, o in obs_panel.groupby("year", sort=True)]
    return pd.concat(parts, ignore_index=True)


@dataclass(frozen=True)
class Panel:
    """A panel the oracle fits on: its column names and ``load(columns)``, a frame with only
    those columns (from memory, :func:`frame_panel`, or from spilled Parquet parts)."""

    columns: frozenset[str]
    load: Callable[[tuple[str, ...]], pd.DataFrame]


def panel_columns(columns, causal: bool = False) -> dict[str, str]:
    """Panel column -> stored column of the latent panels: ``fid`` is the pipeline's ``firm_id``;
    the causal panel's ``Distance`` is ``Distance_causal`` (Distance from ln lambda - loading*v)."""
    out = {("firm_id" if c == "fid" else c): c for c in columns}
    if causal:
        out.pop("Distance_causal", None)
        out["Distance"] = "Distance_causal"
    return out


def frame_panel(df: pd.DataFrame, causal: bool = False) -> Panel:
    """:class:`Panel` over an in-memory latent panel (column names as stored)."""
    mapping = panel_columns(df.columns, causal)

    def load(cols: tuple[str, ...]) -> pd.DataFrame:
        return df[[mapping[c] for c in cols]].set_axis(list(cols), axis=1)

    return Panel(frozenset(mapping), load)


def oracle_specs(scope: str = "all"):
    """The P1 specs whose Eco rows get oracle truths (``scope`` "all", or "key" at paper scale)."""
    from eq_assets.regressions.specs_p1 import P1_SPECS

    out = []
    for s in P1_SPECS:
        if s.table not in ORACLE_TABLES or not any(r in ECO_TERMS for r in s.regressors):
            continue
        if scope == "key" and s.column not in PAPER_KEY_COLUMNS.get(s.table, ()):
            continue
        out.append(s)
    return out


def oracle_truth_panels(panels: dict[str, Panel], scope: str = "all",
                        timings: list[tuple[str, float]] | None = None) -> tuple[pd.DataFrame, dict]:
    """Truth rows (paper, table, column, term, true_value, basis, variant) and diagnostics.

    ``panels``: :class:`Panel` per spec panel name, and ``<name>_causal`` for the same panel with
    the causal Distance. OLS specs: the spec on the latent panels (basis ``oracle``). IV specs:
    the spec on the panels whose Distance excludes the shock (causal). Diagnostics: for each IV
    column, the OLS on the latent panel, the causal OLS, the causal 2SLS and the first-stage t of
    the instrument (firm-clustered, same FE and controls). Each fit loads only the columns it
    needs (``run_specs``). ``timings`` receives (fit label, seconds incl. loading) per fit.
    """
    import time
    import warnings
    from dataclasses import replace

    from eq_assets.regressions.engine import run_specs
    from eq_assets.synth.spill import release_memory

    rows, diag = [], {}

    def fit(spec, panel: Panel | None, label: str):
        if panel is None or not set(spec.columns_needed) <= panel.columns:
            return None
        t0 = time.perf_counter()
        fits: list = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                run_specs([spec], panel.load, fit_log=fits)
            except (ValueError, np.linalg.LinAlgError):  # e.g. a one-year world: Eco collinear with FE
                return None
            finally:
                release_memory()  # each fit loads its panel afresh: return the last one's pages first
                if timings is not None:
                    timings.append((f"{spec.table}:{spec.column} {label}", time.perf_counter() - t0))
        return fits[0] if fits else None

    for spec in oracle_specs(scope):
        data, causal = panels.get(spec.panel), panels.get(f"{spec.panel}_causal")
        if data is None:
            continue
        if spec.estimator == "iv":
            as_ols = replace(spec, estimator="ols", endogenous=(), instruments=(), first_stage_column=None)
            res = fit(spec, causal, "iv causal")
            ols = fit(as_ols, data, "ols latent")
            ols_c = fit(as_ols, causal, "ols causal")
            fs = fit(replace(spec, depvar=spec.endogenous[0], regressors=spec.instruments, estimator="ols",
                             endogenous=(), instruments=(), first_stage_column=None), causal, "first stage")
            if res is not None:
                key = f"{spec.table}:{spec.column}" + (f":{spec.variant}" if spec.variant else "")
                diag[key] = {
                    "instrument": spec.instruments[0],
                    "iv_causal": res.coef("Eco"), "iv_causal_se": res.se("Eco"),
                    "ols_latent": ols.coef("Eco") if ols else None, "ols_latent_se": ols.se("Eco") if ols else None,
                    "ols_causal": ols_c.coef("Eco") if ols_c else None,
                    "first_stage_t": (fs.coef(spec.instruments[0]) / fs.se(spec.instruments[0])) if fs else None,
                }
        else:
            res = fit(spec, data, "ols")
        if res is None:
            continue
        for term in spec.regressors:
            if term in ECO_TERMS and term in res.terms:
                rows.append((spec.paper, spec.table, spec.column, term, res.coef(term), "oracle", spec.variant))
    cols = ["paper", "table", "column", "term", "true_value", "basis", "variant"]
    return pd.DataFrame(rows, columns=cols), diag


# --- Table 1 from the written totals (tests) --------------------------------------------------------


def latent_panel(obs: pd.DataFrame, firm_years: pd.DataFrame, p: WorldParams) -> pd.DataFrame:
    """P1-like analysis panel from latent observations and firm-years of one or more years.

    ``quality`` from the written totals (``ln q + sigma ln p``, cell-demeaned, / (sigma-1)),
    ``quality_latent`` from ln lambda; rows with every control defined.
    """
    o = obs[(obs["kind"] == KIND_SURVEY) & kept_by_cleaning(obs)].copy()
    o["y"] = np.log(o["quantity"]) + p.sigma * np.log(o["value_usd"] / o["quantity"])
    cell = ["year", "product", "dest"]
    g = o.groupby(cell)
    o["cell_size"] = g["y"].transform("size")
    o["quality"] = (o["y"] - g["y"].transform("mean")) / (p.sigma - 1.0)
    o["quality_latent"] = o["ln_lambda"] - g["ln_lambda"].transform("mean")
    o = o[o["cell_size"] > 1]
    fy = firm_years[["year", "fid", "city", "industry", *CONTROL_NAMES, "profit_defined", "missing_employees"]]
    o = o.drop(columns=["industry"]).merge(fy, on=["year", "fid"], how="left")
    for q, d in (("quality", "Distance"), ("quality_latent", "Distance_latent")):
        o[d] = o.groupby(["industry", "year"])[q].transform("max") - o[q]
    keep = o["profit_defined"] & ~o["missing_employees"]
    return o[keep].reset_index(drop=True)


def fit_table1(panel: pd.DataFrame, depvar: str = "Distance") -> pd.DataFrame:
    """P1 Table 1 columns 1-4 (coef and firm-clustered SE of every term)."""
    import pyfixest as pf

    ctrl = " + ".join(CONTROL_NAMES)
    specs = {
        "1": f"{depvar} ~ Eco | fid + year",
        "2": f"{depvar} ~ Eco | fid + year + city + industry",
        "3": f"{depvar} ~ Eco + {ctrl} | fid + year",
        "4": f"{depvar} ~ Eco + {ctrl} | fid + year + city + industry",
    }
    rows = []
    for col, fml in specs.items():
        fit = pf.feols(fml, data=panel, vcov={"CRV1": "fid"})
        tidy = fit.tidy()
        for term, r in tidy.iterrows():
            rows.append({"column": col, "term": term, "estimate": r["Estimate"], "std_error": r["Std. Error"], "n": fit._N})
    return pd.DataFrame(rows)
