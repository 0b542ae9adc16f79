"""Renderers of a table :class:`~eq_assets.reports.layout.Layout`: Markdown, LaTeX (booktabs), HTML.

Markdown is GitHub's pipe table (what the Dagster UI shows); LaTeX is a ``table`` with a booktabs
``tabular``; HTML goes through great-tables (``GT``), with a fixed element id so that the same
table gives the same bytes.
"""

from __future__ import annotations

from typing import Sequence

import pandas as pd

from eq_assets.reports.layout import Cell, Layout, Row

_SUPERSCRIPTS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def scale_suffix(k: int) -> str:
    """`` (×10³)`` for k = 3 (plain text, Markdown, HTML)."""
    return f" (×10{str(k).translate(_SUPERSCRIPTS)})" if k else ""


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
    n = len(layout.columns)
    header = [""] + [f"({c}) {_md_escape(d)}" for c, d in zip(layout.columns, layout.depvars)]
    lines = [f"**{_md_escape(layout.title)}**", ""]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|:---|" + "---:|" * n)
    for row in layout.head_rows + layout.coef_rows + layout.stat_rows:
        if row.section:
            lines.append("| " + " | ".join([f"*{_md_escape(row.label)}*"] + [""] * n) + " |")
            continue
        label = _md_escape(row.label) + scale_suffix(row.scale)
        lines.append("| " + " | ".join([label] + [_md_cell(c) for c in row.cells]) + " |")
    lines += ["", layout.note, ""]
    return "\n".join(lines)


# ---- LaTeX (booktabs) -------------------------------------------------------------------------

_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}
_LATEX_LABELS = {
    "Adj. R2": r"Adj. $R^2$", "First-stage adj. R2": r"First-stage adj. $R^2$",
    "  p-value (chi2)": r"\quad p-value ($\chi^2$)",
    "  Olea-Pflueger c.v. (tau = 10%)": r"\quad Olea-Pflueger c.v. ($\tau$ = 10\%)",
}


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


def _tex_label(row: Row) -> str:
    text = _LATEX_LABELS.get(row.label)
    if text is None:
        text = (r"\quad " if row.label.startswith("  ") else "") + latex_escape(row.label.strip())
    return text + (rf" ($\times 10^{{{row.scale}}}$)" if row.scale else "")


def layout_to_latex(layout: Layout, *, label: str | None = None) -> str:
    n = len(layout.columns)
    note = latex_escape(layout.note).replace("<", "$<$").replace(r"×10\textasciicircum{}k", r"$\times 10^k$")
    lines = [r"\begin{table}[htbp]", r"\centering", rf"\caption{{{latex_escape(layout.title)}}}"]
    if label:
        lines.append(rf"\label{{{label}}}")
    lines += [
        rf"\begin{{tabular}}{{l{'c' * n}}}",
        r"\toprule",
        _tex_row("", [f"({c})" for c in layout.columns]),
        _tex_row("", [latex_escape(d) for d in layout.depvars]),
    ]
    lines += [_tex_row(_tex_label(r), [_tex_cell(c) for c in r.cells]) for r in layout.head_rows]
    lines.append(r"\midrule")
    for r in layout.coef_rows:
        if r.section:
            lines += [r"\midrule", rf"\multicolumn{{{n + 1}}}{{l}}{{\textit{{{latex_escape(r.label)}}}}} \\"]
        else:
            lines.append(_tex_row(_tex_label(r), [_tex_cell(c) for c in r.cells]))
    lines.append(r"\midrule")
    lines += [_tex_row(_tex_label(r), [_tex_cell(c) for c in r.cells]) for r in layout.stat_rows]
    lines += [r"\bottomrule", r"\end{tabular}", "", rf"\par\smallskip{{\footnotesize {note}}}", r"\end{table}", ""]
    return "\n".join(lines)


# ---- HTML (great-tables) ----------------------------------------------------------------------


def _html_cell(cell: Cell) -> str:
    return _md_cell(cell).replace("\\|", "|")


def layout_to_html(layout: Layout, *, table_id: str) -> str:
    """An HTML fragment (great-tables ``as_raw_html``, inline CSS, no external resource)."""
    from great_tables import GT, html, style, loc

    names = [f"c{i}" for i in range(len(layout.columns))]
    records, groups = [], []
    group = "Second stage" if any(r.section for r in layout.coef_rows) else ""
    for part, rows in (("head", layout.head_rows), ("coef", layout.coef_rows), ("stat", layout.stat_rows)):
        for r in rows:
            if r.section:
                group = r.label
                continue
            g = "Specification" if part == "head" else (group or "Coefficients") if part == "coef" else "Statistics"
            records.append({"label": r.label + scale_suffix(r.scale), **{n: _html_cell(c) for n, c in zip(names, r.cells)}})
            groups.append(g)
    df = pd.DataFrame(records, columns=["label", *names]).fillna("")
    df["group"] = groups
    use_groups = len(set(groups)) > 1
    gt = GT(df, rowname_col="label", groupname_col="group" if use_groups else None, id=table_id)
    if not use_groups:
        gt = gt.cols_hide("group")
    gt = (
        gt.tab_header(title=layout.title)
        .cols_label(**{n: html(f"({c})<br>{d}") for n, c, d in zip(names, layout.columns, layout.depvars)})
        .cols_align("right", columns=names)
        .tab_source_note(layout.note)
        .tab_options(table_font_size="14px", heading_align="left", data_row_padding="2px",
                     row_group_padding="2px", row_group_font_weight="bold")
        .tab_style(style.text(whitespace="pre"), loc.stub())
    )
    return gt.as_raw_html()
