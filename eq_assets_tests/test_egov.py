"""P2's e-government index (eq. 14) and neighbour-city instrument (Table 6), by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from eq_assets.core.errors import InputDataError
from eq_assets.egov import EGOV_SUBINDICES, egov_index
from eq_assets.instruments.neighbours import neighbour_iv

SUBS = list(EGOV_SUBINDICES)


# ---------------------------------------------------------------- egscore (P2 eq. 14)
def _scores() -> pd.DataFrame:
    rows = {
        ("3202", 2010): [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
        ("3202", 2011): [0.5] * 9,
        ("3203", 2010): [0.9, 0.9, 0.9, np.nan, 0.9, 0.9, 0.9, 0.9, 0.9],
    }
    df = pd.DataFrame([[c, y, *v] for (c, y), v in rows.items()], columns=["city_code", "year", *SUBS])
    df["province_code"] = "32"
    return df


def test_egscore_is_mean_of_nine_subindices_by_hand():
    out, acc = egov_index(_scores())
    r = out.set_index(["city_code", "year"])
    assert abs(r.loc[("3202", 2010), "egscore"] - 4.5 / 9) < 1e-12
    assert abs(r.loc[("3202", 2011), "egscore"] - 0.5) < 1e-12
    assert r.loc[("3202", 2010), "egscore_tax"] == 0.3
    assert r.loc[("3202", 2010), "egscore_info"] == 0.9
    # one sub-index missing: egscore missing, the others kept for P2 Table 3, and counted
    assert math.isnan(r.loc[("3203", 2010), "egscore"])
    assert r.loc[("3203", 2010), "egscore_idf"] == 0.9 and math.isnan(r.loc[("3203", 2010), "egscore_int"])
    assert r["n_subindex_missing"].tolist() == [0, 0, 1]
    assert {f"egscore_{s}" for s in ("idf", "enp", "tax", "int", "emp", "doc", "tra")} <= set(out.columns)
    assert "province_code" in out.columns and "idf" not in out.columns
    assert acc.balanced and acc.dropped == {}


def test_egscore_options_drop_divisor_rename_and_errors():
    out, acc = egov_index(_scores(), incomplete="drop")
    assert len(out) == 2 and acc.dropped == {"incomplete_subindices": 1} and acc.balanced
    pct = _scores()
    pct[SUBS] = pct[SUBS] * 100
    out100, _ = egov_index(pct, divisor=100)
    np.testing.assert_allclose(out100.egscore.iloc[:2], [0.5, 0.5])
    chinese = _scores().rename(columns={k: v[0] for k, v in EGOV_SUBINDICES.items()})
    outcn, _ = egov_index(chinese, rename={v[0]: k for k, v in EGOV_SUBINDICES.items()})
    np.testing.assert_allclose(outcn.egscore.iloc[:2], [0.5, 0.5])
    dup = pd.concat([_scores(), _scores().iloc[[0]]])
    with pytest.raises(InputDataError, match="duplicate city-years"):
        egov_index(dup)
    with pytest.raises(InputDataError, match="housing"):
        egov_index(_scores().drop(columns="housing"))


# ---------------------------------------------------------------- neighbour IV (P2 Table 6)
def _cities() -> pd.DataFrame:
    rows = [
        # year, city, province, gdp, egscore, capital, municipality
        (2010, "3201", "32", 510.0, 0.90, True, False),  # capital, GDP closest to 3202: excluded
        (2010, "3202", "32", 500.0, 0.50, False, False),
        (2010, "3203", "32", 300.0, 0.30, False, False),
        (2010, "3204", "32", 320.0, 0.40, False, False),
        (2010, "3205", "32", 280.0, 0.60, False, False),
        (2010, "3206", "32", 100.0, 0.20, False, False),
        (2010, "3207", "32", 505.0, np.nan, False, False),  # no score: target only, never a neighbour
        (2011, "3202", "32", 300.0, 0.55, False, False),  # alone in 2011: no neighbour that year
        (2010, "1100", "11", 1000.0, 0.80, False, True),  # municipality
        (2010, "5001", "50", 900.0, 0.70, False, False),  # municipality by province code
        (2010, "4401", "44", 900.0, 0.70, True, False),
        (2010, "4402", "44", 400.0, 0.50, False, False),  # only the capital in its province
        (2010, "3208", "32", np.nan, 0.50, False, False),  # no GDP
    ]
    return pd.DataFrame(
        rows, columns=["year", "city_code", "province_code", "gdp", "egscore", "is_capital", "is_municipality"]
    )


def test_neighbour_iv_hand_computed_province():
    out, acc = neighbour_iv(_cities(), k=2)
    r = out.set_index(["city_code", "year"])
    expected = {
        "3202": (0.40 + 0.30) / 2,  # 3204 (180), 3203 (200); capital 3201 (10) and 3207 (no score) skipped
        "3203": (0.40 + 0.60) / 2,  # 3204 and 3205 both at distance 20
        "3204": (0.30 + 0.60) / 2,  # 3203 (20), 3205 (40)
        "3205": (0.30 + 0.40) / 2,  # 3203 (20), 3204 (40)
        "3206": (0.60 + 0.30) / 2,  # 3205 (180), 3203 (200)
        "3207": (0.50 + 0.40) / 2,  # 3202 (5), 3204 (185)
    }
    assert set(r.index) == {(c, 2010) for c in expected}
    for c, m in expected.items():
        assert abs(r.loc[(c, 2010), "iv_nei2"] - math.log(m)) < 1e-12, c
        assert abs(r.loc[(c, 2010), "egscore_nei2"] - m) < 1e-12
    assert r.loc[("3202", 2010), "neighbours"] == "3204;3203"
    assert not r.short_of_k.any() and (r.n_neighbours == 2).all()
    assert acc.dropped == {
        "municipality": 2,
        "provincial_capital": 2,
        "missing_gdp": 1,
        "no_eligible_neighbour": 2,  # 3202 in 2011 (same-year only), 4402 (only a capital)
        "nonpositive_mean_egscore": 0,
    }
    assert acc.balanced and acc.rows_in == len(_cities())


def test_neighbour_iv_excludes_self_and_capitals():
    out, _ = neighbour_iv(_cities(), k=10)
    for _, row in out.iterrows():
        nbs = row.neighbours.split(";")
        assert row.city_code not in nbs
        assert not {"3201", "4401", "1100", "5001", "3207", "3208"} & set(nbs)
    # without the capital rule the capital becomes 3202's nearest neighbour and a target itself
    keep_cap, acc = neighbour_iv(_cities(), k=1, exclude_capitals=False)
    r = keep_cap.set_index("city_code")
    assert r.loc["3202", "neighbours"] == "3201" and "3201" in r.index
    assert "provincial_capital" not in acc.dropped or acc.dropped["provincial_capital"] == 0


def test_neighbour_iv_ties_are_broken_by_smaller_city_code_whatever_the_row_order():
    cities = _cities()
    for seed in range(3):
        out, _ = neighbour_iv(cities.sample(frac=1.0, random_state=seed), k=1)
        r = out.set_index("city_code")
        # 3204 and 3205 are both 20 away from 3203: the smaller code wins
        assert r.loc["3203", "neighbours"] == "3204"
        assert abs(r.loc["3203", "iv_nei1"] - math.log(0.40)) < 1e-12


def test_neighbour_iv_fewer_than_k_use_all_or_drop():
    out, acc = neighbour_iv(_cities(), k=5)
    r = out.set_index("city_code")
    # 3202 has 4 eligible others with scores (3203, 3204, 3205, 3206): all used, flagged
    assert r.loc["3202", "n_neighbours"] == 4 and bool(r.loc["3202", "short_of_k"])
    assert abs(r.loc["3202", "egscore_nei5"] - (0.3 + 0.4 + 0.6 + 0.2) / 4) < 1e-12
    # 3207 (no own score) has 5: 3202..3206
    assert r.loc["3207", "n_neighbours"] == 5 and not bool(r.loc["3207", "short_of_k"])
    dropped, acc2 = neighbour_iv(_cities(), k=5, short="drop")
    assert set(dropped.city_code) == {"3207"}
    assert acc2.dropped["fewer_than_k_neighbours"] == 5 and acc2.balanced


def test_neighbour_iv_numeric_codes_log_option_and_nonpositive():
    c = _cities()
    c["city_code"] = c.city_code.astype(int)
    c["province_code"] = c.province_code.astype(int)
    out, acc = neighbour_iv(c, k=2)
    assert len(out) == 6 and acc.dropped["municipality"] == 2
    lvl, _ = neighbour_iv(_cities(), k=2, log=False)
    np.testing.assert_allclose(lvl.iv_nei2, lvl.egscore_nei2)
    zero = _cities().assign(egscore=lambda d: np.where(d.city_code.isin(["3203", "3205"]), 0.0, d.egscore))
    z, accz = neighbour_iv(zero, k=1)
    # 3204's nearest is 3203 (score 0) -> ln 0 undefined -> dropped and counted; 3203 -> 3204 (.4)
    assert "3204" not in set(z.city_code) and accz.dropped["nonpositive_mean_egscore"] >= 1
    with pytest.raises(InputDataError, match="is_capital"):
        neighbour_iv(_cities().drop(columns="is_capital"))
    with pytest.raises(ValueError, match="k must be"):
        neighbour_iv(_cities(), k=0)
