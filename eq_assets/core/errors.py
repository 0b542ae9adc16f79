"""Clear errors for bad input: source, column, rows and what was expected.

Users should never see a traceback from deep inside pandas. Readers and validators raise
:class:`InputDataError`, whose message names the file or asset, the column, the offending rows
(first few, and how many in all) and what was expected.
"""

from __future__ import annotations

from typing import Iterable, Sequence


class InputDataError(ValueError):
    """Raised when a source or a derived table breaks its contract."""

    def __init__(
        self,
        source: str,
        problem: str,
        *,
        column: str | None = None,
        rows: Sequence | None = None,
        n_rows: int | None = None,
        expected: str | None = None,
        examples: Iterable | None = None,
    ):
        self.source = source
        self.column = column
        self.rows = list(rows) if rows is not None else []
        self.n_rows = n_rows if n_rows is not None else len(self.rows)
        self.expected = expected
        parts = [f"{source}: {problem}"]
        if column is not None:
            parts.append(f"column: {column}")
        if self.rows:
            shown = ", ".join(str(r) for r in self.rows[:10])
            more = f" (and {self.n_rows - 10:,} more)" if self.n_rows > 10 else ""
            parts.append(f"rows ({self.n_rows:,}): {shown}{more}")
        if examples is not None:
            ex = [repr(e) for e in list(examples)[:5]]
            if ex:
                parts.append(f"values seen: {', '.join(ex)}")
        if expected:
            parts.append(f"expected: {expected}")
        super().__init__("\n  ".join(parts))
