"""Paper-style regression tables (Markdown and LaTeX/booktabs) rendered from results rows.

A table is laid out like the papers' tables:

- header: ``(1) Distance  (2) Distance ...`` (column number and dependent variable);
- one row per regressor of interest: coefficient with stars (* p<0.10, ** p<0.05, *** p<0.01,
  strict inequalities), and beneath it, in parentheses, the standard error (P1: "括号内为标准误")
  or the p-value (P2: "括号中报告了基于稳健聚类标准误差的 P 值"): :class:`TableStyle.parenthesis`;
- "Controls" Yes/No, one Yes/No row per fixed effect ("Firm FE", "Year FE", ...),
  "Observations" with thousands separators, "Adj. R2" with 4 decimals;
- a note saying what is in parentheses and how the SEs are clustered.

Everything is taken from the results rows (what was actually fitted: N, FE, vcov), except which
terms are the regressors of interest and whether controls were included, which come from the
table's :class:`~eq_assets.regressions.specs.RegressionSpec` s. pyfixest's ``etable`` is not
used: it marks fixed effects absent for models that include them and prints tuples as Markdown
row labels.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping, Sequence

import pandas as pd

from eq_assets.regressions.results import atomic_write_text, natural_key
from eq_assets.regressions.iv import STAT_FIRST_STAGE_F, STAT_KP_LM, STAT_KP_WALD_F, first_stage_spec
from eq_assets.regressions.specs import TABLE_TITLES, RegressionSpec, specs_for

#: Identification statistics of IV columns, as ivreg2 labels them (rows below Adj. R2).
IV_STAT_LABELS: tuple[tuple[str, str], ...] = (
    (STAT_KP_LM, "Kleibergen-Paap rk LM"),
    (STAT_KP_WALD_F, "Kleibergen-Paap rk Wald F"),
    (STAT_FIRST_STAGE_F, "First-stage F"),
)

#: Stars: (threshold, marker), checked in order with p < threshold.
STAR_LEVELS: tuple[tuple[float, str], ...] = ((0.01, "***"), (0.05, "**"), (0.10, "*"))
STAR_NOTE = "* p<0.10, ** p<0.05, *** p<0.01"

DEFAULT_FE_ROWS: tuple[tuple[str, str], ...] = (
    ("firm_id", "Firm FE"), ("year", "Year FE"), ("city", "City FE"), ("industry", "Industry FE"),
)
DEFAULT_CLUSTER_LABELS: dict[str, str] = {
    "firm_id": "firm", "year": "year", "city": "city", "industry": "industry", "province": "province",
}


@dataclass(frozen=True)
class TableStyle:
    """How one paper prints its tables."""

    parenthesis: str = "se"
    """What goes in parentheses under a coefficient: "se" (P1) or "p_value" (P2)."""
    digits: int = 4
    """Decimals of coefficients and of the parenthesised number (P1: 4, P2: 3)."""
    show_controls: bool = False
    """Print the controls' coefficients too (P2 Table 2 does), not only the Controls row."""
    fe_rows: tuple[tuple[str, str], ...] = DEFAULT_FE_ROWS
    """(panel FE column, row label), always printed; other FE found in results are appended."""
    cluster_labels: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_CLUSTER_LABELS))
    """Words for cluster variables in the note ("clustered by firm")."""

    def __post_init__(self) -> None:
        if self.parenthesis not in ("se", "p_value"):
            raise ValueError("parenthesis must be 'se' or 'p_value'")


PAPER_STYLES: dict[str, TableStyle] = {
    "P1": TableStyle(parenthesis="se", digits=4),
    "P2": TableStyle(parenthesis="p_value", digits=3, fe_rows=(("firm_id", "Firm FE"), ("year", "Year FE"))),
}
#: Per-table deviations from the paper's style.
TABLE_STYLE_OVERRIDES: dict[tuple[str, str], dict] = {
    ("P2", "2"): {"show_controls": True},
    # P1 Table 3 prints its industry and destination controls and an "individual" FE
    ("P1", "3"): {"show_controls": True, "fe_rows": (
        ("cell_id", "Individual FE (product x destination x trade mode)"), ("year", "Year FE"),
        ("industry", "Industry FE"))},
}


