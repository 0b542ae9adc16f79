"""The bad-input catalogue (issue 9): every corruption is refused or accounted, never silent.

Each case corrupts one raw file of the one-year tiny world (``bad_world``, bad_input_world.py),
materializes one or two assets, and asserts the exact outcome:

- :class:`Refused`: the run fails with a message naming the file, the column, the lines and what
  was expected, and every stored table is byte-identical to the last good version;
- :class:`Counted`: the run succeeds and the rows are counted under the named reason (dropped or
  flagged); then, the good file restored, the same assets give the last good versions back byte
  for byte (or the stored tables never changed: ``identical``).

The cases of the yearly sources are in bad_input_cases.py, those of the reference tables below;
the rules themselves are in eq_assets/sources/rules.py, and the README section "What happens to
bad input" lists them. ``test_catalogue_covers_every_source`` keeps the catalogue complete.
"""

from __future__ import annotations

import re

import pytest

from bad_input_cases import CASES, Counted, Refused, case, edit  # noqa: F401 (Counted: the other outcome)



# ---- reference tables ---------------------------------------------------------------------------

def _ref_set(rel, line, column, value, label, *has):
    def fn(w):
        edit(w, rel, lambda c: c.set(line, column, value))
        return Refused(rel, label, (line,), has)
    return fn


def _ref_dup(rel, line, *key):
    def fn(w):
        last = edit(w, rel, lambda c: c.append(list(c.rows[line - 2])))
        return Refused(rel, None, (), (f"rows share a key ({', '.join(key)})", f"(lines {line}, {last})"))
    return fn


R = "reference/"
for asset, rel, line, column, value, label, has in [
    ("hs_concordance", "hs_concordance.csv", 6, "hs_version", "HS2099", "版本 (hs_version)", "isin"),
    ("digital_ipc_table", "digital_ipc_2023.csv", 3, "de_code", "0599", "数字经济核心产业代码 (de_code)", "str_matches"),
    ("country_codes", "country_codes.csv", 4, "dest_code", "1X3", "国别代码 (dest_code)", "str_matches"),
    ("city_panel", "city_panel.csv", 4, "population", "-518.1", "年末总人口 (population)", "greater_than_or_equal_to(0)"),
    ("egov_scores", "egov_scores.csv", 5, "idf", "1.5", "资质认定 (idf)", "less_than_or_equal_to(1.0)"),
    ("city_attributes", "city_attributes.csv", 3, "coastal", "2", "沿海城市 (coastal)", "isin"),
    ("province_panel", "province_panel.csv", 3, "ftz", "3", None, "isin"),
    ("work_report", "work_report_digital.csv", 3, "digital_word_freq", "-4", None, "greater_than_or_equal_to(0)"),
    ("input_tariffs", "input_tariffs.csv", 3, "input_tariff", "inf", "中间投入品关税 (input_tariff)", "finite"),
    ("city_ip_protection", "city_ip_protection.csv", 3, "city_code", "11", "城市代码 (city_code)", "str_matches"),
    ("city_1984", "city_1984.csv", 3, "phones_1984", "-8.41", None, "greater_than_or_equal_to(0)"),
    ("province_internet_ports", "province_internet_ports.csv", 3, "internet_ports", "-1", None, "greater_than_or_equal_to(0)"),
    ("foreign_patents", "foreign_patents.csv", 3, "foreign_patent_filings", "-559", None, "greater_than_or_equal_to(0)"),
    ("country_development", "country_development.csv", 3, "development_status", "发达", "发展程度 (development_status)", "isin"),
    ("hs_cic", "hs6_cic.csv", 3, "hs6", "03031", "HS6 (hs6)", "str_matches"),
    ("industry_panel", "industry_panel.csv", 3, "ppi", "0", None, "greater_than(0)"),
    ("us_industry", "us_industry_productivity.csv", 3, "us_labour_productivity", "-1", None, "greater_than_or_equal_to(0)"),
    ("country_panel", "country_panel.csv", 3, "gdp_usd", "n/a", "GDP现价美元 (gdp_usd)", "values that are not double"),
    ("foreign_patents_ipc", "foreign_patents_ipc.csv", 3, "foreign_patent_filings", "-5", None, "greater_than_or_equal_to(0)"),
    ("egov_policy", "egov_policy_cities.csv", 3, "n_policies", "-1", None, "greater_than_or_equal_to(0)"),
    ("city_innovation", "city_innovation_index.csv", 3, "patent_score", "150", None, "less_than_or_equal_to(100)"),
]:
    case(f"{asset}_bad_value", asset)(_ref_set(R + rel, line, column, value, label, has))

