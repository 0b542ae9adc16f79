"""Paper-style regression tables rendered from results rows (Markdown, LaTeX/booktabs, HTML).

A table is laid out like the papers' tables:

- header: ``(1) Distance  (2) Distance ...`` (column number and dependent variable);
- tables with IV columns add an "Estimator" row (OLS / 2SLS / First stage) and an "Instrument"
  row naming each column's excluded instrument(s) (P2 Table 6 heads its columns IV_nei / IV_int /
  IV_gov the same way);
- one row per regressor of interest: coefficient with stars (* p<0.10, ** p<0.05, *** p<0.01,
  strict inequalities), and beneath it, in parentheses, the standard error (P1: "括号内为标准误")
  or the p-value (P2: "括号中报告了基于稳健聚类标准误差的 P 值"): :class:`TableStyle.parenthesis`.
  A row whose numbers would print as zero at the paper's decimals (P1 Table 7's first stage:
  ``0.0001** (0.0000)``) is scaled by a power of 1,000 and labelled ``(×10³)``: coefficient and
  standard error are multiplied by it (p-values never are);
- an IV spec's first stage is either its own column (P1 Table 7) or a "First stage" panel under
  the 2SLS coefficients (P2 Table 6): :attr:`TableStyle.first_stage`;
- "Controls" Yes/No, one Yes/No row per fixed effect ("Firm FE", "Year FE", ...),
  "Observations" with thousands separators, the R2 the paper prints with 4 decimals
  (:attr:`TableStyle.r2`: P1 "Adj. R2", P2 the within R2, its "R2"); IV columns add the
  identification statistics and reference values of :mod:`eq_assets.reports.weak_iv`;
- a note saying what is in parentheses, how the SEs are clustered, the samples and the IV
  statistics.

Everything is taken from the results rows (what was actually fitted: N, FE, vcov), except which
terms are the regressors of interest, whether controls were included and which instruments a
column uses, which come from the table's :class:`~eq_assets.regressions.specs.RegressionSpec` s.
pyfixest's ``etable`` is not used: it marks fixed effects absent for models that include them and
prints tuples as Markdown row labels. Renderers are in :mod:`eq_assets.reports.render`.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping, Sequence

import pandas as pd

from eq_assets.regressions.iv import STAT_FIRST_STAGE_F, STAT_KP_LM, STAT_KP_WALD_F, first_stage_spec
from eq_assets.regressions.results import atomic_write_text, natural_key
from eq_assets.regressions.specs import TABLE_NOTES, TABLE_TITLES, RegressionSpec, specs_for
from eq_assets.reports import weak_iv
from eq_assets.reports.layout import Cell, Layout, Row, fmt_count, fmt_number, row_scale, stars
from eq_assets.reports.render import layout_to_html, layout_to_latex, layout_to_markdown

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
    first_stage: str = "columns"
    """Where an IV spec's first stage goes: "columns" (its own column, P1 Table 7) or "panel" (a
    "First stage" block under the 2SLS coefficients, in the 2SLS column: P2 Table 6)."""
    r2: str = "adj_r2"
    """Which R2 the fit-statistics row prints: "adj_r2" (P1: "Adj. R2", overall adjusted R2) or
    "r2_within" (P2: its "R2" is a within R2, 0.0076 with firm and year FE and no controls; a
    column without fixed effects prints its ordinary R2, results.csv column ``r2``)."""
    r2_label: str = "Adj. R2"
    """Label of that row."""

    def __post_init__(self) -> None:
        if self.parenthesis not in ("se", "p_value"):
            raise ValueError("parenthesis must be 'se' or 'p_value'")
        if self.first_stage not in ("columns", "panel"):
            raise ValueError("first_stage must be 'columns' or 'panel'")
        if self.r2 not in ("adj_r2", "r2_within"):
            raise ValueError("r2 must be 'adj_r2' or 'r2_within'")


PAPER_STYLES: dict[str, TableStyle] = {
    "P1": TableStyle(parenthesis="se", digits=4),
    "P2": TableStyle(parenthesis="p_value", digits=3, fe_rows=(("firm_id", "Firm FE"), ("year", "Year FE")),
                     first_stage="panel", r2="r2_within", r2_label="R2"),
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


# ---- notes ------------------------------------------------------------------------------------


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


def _note(sub: pd.DataFrame, style: TableStyle, columns: Sequence[str], *, scaled: bool, iv: bool,
          extra: str = "", variants: Sequence[str] = ()) -> str:
    words = list(dict.fromkeys(_vcov_words(v, style) for v in sub["vcov"]))
    how = " / ".join(words)
    if style.parenthesis == "se":
        text = f"Notes: standard errors in parentheses, {how}."
    else:
        text = f"Notes: p-values in parentheses (standard errors {how})."
    samples = _sample_words(sub, columns)
    if samples:
        text += f" Sample: {samples}."
    if scaled:
        what = "coefficient and standard error are" if style.parenthesis == "se" else "coefficients are"
        text += f" Rows marked (×10^k): {what} multiplied by 10^k."
    if iv:
        text += " " + weak_iv.IV_NOTE
    if extra:
        text += " " + extra.strip()
    if variants:
        text += f" Also in results.csv (column variant): {', '.join(variants)}."
    return f"{text} {STAR_NOTE}."


# ---- layout -----------------------------------------------------------------------------------


def _coef_rows(terms: Sequence[str], columns: Sequence[str], cols: Mapping[str, pd.DataFrame | None],
               style: TableStyle) -> list[Row]:
    """Coefficient rows (and their parenthesised row) of ``terms`` over ``columns``."""
    rows: list[Row] = []
    for term in terms:
        hits = {c: (cols[c][cols[c]["term"] == term] if cols[c] is not None else None) for c in columns}
        hits = {c: (h.iloc[0] if h is not None and len(h) else None) for c, h in hits.items()}
        found = [r for r in hits.values() if r is not None]
        scaled_vals = [float(r["estimate"]) for r in found]
        if style.parenthesis == "se":
            scaled_vals += [float(r["std_error"]) for r in found]
        k = row_scale(scaled_vals, style.digits)
        top, bottom = [], []
        for c in columns:
            r = hits[c]
            if r is None:
                top.append(Cell())
                bottom.append(Cell())
                continue
            top.append(Cell(number=fmt_number(float(r["estimate"]) * 10 ** k, style.digits),
                            stars=stars(float(r["p_value"]))))
            under = float(r["std_error"]) * 10 ** k if style.parenthesis == "se" else float(r["p_value"])
            bottom.append(Cell(number=fmt_number(under, style.digits), paren=True))
        rows.append(Row(term, tuple(top), scale=k))
        rows.append(Row("", tuple(bottom)))
    return rows


def _iv_rows(specs: Sequence[RegressionSpec], columns: Sequence[str], cols: Mapping[str, pd.DataFrame]) -> list[Row]:
    """Identification statistics and reference values under the 2SLS columns."""

    def stat(c: str, term: str, what: str = "estimate") -> float | None:
        hit = cols[c][cols[c]["term"] == term]
        return float(hit[what].iloc[0]) if len(hit) and pd.notna(hit[what].iloc[0]) else None

    def cells(values: Sequence[float | None], digits: int = 3) -> tuple[Cell, ...]:
        return tuple(Cell(text=fmt_number(v, digits)) if v is not None else Cell() for v in values)

    is_iv = {c: s.estimator == "iv" for c, s in zip(columns, specs)}
    n_inst = {c: len(s.instruments) for c, s in zip(columns, specs)}
    rows = [
        Row(weak_iv.STAT_ROWS[STAT_KP_LM][0], cells([stat(c, STAT_KP_LM) if is_iv[c] else None for c in columns])),
        Row("  p-value (chi2)", cells([stat(c, STAT_KP_LM, "p_value") if is_iv[c] else None for c in columns])),
        Row(weak_iv.STAT_ROWS[STAT_KP_WALD_F][0], cells([stat(c, STAT_KP_WALD_F) if is_iv[c] else None for c in columns])),
        Row("  Stock-Yogo 10% max. IV size c.v.",
            cells([weak_iv.stock_yogo(n_inst[c]) if is_iv[c] else None for c in columns], 2)),
        Row("  Olea-Pflueger c.v. (tau = 10%)",
            cells([weak_iv.olea_pflueger(n_inst[c]) if is_iv[c] else None for c in columns], 2)),
    ]
    fs = [stat(c, STAT_FIRST_STAGE_F) if is_iv[c] else None for c in columns]
    wald = [stat(c, STAT_KP_WALD_F) if is_iv[c] else None for c in columns]
    if any(f is not None and w is not None and not math.isclose(f, w, rel_tol=1e-9) for f, w in zip(fs, wald)):
        rows.append(Row(weak_iv.STAT_ROWS[STAT_FIRST_STAGE_F][0], cells(fs)))
    return rows


def _r2_text(rows: pd.DataFrame, style: TableStyle) -> str:
    """The column's R2 as the paper prints it (:attr:`TableStyle.r2`); within R2 falls back to the
    ordinary R2 where a column has no fixed effects (within R2 undefined)."""
    first = rows.iloc[0]
    if style.r2 == "adj_r2":
        return fmt_number(float(first["adj_r2"]), 4)
    value = first.get("r2_within", float("nan"))
    if pd.isna(value) and not str(first.get("fixed_effects", "") or ""):
        value = first.get("r2", float("nan"))
    return fmt_number(float(value), 4) if pd.notna(value) else ""


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
    variants: list[str] = []
    if "variant" in sub.columns:  # the paper's table prints the published reading; variants are in results.csv
        v = sub["variant"].fillna("")
        variants = sorted(set(v[v != ""]))
        sub = sub[v == ""]
    if sub.empty:
        raise KeyError(f"no results rows for {paper} Table {table}")
    declared = [s for s in (specs if specs is not None else specs_for(paper, table))
                if s.paper == paper and s.table == table]
    by_col = {s.column: s for s in declared if not s.variant}
    first_stages = {s.first_stage_column: s for s in declared if s.first_stage_column is not None and not s.variant}
    present = tuple(sorted(dict.fromkeys(sub["column"].astype(str)), key=natural_key))
    if style.first_stage == "columns":
        # an IV spec's first stage is printed as its own column (P1 Table 7)
        by_col.update({fc: first_stage_spec(s) for fc, s in first_stages.items()})
        columns = present
    else:
        columns = tuple(c for c in present if c not in first_stages)
    lacking = [c for c in columns if c not in by_col]
    if lacking:
        raise KeyError(f"{paper} Table {table}: no specification for column(s) {lacking}")
    col_specs = [by_col[c] for c in columns]
    cols = {c: sub[sub["column"].astype(str) == c] for c in present}

    terms = list(dict.fromkeys(t for s in col_specs for t in s.regressors))
    if style.show_controls:
        terms += [t for t in dict.fromkeys(t for s in col_specs for t in s.controls) if t not in terms]
    coef_rows = _coef_rows(terms, columns, cols, style)

    panel_specs = [s for s in col_specs if style.first_stage == "panel" and s.first_stage_column in cols]
    if panel_specs:
        endog = ", ".join(dict.fromkeys(e for s in panel_specs for e in s.endogenous))
        fs_cols = {c: (cols.get(by_col[c].first_stage_column) if by_col[c].first_stage_column else None) for c in columns}
        fs_terms = list(dict.fromkeys(z for s in panel_specs for z in s.instruments))
        coef_rows.append(Row(f"First stage (dependent variable: {endog})", (), section=True))
        coef_rows += _coef_rows(fs_terms, columns, fs_cols, style)
        coef_rows.append(Row("First-stage adj. R2", tuple(
            Cell(text=fmt_number(float(fs_cols[c]["adj_r2"].iloc[0]), 4)) if fs_cols[c] is not None and len(fs_cols[c])
            else Cell() for c in columns)))

    def yes_no(flag: bool) -> Cell:
        return Cell(text="Yes" if flag else "No")

    fe_sets = {c: set(filter(None, str(cols[c]["fixed_effects"].iloc[0]).split("+"))) for c in columns}
    fe_rows = list(style.fe_rows)
    known = {fe for fe, _ in fe_rows}
    for fe in dict.fromkeys(fe for c in columns for fe in sorted(fe_sets[c])):
        if fe not in known:
            fe_rows.append((fe, f"{fe} FE"))
    stat_rows = [Row("Controls", tuple(yes_no(bool(s.controls)) for s in col_specs))]
    stat_rows += [Row(label, tuple(yes_no(fe in fe_sets[c]) for c in columns)) for fe, label in fe_rows]
    stat_rows.append(Row("Observations", tuple(Cell(text=fmt_count(cols[c]["n_obs"].iloc[0])) for c in columns)))
    stat_rows.append(Row(style.r2_label, tuple(Cell(text=_r2_text(cols[c], style)) for c in columns)))
    has_iv = any(s.estimator == "iv" for s in col_specs)
    if has_iv:
        stat_rows += _iv_rows(col_specs, columns, cols)

    head_rows: list[Row] = []
    if has_iv or any(c in first_stages for c in columns):
        kind = {c: ("First stage" if c in first_stages else "2SLS" if s.estimator == "iv" else "OLS")
                for c, s in zip(columns, col_specs)}
        inst = {c: ", ".join(first_stages[c].instruments if c in first_stages else s.instruments)
                for c, s in zip(columns, col_specs)}
        head_rows = [Row("Estimator", tuple(Cell(text=kind[c]) for c in columns)),
                     Row("Instrument", tuple(Cell(text=inst[c]) for c in columns))]

    if title is None:
        name = TABLE_TITLES.get((paper, table))
        title = f"{paper} Table {table}" + (f". {name}" if name else "")
    scaled = any(r.scale for r in coef_rows)
    return Layout(
        title=title, columns=columns, depvars=tuple(s.depvar for s in col_specs), head_rows=tuple(head_rows),
        coef_rows=tuple(coef_rows), stat_rows=tuple(stat_rows),
        note=_note(sub, style, columns, scaled=scaled, iv=has_iv, extra=TABLE_NOTES.get((paper, table), ""),
                   variants=variants),
    )


# ---- public API --------------------------------------------------------------------------------


def render_markdown(results: pd.DataFrame, paper: str, table: str, **kwargs) -> str:
    """One table as Markdown (GitHub pipe table + note). kwargs go to :func:`table_layout`."""
    return layout_to_markdown(table_layout(results, paper, table, **kwargs))


def render_latex(results: pd.DataFrame, paper: str, table: str, **kwargs) -> str:
    """One table as a LaTeX ``table`` with a booktabs ``tabular`` (needs ``\\usepackage{booktabs}``)."""
    return layout_to_latex(table_layout(results, paper, table, **kwargs), label=f"tab:{paper}-table{table}")


def render_html(results: pd.DataFrame, paper: str, table: str, **kwargs) -> str:
    """One table as an HTML fragment (great-tables, inline CSS, a stable element id)."""
    return layout_to_html(table_layout(results, paper, table, **kwargs), table_id=f"gt-{paper}-table{table}".lower())


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
