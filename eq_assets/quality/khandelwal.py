"""Export product quality, P1 variant (Khandelwal, Schott & Wei 2013; Shi 2014; Fan et al. 2018).

CES demand ``q = p^(-sigma) * lambda^(sigma-1) * E/P`` gives (P1 eq. 20-21, SPEC section 3)::

    ln q_ijmt + sigma * ln p_ijmt = chi + eps_ijmt,     quality_ijmt = eps_hat / (sigma - 1)

Named choices (:class:`QualityParams`):

- ``fixed_effects`` (the set chi stands for): ``"cell"`` (default) is P1's eq. 20-21 cell
  ``chi_jmt``, product x destination x year ("以控制年份和进口国层面汇率、进口国国内生产总值等变量");
  ``"additive"`` is product + destination-year effects, the set of much of the literature (Fan,
  Li & Yeaple 2015; KSW's own application). The quality asset is partitioned by year, so on one
  year's observations the product effect is a product-year effect.
- ``sigma``: imposed, 3 by default. P1 does not state its sigma (section III.2.1 only requires
  sigma > 1); P2 states sigma = 3, the usual choice in this literature; 5 and 10 are the
  robustness values SPEC section 3 lists. ``sigma_table`` instead gives one sigma per product
  from a user-supplied elasticity table such as Broda & Weinstein (2006) (see
  :func:`load_sigma_table`); products without a usable entry (none, or sigma <= 1) keep the
  constant ``sigma`` and are counted.

With one interacted cell the regression's residual is the deviation of ``y = ln q + sigma ln p``
from its cell mean, computed in DuckDB with a window mean (exact, no dummy regression). The
additive set needs a real two-way demeaning: the engine's demeaner (pyfixest's alternating
projections, Rust backend: bit-identical across runs) on the observations passed in, written by
hand only as the glue that moves y and the FE codes to it. Observations are split by trade
mode (P1's unit is year x firm x destination x product x trade mode), the FE are not.

Singletons carry no information on quality (their residual is exactly zero): one-observation
cells (``"cell"``), or observations alone in a product or destination-year level, removed
iteratively across both (``"additive"``, reghdfe's rule). They are dropped by default
(``singletons="drop"``) and counted; ``"keep"`` keeps them (quality 0 for a singleton cell).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from eq_assets.core.accounting import RowAccount
from eq_assets.core.sql import count, run_transform

#: Named FE sets of the quality regression -> the FE (each a tuple of columns interacted).
FE_SETS: dict[str, tuple[tuple[str, ...], ...]] = {
    "cell": (("hs6", "dest_code", "year"),),
    "additive": (("hs6",), ("dest_code", "year")),
}


@dataclass(frozen=True)
class QualityParams:
    """Named choices of the P1 quality step (see the module docstring for the sources)."""

    #: Elasticity of substitution, imposed: 3 (P2 states 3; P1 is silent). 5 and 10: robustness.
    sigma: float = 3.0
    #: FE set of chi: "cell" (P1 eq. 20-21: product x destination x year) or "additive"
    #: (product + destination-year).
    fixed_effects: str = "cell"
    #: What to do with singletons: "drop" (default) or "keep".
    singletons: str = "drop"
    #: Optional per-product sigma: a CSV path read by :func:`load_sigma_table` ("" = none).
    sigma_table: str = ""
    #: Importer whose elasticities are used when the table has several (ISO3; Broda-Weinstein's
    #: US estimates are the literature's usual choice for an exporter's quality).
    sigma_importer: str = "USA"

    def fe(self) -> tuple[tuple[str, ...], ...]:
        if self.fixed_effects not in FE_SETS:
            raise ValueError(f"fixed_effects must be one of {sorted(FE_SETS)}; got {self.fixed_effects!r}")
        return FE_SETS[self.fixed_effects]


def load_sigma_table(path: str | Path, importer: str = "USA") -> pd.DataFrame:
    """(hs_prefix, sigma) from an elasticity CSV: a ``sigma`` column, a code column (``hs``,
    ``HS0_3d``, ``hs3`` or ``hs6``: the leading digits of the HS6 code, all of one length) and,
    if present, ``iso3c`` (rows of ``importer`` kept). Broda-Weinstein's file
    ``sigma_hs0_3d_73countries.csv`` has this shape (3-digit HS1988/92 headings; the pipeline's
    HS6 are HS2002 codes, whose 3-digit headings are those of HS1992 but for the few
    reorganised chapters: joined as they are)."""
    t = pd.read_csv(path, dtype=str)
    code = next((c for c in ("hs", "HS0_3d", "hs3", "hs6") if c in t.columns), None)
    if code is None or "sigma" not in t.columns:
        raise ValueError(f"{path}: an elasticity table needs a 'sigma' column and one of hs, HS0_3d, hs3, hs6; got {list(t.columns)}")
    if "iso3c" in t.columns:
        t = t[t["iso3c"] == importer]
        if t.empty:
            raise ValueError(f"{path}: no rows for importer {importer!r} (column iso3c)")
    out = pd.DataFrame({"hs_prefix": t[code].str.strip(), "sigma": pd.to_numeric(t["sigma"], errors="coerce")})
    lengths = out["hs_prefix"].str.len().unique()
    if len(lengths) != 1:
        raise ValueError(f"{path}: codes in {code!r} have several lengths {sorted(lengths)}")
    return out.drop_duplicates("hs_prefix").reset_index(drop=True)


def _sigma_join(con, params: QualityParams) -> tuple[str, str]:
    """(FROM clause over ``obs``, SQL of the row's sigma); flags rows left on the constant."""
    const = repr(float(params.sigma))
    if not params.sigma_table:
        return "obs", f"{const} as _sigma, false as _sigma_fallback"
    t = load_sigma_table(params.sigma_table, params.sigma_importer)
    n = int(t["hs_prefix"].str.len().iloc[0])
    con.register("_sigma_src", t)
    con.execute("create or replace temp table _sigma as select hs_prefix, sigma from _sigma_src where sigma > 1")
    con.unregister("_sigma_src")
    return (f"obs left join _sigma s on s.hs_prefix = substr(obs.hs6, 1, {n})",
            f"coalesce(s.sigma, {const}) as _sigma, s.sigma is null as _sigma_fallback")


def sigma_fallback_rows(con) -> int:
    """Rows of the last :func:`khandelwal_quality_sql` on ``con`` whose product had no usable
    entry in the elasticity table (they use the constant sigma; 0 without a table)."""
    return count(con, "(select 1 from _quality where _sigma_fallback)")


def khandelwal_quality_sql(con, params: QualityParams = QualityParams()) -> tuple[str, RowAccount]:
    """Quality as DuckDB SQL over ``obs`` (FE columns, value_usd, quantity, ...)."""
    if params.sigma <= 1:
        raise ValueError(f"sigma must exceed 1 (CES); got {params.sigma}")
    if params.singletons not in ("drop", "keep"):
        raise ValueError(f"singletons must be 'drop' or 'keep'; got {params.singletons!r}")
    fe = params.fe()
    source, sigma = _sigma_join(con, params)  # first: registering after an open fetch fails
    acc = RowAccount(rows_in=count(con, "obs"), unit="observations")
    con.execute(
        f"""
        create or replace temp table _qy as
        select obs.*, row_number() over (order by {", ".join(f'obs.{c}' for c in _order(con, "obs"))}) as _rid,
               obs.value_usd / obs.quantity as unit_value,
               count(*) over (partition by {", ".join(f'obs.{c}' for c in FE_SETS["cell"][0])})::BIGINT as cell_size,
               {sigma}
        from {source}
        """
    )
    con.execute("create or replace temp table _qy2 as select *, ln(quantity) + _sigma * ln(unit_value) as _y from _qy")
    if len(fe) == 1:
        g = ", ".join(fe[0])
        con.execute(f"""create or replace temp table _quality as
            select * exclude (_y, _sigma, _n), (_y - avg(_y) over (partition by {g})) / (_sigma - 1) as quality,
                   _n = 1 as _single
            from (select *, count(*) over (partition by {g}) as _n from _qy2)""")
        reason = "singleton_cell"
    else:
        _additive(con, fe, params.singletons == "drop")
        reason = "singleton_fe_level"
    if params.singletons == "drop":
        acc.drop(reason, count(con, "(select 1 from _quality where _single)"))
    where = "where not _single" if params.singletons == "drop" else ""
    order = ", ".join(c for c in OBS_ORDER if c in {r[0] for r in con.execute("describe _quality").fetchall()})
    return f"select * exclude (_rid, _single, _sigma_fallback) from _quality {where} order by {order}", acc


def _order(con, rel: str) -> list[str]:
    cols = [r[0] for r in con.execute(f"describe {rel}").fetchall()]
    return [c for c in ("year", *OBS_ORDER) if c in cols] or cols


def _additive(con, fe: tuple[tuple[str, ...], ...], drop_singletons: bool) -> None:
    """``_quality`` = ``_qy2`` with the residual of ``_y`` on the additive FE, / (sigma - 1)."""
    from pyfixest.estimation import detect_singletons
    from pyfixest.estimation.internals.demean_ import dispatch_demean

    from eq_assets.regressions.options import EstimationSettings

    keys = [", ".join(g) for g in fe]
    sel = ", ".join(f"dense_rank() over (order by {k})::UINTEGER - 1 as _fe{j}" for j, k in enumerate(keys))
    d = con.execute(f"select _rid, _y, {sel} from _qy2 order by _rid").df()
    flist = np.asfortranarray(d[[f"_fe{j}" for j in range(len(fe))]].to_numpy(dtype=np.uint32))
    single = np.zeros(len(d), dtype=bool)
    if drop_singletons and len(d):
        single = np.asarray(detect_singletons(flist), dtype=bool)
    resid = np.zeros(len(d))
    keep = ~single
    if keep.any():
        f = np.asfortranarray(np.column_stack([pd.factorize(flist[keep, j])[0] for j in range(flist.shape[1])]).astype(np.uint32))
        y = np.asfortranarray(d["_y"].to_numpy(dtype=np.float64)[keep][:, None])
        # Rust alternating projections: bit-identical across runs (quality is stored data)
        demeaner = EstimationSettings(demeaner_backend="rust").demeaner()
        out, ok, _ = dispatch_demean(y, f, None, demeaner)
        if not ok:
            raise ValueError("quality: demeaning on the additive fixed effects did not converge")
        resid[keep] = out[:, 0]
    con.register("_resid", pd.DataFrame({"_rid": d["_rid"].to_numpy(), "_e": resid, "_single": single}))
    con.execute("""create or replace temp table _quality as
        select q.* exclude (_y, _sigma), r._e / (q._sigma - 1) as quality, r._single
        from _qy2 q join _resid r using (_rid)""")
    con.unregister("_resid")


#: row order of the observation tables (deterministic output)
OBS_ORDER = ("firm_id", "hs6", "dest_code", "trade_mode")


def khandelwal_quality(obs, params: QualityParams = QualityParams()) -> tuple[pd.DataFrame, RowAccount]:
    """Quality of each observation. ``obs`` (a frame or stored table) needs the FE columns,
    value_usd and quantity; the asset runs :func:`khandelwal_quality_sql`."""
    return run_transform(khandelwal_quality_sql, params, inputs={"obs": obs})
