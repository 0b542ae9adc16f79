"""Row accounting: every asset records rows in, rows out and rows dropped by reason.

Brief, "Nothing lost": ``rows_in == rows_out + sum(dropped.values())`` must hold for every
materialization; the ``row_accounting`` asset check verifies it. Where rows are combined rather
than dropped (aggregating shipments to observations), the merged rows are recorded under a
reason that says so (e.g. ``merged_into_observations``), so the identity still holds.

Rows that a rule *flags* but keeps (e.g. a unit value far from its product's median, under the
source rules' policy ``keep``) are counted in ``flagged`` by reason: they are not part of the
identity (they are still in ``rows_out``), but they are reported beside the drops
(``flagged_<reason>`` metadata, the console summary).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class RowAccount:
    """Rows in, out and dropped by reason for one asset materialization."""

    rows_in: int
    dropped: dict[str, int] = field(default_factory=dict)
    rows_out: int | None = None
    unit: str = "rows"
    flagged: dict[str, int] = field(default_factory=dict)

    def drop(self, reason: str, n: int) -> None:
        """Record ``n`` rows dropped for ``reason`` (adds to any earlier count for it)."""
        n = int(n)
        if n < 0:
            raise ValueError(f"negative drop count for {reason!r}: {n}")
        self.dropped[reason] = self.dropped.get(reason, 0) + n

    def flag(self, reason: str, n: int) -> None:
        """Record ``n`` rows kept but flagged for ``reason`` (not part of the identity)."""
        n = int(n)
        if n < 0:
            raise ValueError(f"negative flag count for {reason!r}: {n}")
        self.flagged[reason] = self.flagged.get(reason, 0) + n

    def finish(self, rows_out: int) -> "RowAccount":
        self.rows_out = int(rows_out)
        return self

    @property
    def n_dropped(self) -> int:
        return sum(self.dropped.values())

    @property
    def balanced(self) -> bool:
        return self.rows_out is not None and self.rows_in == self.rows_out + self.n_dropped

    def metadata(self) -> dict[str, int]:
        md = {"rows_in": int(self.rows_in), "rows_out": int(self.rows_out or 0)}
        md.update({f"dropped_{k}": int(v) for k, v in sorted(self.dropped.items())})
        md.update({f"flagged_{k}": int(v) for k, v in sorted(self.flagged.items())})
        return md

    def describe(self) -> str:
        parts = ", ".join(f"{k}={v:,}" for k, v in sorted(self.dropped.items())) or "none"
        flags = ", ".join(f"{k}={v:,}" for k, v in sorted(self.flagged.items()) if v)
        return (f"{self.rows_in:,} {self.unit} in, {self.rows_out or 0:,} out; dropped: {parts}"
                + (f"; flagged (kept): {flags}" if flags else ""))
