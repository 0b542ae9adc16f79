"""P2's city e-government performance index ``egscore`` (Ma, Wang & Gong, section 3.2.2, eq. 14).

P2 takes the local-government website performance evaluation published by the China Software
Testing Center (中国软件测评中心) for 2010-2012 and keeps the nine service domains relevant to
exporters, then takes their arithmetic mean (P2: "筛选出与企业出口质量升级相关的 9 个领域的指标进行
算数平均"; eq. 14 prints a sum sign, but the text says arithmetic mean and the reported range of
egscore, 0.110-0.853 in P2 Table 1, is that of a mean of unit-interval scores)::

    egscore_ct = (1/9) sum_{n=1..9} egscore_n_ct

The nine sub-indices (input column -> Chinese original, English; P2's grouping):

==========  ==============  ===============================  ========================
column      original        domain                           P2 channel
==========  ==============  ===============================  ========================
idf         资质认定        qualification / licensing        business operation
enp         企业开办        enterprise start-up              business operation
tax         经营纳税        business operation and tax       business operation
int         交流互动        interaction with the public      administrative efficiency
emp         就业            employment                       human capital
doc         证件办理        documents and certificates       human capital
tra         交通            transport                        human capital
housing     住房            housing                          human capital
info        信息公开        information disclosure           administrative efficiency
==========  ==============  ===============================  ========================

P2 Table 3 uses the first seven alone as ``egscore_idf`` ... ``egscore_tra``; the output also
carries ``egscore_housing`` and ``egscore_info`` for completeness.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from eq_assets.core.accounting import RowAccount
from eq_assets.core.errors import InputDataError

__all__ = ["EGOV_SUBINDICES", "EGOV_TABLE3", "egov_index"]

#: The nine sub-indices: input column -> (Chinese original, English name).
EGOV_SUBINDICES: dict[str, tuple[str, str]] = {
    "idf": ("资质认定", "qualification"),
    "enp": ("企业开办", "enterprise start-up"),
    "tax": ("经营纳税", "business operation and tax"),
    "int": ("交流互动", "interaction"),
    "emp": ("就业", "employment"),
    "doc": ("证件办理", "documents"),
    "tra": ("交通", "transport"),
    "housing": ("住房", "housing"),
    "info": ("信息公开", "information disclosure"),
}

#: Sub-indices that P2 Table 3 uses one at a time.
EGOV_TABLE3: tuple[str, ...] = ("idf", "enp", "tax", "int", "emp", "doc", "tra")


def egov_index(
    scores: pd.DataFrame,
    *,
    subindices: Sequence[str] = tuple(EGOV_SUBINDICES),
    rename: Mapping[str, str] | None = None,
    keys: Sequence[str] = ("city_code", "year"),
    divisor: float = 1.0,
    incomplete: str = "keep",
) -> tuple[pd.DataFrame, RowAccount]:
    """City-year ``egscore`` = mean of the nine sub-indices (P2 eq. 14), plus ``egscore_<n>``.

    ``scores``: one row per city-year (``keys``) with the sub-index columns ``subindices`` (names
    of :data:`EGOV_SUBINDICES`; ``rename`` maps source column names to them first, e.g.
    ``{"资质认定": "idf"}``). Other columns (e.g. province_code) are carried through.

    * ``divisor`` (*): the sub-indices are divided by it first. P2 reports egscore in [0, 1]; use
      100 if the source scores are on a 0-100 scale. Default 1 (used as given).
    * ``incomplete`` (*: P2 does not say): a city-year with any sub-index missing has ``egscore``
      NaN (a mean over fewer domains would not be comparable); its available sub-indices are kept
      (P2 Table 3 uses them alone). ``n_subindex_missing`` counts the missing domains of each row.
      ``"keep"`` (default) keeps such rows; ``"drop"`` drops them ("incomplete_subindices").

    Duplicate city-years or missing keys raise :class:`InputDataError`. Returns the frame and a
    RowAccount (unit: city-years).
    """
    if incomplete not in ("keep", "drop"):
        raise ValueError(f"incomplete must be 'keep' or 'drop'; got {incomplete!r}")
    if not divisor > 0:
        raise ValueError(f"divisor must be positive; got {divisor}")
    df = scores.rename(columns=dict(rename or {})).reset_index(drop=True)
    keys = list(keys)
    subs = list(subindices)
    missing_cols = [c for c in [*keys, *subs] if c not in df.columns]
    if missing_cols:
        raise InputDataError(
            "egov_index", "missing columns", column=", ".join(missing_cols),
            expected=f"keys {keys} and sub-indices {subs} ({', '.join(EGOV_SUBINDICES[s][0] for s in subs if s in EGOV_SUBINDICES)})",
        )
    nokey = df[keys].isna().any(axis=1)
    if nokey.any():
        raise InputDataError("egov_index", "missing city or year", column=", ".join(keys),
                             rows=list(df.index[nokey]), expected="non-missing keys")
    dup = df.duplicated(keys, keep=False)
    if dup.any():
        raise InputDataError("egov_index", "duplicate city-years", column=", ".join(keys),
                             rows=list(df.index[dup]), examples=df.loc[dup, keys].head(5).values.tolist(),
                             expected="one row per city-year")
    acc = RowAccount(rows_in=len(df), unit="city-years")
    vals = df[subs].apply(pd.to_numeric, errors="coerce").astype(float) / float(divisor)
    for s in subs:
        df[f"egscore_{s}"] = vals[s].to_numpy()
    n_miss = vals.isna().sum(axis=1).to_numpy()
    df["n_subindex_missing"] = n_miss.astype("int64")
    df["egscore"] = np.where(n_miss == 0, vals.mean(axis=1, skipna=True).to_numpy(), np.nan)
    if incomplete == "drop":
        bad = n_miss > 0
        acc.drop("incomplete_subindices", int(bad.sum()))
        df = df[~bad].reset_index(drop=True)
    df = df.drop(columns=[s for s in subs if s not in keys])
    first = [*keys, "egscore", *[f"egscore_{s}" for s in subs], "n_subindex_missing"]
    df = df[first + [c for c in df.columns if c not in first]]
    return df, acc.finish(len(df))