def style_for(paper: str, table: str) -> TableStyle:
    base = PAPER_STYLES.get(paper, TableStyle())
    return replace(base, **TABLE_STYLE_OVERRIDES.get((paper, str(table)), {}))


# ---- cell formatting --------------------------------------------------------------------------


def stars(p: float) -> str:
    """Significance stars with strict thresholds: p<0.01 ***, p<0.05 **, p<0.10 *."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return ""
    for level, marker in STAR_LEVELS:
        if p < level:
            return marker
    return ""


def fmt_number(x: float, digits: int) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    return f"{x:.{digits}f}"


def fmt_count(n: int) -> str:
    return f"{int(n):,}"


# ---- layout (format-independent) --------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """A body cell: text, optionally a number with stars or in parentheses."""

    number: str = ""
    stars: str = ""
    paren: bool = False
    text: str = ""


@dataclass(frozen=True)
class Layout:
    title: str
    columns: tuple[str, ...]
    depvars: tuple[str, ...]
    coef_rows: tuple[tuple[str, tuple[Cell, ...]], ...]
    stat_rows: tuple[tuple[str, tuple[Cell, ...]], ...]
    note: str


def _vcov_words(vcov: str, style: TableStyle) -> str:
    if vcov.startswith("CRV"):
        clusters = [c.split(":", 1)[1] for c in vcov.split(";") if ":" in c]
        names = [style.cluster_labels.get(p, p) for c in clusters for p in c.split("+")]
        return "clustered by " + " and ".join(names)
    return {"hetero": "heteroskedasticity-robust", "HC1": "heteroskedasticity-robust",
            "iid": "conventional (iid)"}.get(vcov, vcov)


def _sample_words(sub: pd.DataFrame, columns: Sequence[str]) -> str:
    """The sample note: one name if every column uses it, else runs of columns, e.g.
    "(1)-(3) neighbour_iv; (4)-(5) full" (P2 Table 6); empty if every column is "full"."""
    per_col = [str(sub.loc[sub["column"].astype(str) == c, "sample"].iloc[0]) for c in columns]
    if len(set(per_col)) == 1:
        return "" if per_col[0] == "full" else per_col[0]
    runs: list[list] = []
    for c, s in zip(columns, per_col):
        if runs and runs[-1][2] == s:
            runs[-1][1] = c
        else:
            runs.append([c, c, s])
    return "; ".join(f"({a}){'' if a == b else f'-({b})'} {s}" for a, b, s in runs)


def _note(sub: pd.DataFrame, style: TableStyle, columns: Sequence[str]) -> str:
    words = list(dict.fromkeys(_vcov_words(v, style) for v in sub["vcov"]))
    how = " / ".join(words)
    if style.parenthesis == "se":
        text = f"Notes: standard errors in parentheses, {how}."
    else:
        text = f"Notes: p-values in parentheses (standard errors {how})."
    samples = _sample_words(sub, columns)
    if samples:
        text += f" Sample: {samples}."
    return f"{text} {STAR_NOTE}."


def table_layout(
    results: pd.DataFrame,
    paper: str,
    table: str,
    *,
    specs: Sequence[RegressionSpec] | None = None,
    style: TableStyle | None = None,
    title: str | None = None,
) -> Layout:
    """Arrange one table's results rows (``paper``, ``table``) into labelled rows and cells."""
    table = str(table)
    style = style or style_for(paper, table)
    sub = results[(results["paper"] == paper) & (results["table"].astype(str) == table)]
    if sub.empty:
        raise KeyError(f"no results rows for {paper} Table {table}")
    columns = tuple(sorted(dict.fromkeys(sub["column"].astype(str)), key=natural_key))
    declared = [s for s in (specs if specs is not None else specs_for(paper, table))
                if s.paper == paper and s.table == table]
    by_col = {s.column: s for s in declared}
    # an IV spec's first stage is printed as its own column (P1 Table 7)
    by_col.update({s.first_stage_column: first_stage_spec(s) for s in declared if s.first_stage_column is not None})
    lacking = [c for c in columns if c not in by_col]
    if lacking:
        raise KeyError(f"{paper} Table {table}: no specification for column(s) {lacking}")
    col_specs = [by_col[c] for c in columns]
    cols = {c: sub[sub["column"].astype(str) == c] for c in columns}

    terms = list(dict.fromkeys(t for s in col_specs for t in s.regressors))
    if style.show_controls:
        terms += [t for t in dict.fromkeys(t for s in col_specs for t in s.controls) if t not in terms]

    coef_rows = []
    for term in terms:
        top, bottom = [], []
        for c in columns:
            hit = cols[c][cols[c]["term"] == term]
            if hit.empty:
                top.append(Cell())
                bottom.append(Cell())
                continue
            r = hit.iloc[0]
            top.append(Cell(number=fmt_number(float(r["estimate"]), style.digits), stars=stars(float(r["p_value"]))))
            under = r["std_error"] if style.parenthesis == "se" else r["p_value"]
            bottom.append(Cell(number=fmt_number(float(under), style.digits), paren=True))
        coef_rows.append((term, tuple(top)))
        coef_rows.append(("", tuple(bottom)))

    def yes_no(flag: bool) -> Cell:
        return Cell(text="Yes" if flag else "No")

    fe_sets = {c: set(filter(None, str(cols[c]["fixed_effects"].iloc[0]).split("+"))) for c in columns}
    fe_rows = list(style.fe_rows)
    known = {fe for fe, _ in fe_rows}
    for fe in dict.fromkeys(fe for c in columns for fe in sorted(fe_sets[c])):
        if fe not in known:
            fe_rows.append((fe, f"{fe} FE"))
    stat_rows = [("Controls", tuple(yes_no(bool(s.controls)) for s in col_specs))]
    stat_rows += [(label, tuple(yes_no(fe in fe_sets[c]) for c in columns)) for fe, label in fe_rows]
    stat_rows.append(("Observations", tuple(Cell(text=fmt_count(cols[c]["n_obs"].iloc[0])) for c in columns)))
    stat_rows.append(("Adj. R2", tuple(Cell(text=fmt_number(float(cols[c]["adj_r2"].iloc[0]), 4)) for c in columns)))
    for term, label in IV_STAT_LABELS:
        if (sub["term"] == term).any():
            cells = []
            for c in columns:
                hit = cols[c][cols[c]["term"] == term]
                cells.append(Cell(text=fmt_number(float(hit["estimate"].iloc[0]), 3)) if len(hit) else Cell())
            stat_rows.append((label, tuple(cells)))

    if title is None:
        name = TABLE_TITLES.get((paper, table))
        title = f"{paper} Table {table}" + (f". {name}" if name else "")
    return Layout(
        title=title, columns=columns, depvars=tuple(s.depvar for s in col_specs),
        coef_rows=tuple(coef_rows), stat_rows=tuple(stat_rows), note=_note(sub, style, columns),
    )


