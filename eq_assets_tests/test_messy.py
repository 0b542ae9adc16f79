"""The messy layout (synth/messy.py) reads back equal to the canonical one; the pre-flight on it."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from eq_assets.check_raw import check_raw, main as check_raw_main
from eq_assets.sources.contract import ALL_SOURCES
from eq_assets.sources.mapping import fold, load_mapping
from eq_assets.sources.readers import read_source
from eq_assets.synth.messy import ASIF_VARIANTS, CUSTOMS_VARIANTS, PATENT_HEADERS

YEARS = (2004, 2005, 2006, 2007, 2008)


@pytest.fixture(scope="module")
def layouts(tmp_path_factory):
    from eq_assets.synth import generate
    from eq_assets.synth.messy import make_messy

    root = tmp_path_factory.mktemp("messy")
    generate(root / "canon", scale="tiny", seed=7, years=YEARS, oracle_scope="none")
    written = make_messy(root / "canon", root / "messy")
    return {"canon": root / "canon", "messy": root / "messy", "written": written}


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values(list(df.columns), kind="stable", na_position="last").reset_index(drop=True)


def test_every_format_is_written(layouts):
    w = layouts["written"]
    ext = {p.rsplit(".", 1)[1] for ps in w.values() for p in ps}
    assert ext == {"dta", "csv", "parquet", "xlsx"}
    assert sum(p.startswith("customs/2006/") for p in w["customs"]) >= 12  # monthly parts
    assert {"customs/customs_2007_export.csv", "customs/customs_2007_import.csv"} <= set(w["customs"])
    assert (layouts["messy"] / "customs" / "customs_2004.dta").read_bytes()[0] == 114  # Stata 10-12 format
    assert (layouts["messy"] / "customs" / "2006" / "customs_2006_01.csv").read_bytes().startswith("企业代码".encode("gbk"))


@pytest.mark.parametrize("name", sorted(ALL_SOURCES))
def test_messy_reads_back_equal_to_canonical(layouts, name):
    src = ALL_SOURCES[name]
    for year in YEARS if src.yearly else (None,):
        a = read_source(name, layouts["canon"], year)
        b = read_source(name, layouts["messy"], year)
        assert len(a) > 0
        pd.testing.assert_frame_equal(_sorted(a), _sorted(b), check_dtype=True)


def test_messy_headers_come_from_the_mapping():
    m = load_mapping()
    for source, variants in (("customs", CUSTOMS_VARIANTS), ("asif", ASIF_VARIANTS), ("patents", {"cnipa": PATENT_HEADERS})):
        known = {fold(a) for c in m[source].columns for a in (*c.candidates(None), *(c.derive.aliases if c.derive else ()))}
        known |= {fold(a) for c in m[source].columns for v in c.aliases_by_year.values() for a in v}
        variant_headers = []
        for v in variants.values():
            hs = [h for c, h in v.items() if c not in ("total_assets", "fixed_assets", "revenue") or not h.startswith("b")]
            assert {fold(h) for h in hs} <= known, (source, set(hs) - known)
            variant_headers.append(frozenset(v.values()))
        assert len(set(variant_headers)) >= (2 if source != "patents" else 1)  # header variants per yearly source


def test_check_raw_on_messy_layout_is_ok(layouts, capsys):
    rep = check_raw(layouts["messy"], years=list(YEARS))
    assert rep["ok"], rep["problems"]
    c2006 = next(s for s in rep["sources"]["customs"]["scans"] if s["year"] == 2006)
    assert len(c2006["files"]) >= 12 and c2006["rows"] == sum(f["rows"] for f in c2006["files"])
    assert c2006["columns"]["month"] == ["月度 -> substr({}, 5, 2)"] and c2006["units"]
    assert c2006["hs"]["declared_vintage"] == "HS2002" and c2006["hs"]["found_in"]["HS2002"] == 1.0
    assert check_raw_main(["--raw", str(layouts["messy"]), "--years", ",".join(map(str, YEARS))]) == 0
    out = capsys.readouterr().out
    assert "customs 2004  customs/customs_2004.dta  (dta, GB18030" in out and out.rstrip().endswith("every source")


def test_check_raw_names_file_and_unmapped_header(layouts, tmp_path, capsys):
    bad = tmp_path / "bad"
    shutil.copytree(layouts["canon"], bad)
    p = bad / "asif" / "asif_2006.csv"
    text = p.read_text(encoding="utf-8")
    p.write_text(text.replace("资产总计", "总资产XYZ", 1), encoding="utf-8")
    assert check_raw_main(["--raw", str(bad), "--years", ",".join(map(str, YEARS))]) == 1
    out = capsys.readouterr().out
    assert "asif_2006.csv: missing column(s) 资产总计 (total_assets)" in out
    assert "unmapped headers in asif/asif_2006.csv: 总资产XYZ" in out and "NOT OK" in out
    # an extra unmapped header alone does not stop the graph (warning), unless --strict
    lines = text.splitlines()
    p.write_text("\n".join([lines[0] + ",备注"] + [ln + "," for ln in lines[1:]]) + "\n", encoding="utf-8")
    years = ",".join(map(str, YEARS))
    assert check_raw_main(["--raw", str(bad), "--years", years]) == 0
    assert check_raw_main(["--raw", str(bad), "--years", years, "--strict"]) == 1
    assert "headers not in the mapping (asif): 备注" in capsys.readouterr().out
