"""IPC codes in one spelling: ``G06F 17/30``, ``G06F17/30`` and ``G06F0017300000`` -> ``G06F 17/30``.

Patent records spell International Patent Classification symbols several ways: with or without
the space after the subclass, with a version suffix (``G06F 17/30 (2006.01)``), in full-width
characters, or in the 14-character fixed-width form of the EPO/PATSTAT tables (subclass, main
group on 4 digits, subgroup on 6 digits, zero-padded: ``G06F0017300000``). The canonical form
is WIPO's display form: subclass, one space, main group without leading zeros, ``/``, subgroup
with trailing zeros dropped down to two digits (subgroup digits read as decimals, so ``/300`` is
``/30``; WIPO, *Guide to the IPC*, section on the subgroup notation). Coarser symbols keep their
level: a subclass stays ``G06F``, a main-group prefix ``H04L 9/`` (as in the 2023 digital-economy
reference table) stays ``H04L 9/``. Anything else is invalid (NULL, counted as ``invalid_ipc``).

Two equivalent forms (tested to agree): :func:`normalise_ipc` (Python, one code) and
:func:`ipc_sql` (a DuckDB SQL expression for the pipeline's SQL); :func:`ipc_list_sql` applies it
to ``;``-separated lists and :func:`ipc_counts_sql` counts rows by rule. Written here because no
maintained library normalises IPC symbols.
"""

from __future__ import annotations

import re
import unicodedata

_SEP = r"[;,；，]"
_FIXED = re.compile(r"^([A-H]\d{2}[A-Z])(\d{4})(\d{6})$")
_SLASH = re.compile(r"^([A-H]\d{2}[A-Z])(\d{1,4})/(\d{1,6})?$")
_SUBCLASS = re.compile(r"^([A-H]\d{2}[A-Z])$")
_MAIN = re.compile(r"^([A-H]\d{2}[A-Z])(\d{1,4})$")

#: rules counted by :func:`ipc_counts_sql`
RULES = ("missing", "unchanged", "respelled", "invalid_ipc")


def _subgroup(sg: str) -> str:
    s = sg.rstrip("0")
    return s if len(s) >= 2 else s.ljust(2, "0")


def normalise_ipc(code: str | None) -> str | None:
    """One IPC symbol in canonical form; None for an empty or unparseable one."""
    if code is None or (isinstance(code, float) and code != code):
        return None
    s = unicodedata.normalize("NFKC", str(code)).upper()
    s = re.sub(r"\(.*\)\s*$", "", s)
    s = re.sub(r"\s+", "", s)
    if not s:
        return None
    if m := _FIXED.match(s):
        return f"{m.group(1)} {int(m.group(2))}/{_subgroup(m.group(3))}"
    if m := _SLASH.match(s):
        return f"{m.group(1)} {int(m.group(2))}/" + (_subgroup(m.group(3)) if m.group(3) else "")
    if m := _MAIN.match(s):
        return f"{m.group(1)} {int(m.group(2))}/"
    if m := _SUBCLASS.match(s):
        return m.group(1)
    return None


def normalise_ipc_list(codes: str | None) -> str | None:
    """A ``;``-separated list of symbols, each normalised (invalid ones dropped, order kept)."""
    if codes is None or (isinstance(codes, float) and codes != codes):
        return None
    out = [c for c in (normalise_ipc(x) for x in re.split(_SEP, str(codes))) if c]
    return ";".join(out) or None


def _sg_sql(e: str) -> str:
    r = f"rtrim({e}, '0')"
    return f"(CASE WHEN length({r}) >= 2 THEN {r} ELSE rpad({r}, 2, '0') END)"


def _cleaned_sql(expr: str) -> str:
    """Upper case, version suffix ``(2006.01)`` and white space removed (as :func:`normalise_ipc`)."""
    return f"regexp_replace(regexp_replace(upper({expr}), '\\(.*\\)\\s*$', ''), '\\s+', '', 'g')"


