"""Infrastructure: clear errors on bad input, atomic by-name partition writes, validation."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
import pytest
from pandera.typing import Series

from eq_assets.core.accounting import RowAccount
from eq_assets.core.errors import InputDataError
from eq_assets.core.publish import validate
from eq_assets.sources.contract import CUSTOMS
from eq_assets.sources.readers import read_source


def _write_customs(tmp_path, rows, header=None):
    header = header or list(CUSTOMS.columns)
    p = tmp_path / "customs"
    p.mkdir(parents=True, exist_ok=True)
    f = p / "customs_2009.csv"
    lines = [",".join(header)] + [",".join(map(str, r)) for r in rows]
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return f


GOOD = ["0000000001", "华信电子有限公司", "123", "100000", 2009, 1, "出口", "85171200", "502", "一般贸易", 10, "个", 100.5]


def test_reader_renames_and_types(tmp_path):
    _write_customs(tmp_path, [GOOD, GOOD])
    df = read_source(CUSTOMS, tmp_path, 2009)
    assert list(df.columns) == list(CUSTOMS.columns.values())
    assert df["customs_firm_code"].iloc[0] == "0000000001"  # leading zeros kept
    assert df["value_usd"].dtype.kind == "f" and df["value_usd"].iloc[0] == 100.5


def test_reader_names_file_column_and_lines_for_non_numeric(tmp_path):
    bad = list(GOOD)
    bad[12] = "一百"
    _write_customs(tmp_path, [GOOD, bad, GOOD, bad])
    with pytest.raises(InputDataError) as ei:
        read_source(CUSTOMS, tmp_path, 2009)
    msg = str(ei.value)
    assert "customs_2009.csv" in msg and "金额(美元) (value_usd)" in msg
    assert "line 3" in msg and "line 5" in msg and "'一百'" in msg and "(2)" in msg


def test_reader_names_missing_header_and_missing_file(tmp_path):
    header = [h for h in CUSTOMS.columns if h != "数量"]
    row = [v for h, v in zip(CUSTOMS.columns, GOOD) if h != "数量"]
    _write_customs(tmp_path, [row], header=header)
    with pytest.raises(InputDataError, match=r"missing column\(s\) 数量 \(quantity\)"):
        read_source(CUSTOMS, tmp_path, 2009)
    with pytest.raises(InputDataError, match="file not found"):
        read_source(CUSTOMS, tmp_path, 2010)


class _M(pa.DataFrameModel):
    year: Series[int] = pa.Field(ge=2004)
    x: Series[float]

    class Config:
        strict = True
        coerce = True


def test_validate_error_names_asset_column_rows():
    df = pd.DataFrame({"x": [1.0, 2.0, 3.0], "year": [2009, 1999, 1998]})
    with pytest.raises(InputDataError) as ei:
        validate(df, _M, "my_asset")
    msg = str(ei.value)
    assert msg.startswith("my_asset:") and "column: year" in msg and "rows (2): 1, 2" in msg
    ok = validate(pd.DataFrame({"x": [1], "year": ["2009"]}), _M, "my_asset")
    assert list(ok.columns) == ["year", "x"] and ok["x"].dtype == "float64"  # coerced and ordered


def test_row_account_identity():
    acc = RowAccount(rows_in=10)
    acc.drop("a", 3)
    acc.drop("a", 1)
    assert not acc.finish(5).balanced
    assert acc.finish(6).balanced and acc.metadata() == {"rows_in": 10, "rows_out": 6, "dropped_a": 4}
    with pytest.raises(ValueError):
        acc.drop("b", -1)