case("customs_aggregate_negative_value", "customs_aggregate")(
    _ref_set("customs_aggregate/customs_aggregate.csv", 3, "value_usd", "-1", "金额(美元) (value_usd)", "greater_than_or_equal_to(0)"))

for asset, rel, line, key in [
    ("hs_concordance", "hs_concordance.csv", 5, ("hs_version", "hs6")),
    ("country_codes", "country_codes.csv", 3, ("dest_code",)),
    ("city_panel", "city_panel.csv", 3, ("city_code", "year")),
    ("industry_attributes", "industry_attributes.csv", 3, ("cic",)),
    ("us_industry", "us_industry_productivity.csv", 4, ("cic2", "year")),
    ("digital_ipc_table", "digital_ipc_2023.csv", 4, ("de_code", "ipc")),
    ("foreign_patents_ipc", "foreign_patents_ipc.csv", 4, ("ipc_subclass", "year")),
    ("egov_policy", "egov_policy_cities.csv", 3, ("city_code", "year")),
]:
    case(f"{asset}_duplicated_key", asset)(_ref_dup(R + rel, line, *key))


@case("industry_panel_header_only", "industry_panel")
def _(w):
    edit(w, R + "industry_panel.csv", lambda c: c.rows.clear())
    return Refused(R + "industry_panel.csv", None, (), ("has no row",))


@case("foreign_patents_ipc_bad_subclass", "foreign_patents_ipc")
def _(w):
    edit(w, R + "foreign_patents_ipc.csv", lambda c: c.set(3, "ipc_subclass", "G06"))
    return Refused(R + "foreign_patents_ipc.csv", None, (3,), ("str_matches",))


@case("city_1984_missing_file", "city_1984")
def _(w):
    w.path(R + "city_1984.csv").unlink()
    return Refused(R + "city_1984.csv", None, (), ("file not found",))


# ---- the test -----------------------------------------------------------------------------------

@pytest.mark.parametrize("cid", sorted(CASES))
def test_bad_input_is_refused_or_accounted(bad_world, cid):
    w, c = bad_world, CASES[cid]
    w.restore()
    try:
        expect = c.edit(w)
        ok, errors, md = w.run(c.assets, c.partition, c.config)
    finally:
        w.restore()
    try:
        _check(w, c, expect, ok, errors, md)
    finally:  # whatever happened, the next case starts from the good world
        if w.digests() != w.good:
            w.run(c.assets, c.partition)


def _check(w, c, expect, ok, errors, md):
    assert not w.staged_leftovers()
    if isinstance(expect, Refused):
        assert not ok, f"{c.cid}: not refused"
        msg = "\n".join(re.sub(r"^[\w.]+Error: ", "", e) for e in errors)
        assert msg.startswith(str(w.raw / expect.file)), msg
        if expect.column:
            assert f"column: {expect.column}\n" in msg, msg
        for line in expect.lines:
            assert re.search(rf"\bline {line}\b", msg), (line, msg)
        for text in expect.has:
            assert text in msg, (text, msg)
        assert "expected:" in msg, msg
        assert w.digests() == w.good, "a refused input changed the warehouse"
        return
    assert ok, errors
    for (asset, key), n in expect.counts.items():
        assert int(md[asset].get(key, 0)) == n, (asset, key, md[asset].get(key))
    if expect.check:
        w.last_metadata = md
        expect.check(w)
    if not expect.identical:  # the good file back: the same assets give the last good versions again
        ok, errors, _ = w.run(c.assets, c.partition)
        assert ok, errors
    assert w.digests() == w.good


def test_catalogue_covers_every_source():
    """At least 40 cases; every raw source and every reference table has one; outcomes counted."""
    from eq_assets.definitions import ALL_ASSETS

    sources = {a.key.to_user_string() for a in ALL_ASSETS if a.group_names_by_key[a.key] == "sources"}
    covered = {c.source for c in CASES.values()} | {a for c in CASES.values() for a in c.assets}
    covered |= {"raw_customs", "raw_asif", "raw_patents"} & {f"raw_{c.source}" for c in CASES.values()}
    assert len(CASES) >= 40
    assert sources <= covered, sorted(sources - covered)


