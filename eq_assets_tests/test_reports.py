"""Paper-style tables rendered from a small hand-made results frame, against hand-written output."""

from __future__ import annotations

import math
from dataclasses import replace

import pandas as pd
import pytest

from eq_assets.regressions.results import results_frame
from eq_assets.regressions.specs import P1_TABLE1, RegressionSpec
from eq_assets.reports.tables import (
    TableStyle,
    render_latex,
    render_markdown,
    stars,
    table_markdown_for_metadata,
    tables_in,
    write_table,
)


def _row(col, term, b, se, p, n, r2, fe, vcov="CRV1:firm_id", sample="full", paper="P1", table="1"):
    return dict(paper=paper, table=table, column=col, term=term, estimate=b, std_error=se, p_value=p,
                n_obs=n, adj_r2=r2, fixed_effects=fe, vcov=vcov, sample=sample)


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
    assert lines[-1] == ("Notes: p-values in parentheses (standard errors clustered by firm). "
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
| Adj. R2 | 0.1432 | 0.1433 |

Notes: p-values in parentheses (standard errors heteroskedasticity-robust). Sample: balanced. * p<0.10, ** p<0.05, *** p<0.01.
"""


def test_p2_style_blank_cells_extra_fe_and_sample_note():
    rows = results_frame([
        _row("1", "egscore_idf", 0.0061, 0.002, 0.026, 76767, 0.14321, "firm_id+year", "hetero", "balanced", "P2", "3"),
        _row("1", "Con_wag", 0.002, 0.001, 0.014, 76767, 0.14321, "firm_id+year", "hetero", "balanced", "P2", "3"),
        _row("2", "egscore_enp", 0.0049, 0.002, 0.004, 76767, 0.14334, "firm_id+year+hs2", "hetero", "balanced",
             "P2", "3"),
    ])
    assert render_markdown(rows, "P2", "3", specs=P2_SPECS) == P2_MD
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
