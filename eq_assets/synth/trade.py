"""Export observations from the structure, and the customs rows that record them (SPEC 3, 7).

For each exporting firm-year: a few HS6 products of its portfolio, a few destinations per
product (persistent firm preferences over Zipf-weighted markets), one or two trade modes.
The products of a firm-year are its home portfolio plus Poisson(variety_eco * Eco) further
products of its industry (P1 Table 9: digital innovation widens the product range). Each
observation (firm x HS6 x destination x trade mode x year) gets

    ln lambda = a_i + D_it + sum_k gamma_k*Control_kit + endog_loading*v_it
                + theta_jmt + nu_it + e_ijmt                                  (latent log quality)
    ln p      = price_j + cost_i + alpha*ln lambda + processing_cost*[processing] + eps_ijmt
    ln q      = -sigma*ln p + (sigma-1)*ln lambda + D_jmt                      (CES demand)

with D_it = beta_eco*Eco_it + sum_k beta_parts[k]*Eco_k,it the digital part (firmyear
``dig_effect``) and D_jmt = ln(E_mt/P_jmt) a product x destination x year demand shifter. So
ln q + sigma ln p = (sigma-1) ln lambda + D_jmt exactly: the KSW residual on product x
destination x year effects, divided by sigma-1, is ln lambda minus its cell mean.

Customs rows: each observation is split into 1-3 monthly shipments (distinct months,
possibly different HS8 lines of the HS6, written in the HS revision of the year), quantity
in whole units, value in USD to 2 decimals at the observation's unit price. Defects added
(rates in WorldParams): missing keys, observations below 50 USD or 1 unit, import rows.
Intermediaries' exports are drawn the same way (without Eco and controls).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from eq_assets.cleaning.customs import CustomsCleaningParams
from eq_assets.settings import P2_YEARS  # P2:
from eq_assets.sources.contract import TRADE_MODES
from eq_assets.synth.catalog import Products, destinations_frame
from eq_assets.synth.params import WorldParams
from eq_assets.synth.population import (
    KIND_INTERMEDIARY, MODE_ASSEMBLY, MODE_GENERAL, MODE_IMPORTED, MODE_MIXED, Population,
)
from eq_assets.synth.rng import stream
from eq_assets.synth.shipments import ShipmentRows, compact_key, shipment_rows

MODE_NAMES = np.array(list(TRADE_MODES), dtype=object)  # 0 一般贸易, 1 进料加工贸易, 2 来料加工装配贸易
#: typical value of an observation (USD) before firm, product and market effects
BASE_VALUE_USD = 40_000.0
#: most destinations of one product in a year (the long tail of markets is thin)
MAX_DESTINATIONS = 15
DEFECTS = ("", "missing_firm_name", "missing_hs8", "missing_dest", "value_below_50", "quantity_below_1")


def kept_by_cleaning(obs: pd.DataFrame, params: CustomsCleaningParams = CustomsCleaningParams()) -> pd.Series:
    """The latent observations the pipeline's customs cleaning keeps (before matching): no defect,
    and written totals at least ``params.min_value_usd`` and ``params.min_quantity``
    (:func:`eq_assets.cleaning.customs.customs_observations_sql`, step 8; the same defaults).

    The oracles' samples start from this mask, so they drop what the pipeline drops. Besides the
    drawn defects, a few genuine observations fall below the minimums; they are the lowest
    qualities of their product (low quantity at a given price), so keeping them would stretch
    the oracle's min-max range of P2's quality: at SCALE=paper a quarter of the products' minimum
    was such an observation, and the P2 truths were 4.6% below the estimates."""
    return ((obs["defect"] == "") & (obs["value_usd"] >= params.min_value_usd)
            & (obs["quantity"] >= params.min_quantity))


@dataclass
class YearTrade:
    """One year's latent observations (``obs``) and customs rows (``rows``: integer keys whose
    canonical columns are built when written, :class:`~eq_assets.synth.shipments.ShipmentRows`)."""

    obs: pd.DataFrame
    rows: ShipmentRows


def _cell_shocks(p: WorldParams, year: int, n_prod: int, n_dest: int) -> tuple[np.ndarray, np.ndarray]:
    rng = stream(p.seed, "cells", year)
    theta = p.sd_cell * rng.standard_normal((n_prod, n_dest))
    demand = p.sd_demand_cell * rng.standard_normal((n_prod, n_dest))
    return theta, demand


def observations(pop: Population, fy: pd.DataFrame, products: Products, p: WorldParams, year: int) -> pd.DataFrame:
    """Latent export observations of ``year`` (before shipments and defects)."""
    rng = stream(p.seed, "trade", year)
    f = pop.firms
    pt = products.table
    dests = destinations_frame()
    n_dest = len(dests)
    ex = fy[fy["exporting"]].reset_index(drop=True)
    fid = ex["fid"].to_numpy()

    # products this year: the home portfolio plus Poisson(variety_eco * Eco) next preferred
    # products of the industry (Eco widens the range), each w.p. 0.8, at least the first
    eco_f = np.where(ex["kind"].to_numpy() == KIND_INTERMEDIARY, 0.0, ex["Eco"].to_numpy())
    n_avail = f["n_products"].to_numpy()[fid] + rng.poisson(p.variety_eco * eco_f)
    port = np.where(np.arange(pop.preference.shape[1])[None, :] < n_avail[:, None], pop.preference[fid], -1)
    keep = (port >= 0) & (rng.random(port.shape) < 0.8)
    keep[~keep.any(axis=1), 0] = True
    r_ex, r_col = np.nonzero(keep)
    prod = port[r_ex, r_col]
    # destinations per firm-product: 1 + Poisson(mu_i), the top ones by persistent + fresh keys
    mu = f["mu_dest"].to_numpy()[fid][r_ex]
    n_d = np.minimum(1 + rng.poisson(mu), MAX_DESTINATIONS)
    o_fp, o_dest = _top_destinations(pop.dest_keys, fid[r_ex], n_d, p.destination_churn, rng, n_dest)
    o_ex = r_ex[o_fp]
    o_prod = prod[o_fp]
    # trade modes
    mtype = f["mode_type"].to_numpy()[fid[o_ex]]
    u = rng.random(len(o_ex))
    proc_mode = np.where(rng.random(len(o_ex)) < 0.8, MODE_IMPORTED, MODE_ASSEMBLY)
    mode = np.select(
        [mtype == MODE_GENERAL, mtype == MODE_IMPORTED, mtype == MODE_ASSEMBLY, u < 0.45],
        [MODE_GENERAL, MODE_IMPORTED, MODE_ASSEMBLY, MODE_GENERAL],
        proc_mode,
    )
    both = (mtype == MODE_MIXED) & (u >= 0.8)  # mixed firms: some cells under both modes
    o_ex = np.r_[o_ex, o_ex[both]]
    o_prod = np.r_[o_prod, o_prod[both]]
    o_dest = np.r_[o_dest, o_dest[both]]
    mode = np.r_[np.where(both, MODE_GENERAL, mode), proc_mode[both]]
    order = np.lexsort((mode, o_dest, o_prod, o_ex))
    o_ex, o_prod, o_dest, mode = o_ex[order], o_prod[order], o_dest[order], mode[order]
    n = len(o_ex)

    # latent quality, price, quantity
    theta, demand = _cell_shocks(p, year, len(pt), n_dest)
    e = p.sd_obs * rng.standard_normal(n)
    eps = p.sd_cost_obs * rng.standard_normal(n)
    firm_fid = fid[o_ex]
    exf = ex[[c for c in ("kind", "industry", "Eco", "dig_effect", "ctrl_effect", "v", "nu", "p2_effect")
              if c in ex.columns]].iloc[o_ex]  # only the columns used below (a year's firm-years are wide)
    is_int = exf["kind"].to_numpy() == KIND_INTERMEDIARY
    eco = np.where(is_int, 0.0, exf["Eco"].to_numpy())
    dig = np.where(is_int, 0.0, exf["dig_effect"].to_numpy())
    ctrl = np.where(is_int, 0.0, exf["ctrl_effect"].to_numpy())
    a = f["a"].to_numpy()[firm_fid]
    ln_lambda = (a + dig + ctrl + p.endog_loading * exf["v"].to_numpy()
                 + theta[o_prod, o_dest] + exf["nu"].to_numpy() + e)
    if "p2_effect" in exf:  # P2: e-government terms of 2010-2012 (eq_assets/synth/p2.py)
        ln_lambda = ln_lambda + exf["p2_effect"].to_numpy()
    alpha = p.p2_alpha_price if year in P2_YEARS else p.alpha_price  # P2: see WorldParams.p2_alpha_price
    ln_price_j = pt["ln_price"].to_numpy()[o_prod]
    ln_p = (ln_price_j + f["cost"].to_numpy()[firm_fid] + alpha * ln_lambda
            + p.processing_cost * (mode != MODE_GENERAL) + eps)
    d_cell = (p.sigma * ln_price_j + np.log(BASE_VALUE_USD) - 0.5 * ln_price_j
              + 0.5 * dests["ln_size"].to_numpy()[o_dest] + 0.08 * (year - 2004) + demand[o_prod, o_dest])
    ln_q = -p.sigma * ln_p + (p.sigma - 1.0) * ln_lambda + d_cell
    return pd.DataFrame({
        "year": year, "fid": firm_fid, "kind": exf["kind"].to_numpy(), "industry": exf["industry"].to_numpy(),
        "product": o_prod, "dest": o_dest, "mode": mode, "Eco": eco, "dig_effect": dig, "a": a, "ctrl_effect": ctrl,
        "v": exf["v"].to_numpy(), "nu": exf["nu"].to_numpy(), "theta": theta[o_prod, o_dest], "e": e,
        "ln_lambda": ln_lambda, "ln_p": ln_p, "ln_q": ln_q, "d_cell": d_cell,
    })


#: firm-products ranked per block in :func:`_top_destinations` (bounds memory at SCALE=paper)
RANK_BLOCK = 50_000


def _top_destinations(dest_keys: np.ndarray, firm: np.ndarray, n_d: np.ndarray, churn: float,
                      rng: np.random.Generator, n_dest: int) -> tuple[np.ndarray, np.ndarray]:
    """(row, destination) of each firm-product's ``n_d`` destinations with the largest keys
    (persistent firm keys + ``churn`` * fresh Gumbel draws). Drawn and ranked in blocks of rows:
    numpy's Gumbel draws take one uniform each, filled row by row, so the blocks draw exactly the
    values one (rows x destinations) draw gives, and each row is ranked alone; the result does
    not depend on the block size, and the arrays stay small."""
    rows, dests = [], []
    for a in range(0, len(firm), RANK_BLOCK):
        b = min(a + RANK_BLOCK, len(firm))
        keys = dest_keys[firm[a:b]] + churn * rng.gumbel(size=(b - a, n_dest)).astype(np.float32)
        rank = np.argsort(np.argsort(-keys, axis=1), axis=1)
        r, d = np.nonzero(rank < n_d[a:b, None])
        rows.append(r + a)
        dests.append(d)
    return (np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64),
            np.concatenate(dests) if dests else np.zeros(0, dtype=np.int64))


def customs_rows(obs: pd.DataFrame, pop: Population, products: Products, p: WorldParams, year: int) -> YearTrade:
    """Shipment rows (canonical column names) of the year's observations, with defects.

    Adds to ``obs`` (in place; the returned ``YearTrade.obs`` is ``obs``): ``quantity`` and
    ``value_usd`` (written totals), ``n_ship`` and ``defect``.
    """
    rng = stream(p.seed, "customs", year)
    n = len(obs)
    pt = products.table
    f = pop.firms
    q_true = np.exp(obs["ln_q"].to_numpy())
    price = np.exp(obs["ln_p"].to_numpy())
    q_tot = np.maximum(1.0, np.round(np.minimum(q_true, np.floor(p.max_obs_value_usd / price))))

    # shipments: 1-3 distinct months, Dirichlet shares, whole units
    n_ship = rng.choice([1, 2, 3], n, p=[0.4, 0.35, 0.25])
    n_ship = np.minimum(n_ship, q_tot).astype(int)
    months = np.argsort(rng.random((n, 12)), axis=1)[:, :3] + 1
    g = rng.gamma(2.0, size=(n, 3))
    g[np.arange(3)[None, :] >= n_ship[:, None]] = 0.0
    share = g / g.sum(axis=1, keepdims=True)
    qs = np.floor(share * q_tot[:, None])
    qs[np.arange(3)[None, :] >= n_ship[:, None]] = 0.0
    qs[np.arange(n), n_ship - 1] += q_tot - qs.sum(axis=1)  # remainder to the last shipment
    # shipments with zero units (tiny observations) are merged into the last one
    zero = (qs == 0) & (np.arange(3)[None, :] < n_ship[:, None])
    if zero.any():
        n_ship = np.where(zero.any(axis=1), 1, n_ship)
        qs[zero.any(axis=1)] = 0.0
        qs[zero.any(axis=1), 0] = q_tot[zero.any(axis=1)]
    vs = np.round(qs * price[:, None], 2)

    # defects on whole observations
    u = rng.random(n)
    defect = np.zeros(n, dtype=int)
    r_miss, r_small = p.missing_key_rate, p.small_obs_rate
    kind_pick = rng.integers(0, 3, n)
    defect = np.where(u < r_miss, 1 + kind_pick, defect)  # 1 name, 2 hs8, 3 dest
    small = (u >= r_miss) & (u < r_miss + r_small)
    val_def = small & (rng.random(n) < 0.5)
    qty_def = small & ~val_def
    defect = np.where(val_def, 4, np.where(qty_def, 5, defect))
    target = 5.0 + 40.0 * rng.random(n)
    scale = np.where(val_def, target / np.maximum(vs.sum(axis=1), 1e-9), 1.0)
    vs = np.round(vs * scale[:, None], 2)
    n_ship = np.where(qty_def, 1, n_ship)
    qs[qty_def] = 0.0
    vs[qty_def, 0] = np.round(q_tot[qty_def] * price[qty_def], 2)
    vs[qty_def, 1:] = 0.0

    # added in place (no copy of the year's observations: memory at SCALE=paper, issue 8)
    obs["quantity"] = qs.sum(axis=1)
    obs["value_usd"] = vs.sum(axis=1)
    obs["n_ship"] = n_ship
    obs["defect"] = np.array(DEFECTS, dtype=object)[defect]

    # explode to shipment rows: integer keys only (firm, month, HS8 line, destination, mode);
    # the strings are looked up a slice of rows at a time when written (shipments.ShipmentRows)
    o_idx, s_idx = np.nonzero(np.arange(3)[None, :] < n_ship[:, None])
    prod = obs["product"].to_numpy()[o_idx]
    ship = {"line": _pick_line(products, prod, rng), "product": prod}
    # each key in its compact dtype as soon as it is made (memory at SCALE=paper, issue 8)
    for k, v in (("fid", obs["fid"].to_numpy()), ("dest", obs["dest"].to_numpy()), ("mode", obs["mode"].to_numpy()),
                 ("defect", defect)):
        ship[k] = compact_key(k, v[o_idx])
    ship["month"] = compact_key("month", months[o_idx, s_idx])
    ship["quantity"], ship["value_usd"] = qs[o_idx, s_idx], vs[o_idx, s_idx]
    ship["flow"] = np.zeros(len(o_idx), dtype=np.int8)
    del o_idx, s_idx, prod, qs, vs, months
    imports = _import_rows(obs, pop, products, p, year, int(round(p.import_row_rate * len(ship["fid"]))))
    for k in list(ship):  # one column at a time
        ship[k] = compact_key(k, np.concatenate([ship[k], imports.pop(k)]))
    # file order: by customs firm code, month (stable, so deterministic)
    rank = f["customs_code"].rank(method="first").to_numpy()
    order = np.lexsort((ship["month"], rank[ship["fid"]]))
    for k in list(ship):  # one column at a time (memory)
        ship[k] = ship[k][order]
    return YearTrade(obs=obs, rows=shipment_rows(ship, pop, products, year))


def _pick_line(products: Products, prod: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """An HS8 line (row of ``products.hs8``) of each row's product, by the lines' weights."""
    lines = products.hs8
    start = np.searchsorted(lines["product"].to_numpy(), prod, side="left")
    count = lines.groupby("product").size().reindex(range(len(products.table))).to_numpy()[prod]
    cum = lines.groupby("product")["weight"].cumsum().to_numpy()
    u = rng.random(len(prod))
    off = np.zeros(len(prod), dtype=int)
    for k in (0, 1):  # at most three lines: step past line k while u exceeds its cumulative weight
        step = (off == k) & (k + 1 < count) & (u > cum[np.minimum(start + k, len(cum) - 1)])
        off = np.where(step, k + 1, off)
    return start + off


def _pick_hs8(products: Products, prod: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """An HS8 line's last two digits for each row's product (:func:`_pick_line`)."""
    return products.hs8["hs8_tail"].to_numpy()[_pick_line(products, prod, rng)]


def _import_rows(obs: pd.DataFrame, pop: Population, products: Products, p: WorldParams, year: int, k: int) -> dict[str, np.ndarray]:
    """``k`` import shipments (进出口 = 进口) of firms that export this year (cleaning drops
    them), as the integer keys of :class:`~eq_assets.synth.shipments.ShipmentRows`."""
    rng = stream(p.seed, "imports", year)
    pt = products.table
    dests = destinations_frame()
    firms = np.unique(obs["fid"].to_numpy())
    fid = rng.choice(firms, k) if len(firms) else np.zeros(0, dtype=int)
    prod = rng.integers(0, len(pt), k)
    q = np.maximum(1.0, np.round(np.exp(rng.normal(6.0, 1.5, k))))
    price = np.exp(pt["ln_price"].to_numpy()[prod] + rng.normal(0, 0.5, k))
    month = rng.integers(1, 13, k)  # the draws in this order (the generator's bytes depend on it)
    line = _pick_line(products, prod, rng)
    dest = rng.choice(len(dests), k, p=dests["weight"] / dests["weight"].sum())
    mode = np.where(rng.random(k) < 0.6, MODE_GENERAL, MODE_IMPORTED)
    return {"fid": fid, "month": month, "flow": np.ones(k, dtype=np.int8), "line": line, "dest": dest, "mode": mode,
            "quantity": q, "value_usd": np.round(q * price, 2), "product": prod, "defect": np.zeros(k, dtype=int)}