def ipc_sql(expr: str) -> str:
    """A DuckDB SQL expression normalising the IPC symbol in ``expr`` (same rules as
    :func:`normalise_ipc`, except that full-width characters are not folded).

    It costs several regular expressions per value: on millions of rows apply it to the distinct
    values and join back (:func:`eq_assets.digital.patents.classify_digital_sql`: the paper-scale
    patents file has 17 million codes but 6,600 distinct spellings)."""
    s = _cleaned_sql(expr)
    fixed = f"regexp_extract({s}, '^([A-H][0-9]{{2}}[A-Z])([0-9]{{4}})([0-9]{{6}})$', ['sc', 'mg', 'sg'])"
    slash = f"regexp_extract({s}, '^([A-H][0-9]{{2}}[A-Z])([0-9]{{1,4}})/([0-9]{{0,6}})$', ['sc', 'mg', 'sg'])"
    main = f"regexp_extract({s}, '^([A-H][0-9]{{2}}[A-Z])([0-9]{{1,4}})$', ['sc', 'mg'])"
    # TRY_CAST: DuckDB may evaluate a CASE branch on rows the branch does not select
    mg = lambda r: f"CAST(TRY_CAST({r}.mg AS INTEGER) AS VARCHAR)"  # noqa: E731
    return (
        f"(CASE WHEN {fixed}.sc <> '' THEN {fixed}.sc || ' ' || {mg(fixed)} || '/' || {_sg_sql(f'{fixed}.sg')} "
        f"WHEN {slash}.sc <> '' THEN {slash}.sc || ' ' || {mg(slash)} || '/' || "
        f"(CASE WHEN {slash}.sg = '' THEN '' ELSE {_sg_sql(f'{slash}.sg')} END) "
        f"WHEN {main}.sc <> '' THEN {main}.sc || ' ' || {mg(main)} || '/' "
        f"WHEN regexp_matches({s}, '^[A-H][0-9]{{2}}[A-Z]$') THEN {s} ELSE NULL END)"
    )


def ipc_valid_sql(expr: str) -> str:
    """SQL: whether ``expr`` is an IPC symbol, i.e. ``ipc_sql(expr) IS NOT NULL`` for a non-null
    value (tested to agree), with one regular expression (the union of :func:`ipc_sql`'s forms:
    fixed width, slash, main group, subclass) instead of several: for a rule evaluated on every row."""
    return f"regexp_full_match({_cleaned_sql(expr)}, '[A-H][0-9]{{2}}[A-Z]([0-9]{{10}}|[0-9]{{1,4}}(/[0-9]{{0,6}})?)?')"


def ipc_list_sql(expr: str) -> str:
    """SQL: a ``;``-separated list of symbols, each normalised, invalid ones dropped."""
    items = f"list_filter(list_transform(string_split_regex({expr}, '{_SEP}'), lambda c: {ipc_sql('c')}), lambda c: c IS NOT NULL)"
    return f"nullif(array_to_string({items}, ';'), '')"


def ipc_rule_sql(expr: str) -> str:
    """SQL: the rule applied to ``expr`` (one of :data:`RULES`)."""
    n = ipc_sql(expr)
    return (f"(CASE WHEN nullif(trim({expr}), '') IS NULL THEN 'missing' WHEN {n} IS NULL THEN 'invalid_ipc' "
            f"WHEN {n} = trim({expr}) THEN 'unchanged' ELSE 'respelled' END)")


def ipc_counts_sql(relation: str, column: str) -> str:
    """SQL: rows of ``relation`` by the rule applied to ``column`` (columns rule, n); the rule is
    evaluated once per distinct value."""
    values = f"SELECT {column} AS v, count(*) AS n FROM {relation} GROUP BY 1"
    return (f"SELECT {ipc_rule_sql('v')} AS rule, sum(n)::BIGINT AS n FROM ({values}) GROUP BY rule ORDER BY rule")
