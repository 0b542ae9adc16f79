"""Identification statistics of IV columns: what the tables print and the reference values.

The IV path (:mod:`eq_assets.regressions.iv`) writes three statistic rows under every 2SLS column of
results.csv (terms ``stat:kp_rk_lm``, ``stat:kp_rk_wald_f``, ``stat:first_stage_f``; see
:data:`STAT_ROWS`). A table prints

- the Kleibergen-Paap rk LM statistic and its chi2 p-value (under-identification; ivreg2's
  "Underidentification test");
- the Kleibergen-Paap rk Wald F (weak identification; ivreg2's "Weak identification test");
- the reference value a reader compares the rk Wald F with: the Stock-Yogo (2005) critical value
  for a 10% maximal size of a nominal 5% Wald test (:data:`STOCK_YOGO_SIZE`), and, with one
  excluded instrument, the Olea-Pflueger (2013) critical value for a 10% worst-case bias
  (:data:`OLEA_PFLUEGER_TAU10_JUST_IDENTIFIED`).

The first-stage F of the excluded instruments is the same Wald statistic as the rk Wald F when there
is one endogenous regressor (ivreg2 prints the same number twice; :mod:`eq_assets.instruments.kp`),
so a table prints it only in a column where the two differ.

Reference values are constants from the published tables (nothing here is estimated):

- Stock, J. H. and Yogo, M. (2005). Testing for weak instruments in linear IV regression. In
  *Identification and Inference for Econometric Models*, Table 5.2 (2SLS size), as ivreg2 prints
  them. They are derived for i.i.d. errors (the Cragg-Donald F); compared with a cluster-robust
  rk Wald F they are a rule of thumb (ivreg2's own caveat).
- Montiel Olea, J. L. and Pflueger, C. (2013). A robust test for weak instruments. *Journal of
  Business & Economic Statistics* 31(3), 358-369, Table 1 (tau = 10%, 5% level, one instrument:
  23.109). With one excluded instrument the effective F equals the heteroskedasticity/cluster
  robust first-stage F, i.e. the rk Wald F here; with more instruments it does not, and no value is
  printed.
"""

from __future__ import annotations

from eq_assets.regressions.iv import STAT_FIRST_STAGE_F, STAT_KP_LM, STAT_KP_WALD_F

#: Stock-Yogo (2005) 2SLS size critical values, one endogenous regressor: number of excluded
#: instruments -> {maximal size r: critical value of the F statistic} (nominal 5% Wald test).
STOCK_YOGO_SIZE: dict[int, dict[float, float]] = {
    1: {0.10: 16.38, 0.15: 8.96, 0.20: 6.66, 0.25: 5.53},
    2: {0.10: 19.93, 0.15: 11.59, 0.20: 8.75, 0.25: 7.25},
    3: {0.10: 22.30, 0.15: 12.83, 0.20: 9.54, 0.25: 7.80},
}
#: The maximal size whose critical value the tables print.
STOCK_YOGO_PRINTED_SIZE = 0.10

#: Olea-Pflueger (2013) critical value of the effective F, tau = 10% worst-case bias, 5% level, one
#: excluded instrument (just identified).
OLEA_PFLUEGER_TAU10_JUST_IDENTIFIED = 23.109

#: results.csv statistic rows: term -> (row label in the tables, what the estimate is, what p_value is).
STAT_ROWS: dict[str, tuple[str, str, str]] = {
    STAT_KP_LM: (
        "Kleibergen-Paap rk LM",
        "Kleibergen-Paap (2006) rk LM statistic of under-identification (H0: the first stage has reduced "
        "rank), cluster/heteroskedasticity-robust as the column's vcov, as ivreg2 / ivreghdfe print it",
        "chi2 p-value with L - K + 1 degrees of freedom (L excluded instruments, K endogenous regressors)",
    ),
    STAT_KP_WALD_F: (
        "Kleibergen-Paap rk Wald F",
        "Kleibergen-Paap rk Wald F statistic of weak identification (ivreg2's small-sample factors); "
        "compare with the Stock-Yogo / Olea-Pflueger critical values printed under it",
        "empty (the statistic has no standard p-value: it is compared with critical values)",
    ),
    STAT_FIRST_STAGE_F: (
        "First-stage F",
        "F statistic of the excluded instruments in the first stage (Wald test with the column's vcov and "
        "the rk Wald F's small-sample factor); with one endogenous regressor it equals the rk Wald F",
        "p-value from F(L, G - 1) with G clusters (F(L, N - L_all) without clustering)",
    ),
}


def stock_yogo(n_instruments: int, size: float = STOCK_YOGO_PRINTED_SIZE) -> float | None:
    """Stock-Yogo critical value for one endogenous regressor, or None when not tabulated here."""
    return STOCK_YOGO_SIZE.get(int(n_instruments), {}).get(size)


def olea_pflueger(n_instruments: int) -> float | None:
    """Olea-Pflueger tau = 10% critical value, printed for just-identified columns only."""
    return OLEA_PFLUEGER_TAU10_JUST_IDENTIFIED if int(n_instruments) == 1 else None


IV_NOTE = (
    "IV statistics: Kleibergen-Paap rk LM (under-identification; p-value from chi2) and rk Wald F (weak "
    "identification), as ivreg2 reports them. Critical values: Stock-Yogo (2005) for a 10% maximal size of a "
    "5% Wald test (derived for i.i.d. errors: a rule of thumb with clustered errors); Olea-Pflueger (2013) "
    "for a 10% worst-case bias at the 5% level (one instrument: the effective F equals the robust first-stage "
    "F, i.e. the rk Wald F). With one endogenous regressor the first-stage F of the excluded instruments "
    "equals the rk Wald F and is not printed twice."
)
