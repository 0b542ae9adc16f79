"""HS codes on one revision, through a concordance the user supplies, each conversion counted.

Chinese customs records use the HS revision in force in their year (HS2002 from 2002, HS2007
from 2007, HS2012 from 2012, HS2017 from 2017; the mapping's ``hs_vintage`` declares it per
year). A product panel needs one revision: each six-digit code is mapped to the target revision
through a concordance relation ``(hs_version, hs6, hs6_base)``, the layout of the raw reference
table ``reference/hs_concordance`` (``版本, HS6, HS2002``). Rules, counted by
:func:`hs_counts_sql`:

- ``target_vintage``: the record's revision is the target: kept;
- ``unchanged``: found in the concordance with the same code;
- ``converted``: found, mapped to another code;
- ``not_in_concordance``: the revision/code pair is not in the concordance: kept as it is
  (the product list then mixes revisions for it, so it is counted);
- ``invalid_hs``: not six digits: NULL.

:func:`un_concordance_frame` builds such a relation from the UN Statistics Division conversion
tables (as converted to CSV in the R package ``concordance``, e.g. ``../shared/data/hs_concordance``,
whose SOURCE.md describes them): one target code per source code ("conversion table").
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

#: revision name -> the UN/``concordance`` package's HS number (HS0 = 1988/92 ... HS6 = 2022)
UN_HS = {"HS1992": "HS0", "HS1996": "HS1", "HS2002": "HS2", "HS2007": "HS3", "HS2012": "HS4", "HS2017": "HS5", "HS2022": "HS6"}
RULES = ("target_vintage", "unchanged", "converted", "not_in_concordance", "invalid_hs")


def _un_table(folder: Path, s: str, t: str) -> pd.Series:
    """Source code -> target code between two UN revision numbers (e.g. HS4 -> HS2); chained
    through the revisions in between when no direct table exists (HS2012 -> HS2007 -> HS2002)."""
    f = folder / f"{s.lower()}_{t.lower()}.csv"
    if f.exists():
        df = pd.read_csv(f, dtype=str)
        return pd.Series(df[f"{t}_6d"].str.zfill(6).to_numpy(), index=df[f"{s}_6d"].str.zfill(6)).groupby(level=0).first()
    mid = f"HS{int(s[2:]) - 1}"
    if int(mid[2:]) <= int(t[2:]):
        raise FileNotFoundError(f"no conversion table {f.name} in {folder}")
    first, second = _un_table(folder, s, mid), _un_table(folder, mid, t)
    return first.map(second).fillna(first)  # a code missing from the next table is kept as it is


def un_concordance_frame(folder: str | Path, target: str = "HS2002", sources: tuple[str, ...] = ("HS2007", "HS2012")) -> pd.DataFrame:
    """The concordance ``(hs_version, hs6, hs6_base)`` from ``folder``'s ``hsX_hsY.csv`` files
    (revision X -> ``target`` Y, chained through intermediate revisions) for each of ``sources``."""
    frames = []
    for s in sources:
        m = _un_table(Path(folder), UN_HS[s], UN_HS[target])
        frames.append(pd.DataFrame({"hs_version": s, "hs6": m.index.to_numpy(), "hs6_base": m.to_numpy()}))
    return pd.concat(frames, ignore_index=True)


def harmonise_hs_sql(relation: str, concordance: str, *, hs6: str = "substr(hs8, 1, 6)",
                     vintage: str = "hs_vintage", target: str = "HS2002") -> str:
    """SQL: every column of ``relation`` plus ``hs6_target`` and ``hs_rule`` (:data:`RULES`).

    ``vintage``: a SQL expression giving each row's revision (e.g. a literal ``'HS2007'`` for a
    year's partition); ``concordance``: a relation ``(hs_version, hs6, hs6_base)``."""
    return f"""
    WITH s AS (SELECT *, {hs6} AS _hs6, {vintage} AS _v FROM {relation})
    SELECT s.* EXCLUDE (_hs6, _v),
           CASE WHEN NOT regexp_matches(coalesce(s._hs6, ''), '^[0-9]{{6}}$') THEN NULL
                WHEN s._v = '{target}' THEN s._hs6
                ELSE coalesce(c.hs6_base, s._hs6) END AS hs6_target,
           CASE WHEN NOT regexp_matches(coalesce(s._hs6, ''), '^[0-9]{{6}}$') THEN 'invalid_hs'
                WHEN s._v = '{target}' THEN 'target_vintage'
                WHEN c.hs6_base IS NULL THEN 'not_in_concordance'
                WHEN c.hs6_base = s._hs6 THEN 'unchanged' ELSE 'converted' END AS hs_rule
    FROM s LEFT JOIN {concordance} c ON c.hs_version = s._v AND c.hs6 = s._hs6
    """


def hs_counts_sql(harmonised: str) -> str:
    """SQL: rows by ``hs_rule`` of a relation built by :func:`harmonise_hs_sql`."""
    return f"SELECT hs_rule AS rule, count(*) AS n FROM ({harmonised}) GROUP BY hs_rule ORDER BY hs_rule"


def vintage_evidence(codes: set[str] | list[str], code_lists: dict[str, set[str]]) -> dict[str, float]:
    """Share of the distinct HS6 ``codes`` found in each revision's code list (pre-flight)."""
    codes = set(codes)
    return {v: round(len(codes & lst) / len(codes), 4) if codes else 0.0 for v, lst in sorted(code_lists.items())}
