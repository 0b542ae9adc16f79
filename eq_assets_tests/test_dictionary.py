"""The data dictionary: every column of every asset is described, and docs/variables.md is current."""

from __future__ import annotations

from eq_assets.core.publish import table_schema
from eq_assets.reports.dictionary import DOC_PATH, asset_models, render


def test_every_column_of_every_asset_has_a_description():
    typed, untyped = asset_models()
    assert untyped == ["paper_outputs"]  # the one asset that writes files, not a table
    assert len(typed) > 60
    empty = [(t.asset, name) for t in typed for name, col in t.model.to_schema().columns.items()
             if not (col.description or "").strip()]
    assert empty == []


def test_ui_column_schema_carries_the_descriptions():
    typed, _ = asset_models()
    t = next(t for t in typed if t.asset == "p1_panel")
    cols = {c.name: c.description for c in table_schema(t.model).columns}
    assert "P1 eq. 22" in cols["Distance"] and "ln(1 + digital patent" in cols["Eco"]


def test_docs_variables_md_is_current():
    assert DOC_PATH.read_text(encoding="utf-8") == render(), "docs/variables.md is stale: run `make docs`"
