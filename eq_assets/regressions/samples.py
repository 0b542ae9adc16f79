"""Named estimation samples: which rows of an analysis panel a specification uses.

A specification names its sample (``RegressionSpec.sample``) instead of carrying a filter, so
that a table's columns read like the paper ("full sample", "normal firms only") and the rows a
fit needs are known before anything is loaded: a sample declares the panel columns its filter
reads, and those are added to the spec's ``columns_needed``.

``full`` keeps every row. Later tables add their own, e.g. P1 Table 5 drops firms whose
operating status is abnormal (停业, 撤销, 筹建); it is registered here with :func:`register_sample`
when that table is built.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

#: A filter: panel rows (only the sample's declared columns) -> boolean mask of rows to keep.
Predicate = Callable[[pd.DataFrame], "np.ndarray | pd.Series"]


@dataclass(frozen=True)
class Sample:
    """A named subset of an analysis panel.

    ``columns`` are the panel columns ``predicate`` reads; ``predicate`` returns a boolean
    mask aligned with the rows it is given (``None`` keeps every row).
    """

    name: str
    description: str
    columns: tuple[str, ...] = ()
    predicate: Predicate | None = None

    def mask(self, data: pd.DataFrame) -> np.ndarray:
        """Boolean numpy mask of the rows of ``data`` in the sample (missing counts as out)."""
        if self.predicate is None:
            return np.ones(len(data), dtype=bool)
        m = self.predicate(data[list(self.columns)])
        m = pd.Series(m, index=data.index) if not isinstance(m, pd.Series) else m
        return m.fillna(False).to_numpy(dtype=bool)


SAMPLES: dict[str, Sample] = {}


def register_sample(sample: Sample) -> Sample:
    """Add a named sample; re-registering a name with a different definition is an error."""
    old = SAMPLES.get(sample.name)
    if old is not None and old != sample:
        raise ValueError(f"sample {sample.name!r} is already registered with another definition")
    SAMPLES[sample.name] = sample
    return sample


def get_sample(name: str) -> Sample:
    try:
        return SAMPLES[name]
    except KeyError:
        raise KeyError(f"unknown sample {name!r}; registered: {sorted(SAMPLES)}") from None


FULL = register_sample(Sample("full", "every row of the analysis panel"))