def test_policies_stop_drop_keep_on_one_table(tmp_path):
    """A row breaking two drop rules is counted once (under the first); keep flags; stop names lines."""
    import duckdb

    from eq_assets.core.errors import InputDataError
    from eq_assets.sources.checks import apply_rules, settings_of
    from eq_assets.sources.rules import Bound, Rule, SourceRules

    rules = SourceRules("toy", (
        Rule("negative", ("x",), "{c} < 0", "drop", "x >= 0", "sign"),
        Rule("big", ("x",), "abs({c}) > {max_x}", "drop", "|x| <= {max_x:g}", "bound"),
        Rule("zero", ("x",), "{c} = 0", "keep", "x != 0", "zero"),
        Rule("duplicate_row", (), "_dup", "drop", "no copy", "copy"),
    ), bounds=(Bound("max_x", 100.0, "bound"),))
    con = duckdb.connect()
    con.execute("create table t as select * from (values ('f.csv', 2, -500.0), ('f.csv', 3, 0.0), ('f.csv', 4, 5.0), "
                "('f.csv', 5, 5.0), ('f.csv', 6, 500.0)) v(source_file, source_line, x)")
    got = apply_rules(con, "t", rules, settings_of(rules, None), raw_dir=tmp_path)
    assert got.account.dropped == {"negative": 1, "big": 1, "duplicate_row": 1}
    assert got.account.flagged == {"zero": 1}
    assert [r[0] for r in con.execute(got.sql).fetchall()] == ["f.csv", "f.csv"]
    assert [r[2] for r in con.execute(got.sql).fetchall()] == [0.0, 5.0]
    with pytest.raises(InputDataError) as ei:
        apply_rules(con, "t", rules, settings_of(rules, {"big": "stop", "max_x": 400.0}), raw_dir=tmp_path)
    msg = str(ei.value)
    assert str(tmp_path / "f.csv") in msg and "rows (2): line 2, line 6" in msg and "|x| <= 400" in msg
    with pytest.raises(ValueError):
        settings_of(rules, {"no_such_rule": "drop"})


def test_readme_lists_every_rule_and_its_default():
    from pathlib import Path

    from eq_assets.sources.rules import ASIF, CUSTOMS, PATENTS

    text = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## What happens to bad input"):]
    section = section[: section.index("\n## ", 5)]
    for sr in (CUSTOMS, ASIF, PATENTS):
        row = next(line for line in section.splitlines() if line.startswith(f"| `{sr.asset}`"))
        for r in sr.rules:
            assert f"`{r.name}` ({r.policy}" in row, (sr.asset, r.name)
        for b in sr.bounds:
            assert f"`{b.name}` = " in section, b.name
    assert "`empty_year` (`stop_if_had_data`" in section


def test_rows_kept_in_file_order_whichever_rule_drops(tmp_path):
    """The rows kept are the same, in the files' order, whether a row-local rule drops (a filter on
    the rows) or a copy is dropped (joined back, then put in file and line order); the counts per
    value of ``by`` add up to the totals of the account."""
    import duckdb

    from eq_assets.sources.checks import apply_rules, settings_of
    from eq_assets.sources.rules import Rule, SourceRules

    rules = SourceRules("toy", (
        Rule("negative", ("x",), "{c} < 0", "drop", "x >= 0", "sign"),
        Rule("duplicate_row", (), "_dup", "drop", "no copy", "copy"),
        Rule("same_key_different_values", (), "_key_conflict", "keep", "one row per key", "conflict"),
    ), key=("k",))
    con = duckdb.connect()
    rows = [("a.csv", i + 2, f"k{i % 7}", float((i * 37) % 11 - 2)) for i in range(60)]
    con.execute("create table t (source_file varchar, source_line bigint, k varchar, x double)")
    con.executemany("insert into t values (?, ?, ?, ?)", rows)
    want = [r for r in rows if r[3] >= 0]
    got = apply_rules(con, "t", rules, settings_of(rules, None), raw_dir=tmp_path, by=("k", "per_key"))
    assert got.account.dropped == {"negative": len(rows) - len(want), "duplicate_row": 0}
    assert con.execute(got.sql).fetchall() == want
    per_key = got.metadata["per_key"].value
    assert sum(v["rows_in"] for v in per_key.values()) == len(rows)
    assert sum(v.get("dropped_negative", 0) for v in per_key.values()) == len(rows) - len(want)
    assert sum(v.get("flagged_same_key_different_values", 0) for v in per_key.values()) == \
        got.account.flagged["same_key_different_values"] > 0
    # the same rows with copies of lines 5 and 40 appended: the copies go, the order stays
    copies = [("b.csv", 2, *rows[3][2:]), ("b.csv", 3, *rows[38][2:])]
    con.executemany("insert into t values (?, ?, ?, ?)", copies)
    got = apply_rules(con, "t", rules, settings_of(rules, None), raw_dir=tmp_path)
    n_copies = sum(1 for c in copies if c[3] >= 0)  # a copy with x < 0 goes under negative (the first rule)
    assert n_copies >= 1 and got.account.dropped == {"negative": len(rows) - len(want) + 2 - n_copies,
                                                      "duplicate_row": n_copies}
    assert con.execute(got.sql).fetchall() == want
