"""P1's firm-year control variables (Song & Hu 2024, section III.2.3; SPEC section 4).

- ``Size = ln(employees)``
- ``Profit_rate = ln(total profit / total assets)``
- ``Finance = (current assets - current liabilities) / total assets``
- ``Age = ln(year - opening year + 1)``
- ``Tangible = ln(fixed assets / total assets)``
- ``Leverage = ln(total liabilities / total assets)``

A control whose formula is undefined for a row (log of a non-positive number, zero assets,
opening year after the survey year) is missing, never zero or clipped: a firm with a loss has
no ``Profit_rate``, as in the paper's definition. The panel then drops such rows and counts them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

CONTROLS: tuple[str, ...] = ("Size", "Profit_rate", "Finance", "Age", "Tangible", "Leverage")


def _safe_log(x: pd.Series) -> pd.Series:
    x = pd.to_numeric(x, errors="coerce").astype("float64")
    return pd.Series(np.where(x > 0, np.log(x.where(x > 0)), np.nan), index=x.index)


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    den = den.astype("float64")
    return num.astype("float64") / den.where(den > 0)


def firm_controls(firms: pd.DataFrame) -> pd.DataFrame:
    """Compute the six controls for each firm-year of the cleaned survey."""
    ta = firms["total_assets"]
    out = pd.DataFrame({"year": firms["year"].astype("int64"), "legal_code": firms["legal_code"]})
    out["Size"] = _safe_log(firms["employees"])
    out["Profit_rate"] = _safe_log(_ratio(firms["total_profit"], ta))
    out["Finance"] = _ratio(firms["current_assets"] - firms["current_liabilities"], ta)
    out["Age"] = _safe_log(firms["year"] - firms["open_year"] + 1)
    out["Tangible"] = _safe_log(_ratio(firms["fixed_assets"], ta))
    out["Leverage"] = _safe_log(_ratio(firms["total_liabilities"], ta))
    return out.reset_index(drop=True)
