"""The synthetic world in the shapes real copies come in: Stata (old GBK and Stata 14+), GBK CSV
split by month, export/import parts, Parquet, Excel, header variants from the mapping.

:func:`make_messy` converts a canonical raw directory (what ``python -m eq_assets.synth``
writes) into a messy one holding the same rows and values (``source_file``/``source_line``
aside): a test reads every source back from both and compares. Which year gets which shape
(years taken in order; years beyond the list stay canonical CSV):

customs  1st year: Stata format 114 (Stata 10-12), GB18030 bytes, English 2000-2006 names with
         Chinese labels, HS code and flow (0 export / 1 import) stored as numbers;
         2nd: Stata 15 (UTF-8) with the 2003-2004 Chinese names and a YYYYMM 日期;
         3rd: GBK CSV in monthly parts (``customs/{year}/customs_{year}_MM.csv``, 00 = no month)
         with the 2006 names; 4th: UTF-8-with-BOM CSV split into export and import parts with the
         2007+ underscored names; 5th: Parquet with the English 2007-2010 names.
asif     1st: Stata 114 GB18030 with pinyin names, no year variable (the file's year), three
         variables known only by their Chinese label; 2nd: Stata 15 with "<label>千元" names;
         3rd: GBK CSV with pinyin headers; 4th: CSV with the English (CIE) names.
patents  GB18030 CSV with the CNIPA export headers; the application date 申请日 is written as
         ``YYYY.01.01`` from the application year (the day is a placeholder: the world draws years).
reference  city_panel as .xlsx (numbers as numbers), industry_attributes as Parquet,
         country_codes as GBK CSV.

Every header used here is an alias in the shipped mapping (tested). Written here because no
library converts between these layouts; pandas' StataWriter writes format 114, given GB18030
instead of Latin-1 for strings and labels (:class:`_Gb18030StataWriter`).
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pandas as pd
from pandas.io.stata import StataWriter

from eq_assets.sources.contract import ASIF, CUSTOMS, FLOW_EXPORT, FLOW_IMPORT, PATENTS
from eq_assets.sources.mapping import MAPPING_DIR, load_mapping

LEGACY = "gb18030"  # GBK for every character GBK has; never fails on a rarer one

# canonical column -> header, per variant (None: derived or dropped, see the writers)
CUSTOMS_VARIANTS: dict[str, dict[str, str]] = {
    "dta_old": {"customs_firm_code": "party_id", "firm_name": "company", "phone": "tel", "zip": "zip",
                "flow": "exp_or_imp", "hs8": "hs_id", "dest_code": "country", "trade_mode": "shipment",
                "quantity": "quantity", "unit": "unit", "value_usd": "value", "_date": "shipment_date"},
    "dta": {"customs_firm_code": "企业编码", "firm_name": "经营单位", "phone": "电话", "zip": "邮编",
            "flow": "进口或出口", "hs8": "税号编码", "dest_code": "起运国或目的国", "trade_mode": "贸易方式",
            "quantity": "数量", "unit": "单位", "value_usd": "金额", "_date": "日期"},
    "csv_monthly": {"customs_firm_code": "企业代码", "firm_name": "企业名称", "phone": "电话号码", "zip": "邮政编码",
                    "flow": "进出口", "hs8": "商品代码", "dest_code": "起运国/目的国", "trade_mode": "贸易方式",
                    "quantity": "数量", "unit": "计量单位", "value_usd": "金额", "_date": "月度"},
    "csv_flow": {"customs_firm_code": "_企业编码", "firm_name": "_经营单位", "phone": "电话", "zip": "邮编",
                 "flow": "_进口或出口", "hs8": "_税号编码", "dest_code": "_起运国或目的国", "trade_mode": "_贸易方式",
                 "quantity": "_数量", "unit": "计量单位", "value_usd": "_金额", "_date": "_日期"},
    "parquet": {"customs_firm_code": "party_id", "firm_name": "company", "phone": "tel", "zip": "zip", "year": "year",
                "month": "month", "flow": "exp_or_imp", "hs8": "hs_id", "dest_code": "country", "trade_mode": "shipment",
                "quantity": "quantity", "unit": "unit", "value_usd": "value"},
}
_ASIF_NUM = ["employees", "total_assets", "fixed_assets", "current_assets", "current_liabilities", "total_liabilities",
             "total_profit", "gross_output", "value_added", "intermediate_input", "wage_bill", "export_delivery", "revenue"]
_PINYIN = ["cyrs", "zczj", "gdzchj", "ldzchj", "ldfzhj", "fzhj", "lrze", "gyzczxjxgd", "gyzjz", "zjtrhj", "bnyfgzze", "ckjhz", "zyywsr"]
_ASIF_ID = {"legal_code": "frdm", "firm_name": "qymc", "phone": "telephone", "zip": "yzbm", "year": "year",
            "admin_code": "dqdm", "cic": "hylb", "reg_type": "djzclx", "open_year": "kysjn", "op_status": "yyzt"}
ASIF_VARIANTS: dict[str, dict[str, str]] = {
    # three variables named opaquely: matched through their Stata labels
    "dta_old": {**_ASIF_ID, **dict(zip(_ASIF_NUM, _PINYIN)), "total_assets": "b301", "fixed_assets": "b302", "revenue": "b601"},
    "dta": {"legal_code": "法人代码", "firm_name": "企业名称", "phone": "电话号码", "zip": "邮政编码", "year": "年份",
            "admin_code": "行政区划代码", "cic": "行业代码", "reg_type": "登记注册类型", "open_year": "开业年份",
            "op_status": "营业状态", "employees": "全部从业人员年平均人数人",
            **{c: h for c, h in zip(_ASIF_NUM[1:], ["资产总计千元", "固定资产合计千元", "流动资产合计千元", "流动负债合计千元",
                                                      "负债合计千元", "利润总额千元", "工业总产值_当年价格千元", "工业增加值千元",
                                                      "中间投入合计千元", "应付工资薪酬总额千元", "出口交货值千元", "主营业务收入千元"])}},
    "csv_pinyin": {**_ASIF_ID, **dict(zip(_ASIF_NUM, _PINYIN))},
    "csv_english": {**_ASIF_ID, "legal_code": "FRDM", "firm_name": "EN", "cic": "INDTYPE", "reg_type": "REGTYPE",
                    **dict(zip(_ASIF_NUM, ["PERSENG", "TA", "FA", "TWC", "CL", "TL", "TP", "GIOV_CR", "gyzjz", "TOIPT",
                                           "CWP", "ckjhz", "SI"]))},
}
ASIF_LABELS = {"total_assets": "资产总计(千元)", "fixed_assets": "固定资产合计(千元)", "revenue": "主营业务(产品销售)收入"}
PATENT_HEADERS = {"application_no": "申请号", "applicant": "申请（专利权）人", "app_year": "申请日", "patent_type": "专利类型",
                  "ipc_main": "主分类号", "ipc_all": "分类号", "citations": "被引证次数"}


class _Gb18030StataWriter(StataWriter):
    """pandas' format-114 writer with GB18030 (not Latin-1) strings and variable labels, as
    Chinese Stata 10-12 wrote them."""

    @property
    def _encoding(self) -> str:
        return LEGACY

    @_encoding.setter
    def _encoding(self, value) -> None:  # pandas sets Latin-1 in __init__
        pass

    def _write_variable_labels(self) -> None:
        for col in self.data:
            b = (self._variable_labels or {}).get(col, "").encode(LEGACY)[:80]
            self._write_bytes(b + b"\x00" * (81 - len(b)))


def _read_text(path: Path, columns: dict[str, str] | None = None) -> pd.DataFrame:
    """A canonical CSV as text (exact cells; None for empty), headers renamed by ``columns``."""
    con = duckdb.connect()
    lit = path.as_posix().replace("'", "''")
    df = con.execute(f"select * from read_csv('{lit}', all_varchar=true, header=true)").fetchdf()
    con.close()
    return df.astype(object).where(df.notna(), None).rename(columns=columns or {})


def _num(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s, errors="raise").astype("float64")


def _digits(s: pd.Series) -> bool:
    v = s.dropna()
    return bool(len(v)) and bool(v.str.fullmatch(r"\d{1,15}").all())


def _write_csv(df: pd.DataFrame, path: Path, encoding: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, index=False, encoding=encoding, lineterminator="\n")


def _write_dta_old(df: pd.DataFrame, path: Path, labels: dict[str, str]) -> None:
    out = df.copy()
    for c in out.columns:  # format 114 has no missing string: empty string, read back as NULL
        if out[c].dtype == object:
            out[c] = out[c].fillna("")
    _Gb18030StataWriter(path, out, write_index=False, variable_labels=labels).write_file()


def _write_dta(df: pd.DataFrame, path: Path, labels: dict[str, str]) -> None:
    import pyreadstat

    pyreadstat.write_dta(df, str(path), version=15, column_labels=labels)


def _write_parquet(df: pd.DataFrame, path: Path) -> None:
    con = duckdb.connect()
    con.register("_df", df)
    con.execute(f"copy (select * from _df) to '{path.as_posix()}' (format parquet)")
    con.close()


def _write_xlsx(df: pd.DataFrame, path: Path, numeric: set[str]) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"created": dt.datetime(2024, 1, 1)})  # fixed: same bytes on rerun
    ws = wb.add_worksheet("Sheet1")
    for j, c in enumerate(df.columns):
        ws.write_string(0, j, str(c))
        for i, v in enumerate(df[c].tolist(), start=1):
            if v is None or (isinstance(v, float) and v != v):
                continue
            if c in numeric:
                ws.write_number(i, j, float(v))
            else:
                ws.write_string(i, j, str(v))
    wb.close()


def _yyyymm(df: pd.DataFrame) -> pd.Series:
    y, m = df["year"], df["month"]
    return pd.Series([None if a is None else (a if b is None else f"{a}{int(b):02d}") for a, b in zip(y, m)],
                     index=df.index, dtype=object)


def _customs_frame(df: pd.DataFrame, variant: str) -> tuple[pd.DataFrame, dict[str, str]]:
    cols = CUSTOMS_VARIANTS[variant]
    out = pd.DataFrame(index=df.index)
    canon_header = {v: k for k, v in CUSTOMS.columns.items()}
    labels = {}
    for canon, header in cols.items():
        out[header] = _yyyymm(df) if canon == "_date" else df[canon]
        labels[header] = canon_header.get(canon, "年月")
    flows_ok = set(df["flow"].dropna()) <= {FLOW_EXPORT, FLOW_IMPORT}
    if variant in ("dta_old", "csv_flow", "parquet") and flows_ok:  # coded 0 export / 1 import
        code = df["flow"].map({FLOW_EXPORT: 0.0, FLOW_IMPORT: 1.0})
        out[cols["flow"]] = code if variant == "dta_old" else code.map(lambda v: None if pd.isna(v) else str(int(v)))
    if variant in ("dta_old", "dta", "parquet"):
        out[cols["quantity"]] = _num(df["quantity"])
        out[cols["value_usd"]] = _num(df["value_usd"])
    if variant == "dta_old" and _digits(df["hs8"]):
        out[cols["hs8"]] = _num(df["hs8"])  # as Stata users often hold it: leading zeros lost, `pad` restores
    if variant == "parquet":
        out["year"] = _num(df["year"]).astype("Int64")
        out["month"] = _num(df["month"]).astype("Int64")
    return out, labels


def _asif_frame(df: pd.DataFrame, variant: str, year: int) -> tuple[pd.DataFrame, dict[str, str]]:
    cols = dict(ASIF_VARIANTS[variant])
    canon_header = {v: k for k, v in ASIF.columns.items()}
    if variant == "dta_old" and set(df["year"].dropna()) == {str(year)} and df["year"].notna().all():
        cols.pop("year")  # no year variable: the mapping fills the file's year
    out = pd.DataFrame({h: df[c] for c, h in cols.items()}, index=df.index)
    labels = {h: ASIF_LABELS.get(c, canon_header[c]) for c, h in cols.items()}
    if variant.startswith("dta"):
        for c in (*_ASIF_NUM, "open_year", "year"):
            if c in cols:
                out[cols[c]] = _num(df[c])
        if variant == "dta_old" and _digits(df["cic"]):
            out[cols["cic"]] = _num(df["cic"])
    return out, labels


def _convert_customs(raw: Path, year: int, variant: str) -> list[Path]:
    src = raw / CUSTOMS.path_for(year)
    df = _read_text(src, CUSTOMS.columns)
    out, labels = _customs_frame(df, variant)
    written: list[Path] = []
    if variant == "dta_old":
        written.append(raw / f"customs/customs_{year}.dta")
        _write_dta_old(out, written[-1], labels)
    elif variant == "dta":
        written.append(raw / f"customs/customs_{year}.dta")
        _write_dta(out, written[-1], labels)
    elif variant == "parquet":
        written.append(raw / f"customs/customs_{year}.parquet")
        _write_parquet(out, written[-1])
    elif variant == "csv_monthly":
        month = df["month"].map(lambda m: 0 if m is None else int(m))
        for m in sorted(month.unique()):
            written.append(raw / f"customs/{year}/customs_{year}_{m:02d}.csv")
            _write_csv(out[month == m], written[-1], LEGACY)
    elif variant == "csv_flow":
        is_imp = df["flow"].eq(FLOW_IMPORT)
        for part, mask in (("export", ~is_imp), ("import", is_imp)):
            written.append(raw / f"customs/customs_{year}_{part}.csv")
            _write_csv(out[mask], written[-1], "utf-8-sig")
    src.unlink()
    return written


def _convert_asif(raw: Path, year: int, variant: str) -> list[Path]:
    src = raw / ASIF.path_for(year)
    df = _read_text(src, ASIF.columns)
    out, labels = _asif_frame(df, variant, year)
    path = raw / f"asif/asif_{year}.{'dta' if variant.startswith('dta') else 'csv'}"
    src.unlink()
    if variant == "dta_old":
        _write_dta_old(out, path, labels)
    elif variant == "dta":
        _write_dta(out, path, labels)
    else:
        _write_csv(out, path, LEGACY if variant == "csv_pinyin" else "utf-8")
    return [path]


def _convert_references(raw: Path) -> list[Path]:
    m = load_mapping(MAPPING_DIR)
    written = []
    ref = raw / "reference"
    if (ref / "city_panel.csv").exists():
        df = _read_text(ref / "city_panel.csv")
        numeric = {c.header for c in m["city_panel"].columns if c.type != "VARCHAR"} | {"城市代码", "省份代码"}
        _write_xlsx(df, ref / "city_panel.xlsx", numeric)
        (ref / "city_panel.csv").unlink()
        written.append(ref / "city_panel.xlsx")
    if (ref / "industry_attributes.csv").exists():
        df = _read_text(ref / "industry_attributes.csv")
        for c in m["industry_attributes"].columns:
            if c.type != "VARCHAR":
                df[c.header] = _num(df[c.header])
        _write_parquet(df, ref / "industry_attributes.parquet")
        (ref / "industry_attributes.csv").unlink()
        written.append(ref / "industry_attributes.parquet")
    if (ref / "country_codes.csv").exists():
        df = _read_text(ref / "country_codes.csv")
        (ref / "country_codes.csv").unlink()
        _write_csv(df, ref / "country_codes.csv", LEGACY)
        written.append(ref / "country_codes.csv")
    return written


def _convert_patents(raw: Path) -> list[Path]:
    src = raw / PATENTS.path_for()
    if not src.exists():
        return []
    df = _read_text(src, PATENTS.columns)
    out = pd.DataFrame({h: df[c] for c, h in PATENT_HEADERS.items()})
    out["申请日"] = df["app_year"].map(lambda y: None if y is None else f"{y}.01.01")
    src.unlink()
    _write_csv(out, src, LEGACY)
    return [src]


def _years(raw: Path, folder: str) -> list[int]:
    return sorted(int(p.stem.rsplit("_", 1)[1]) for p in (raw / folder).glob(f"{folder}_*.csv") if p.stem.rsplit("_", 1)[1].isdigit())


def make_messy(src: str | Path, dst: str | Path | None = None) -> dict[str, list[str]]:
    """Write the messy layout of the canonical raw directory ``src`` into ``dst`` (default: in place).

    Returns the files written per source (relative to ``dst``)."""
    src = Path(src)
    dst = Path(dst) if dst is not None else src
    if dst.resolve() != src.resolve():
        if dst.exists() and any(dst.iterdir()):
            raise FileExistsError(f"{dst} is not empty")
        shutil.copytree(src, dst, dirs_exist_ok=True)
    written: dict[str, list[Path]] = {"customs": [], "asif": [], "patents": [], "reference": []}
    for year, variant in zip(_years(dst, "customs"), CUSTOMS_VARIANTS):
        written["customs"] += _convert_customs(dst, year, variant)
    for year, variant in zip(_years(dst, "asif"), ASIF_VARIANTS):
        written["asif"] += _convert_asif(dst, year, variant)
    written["patents"] = _convert_patents(dst)
    written["reference"] = _convert_references(dst)
    return {k: [p.relative_to(dst).as_posix() for p in v] for k, v in written.items()}


__all__ = ["make_messy", "CUSTOMS_VARIANTS", "ASIF_VARIANTS", "PATENT_HEADERS"]
