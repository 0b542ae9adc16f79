"""Paper-style tables rendered from a small hand-made results frame, against hand-written output."""

from __future__ import annotations

import hashlib
import math
from dataclasses import replace

import pandas as pd
import pytest

from eq_assets.regressions.results import results_frame
from eq_assets.regressions.specs import P1_TABLE1, RegressionSpec
from eq_assets.regressions.specs_p2 import P2_NOTES
from eq_assets.reports.tables import (
    TABLE_NOTES,
    TableStyle,
    style_for,
    render_latex,
    render_markdown,
    stars,
    table_markdown_for_metadata,
    tables_in,
    write_table,
)


def _row(col, term, b, se, p, n, adj, fe, vcov="CRV1:firm_id", sample="full", paper="P1", table="1", **extra):
    return dict(paper=paper, table=table, column=col, term=term, estimate=b, std_error=se, p_value=p,
                n_obs=n, adj_r2=adj, fixed_effects=fe, vcov=vcov, sample=sample, **extra)


TWO, FOUR = "firm_id+year", "firm_id+year+city+industry"

# p-values sit on and next to the star thresholds: 0.0099 -> ***, 0.01 -> **, 0.05 -> *, 0.10 -> none
RESULTS = results_frame([
    _row("4", "Eco", -0.00201, 0.00046, 0.10, 1234, 0.56911, FOUR),
    _row("4", "Size", 0.0111, 0.0009, 0.0, 1234, 0.56911, FOUR),
    _row("1", "Eco", -0.00231, 0.00041, 0.0099, 9621862, 0.56821, TWO),
    _row("2", "Eco", -0.00229, 0.00043, 0.01, 9621862, 0.56832, FOUR),
    _row("3", "Eco", -0.00204, 0.00039, 0.05, 9579211, 0.56893, TWO),
    _row("3", "Size", 0.0112, 0.0009, 0.0, 9579211, 0.56893, TWO),
    _row("1", "x", 1.0, 0.1, 0.0, 10, 0.1, "firm_id", paper="P9", table="9"),  # another table: ignored
])

P1_MD = """\
**P1 Table 1. Baseline: digital technology and the export quality distance**

|  | (1) Distance | (2) Distance | (3) Distance | (4) Distance |
|:---|---:|---:|---:|---:|
| Eco | -0.0023*** | -0.0023** | -0.0020* | -0.0020 |
|  | (0.0004) | (0.0004) | (0.0004) | (0.0005) |
| Controls | No | No | Yes | Yes |
| Firm FE | Yes | Yes | Yes | Yes |
| Year FE | Yes | Yes | Yes | Yes |
| City FE | No | Yes | No | Yes |
| Industry FE | No | Yes | No | Yes |
| Observations | 9,621,862 | 9,621,862 | 9,579,211 | 1,234 |
| Adj. R2 | 0.5682 | 0.5683 | 0.5689 | 0.5691 |

Notes: standard errors in parentheses, clustered by firm. * p<0.10, ** p<0.05, *** p<0.01.
"""

P1_TEX = r"""\begin{table}[htbp]
\centering
\caption{P1 Table 1. Baseline: digital technology and the export quality distance}
\label{tab:P1-table1}
\begin{tabular}{lcccc}
\toprule
 & (1) & (2) & (3) & (4) \\
 & Distance & Distance & Distance & Distance \\
\midrule
Eco & $-0.0023^{***}$ & $-0.0023^{**}$ & $-0.0020^{*}$ & $-0.0020$ \\
 & $(0.0004)$ & $(0.0004)$ & $(0.0004)$ & $(0.0005)$ \\
\midrule
Controls & No & No & Yes & Yes \\
Firm FE & Yes & Yes & Yes & Yes \\
Year FE & Yes & Yes & Yes & Yes \\
City FE & No & Yes & No & Yes \\
Industry FE & No & Yes & No & Yes \\
Observations & 9,621,862 & 9,621,862 & 9,579,211 & 1,234 \\
Adj. $R^2$ & 0.5682 & 0.5683 & 0.5689 & 0.5691 \\
\bottomrule
\end{tabular}

\par\smallskip{\footnotesize Notes: standard errors in parentheses, clustered by firm. * p$<$0.10, ** p$<$0.05, *** p$<$0.01.}
\end{table}
"""


