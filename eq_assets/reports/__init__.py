"""Reporting: paper-style tables (Markdown, LaTeX, HTML) from results rows, figures, the data
dictionary (``python -m eq_assets.reports.dictionary``) and the replication report (report.html)."""

from eq_assets.reports.tables import (
    PAPER_STYLES,
    TableStyle,
    render_html,
    render_latex,
    render_markdown,
    stars,
    style_for,
    table_markdown_for_metadata,
    tables_in,
    write_table,
)

__all__ = [
    "PAPER_STYLES", "TableStyle", "render_html", "render_latex", "render_markdown", "stars", "style_for",
    "table_markdown_for_metadata", "tables_in", "write_table",
]
