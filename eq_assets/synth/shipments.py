"""A year's customs rows as integer keys, turned into strings a slice at a time (issue 8).

At SCALE=paper a survey year has about 2.7 million customs rows; as one Arrow table of strings
(firm code, name, phone, zip, HS8, destination, trade mode, unit) they took about 430 MB per
year drawn, with two years drawn at once. :class:`ShipmentRows` holds only the rows' integer
keys in file order (firm, month, flow, HS8 line, destination, mode, product, defect; compact
dtypes) and the small dictionaries they index; :meth:`ShipmentRows.batches` builds the canonical
columns slice by slice (an Arrow ``take`` of each dictionary by the slice's keys, null where a
defect removed the key: 1 name, 2 HS8, 3 destination) as a ``pyarrow.RecordBatchReader`` that
DuckDB writes from (:func:`eq_assets.synth.writer.write_source`), so the string table never
exists whole. The values, and so the written bytes, are those of the whole table
(:meth:`ShipmentRows.table`, for tests and in-memory use).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import numpy as np
import pandas as pd
import pyarrow as pa

from eq_assets.sources.contract import FLOW_EXPORT, FLOW_IMPORT, TRADE_MODES
from eq_assets.synth.catalog import Products, destinations_frame, hs_version
from eq_assets.synth.population import Population

#: compact dtypes of the rows' keys (the values fit: firm ids < 2**31, 12 months, 2 flows, HS8
#: lines and products < 2**31, a few hundred destinations, 3 modes, 6 defect kinds)
KEY_DTYPES: dict[str, type] = {
    "fid": np.int32, "month": np.int8, "flow": np.int8, "line": np.int32, "dest": np.int16, "mode": np.int8,
    "quantity": np.float64, "value_usd": np.float64, "product": np.int32, "defect": np.int8,
}
#: rows per slice turned into strings at once (a few MB of strings; the size does not change the bytes)
BATCH_ROWS = 200_000


def compact_key(name: str, values: np.ndarray) -> np.ndarray:
    """``values`` of key ``name`` in its :data:`KEY_DTYPES` dtype (range-checked: a value that
    does not fit stops)."""
    dt = np.dtype(KEY_DTYPES[name])
    if dt.kind == "i" and len(values) and (values.min() < np.iinfo(dt).min or values.max() > np.iinfo(dt).max):
        raise ValueError(f"customs key {name}: values outside {dt} ({values.min()}..{values.max()})")
    return values.astype(dt, copy=False)


@dataclass
class ShipmentRows:
    """One year's customs rows: integer ``keys`` (:data:`KEY_DTYPES`, in file order) and the
    dictionaries that give the canonical string columns (built by :func:`shipment_rows`)."""

    keys: dict[str, np.ndarray]
    year: int
    firm_row: np.ndarray  # fid -> row of the firm among the firms with a customs code
    firms: dict[str, pa.Array]  # customs_code, customs_name, customs_phone, customs_zip of those firms
    hs8: pa.Array  # per HS8 line, in the year's HS revision
    dest_code: pa.Array
    unit: pa.Array  # per product

    def __len__(self) -> int:
        return len(self.keys["fid"])

    @property
    def num_rows(self) -> int:
        return len(self)

    def schema(self) -> pa.Schema:
        return self._batch(0, 0).schema

    def _batch(self, a: int, b: int) -> pa.RecordBatch:
        k = {name: v[a:b] for name, v in self.keys.items()}
        d = k["defect"]
        idx = pa.array(self.firm_row[k["fid"]])
        named = pa.array(self.firm_row[k["fid"]], mask=d == 1)
        n = b - a
        return pa.RecordBatch.from_pydict({
            "customs_firm_code": self.firms["customs_code"].take(idx),
            "firm_name": self.firms["customs_name"].take(named),
            "phone": self.firms["customs_phone"].take(idx),
            "zip": self.firms["customs_zip"].take(idx),
            "year": np.full(n, self.year, dtype=np.int64),
            "month": k["month"].astype(np.int64),
            "flow": pa.array([FLOW_EXPORT, FLOW_IMPORT]).take(pa.array(k["flow"])),
            "hs8": self.hs8.take(pa.array(k["line"], mask=d == 2)),
            "dest_code": self.dest_code.take(pa.array(k["dest"], mask=d == 3)),
            "trade_mode": pa.array(list(TRADE_MODES), type=pa.string()).take(pa.array(k["mode"])),
            "quantity": k["quantity"].astype(np.float64),
            "value_usd": k["value_usd"].astype(np.float64),
            "unit": self.unit.take(pa.array(k["product"])),
        })

    def _slices(self, rows: int) -> Iterator[pa.RecordBatch]:
        for a in range(0, len(self), rows):
            yield self._batch(a, min(a + rows, len(self)))

    def batches(self, rows: int = BATCH_ROWS) -> pa.RecordBatchReader:
        """The rows as a stream of record batches of ``rows`` rows (canonical column names)."""
        return pa.RecordBatchReader.from_batches(self.schema(), self._slices(rows))

    def table(self) -> pa.Table:
        """The rows as one Arrow table (every string column whole: small worlds and tests)."""
        return pa.Table.from_batches([self._batch(0, len(self))])

    def to_pandas(self) -> pd.DataFrame:
        return self.table().to_pandas()


def shipment_rows(ship: dict[str, np.ndarray], pop: Population, products: Products, year: int) -> ShipmentRows:
    """:class:`ShipmentRows` of the integer keys ``ship`` (in file order), with the year's
    dictionaries: the exporting firms' codes, names, phones and zips, the HS8 lines in the
    year's HS revision, the destination codes, the products' units."""
    f = pop.firms
    lines = products.hs8
    col = {"HS2002": "hs6", "HS2007": "hs6_2007", "HS2012": "hs6_2012"}[hs_version(year)]
    hs6 = products.table[col].to_numpy()[lines["product"].to_numpy()]
    line_hs8 = np.char.add(hs6.astype(str), lines["hs8_tail"].to_numpy().astype(str))
    keys = {k: compact_key(k, v) for k, v in ship.items()}
    fid = keys["fid"]
    exporters = f["customs_code"].notna().to_numpy()
    if not exporters[fid].all():  # only exporters have customs codes (population.py)
        raise ValueError(f"customs rows of {year}: firm(s) without a customs code, e.g. fid {fid[~exporters[fid]][0]}")
    return ShipmentRows(
        keys=keys, year=year,
        firm_row=np.cumsum(exporters) - 1,
        firms={c: pa.array(f[c].to_numpy()[exporters], type=pa.string())
               for c in ("customs_code", "customs_name", "customs_phone", "customs_zip")},
        hs8=pa.array(line_hs8, type=pa.string()),
        dest_code=pa.array(destinations_frame()["dest_code"].to_numpy(), type=pa.string()),
        unit=pa.array(products.table["unit"].to_numpy(), type=pa.string()),
    )