# the table's note (specs_p1.P1_NOTES, data) sits between the clustering and the star legend
P1_NOTE = TABLE_NOTES[("P1", "1")]
P1_MD = P1_MD.replace("clustered by firm. * p", f"clustered by firm. {P1_NOTE} * p")
P1_TEX = P1_TEX.replace("clustered by firm. * p", f"clustered by firm. {P1_NOTE} * p")


def test_p1_markdown_golden():
    assert render_markdown(RESULTS, "P1", "1") == P1_MD


def test_p1_latex_golden():
    assert render_latex(RESULTS, "P1", "1") == P1_TEX


def test_metadata_markdown_is_the_same_table():
    assert table_markdown_for_metadata(RESULTS, "P1", "1") == P1_MD


def test_p_value_mode():
    md = render_markdown(RESULTS, "P1", "1", style=TableStyle(parenthesis="p_value", digits=3))
    lines = md.splitlines()
    assert lines[4] == "| Eco | -0.002*** | -0.002** | -0.002* | -0.002 |"
    assert lines[5] == "|  | (0.010) | (0.010) | (0.050) | (0.100) |"
    assert lines[-1] == (f"Notes: p-values in parentheses (standard errors clustered by firm). {P1_NOTE} "
                         "* p<0.10, ** p<0.05, *** p<0.01.")


def test_stars_thresholds_are_strict():
    assert [stars(p) for p in (0.0, 0.00999, 0.01, 0.0499, 0.05, 0.0999, 0.10, 0.5, math.nan)] == [
        "***", "***", "**", "**", "*", "*", "", "", ""]


P2_SPECS = (
    RegressionSpec(paper="P2", table="3", column="1", depvar="qua", regressors=("egscore_idf",),
                   controls=("Con_wag",), fixed_effects=("firm_id", "year"), vcov="hetero", panel="p2_panel"),
    RegressionSpec(paper="P2", table="3", column="2", depvar="qua", regressors=("egscore_enp",),
                   fixed_effects=("firm_id", "year", "hs2"), vcov="hetero", panel="p2_panel"),
)

P2_MD = """\
**P2 Table 3. E-government sub-indices**

|  | (1) qua | (2) qua |
|:---|---:|---:|
| egscore_idf | 0.006** |  |
|  | (0.026) |  |
| egscore_enp |  | 0.005*** |
|  |  | (0.004) |
| Controls | Yes | No |
| Firm FE | Yes | Yes |
| Year FE | Yes | Yes |
| hs2 FE | No | Yes |
| Observations | 76,767 | 76,767 |
| R2 | 0.0432 | 0.0433 |

Notes: p-values in parentheses (standard errors heteroskedasticity-robust). Sample: balanced. """ + P2_NOTES[("P2", "3")] + (
    " * p<0.10, ** p<0.05, *** p<0.01.\n")


def test_p2_style_blank_cells_extra_fe_and_sample_note():
    rows = results_frame([
        _row("1", "egscore_idf", 0.0061, 0.002, 0.026, 76767, 0.14321, "firm_id+year", "hetero", "balanced", "P2", "3",
             r2_within=0.04321, r2=0.5),
        _row("1", "Con_wag", 0.002, 0.001, 0.014, 76767, 0.14321, "firm_id+year", "hetero", "balanced", "P2", "3",
             r2_within=0.04321, r2=0.5),
        _row("2", "egscore_enp", 0.0049, 0.002, 0.004, 76767, 0.14334, "firm_id+year+hs2", "hetero", "balanced",
             "P2", "3", r2_within=0.04334, r2=0.5),
    ])
    assert render_markdown(rows, "P2", "3", specs=P2_SPECS) == P2_MD
    # P2 prints the within R2 ("R2"), P1 the adjusted R2; without FE P2 prints the ordinary R2
    no_fe = rows.assign(fixed_effects="", r2_within=float("nan"), r2=[0.003, 0.003, 0.004])
    assert "| R2 | 0.0030 | 0.0040 |" in render_markdown(no_fe, "P2", "3", specs=P2_SPECS).splitlines()
    assert "| Adj. R2 | 0.1432 | 0.1433 |" in render_markdown(rows, "P2", "3", specs=P2_SPECS,
                                                            style=replace(style_for("P2", "3"), r2="adj_r2",
                                                                          r2_label="Adj. R2")).splitlines()
    with pytest.raises(ValueError):
        TableStyle(r2="r2_overall")
    # P2 Table 2 prints the controls' coefficients as well (style override)
    t2 = rows.assign(table="2")
    specs2 = tuple(replace(s, table="2") for s in P2_SPECS)
    md2 = render_markdown(t2, "P2", "2", specs=specs2)
    assert "| Con_wag | 0.002** |  |" in md2.splitlines()
    # columns on different samples: the note names each run of columns (P2 Table 6: (1)-(3) vs (4)-(5))
    mixed = rows.assign(sample=["neighbour_iv", "neighbour_iv", "full"])
    note = render_markdown(mixed, "P2", "3", specs=P2_SPECS).splitlines()[-1]
    assert "Sample: (1) neighbour_iv; (2) full." in note


