"""Applying the source rules (:mod:`eq_assets.sources.rules`) in DuckDB, and checking reference tables.

:func:`apply_rules` evaluates every rule of a raw asset on its scanned rows in one pass over them
(helper columns, from small helper tables joined to the rows, only for the rules that need them), then:

1. stops at the first ``stop`` rule broken by any row (file, column, lines, values, expected;
   the other broken rules are listed in the same message);
2. counts ``keep`` rules as flagged and ``drop`` rules as dropped (a row under its first rule);
3. stops when the year is empty (``empty_year``) and the stored partition had rows;
4. returns the SQL of the rows kept, the row account and per-rule metadata.

:func:`rules_config` turns a rule set into the asset's ``dg.Config`` (one field per rule policy
and per bound, with the documented default), :func:`check_reference` refuses a reference file
that is empty, breaks its pandera model or repeats a key, naming the file and lines.

Written here: no library evaluates per-row rules with a per-rule stop/drop/keep policy and
file/line messages in the database (pandera's checks report failure cases, not policies).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import dagster as dg
import duckdb
from pydantic import Field, create_model

from eq_assets.core.accounting import RowAccount
from eq_assets.core.errors import InputDataError
from eq_assets.core.validation import cast_select, duplicated_keys, failures
from eq_assets.sources.rules import EMPTY_POLICIES, POLICIES, Rule, SourceRules

PROVENANCE = ("source_file", "source_line")
HELPERS = ("_dup", "_key_conflict", "_uv_dev")


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# ---- configuration --------------------------------------------------------------------------------

def rules_config(rules: SourceRules, name: str, doc: str) -> type[dg.Config]:
    """A ``dg.Config`` class with one field per rule (its policy) and per bound (its value)."""
    fields: dict = {}
    for r in rules.rules:
        fields[r.name] = (Literal[POLICIES], Field(default=r.policy, description=f"{r.doc} Policy: stop | drop | keep."))
    for b in rules.bounds:
        fields[b.name] = (float, Field(default=float(b.default), description=b.doc))
    fields["empty_year"] = (Literal[EMPTY_POLICIES], Field(default=rules.empty_policy, description=rules.empty_doc))
    return create_model(name, __base__=dg.Config, __doc__=doc, **fields)


def settings_of(rules: SourceRules, config: dg.Config | dict | None) -> dict:
    """Policies and bounds in effect: the defaults overridden by ``config``."""
    out = dict(rules.defaults)
    if config is not None:
        given = config if isinstance(config, dict) else config.model_dump()
        unknown = set(given) - set(out)
        if unknown:
            raise ValueError(f"{rules.asset}: unknown rule settings {sorted(unknown)}")
        out.update(given)
    return out


# ---- evaluation -----------------------------------------------------------------------------------

@dataclass
class Checked:
    """The outcome of :func:`apply_rules`."""

    sql: str  # the rows kept (the relation's columns), a query on the connection
    account: RowAccount
    metadata: dict = field(default_factory=dict)


def _predicate(rule: Rule, settings: dict) -> str:
    bounds = {k: v for k, v in settings.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    cols = rule.columns or ("",)
    parts = [rule.predicate.format(c=_q(c) if c else "", **{k: repr(float(v)) for k, v in bounds.items()}) for c in cols]
    return "(" + " or ".join(f"coalesce(({p}), false)" for p in parts) + ")"


def _empty(con, table: str) -> bool:
    return not con.execute(f"select count(*) from {table}").fetchone()[0]


def _helpers(con, relation: str, rules: SourceRules, used: set[str]) -> tuple[str, str]:
    """(select expressions, joins) adding the helper columns of ``used`` to ``relation`` (aliased r).

    Copies and key conflicts are found in two phases, so no window runs over every row: one hash
    aggregate on the record key finds the keys that occur more than once (without a key: the row
    hashes that do); their rows are the only candidates, and among them a row is a copy when an
    identical row comes earlier in the files (``row_number`` on the values themselves, so a hash
    collision cannot make a copy). Key conflicts: repeated keys whose rows' other values do not all
    hash alike. The results are small tables joined back on the provenance or the key."""
    cols = [r[0] for r in con.execute(f"describe select * from {relation}").fetchall()]
    data = [c for c in cols if c not in PROVENANCE]
    out, joins = [], []
    key = ", ".join(map(_q, rules.key))
    rest = ", ".join(_q(c) for c in data if c not in rules.key)
    by_key = bool(rules.key) and set(rules.key) <= set(data) and bool(rest)
    if by_key and used & {"_dup", "_key_conflict"}:
        # one hash aggregate on the key serves both: a copy shares its key with the row it copies
        con.execute(f"""create or replace temp table _repeated_keys as
            select {', '.join(f'{_q(k)} as {_q("_k_" + k)}' for k in rules.key)},
                   min(hash({rest})) <> max(hash({rest})) as _is_conflict
            from {relation} group by {key} having count(*) > 1""")
        on_key = " and ".join(f"r.{_q(k)} is not distinct from _k.{_q('_k_' + k)}" for k in rules.key)
    if "_dup" in used:
        part = ", ".join(map(_q, data))
        if by_key:  # candidates: the rows of a key that occurs more than once
            candidates = f"(select r.* from {relation} r semi join _repeated_keys _k on {on_key})"
        else:  # candidates: the rows whose hash occurs more than once
            candidates = (f"(select * from {relation} where hash({part}) in "
                          f"(select h from (select hash({part}) as h from {relation}) group by h having count(*) > 1))")
        con.execute(f"""create or replace temp table _dup_rows as
            select source_file as _d_file, source_line as _d_line, true as _is_dup from (
                select source_file, source_line,
                       row_number() over (partition by {part} order by source_file, source_line) as _n
                from {candidates})
            where _n > 1""")
        if _empty(con, "_dup_rows"):  # no copy: no join
            out.append("false as _dup")
        else:
            joins.append("left join _dup_rows _d on r.source_file = _d._d_file and r.source_line = _d._d_line")
            out.append("coalesce(_d._is_dup, false) as _dup")
    if "_key_conflict" in used:
        if by_key:
            con.execute("create or replace temp view _conflict_keys as select * from _repeated_keys where _is_conflict")
        else:
            con.execute(f"""create or replace temp table _conflict_keys as
                select {', '.join(f'{_q(k)} as {_q("_k_" + k)}' for k in rules.key)}, true as _is_conflict
                from {relation} group by {key} having min(hash({rest})) <> max(hash({rest}))""")
        on = " and ".join(f"r.{_q(k)} is not distinct from _k.{_q('_k_' + k)}" for k in rules.key)
        if _empty(con, "_conflict_keys"):  # no conflict: no join
            out.append("false as _key_conflict")
        else:
            joins.append(f"left join _conflict_keys _k on {on}")
            out.append("coalesce(_k._is_conflict, false) as _key_conflict")
    if "_uv_dev" in used and rules.uv:
        v, q, product = rules.uv
        luv = f"(case when {v} > 0 and {q} > 0 and not isinf({v}) and not isinf({q}) then ln({v} / {q}) end)"
        con.execute(f"""create or replace temp table _uv_medians as
            select {product} as _m_product, unit as _m_unit, median({luv}) as _m_luv from {relation} group by all""")
        # (the helper tables' columns are prefixed: the rows' columns are named unqualified)
        joins.append(f"left join _uv_medians _m on ({product}) is not distinct from _m._m_product "
                     "and unit is not distinct from _m._m_unit")
        out.append(f"abs({luv} - _m._m_luv) as _uv_dev")
    return ", ".join(out), " ".join(joins)


def _raise(con, rule: Rule, n: int, settings: dict, expected_extra: dict, raw_dir: Path, headers: dict,
           others: list[str], asset: str) -> None:
    """Stop with the file, the column, the first lines and values breaking ``rule``."""
    cols = rule.columns or ("",)
    col, rows = None, []
    for c in cols:
        pred = _predicate(Rule(rule.name, (c,) if c else (), rule.predicate, rule.policy, rule.expected, rule.doc), settings)
        shown = _q(c) if c else "NULL"
        rows = con.execute(f"select source_file, source_line, {shown} from _checked where {pred} "
                           "order by source_file, source_line limit 10").fetchall()
        if rows:
            col = c or None
            break
    first = rows[0][0] if rows else "?"
    lines = [f"line {r[1]}" if r[0] == first else f"{r[0]} line {r[1]}" for r in rows]
    label = None
    if col:
        fed = headers.get(col) or []
        label = f"{fed[0]} ({col})" if fed and fed[0] != col else col
    examples = [r[2] for r in rows] if col else None  # row rules (copies, key conflicts): the lines say it
    fmt = {**{k: v for k, v in settings.items() if isinstance(v, (int, float))}, **expected_extra}
    expected = rule.expected.format(**fmt)
    also = f" (also broken: {'; '.join(others)})" if others else ""
    raise InputDataError(
        str(raw_dir / first), f"{n:,} row(s) break the rule {rule.name}: {rule.doc}{also}", column=label,
        rows=lines, n_rows=n, examples=examples,
        expected=f"{expected}. Nothing was stored; the last good version is kept. To drop such rows instead "
        f"(counted under {rule.name}), run {asset} with config {rule.name}: drop",
    )


def apply_rules(con: duckdb.DuckDBPyConnection, relation: str, rules: SourceRules, settings: dict, *,
                raw_dir: Path, headers: dict | None = None, stored_rows: int | None = None,
                expected_extra: dict | None = None, scope: tuple[str, str] | None = None,
                skip: dict[str, str] | None = None, asset: str | None = None, files: str | None = None,
                unit: str = "rows", by: tuple[str, str] | None = None) -> Checked:
    """Evaluate ``rules`` on ``relation`` (raw rows with ``source_file``, ``source_line``).

    ``settings``: :func:`settings_of`; ``headers``: canonical column -> headers that fed it (the
    scan report), for messages; ``stored_rows``: rows of the stored partition (None: none stored),
    for ``empty_year``; ``expected_extra``: values named in messages (e.g. ``vintage``);
    ``scope``: (SQL predicate, what the other rows are) when the asset stores only part of the
    file (the patents of one year): ``stop`` rules hold for every row of the file, the account
    covers the rows in scope, and the others are counted in the metadata under that label;
    ``skip``: rules that cannot be checked here (rule -> why, in the metadata); ``asset``: the
    asset named in messages; ``files``: the file(s) read, named when the year is empty; ``by``:
    (SQL expression, label) to also count the rows read, dropped and flagged per value of the
    expression (metadata ``label``: the patents of each application year, checked once for all
    the yearly partitions).
    """
    headers = headers or {}
    extra = expected_extra or {}
    columns = [r[0] for r in con.execute(f"describe select * from {relation}").fetchall()]
    skip = skip or {}
    preds = {r.name: ("false" if r.name in skip else _predicate(r, settings)) for r in rules.rules}
    used = {h for h in HELPERS if any(h in p for p in preds.values())}
    helpers, joins = _helpers(con, relation, rules, used)
    flags = "".join(f", {p} as {_q('_r_' + n)}" for n, p in preds.items())
    in_scope = f"coalesce(({scope[0]}), false)" if scope else "true"
    # a view: the rows are scanned by the counts below (and by a message when a rule stops)
    con.execute(f"create or replace temp view _checked as select *{flags}, {in_scope} as _in_scope "
                f"from (select r.*{', ' + helpers if helpers else ''} from {relation} r {joins})")
    drops = [r for r in rules.rules if settings[r.name] == "drop"]
    aggs = ["count(*)", "count(*) filter (where _in_scope)"]
    aggs += [f"count(*) filter (where {_q('_r_' + r.name)})" for r in rules.rules]  # the whole file (stop)
    aggs += [f"count(*) filter (where {_q('_r_' + r.name)} and _in_scope)" for r in rules.rules]
    dropped = "false"
    for r in drops:  # rows under their first drop rule
        aggs.append(f"count(*) filter (where {_q('_r_' + r.name)} and _in_scope and not ({dropped}))")
        dropped = f"{dropped} or {_q('_r_' + r.name)}"
    # one pass over the rows: the counts per value of ``by`` (if any) are summed for the totals
    by_aggs, by_names = _by_aggregates(rules, settings, drops) if by else ([], [])
    group = f"({by[0]})::VARCHAR" if by else "NULL::VARCHAR"
    groups = con.execute(f"select {group} as _by, {', '.join(aggs + by_aggs)} from _checked "
                         "group by all order by _by").fetchall()
    got = [sum(int(g[1 + i]) for g in groups) for i in range(len(aggs))]
    n_file, n_in = int(got[0]), int(got[1])
    k = len(rules.rules)
    everywhere = dict(zip([r.name for r in rules.rules], got[2: 2 + k]))
    counts = dict(zip([r.name for r in rules.rules], got[2 + k: 2 + 2 * k]))
    counted = dict(zip([r.name for r in drops], got[2 + 2 * k:]))
    stops = [r for r in rules.rules if settings[r.name] == "stop" and everywhere[r.name]]
    if stops:
        others = [f"{r.name} ({everywhere[r.name]:,} rows)" for r in stops[1:]]
        _raise(con, stops[0], int(everywhere[stops[0].name]), settings, extra, raw_dir, headers, others,
               asset or rules.asset)
    acc = RowAccount(rows_in=n_in, unit=unit)
    md: dict = {}
    if scope:
        md[scope[1]] = n_file - n_in
    for r in rules.rules:
        policy = settings[r.name]
        md[f"rule {r.name}"] = skip.get(r.name) or f"{policy}: {int(counts[r.name]):,} rows"
        if policy == "keep":
            acc.flag(r.name, int(counts[r.name]))
        elif policy == "drop":
            acc.drop(r.name, int(counted[r.name]))
    if by:
        md[by[1]] = dg.MetadataValue.json({
            str(g[0]): {"rows_in": int(g[1 + len(aggs)]),
                        **{nm: int(v) for nm, v in zip(by_names, g[2 + len(aggs):]) if v}} for g in groups})
    sql = _kept(con, relation, columns, rules, preds, counted, scope)
    check_empty(asset or rules.asset, settings, n_in, n_in - sum(int(v) for v in counted.values()), stored_rows,
                 files or f"{asset or rules.asset} ({raw_dir})")
    return Checked(sql, acc, md)


def _kept(con, relation: str, columns: list[str], rules: SourceRules, preds: dict[str, str], counted: dict,
          scope: tuple[str, str] | None) -> str:
    """The query of the rows kept, in the order of ``relation`` (the files' order, :mod:`.scan`).

    When every drop rule that removed a row is a predicate on the row's own columns (the common case:
    no copies, no key conflicts among the rows dropped), the rows kept are ``relation`` filtered by
    those predicates: a scan and a WHERE, which keep the rows' order (DuckDB's order preservation),
    with no join and no sort. Otherwise (a helper column or a reference list decides), the rows
    kept are stored once in the files' order (``order by source_file, source_line``); a drop rule
    that removed no row changes nothing and is left out either way."""
    cols = ", ".join(map(_q, columns))
    active = [r for r in rules.rules if int(counted.get(r.name, 0))]
    row_local = [preds[r.name] for r in active] + ([scope[0]] if scope else [])
    local = not any(h in p for p in row_local for h in HELPERS) and not any("select" in p.lower() for p in row_local)
    if local:
        keep = [f"coalesce(({scope[0]}), false)"] if scope else []
        keep += [f"not {preds[r.name]}" for r in active]
        return f"select {cols} from {relation}" + (f" where {' and '.join(keep)}" if keep else "")
    dropped = " or ".join(_q("_r_" + r.name) for r in active)
    order = " order by source_file, source_line" if set(PROVENANCE) <= set(columns) else ""
    con.execute(f"create or replace temp table _kept as select {cols} from _checked "
                f"where _in_scope and not ({dropped}){order}")
    return "select * from _kept"


def _by_aggregates(rules: SourceRules, settings: dict, drops: list[Rule]) -> tuple[list[str], list[str]]:
    """Aggregates counting the rows read, and dropped (under their first drop rule) or flagged by
    rule, in a group of ``by`` (the whole file, whatever the scope), and the names of the counts."""
    aggs, dropped = ["count(*)"], "false"
    names = []
    for r in drops:
        aggs.append(f"count(*) filter (where {_q('_r_' + r.name)} and not ({dropped}))")
        dropped = f"{dropped} or {_q('_r_' + r.name)}"
        names.append(f"dropped_{r.name}")
    for r in rules.rules:
        if settings[r.name] == "keep":
            aggs.append(f"count(*) filter (where {_q('_r_' + r.name)})")
            names.append(f"flagged_{r.name}")
    return aggs, names


def check_empty(asset: str, settings: dict, n_in: int, n_out: int, stored_rows: int | None, files: str) -> None:
    if n_out > 0:
        return
    policy = settings["empty_year"]
    if policy == "keep" or (policy == "stop_if_had_data" and not stored_rows):
        return
    what = "has no row (header only?)" if n_in == 0 else f"has no row left ({n_in:,} rows read, none kept)"
    had = f"the stored partition has {stored_rows:,} rows" if stored_rows else "policy empty_year: stop"
    raise InputDataError(
        files, f"{asset}: the year {what}; {had}: nothing was stored, the last good version is kept",
        expected=f"rows for the year (to accept an empty year, run {asset} with config empty_year: keep)",
    )


def stored_rows(path: Path) -> int | None:
    """Rows of a stored partition file (Parquet footer only), or None when there is none."""
    if not Path(path).exists():
        return None
    con = duckdb.connect()
    try:
        return int(con.execute(f"select count(*) from read_parquet('{Path(path).as_posix()}')").fetchone()[0])
    finally:
        con.close()


# ---- reference tables ---------------------------------------------------------------------------

def check_reference(con: duckdb.DuckDBPyConnection, view: str, model, key, *, raw_dir: Path, name: str,
                    headers: dict | None = None, files: list[str] | None = None) -> int:
    """Refuse a scanned reference file (``view`` with provenance) that is empty, breaks ``model``
    or repeats ``key``, naming the file and lines; returns its rows. ``files``: the files read
    (relative to ``raw_dir``)."""
    headers = headers or {}
    n = int(con.execute(f"select count(*) from {view}").fetchone()[0])
    files = files or [r[0] for r in con.execute(f"select distinct source_file from {view} order by 1").fetchall()]
    where = str(raw_dir / files[0]) if files else f"{name} ({raw_dir})"
    if n == 0:
        raise InputDataError(where, f"reference table {name} has no row (header only?): nothing was stored",
                             expected="the rows of the reference table")
    typed = f"(select {cast_select(model)}, source_file, source_line from {view})"
    broken = failures(con, typed, model, row_id=PROVENANCE)
    if broken:
        f = broken[0]
        fed = headers.get(f.column) or []
        others = "; ".join(f"{g.column}: {g.check} ({g.n_rows:,} rows)" for g in broken[1:])
        raise InputDataError(
            where, f"reference table {name} breaks its model {model.__name__}: nothing was stored, the last good "
            "version is kept" + (f" (also: {others})" if others else ""),
            column=f"{fed[0]} ({f.column})" if fed and fed[0] != f.column else f.column,
            rows=[r.replace(f"{files[0]} ", "") if files else r for r in f.rows], n_rows=f.n_rows,
            examples=f.examples, expected=f"{f.check} (see {model.__module__}.{model.__name__})",
        )
    n_dup, desc = duplicated_keys(con, view, list(key), row_id=PROVENANCE)
    if n_dup:
        raise InputDataError(
            where, f"reference table {name}: {n_dup:,} rows share a key ({', '.join(key)}): nothing was stored, "
            "the last good version is kept", rows=desc, n_rows=len(desc),
            expected=f"one row per {', '.join(key)} (a reference table with two values for one key is ambiguous)",
        )
    return n
