"""The data dictionary: every column of every asset, from the assets' pandera models.

``python -m eq_assets.reports.dictionary`` (``make docs``) writes ``docs/variables.md``; with
``--check`` it exits 1 when the file is not current (the test suite checks the same). The
descriptions live in the models (``*/schemas*.py``, most of them from
:mod:`eq_assets.core.glossary`); the Dagster UI shows the same text in each asset's column schema.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import pkgutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pandera.pandas as pa

from eq_assets.settings import REPO_ROOT

DOC_PATH = REPO_ROOT / "docs" / "variables.md"


@dataclass(frozen=True)
class AssetModel:
    asset: str
    group: str
    partitioned: bool
    model: type[pa.DataFrameModel]


def schema_models() -> list[type[pa.DataFrameModel]]:
    """Every public DataFrameModel declared in an ``eq_assets.*.schemas*`` module."""
    import eq_assets

    found = []
    for info in pkgutil.walk_packages(eq_assets.__path__, "eq_assets."):
        if not info.name.rsplit(".", 1)[-1].startswith("schemas"):
            continue
        mod = importlib.import_module(info.name)
        for name, obj in sorted(vars(mod).items()):
            if (inspect.isclass(obj) and issubclass(obj, pa.DataFrameModel) and obj is not pa.DataFrameModel
                    and obj.__module__ == info.name and not name.startswith("_")):
                found.append(obj)
    return found


def asset_models() -> tuple[list[AssetModel], list[str]]:
    """(asset, its pandera model) for every asset typed by one, and the names of assets without one.

    An asset's Dagster type is made from its model by :func:`eq_assets.core.publish.staged_type`
    (cached), so the model is found by identity of the type."""
    from eq_assets.core.publish import staged_type
    from eq_assets.definitions import ALL_ASSETS

    by_type = {id(staged_type(m)): m for m in schema_models()}
    typed, untyped = [], []
    for a in sorted(ALL_ASSETS, key=lambda a: (a.group_names_by_key[a.key], a.key.to_user_string())):
        out = a.node_def.output_dict.get("result")
        model = by_type.get(id(out.dagster_type)) if out is not None else None
        name = a.key.to_user_string()
        if model is None:
            untyped.append(name)
        else:
            typed.append(AssetModel(name, a.group_names_by_key[a.key], a.partitions_def is not None, model))
    return typed, untyped


_OPS = {"greater_than_or_equal_to": ">=", "less_than_or_equal_to": "<=", "greater_than": ">", "less_than": "<"}


def _checks(col) -> str:
    parts = [] if col.nullable else ["not null"]
    for ch in col.checks:
        stats = {k: v for k, v in (ch.statistics or {}).items() if v is not None}
        if ch.name in ("isin",) and "allowed_values" in stats:
            parts.append("in {" + ", ".join(map(str, stats["allowed_values"])) + "}")
        elif ch.name == "str_matches" and "pattern" in stats:
            parts.append(f"matches `{stats['pattern']}`")
        elif ch.name in _OPS and stats:
            parts.append(f"{_OPS[ch.name]} {next(iter(stats.values()))}")
        elif stats:
            parts.append(f"{ch.name} " + ", ".join(str(v) for v in stats.values()))
        else:
            parts.append(str(ch.name))
    return "; ".join(parts)


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render() -> str:
    """The text of docs/variables.md."""
    typed, untyped = asset_models()
    lines = [
        "# Data dictionary",
        "",
        "Every column of every asset, generated from the assets' pandera models by "
        "`python -m eq_assets.reports.dictionary` (`make docs`); do not edit by hand. "
        "P1 = Song & Hu (2024), P2 = Ma, Wang & Gong; sections and equations as in `../shared/SPEC.md`. "
        "The Dagster UI shows the same descriptions in each asset's column schema.",
        "",
        f"{len(typed)} assets, {sum(len(t.model.to_schema().columns) for t in typed)} columns. "
        + (f"Assets without a table model: {', '.join(f'`{u}`' for u in untyped)} (files, see README)." if untyped else ""),
        "",
    ]
    group = None
    for t in typed:
        if t.group != group:
            group = t.group
            lines += [f"## {group}", ""]
        schema = t.model.to_schema()
        doc = inspect.cleandoc(t.model.__doc__ or "").split("\n\n")[0].replace("\n", " ")
        lines += [
            f"### `{t.asset}`",
            "",
            f"{'Yearly partitions' if t.partitioned else 'Unpartitioned'}; model "
            f"`{t.model.__module__}.{t.model.__name__}`." + (f" {doc}" if doc else ""),
            "",
            "| column | type | checks | description |",
            "|---|---|---|---|",
        ]
        lines += [f"| `{name}` | {col.dtype} | {_cell(_checks(col))} | {_cell(col.description or '')} |"
                  for name, col in schema.columns.items()]
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=DOC_PATH)
    ap.add_argument("--check", action="store_true", help="exit 1 if the file is not current")
    args = ap.parse_args(argv)
    text = render()
    if args.check:
        current = args.out.exists() and args.out.read_text(encoding="utf-8") == text
        if not current:
            print(f"{args.out} is not current: run `make docs`", file=sys.stderr)
        return 0 if current else 1
    from eq_assets.regressions.results import atomic_write_text

    atomic_write_text(args.out, text)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