def test_missing_spec_or_rows_is_an_error(tmp_path):
    with pytest.raises(KeyError):
        render_markdown(RESULTS, "P1", "7")
    with pytest.raises(KeyError):
        render_markdown(RESULTS, "P1", "1", specs=P1_TABLE1[:3])


def test_write_table_files(tmp_path):
    paths = write_table(RESULTS, "P1", "1", tmp_path)
    assert [p.name for p in paths] == ["P1_table1.md", "P1_table1.tex"]
    assert paths[0].read_text() == P1_MD and paths[1].read_text() == P1_TEX
    assert tables_in(RESULTS) == [("P1", "1"), ("P9", "9")]
    assert isinstance(RESULTS, pd.DataFrame)


def test_renders_the_same_from_results_csv(tmp_path):
    from eq_assets.regressions.results import read_results_csv, write_results_csv

    path = write_results_csv(RESULTS, tmp_path / "results.csv")
    back = read_results_csv(path)
    assert render_markdown(back, "P1", "1") == P1_MD
    assert render_latex(back, "P1", "1") == P1_TEX


# ---- IV tables: instruments, first stages, scaling, identification statistics ---------------------

from eq_assets.reports.layout import row_scale  # noqa: E402


def test_row_scale_only_when_something_prints_as_zero():
    assert row_scale([-0.0023, 0.0004], 4) == 0          # P1 Table 1: prints fine
    assert row_scale([0.0001, 0.00002], 4) == 3          # 0.0001 (0.0000) -> x10^3: 0.1000 (0.0200)
    assert row_scale([4.7e-6, 2.6e-6], 4) == 6           # 0.0000 (0.0000) -> x10^6
    assert row_scale([0.006], 3) == 0 and row_scale([0.0, float("nan")], 4) == 0


IV_SPEC = RegressionSpec(paper="P2", table="6", column="1", depvar="qua", regressors=("egscore",), controls=("w",),
                         fixed_effects=("firm_id", "year"), vcov={"CRV1": "city"}, panel="p2_panel", estimator="iv",
                         endogenous=("egscore",), instruments=("IV_int",), first_stage_column="fs1")
OLS_SPEC = RegressionSpec(paper="P2", table="6", column="2", depvar="qua", regressors=("egscore",), controls=("w",),
                          fixed_effects=("firm_id", "year"), vcov={"CRV1": "city"}, panel="p2_panel")


def _iv_rows(paper="P2", fs_col="fs1", iv_col="1", scale=1.0):
    fe, v = "firm_id+year", "CRV1:city"
    return results_frame([
        _row(iv_col, "egscore", 0.0471, 0.012, 0.0004, 500, 0.15, fe, v, paper=paper, table="6"),
        _row(iv_col, "w", 0.2, 0.1, 0.05, 500, 0.15, fe, v, paper=paper, table="6"),
        _row(iv_col, "stat:kp_rk_lm", 12.5, math.nan, 0.0004, 500, 0.15, fe, v, paper=paper, table="6"),
        _row(iv_col, "stat:kp_rk_wald_f", 30.25, math.nan, math.nan, 500, 0.15, fe, v, paper=paper, table="6"),
        _row(iv_col, "stat:first_stage_f", 30.25, math.nan, 1e-6, 500, 0.15, fe, v, paper=paper, table="6"),
        _row(fs_col, "IV_int", 0.000123 * scale, 0.0000213 * scale, 0.0, 500, 0.52, fe, v, paper=paper, table="6"),
        _row(fs_col, "w", 0.3, 0.1, 0.01, 500, 0.52, fe, v, paper=paper, table="6"),
        _row("2", "egscore", 0.0312, 0.01, 0.002, 510, 0.14, fe, v, paper=paper, table="6"),
        _row("2", "w", 0.2, 0.1, 0.05, 510, 0.14, fe, v, paper=paper, table="6"),
    ])


