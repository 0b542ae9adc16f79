"""The reading layer: mapping, formats, encodings, parts and errors (file, column, line, values)."""

from __future__ import annotations

import json

import duckdb
import pandas as pd
import pyreadstat
import pytest

from eq_assets.core.errors import InputDataError
from eq_assets.sources.contract import ALL_SOURCES, CUSTOMS
from eq_assets.sources.mapping import fold, load_mapping
from eq_assets.sources.readers import read_source, scan_source
from eq_assets.synth.messy import _Gb18030StataWriter, _write_xlsx

HEAD = list(CUSTOMS.columns)
ROW = ["0000000001", "华信电子有限公司", "0512-1234", "215000", "2009", "3", "出口", "01012900", "502", "一般贸易", "10", "千克", "100.5"]
ROW2 = ["0000000002", "甲乙机械厂", "0512-9", "215001", "2009", "4", "进口", "85171200", "110", "进料加工贸易", "2", "个", "7"]


def _csv(path, rows, header=HEAD, encoding="utf-8"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\n".join(",".join(r) for r in [header, *rows]) + "\n").encode(encoding))
    return path


def _canonical(tmp_path, rows=(ROW, ROW2)):
    _csv(tmp_path / "canon" / "customs" / "customs_2009.csv", rows)
    return read_source("customs", tmp_path / "canon", 2009)


def test_mapping_covers_every_source_and_builds_the_raw_sources():
    m = load_mapping()
    assert set(m) == set(ALL_SOURCES)
    for name, src in ALL_SOURCES.items():
        assert list(src.columns.values()) == [c.name for c in m[name].columns]
        assert list(src.columns) == [c.aliases[0] for c in m[name].columns]
    assert fold("金额（美元）") == fold("金额(美元)") and fold("FRDM") == fold("frdm")


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig"])
def test_csv_encodings_detected_and_read(tmp_path, encoding):
    want = _canonical(tmp_path)
    _csv(tmp_path / "raw" / "customs" / "customs_2009.csv", [ROW, ROW2], encoding=encoding)
    con = duckdb.connect()
    with scan_source("customs", tmp_path / "raw", 2009, con=con) as s:
        assert s.report["files"][0]["encoding"] == ("gb18030" if encoding != "utf-8-sig" else "utf-8-sig")
        got = con.execute(f"select * from {s.view}").fetchdf()
        json.dumps(s.report)  # JSON-able
    assert got["source_file"].tolist() == ["customs/customs_2009.csv"] * 2 and got["source_line"].tolist() == [2, 3]
    pd.testing.assert_frame_equal(got.drop(columns=["source_file", "source_line"]), want)


def test_gbk_bad_byte_names_file_and_line(tmp_path):
    p = _csv(tmp_path / "customs" / "customs_2009.csv", [ROW, ROW2, ROW], encoding="gbk")
    data = p.read_bytes().splitlines(keepends=True)
    data[3] = data[3].replace("华信".encode("gbk"), b"\x81\x20")  # lead byte + invalid trail on line 4
    p.write_bytes(b"".join(data))
    with pytest.raises(InputDataError) as ei:
        scan_source("customs", tmp_path, 2009, con=duckdb.connect(), mapping=None)
    msg = str(ei.value)
    assert "customs_2009.csv" in msg and "line 4" in msg


def test_monthly_parts_combined_and_counted_with_lines_per_part(tmp_path):
    want = _canonical(tmp_path)
    _csv(tmp_path / "raw" / "customs" / "2009" / "customs_2009_03.csv", [ROW], encoding="gbk")
    _csv(tmp_path / "raw" / "customs" / "2009" / "customs_2009_04.csv", [ROW2])
    con = duckdb.connect()
    with scan_source("customs", tmp_path / "raw", 2009, con=con) as s:
        got = con.execute(f"select * from {s.view} order by source_file").fetchdf()
        assert [f["rows"] for f in s.report["files"]] == [1, 1] and s.report["rows"] == 2
    assert got["source_line"].tolist() == [2, 2]
    pd.testing.assert_frame_equal(got.drop(columns=["source_file", "source_line"]), want)


def test_two_layouts_for_one_year_are_refused(tmp_path):
    _csv(tmp_path / "customs" / "customs_2009.csv", [ROW])
    _csv(tmp_path / "customs" / "customs_2009_01.csv", [ROW2])
    with pytest.raises(InputDataError, match="two sets of files"):
        read_source("customs", tmp_path, 2009)
    (tmp_path / "customs" / "customs_2009_01.csv").unlink()
    _csv(tmp_path / "customs" / "customs_2009.txt", [ROW])
    with pytest.raises(InputDataError, match="several files"):
        read_source("customs", tmp_path, 2009)


def _frame(rows):
    return pd.DataFrame(rows, columns=HEAD)


def test_old_gbk_stata_with_labels_and_numeric_codes(tmp_path):
    want = _canonical(tmp_path)
    df = _frame([ROW, ROW2])
    names = {h: f"v{i}" for i, h in enumerate(HEAD)}  # opaque names: matched through the labels
    out = df.rename(columns=names)
    for h in ("年份", "月份", "数量", "金额(美元)", "产品编码"):
        out[names[h]] = pd.to_numeric(df[h]).astype("float64")  # HS code 01012900 stored as 1012900
    (tmp_path / "raw" / "customs").mkdir(parents=True)
    _Gb18030StataWriter(tmp_path / "raw" / "customs" / "customs_2009.dta", out, write_index=False,
                        variable_labels={v: k for k, v in names.items()}).write_file()
    con = duckdb.connect()
    with scan_source("customs", tmp_path / "raw", 2009, con=con) as s:
        f = s.report["files"][0]
        assert f["format"] == "dta" and f["encoding"] == "GB18030" and f["headers"]["hs8"].startswith("v7 (label")
        got = con.execute(f"select * from {s.view}").fetchdf()
    assert got["hs8"].tolist() == ["01012900", "85171200"] and got["source_line"].tolist() == [1, 2]
    pd.testing.assert_frame_equal(got.drop(columns=["source_file", "source_line"]), want)


def test_stata_non_integer_year_names_observation(tmp_path):
    df = _frame([ROW, ROW2, ROW])
    df["年份"] = [2009.0, 2009.5, 2009.0]
    df["金额(美元)"] = pd.to_numeric(df["金额(美元)"])
    (tmp_path / "customs").mkdir()
    df = df.rename(columns={"金额(美元)": "金额", "目的国(地区)": "起运国或目的国"})  # Stata names: no brackets
    pyreadstat.write_dta(df, str(tmp_path / "customs" / "customs_2009.dta"))
    with pytest.raises(InputDataError) as ei:
        read_source("customs", tmp_path, 2009)
    msg = str(ei.value)
    assert "customs_2009.dta" in msg and "年份 (year)" in msg and "observation 2" in msg and "2009.5" in msg


def test_xlsx_numbers_as_numbers_and_bad_cell_named_by_row(tmp_path):
    want = read_source("city_1984", _city(tmp_path / "canon"))
    df = pd.read_csv(tmp_path / "canon" / "reference" / "city_1984.csv", dtype=str)
    (tmp_path / "raw" / "reference").mkdir(parents=True)
    _write_xlsx(df.astype(object), tmp_path / "raw" / "reference" / "city_1984.xlsx", {"城市代码", "1984年固定电话数"})
    pd.testing.assert_frame_equal(read_source("city_1984", tmp_path / "raw"), want)
    df.loc[1, "1984年邮局数"] = "n/a"
    _write_xlsx(df.astype(object), tmp_path / "raw" / "reference" / "city_1984.xlsx", {"城市代码"})
    with pytest.raises(InputDataError) as ei:
        read_source("city_1984", tmp_path / "raw")
    assert "city_1984.xlsx" in str(ei.value) and "row 3" in str(ei.value) and "'n/a'" in str(ei.value)


def _city(root):
    p = root / "reference" / "city_1984.csv"
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text("城市代码,1984年固定电话数,1984年邮局数\n1101,12.5,30\n0102,3,4\n3205,,7\n", encoding="utf-8")
    return root


def test_parquet_with_english_names_and_wrong_year_rows(tmp_path):
    want = _canonical(tmp_path)
    df = _frame([ROW, ROW2]).rename(columns={h: c for h, c in CUSTOMS.columns.items()})
    for c in ("year", "month", "quantity", "value_usd"):
        df[c] = pd.to_numeric(df[c])
    (tmp_path / "raw" / "customs").mkdir(parents=True)
    con = duckdb.connect()
    con.register("df", df)
    con.execute(f"copy df to '{tmp_path / 'raw' / 'customs' / 'customs_2009.parquet'}' (format parquet)")
    pd.testing.assert_frame_equal(read_source("customs", tmp_path / "raw", 2009), want)
    df.loc[1, "year"] = 2010
    con.execute(f"copy df to '{tmp_path / 'raw' / 'customs' / 'customs_2009.parquet'}' (format parquet)")
    with pytest.raises(InputDataError) as ei:
        scan_source("customs", tmp_path / "raw", 2009, con=con)
    assert "year is not the file's year 2009" in str(ei.value) and "row 2" in str(ei.value)


def test_absent_by_mapping_and_derived_columns(tmp_path):
    """ASIF 2008 without value added (absent in 2008-2014 by the mapping) and without a year
    column (the file's year); customs with a YYYYMM date instead of year and month."""
    asif = ALL_SOURCES["asif"]
    head = [h for h in asif.columns if h not in ("工业增加值", "年份")]
    _csv(tmp_path / "asif" / "asif_2008.csv", [["1"] * len(head)], header=head)
    con = duckdb.connect()
    with scan_source("asif", tmp_path, 2008, con=con) as s:
        assert s.report["absent_by_mapping"] == ["value_added"]
        row = con.execute(f"select year, value_added from {s.view}").fetchone()
    assert row == (2008, None)
    _csv(tmp_path / "asif" / "asif_2007.csv", [["1"] * len(head)], header=head)
    with pytest.raises(InputDataError, match=r"missing column\(s\) 工业增加值 \(value_added\)"):
        scan_source("asif", tmp_path, 2007, con=con)
    h = ["日期" if x == "年份" else x for x in HEAD if x != "月份"]
    r = [x for x, k in zip(ROW, HEAD) if k != "月份"]
    r[h.index("日期")] = "200903"
    _csv(tmp_path / "customs" / "customs_2009.csv", [r], header=h)
    assert read_source("customs", tmp_path, 2009)[["year", "month"]].iloc[0].tolist() == [2009, 3]


def test_user_mapping_via_env(tmp_path, monkeypatch):
    src = (load_mapping()["city_1984"].origin)
    text = open(src, encoding="utf-8").read()
    start = text.index("[city_1984]")
    block = text[start: text.index("\n\n", start)]
    user = tmp_path / "my.toml"
    user.write_text(block.replace('aliases = ["1984年邮局数"]', 'aliases = ["1984年邮局数", "邮电局数"]'), encoding="utf-8")
    raw = tmp_path / "raw" / "reference"
    raw.mkdir(parents=True)
    (raw / "city_1984.csv").write_text("城市代码,1984年固定电话数,邮电局数\n1101,1,2\n", encoding="utf-8")
    with pytest.raises(InputDataError, match="missing column"):
        read_source("city_1984", tmp_path / "raw")
    monkeypatch.setenv("EQ_MAPPING", str(user))
    assert read_source("city_1984", tmp_path / "raw")["post_offices_1984"].tolist() == [2.0]


def test_scan_read_once_or_as_a_view_gives_the_same_rows_in_file_order(tmp_path):
    """``materialize`` (the assets: the files read once into a table) and the lazy view (the
    pre-flight check) give the same rows, in file then line order, and the same report."""
    rows3 = [ROW2, ROW, ROW2]
    _csv(tmp_path / "raw" / "customs" / "2009" / "customs_2009_04.csv", rows3)
    _csv(tmp_path / "raw" / "customs" / "2009" / "customs_2009_03.csv", [ROW, ROW2], encoding="gbk")
    got = {}
    for materialize in (True, False):
        con = duckdb.connect()
        with scan_source("customs", tmp_path / "raw", 2009, con=con, materialize=materialize) as s:
            got[materialize] = (con.execute(f"select * from {s.view}").fetchall(), json.dumps(s.report, sort_keys=True))
    assert got[True] == got[False]
    assert [(r[-2][-7:], r[-1]) for r in got[True][0]] == [
        ("_03.csv", 2), ("_03.csv", 3), ("_04.csv", 2), ("_04.csv", 3), ("_04.csv", 4)]