# ---- Markdown ---------------------------------------------------------------------------------


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|")


def _md_cell(cell: Cell) -> str:
    if cell.text:
        return _md_escape(cell.text)
    if not cell.number:
        return ""
    return f"({cell.number})" if cell.paren else f"{cell.number}{cell.stars}"


def layout_to_markdown(layout: Layout) -> str:
    header = [""] + [f"({c}) {_md_escape(d)}" for c, d in zip(layout.columns, layout.depvars)]
    lines = [f"**{_md_escape(layout.title)}**", ""]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|:---|" + "---:|" * len(layout.columns))
    for label, cells in layout.coef_rows + layout.stat_rows:
        lines.append("| " + " | ".join([_md_escape(label)] + [_md_cell(c) for c in cells]) + " |")
    lines += ["", layout.note, ""]
    return "\n".join(lines)


# ---- LaTeX (booktabs) -------------------------------------------------------------------------

_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}
_LATEX_LABELS = {"Adj. R2": r"Adj. $R^2$"}


def latex_escape(text: str) -> str:
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in text)


def _tex_cell(cell: Cell) -> str:
    if cell.text:
        return latex_escape(cell.text)
    if not cell.number:
        return ""
    if cell.paren:
        return f"$({cell.number})$"
    return f"${cell.number}^{{{cell.stars}}}$" if cell.stars else f"${cell.number}$"