def test_p2_iv_table_first_stage_panel_instrument_row_and_statistics():
    md = render_markdown(_iv_rows(), "P2", "6", specs=(IV_SPEC, OLS_SPEC))
    lines = md.splitlines()
    assert lines[2] == "|  | (1) qua | (2) qua |"  # the first stage is a panel, not a column
    assert "| Estimator | 2SLS | OLS |" in lines and "| Instrument | IV_int |  |" in lines
    i = lines.index("| *First stage (dependent variable: egscore)* |  |  |")
    # P2 prints p-values in parentheses: the coefficient is scaled, the p-value is not
    assert lines[i + 1:i + 3] == ["| IV_int (×10³) | 0.123*** |  |", "|  | (0.000) |  |"]
    assert "| First-stage adj. R2 | 0.5200 |  |" in lines
    assert "| Kleibergen-Paap rk LM | 12.500 |  |" in lines and "|   p-value (chi2) | 0.000 |  |" in lines
    assert "| Kleibergen-Paap rk Wald F | 30.250 |  |" in lines
    assert "|   Stock-Yogo 10% max. IV size c.v. | 16.38 |  |" in lines
    assert "|   Olea-Pflueger c.v. (tau = 10%) | 23.11 |  |" in lines
    assert not any(line.startswith("| First-stage F |") for line in lines)  # equal to the rk Wald F: printed once
    assert "Rows marked (×10^k): coefficients are multiplied by 10^k." in lines[-1]


def test_p1_style_first_stage_column_scales_coefficient_and_se():
    spec = replace(IV_SPEC, paper="P1", column="2", first_stage_column="1")
    res = _iv_rows(paper="P1", fs_col="1", iv_col="2")
    res = res[~((res["column"] == "2") & (res["n_obs"] == 510))]  # drop the OLS column (also numbered 2)
    md = render_markdown(res, "P1", "6", specs=(spec,))
    lines = md.splitlines()
    assert lines[2] == "|  | (1) egscore | (2) qua |"
    assert "| Estimator | First stage | 2SLS |" in lines and "| Instrument | IV_int | IV_int |" in lines
    k = next(i for i, line in enumerate(lines) if line.startswith("| IV_int"))
    assert lines[k:k + 2] == ["| IV_int (×10³) | 0.1230*** |  |", "|  | (0.0213) |  |"]  # was 0.0001*** (0.0000)
    tex = render_latex(res, "P1", "6", specs=(spec,))
    assert r"IV\_int ($\times 10^{3}$) & $0.1230^{***}$ &  \\" in tex


def test_first_stage_f_is_printed_when_it_differs_from_the_rk_wald_f():
    res = _iv_rows()
    res.loc[res["term"] == "stat:first_stage_f", "estimate"] = 28.0
    assert "| First-stage F | 28.000 |  |" in render_markdown(res, "P2", "6", specs=(IV_SPEC, OLS_SPEC)).splitlines()


def test_html_table_is_stable_and_self_contained():
    from eq_assets.reports.tables import render_html

    a = render_html(_iv_rows(), "P2", "6", specs=(IV_SPEC, OLS_SPEC))
    assert a == render_html(_iv_rows(), "P2", "6", specs=(IV_SPEC, OLS_SPEC))
    assert 'id="gt-p2-table6"' in a and "Kleibergen-Paap rk Wald F" in a and "IV_int (×10³)" in a
    assert "http" not in a and "<script" not in a and "@import" not in a


# ---- figures, report, manifest, accounting --------------------------------------------------------


