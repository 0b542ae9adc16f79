"""Reporting: paper-style regression tables (Markdown, LaTeX) rendered from results rows."""

from eq_assets.reports.tables import (
    PAPER_STYLES,
    TableStyle,
    render_latex,
    render_markdown,
    stars,
    style_for,
    table_markdown_for_metadata,
    tables_in,
    write_table,
)

__all__ = [
    "PAPER_STYLES", "TableStyle", "render_latex", "render_markdown", "stars", "style_for",
    "table_markdown_for_metadata", "tables_in", "write_table",
]