def _tex_row(label: str, cells: Sequence[str]) -> str:
    return " & ".join([label] + list(cells)) + r" \\"


def layout_to_latex(layout: Layout, *, label: str | None = None) -> str:
    n = len(layout.columns)
    note = latex_escape(layout.note).replace("<", "$<$")
    lines = [
        r"\begin{table}[htbp]",
        r"\centering",
        rf"\caption{{{latex_escape(layout.title)}}}",
    ]
    if label:
        lines.append(rf"\label{{{label}}}")
    lines += [
        rf"\begin{{tabular}}{{l{'c' * n}}}",
        r"\toprule",
        _tex_row("", [f"({c})" for c in layout.columns]),
        _tex_row("", [latex_escape(d) for d in layout.depvars]),
        r"\midrule",
    ]
    lines += [_tex_row(latex_escape(lab), [_tex_cell(c) for c in cells]) for lab, cells in layout.coef_rows]
    lines.append(r"\midrule")
    lines += [_tex_row(_LATEX_LABELS.get(lab, latex_escape(lab)), [_tex_cell(c) for c in cells])
              for lab, cells in layout.stat_rows]
    lines += [
        r"\bottomrule",
        r"\end{tabular}",
        "",
        rf"\par\smallskip{{\footnotesize {note}}}",
        r"\end{table}",
        "",
    ]
    return "\n".join(lines)


# ---- public API --------------------------------------------------------------------------------


def render_markdown(results: pd.DataFrame, paper: str, table: str, **kwargs) -> str:
    """One table as Markdown (GitHub pipe table + note). kwargs go to :func:`table_layout`."""
    return layout_to_markdown(table_layout(results, paper, table, **kwargs))


def render_latex(results: pd.DataFrame, paper: str, table: str, **kwargs) -> str:
    """One table as a LaTeX ``table`` with a booktabs ``tabular`` (needs ``\\usepackage{booktabs}``)."""
    return layout_to_latex(table_layout(results, paper, table, **kwargs), label=f"tab:{paper}-table{table}")


def table_markdown_for_metadata(results: pd.DataFrame, paper: str, table: str, **kwargs) -> str:
    """The Markdown table, for ``dagster.MetadataValue.md`` in the Dagster UI."""
    return render_markdown(results, paper, table, **kwargs)


def table_file_stem(paper: str, table: str) -> str:
    """``P1_table1``: the file name (without suffix) of a rendered table."""
    return f"{paper}_table{table}"


def write_table(results: pd.DataFrame, paper: str, table: str, out_dir: str | os.PathLike, **kwargs) -> list[Path]:
    """Write ``<out_dir>/P1_table1.md`` and ``.tex`` atomically; return the paths."""
    out_dir = Path(out_dir)
    stem = table_file_stem(paper, str(table))
    layout = table_layout(results, paper, str(table), **kwargs)
    return [
        atomic_write_text(out_dir / f"{stem}.md", layout_to_markdown(layout)),
        atomic_write_text(out_dir / f"{stem}.tex", layout_to_latex(layout, label=f"tab:{paper}-table{table}")),
    ]


def tables_in(results: pd.DataFrame) -> list[tuple[str, str]]:
    """The (paper, table) pairs present in results rows, in natural order."""
    pairs = dict.fromkeys(zip(results["paper"].astype(str), results["table"].astype(str)))
    return sorted(pairs, key=lambda pt: (natural_key(pt[0]), natural_key(pt[1])))
