"""Resources: where the raw files are (the warehouse is the I/O manager's)."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from eq_assets import settings


class RawFiles(dg.ConfigurableResource):
    """The directory of raw sources (default: ``$EQ_RAW_DIR`` or ``data/raw``)."""

    directory: str = ""

    @property
    def path(self) -> Path:
        return Path(self.directory) if self.directory else settings.raw_dir()


class Outputs(dg.ConfigurableResource):
    """The directory where results.csv and the paper tables are written."""

    directory: str = ""

    @property
    def path(self) -> Path:
        p = Path(self.directory) if self.directory else settings.output_dir()
        p.mkdir(parents=True, exist_ok=True)
        return p