def test_figures_are_deterministic_pngs_without_software_metadata():
    from eq_assets.reports.figures import coefficient_plot

    truth = pd.DataFrame([{"paper": "P1", "table": "1", "column": "4", "term": "Eco", "true_value": -0.002}])
    a = coefficient_plot(RESULTS, "P1", "1", truth)
    assert a == coefficient_plot(RESULTS, "P1", "1", truth)
    assert a[:8] == b"\x89PNG\r\n\x1a\n" and b"Software" not in a and b"matplotlib" not in a
    assert a != coefficient_plot(RESULTS, "P1", "1", None)  # the truth marker is drawn


def _meta():
    return {
        ("customs_firm_match", "2009"): {"rows_in": 200, "rows_out": 150, "dropped_no_survey_match": 50,
                                         "matched_by_name": 140, "matched_by_phone_zip": 10},
        ("matched_exports", "2009"): {"rows_in": 1000, "rows_out": 800, "dropped_exporter_not_matched_to_survey": 200},
        ("customs_exports", "2009"): {"rows_in": 3000, "rows_out": 1000, "dropped_trade_intermediary": 500,
                                      "dropped_merged_into_observations": 1500},
        ("quality_distance", "2009"): {"rows_in": 5, "rows_out": 5, "distribution": {
            "quality": {"2009": {"n": 5, "mean": 0.0, "p5": -1.0, "p25": -0.5, "p50": 0.0, "p75": 0.5, "p95": 1.0}}}},
        ("p1_table1", ""): {"rows_in": 16, "rows_out": 16},
    }


def test_accounting_from_materialization_metadata():
    from eq_assets.reports import accounting as A

    meta = _meta()
    d = A.drops_by_reason(meta)
    assert d[d.asset == "customs_exports"].set_index("reason")["rows"].to_dict() == {
        "merged_into_observations": 1500, "trade_intermediary": 500}
    t = A.accounting_table(meta)
    assert t["balanced"].all() and int(t.loc[t.asset == "customs_exports", "dropped"].iloc[0]) == 2000
    r = A.match_rates(meta).iloc[0]
    assert r["exporters matched"] == 0.75 and r["by name"] == 0.7 and r["export observations matched"] == 0.8
    assert A.distributions(meta, "quality_distance")["quality"]["2009"]["p50"] == 0.0


def test_report_is_self_contained_and_has_every_table(tmp_path):
    from eq_assets.reports.manifest import _ranges, raw_files
    from eq_assets.reports.report import ReportInputs, write_report

    raw = tmp_path / "raw"
    (raw / "customs").mkdir(parents=True)
    (raw / "customs" / "customs_2009.csv").write_bytes(b"a,b\n1,2\n")
    files = raw_files(raw)
    assert files == [{"path": "customs/customs_2009.csv", "bytes": 8, "sha256": hashlib.sha256(b"a,b\n1,2\n").hexdigest()}]
    assert _ranges(["2004", "2005", "2006", "2009"]) == "2004-2006, 2009"
    res = RESULTS[RESULTS.paper == "P1"]
    manifest = {"code": {"commit": "abc123", "uncommitted_changes": False, "packages": {"pandas": "2"}},
                "raw_dir_files": files, "parameters": [{"asset": "quality_distance", "partitions": "2009",
                                                        "config": {"statistic": "max"}}]}
    inputs = ReportInputs(results=res, truth=pd.DataFrame([{"paper": "P1", "table": "1", "column": "4", "term": "Eco",
                                                            "true_value": -0.002, "basis": "oracle"}]),
                          metadata=_meta(), manifest=manifest)
    paths = write_report(tmp_path / "out", inputs)
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert 'id="p1-table1"' in html and "abc123" in html and "customs/customs_2009.csv" in html
    assert "1 estimates have a true value" in html and "{&quot;statistic&quot;: &quot;max&quot;}" in html
    assert "http://" not in html and "https://" not in html and "<script" not in html and "<link" not in html
    assert html.count('src="data:image/png;base64,') == 1 + 5  # coefficient plot + 5 figures
    first = [p.read_bytes() for p in paths]
    assert [p.read_bytes() for p in write_report(tmp_path / "out", inputs)] == first  # byte-identical rerun
    assert all(oct(p.stat().st_mode & 0o777) == "0o644" for p in paths)


def test_output_files_are_readable_by_everyone(tmp_path):
    from eq_assets.reports.assets import write_outputs

    for p in write_outputs(RESULTS[RESULTS.paper == "P1"], tmp_path):
        assert p.stat().st_mode & 0o777 == 0o644, p
