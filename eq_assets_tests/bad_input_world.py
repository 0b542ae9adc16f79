"""The world the bad-input catalogue corrupts (``bad_world``, a session fixture via conftest.py).

The tiny synthetic world for one year (2009) is written once; its reference tables and the 2009
partitions of the raw sources and their cleaning are materialized once into a warehouse, and the
digest of every stored file is recorded (the *last good* versions). A case edits one raw file of
the working copy (:class:`Csv`), materializes one or two assets with Dagster's ``materialize``
(an ephemeral instance, in this process) and restores the file; the warehouse must then hold the
last good versions, byte for byte.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
from pathlib import Path

import pytest

SEED = 20240801
YEAR = 2009
#: the yearly assets the catalogue exercises (materialized for YEAR in the good world)
YEARLY = ("raw_customs", "raw_asif", "raw_patents", "customs_exports", "firm_survey", "firm_patents")
_ENV = ("EQ_DATA_DIR", "EQ_RAW_DIR", "EQ_WAREHOUSE", "EQ_OUTPUT_DIR", "EQ_MAPPING")


@contextlib.contextmanager
def data_env(root: Path):
    """EQ_DATA_DIR = ``root`` (raw files in root/raw, warehouse in root/warehouse), nothing else."""
    old = {k: os.environ.get(k) for k in _ENV}
    for k in _ENV:
        os.environ.pop(k, None)
    os.environ["EQ_DATA_DIR"] = str(root)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


class Csv:
    """A raw CSV of the working copy as header + rows of fields (the synthetic files quote nothing).

    Lines are numbered as in the file and in error messages: the header is line 1."""

    def __init__(self, path: Path):
        self.path = path
        text = path.read_text(encoding="utf-8")
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines = lines[:-1]
        self.header = lines[0].split(",")
        self.rows = [ln.split(",") for ln in lines[1:]]

    def col(self, canonical: str) -> int:
        from eq_assets.sources.contract import ALL_SOURCES

        for src in ALL_SOURCES.values():
            for header, name in src.columns.items():
                if name == canonical and header in self.header:
                    return self.header.index(header)
        raise KeyError(canonical)

    def get(self, line: int, column: str) -> str:
        return self.rows[line - 2][self.col(column)]

    def set(self, line: int, column: str, value) -> int:
        self.rows[line - 2][self.col(column)] = str(value)
        return line

    def find(self, after: int = 2, **where) -> int:
        """The first line at or after ``after`` whose columns have the given values."""
        for i in range(after - 2, len(self.rows)):
            if all(self.rows[i][self.col(k)] == str(v) for k, v in where.items()):
                return i + 2
        raise LookupError(where)

    def append(self, fields: list[str]) -> int:
        self.rows.append(list(fields))
        return len(self.rows) + 1

    def text(self) -> str:
        return "\n".join([",".join(self.header), *(",".join(r) for r in self.rows)]) + "\n"

    def save(self) -> None:
        self.path.write_text(self.text(), encoding="utf-8")


class BadWorld:
    """The good world, its stored digests, and the means to run one corrupted case."""

    def __init__(self, root: Path, good_raw: Path):
        self.root, self.good_raw = root, good_raw
        self.raw = root / "raw"
        self.warehouse = root / "warehouse"
        self.good: dict[str, str] = {}
        self.metadata: dict[str, dict] = {}

    # ---- files ----
    def path(self, rel: str) -> Path:
        return self.raw / rel

    def csv(self, rel: str) -> Csv:
        return Csv(self.raw / rel)

    def restore(self) -> None:
        """The working raw directory back to the good world (only what differs is copied)."""
        good = {p.relative_to(self.good_raw) for p in self.good_raw.rglob("*") if p.is_file()}
        here = {p.relative_to(self.raw) for p in self.raw.rglob("*") if p.is_file()}
        for rel in here - good:
            (self.raw / rel).unlink()
        for rel in good:
            src, dst = self.good_raw / rel, self.raw / rel
            if not dst.exists() or dst.read_bytes() != src.read_bytes():
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, dst)

    # ---- warehouse ----
    def digests(self) -> dict[str, str]:
        out = {}
        for p in sorted((self.warehouse / "tables").glob("*/*.parquet")):
            out[str(p.relative_to(self.warehouse))] = hashlib.sha256(p.read_bytes()).hexdigest()
        return out

    def staged_leftovers(self) -> list[str]:
        return [str(p) for p in (self.warehouse / "tables").glob("*/.staging/*")]

    def run(self, assets, partition: str | None = str(YEAR), config: dict | None = None):
        """Materialize ``assets`` (names) in this process; returns (success, errors, metadata by asset)."""
        import dagster as dg

        from eq_assets.definitions import ALL_ASSETS, resources

        by = {a.key.to_user_string(): a for a in ALL_ASSETS}
        selected = [by[n] for n in assets]
        if partition is None or all(a.partitions_def is None for a in selected):
            partition = None
        run_config = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
        if config:
            run_config["ops"] = {k: {"config": v} for k, v in config.items()}
        with data_env(self.root):
            r = dg.materialize(ALL_ASSETS, selection=selected, partition_key=partition, resources=resources(),
                               run_config=run_config, raise_on_error=False)
        errors = []
        for ev in r.get_step_failure_events():
            err = ev.event_specific_data.error
            while err.cause is not None:
                err = err.cause
            errors.append(err.message)
        md = {}
        for ev in r.get_asset_materialization_events():
            mat = ev.event_specific_data.materialization
            md[mat.asset_key.to_user_string()] = {k: getattr(v, "value", v) for k, v in mat.metadata.items()}
        return r.success, errors, md


def build_bad_world(base: Path) -> BadWorld:
    import warnings

    from eq_assets.definitions import ALL_ASSETS
    from eq_assets.synth import generate

    warnings.filterwarnings("ignore", module="dagster")
    good_raw = base / "good_raw"
    generate(good_raw, scale="tiny", seed=SEED, years=(YEAR,), oracle_scope="none")
    w = BadWorld(base / "data", good_raw)
    shutil.copytree(good_raw, w.raw)
    refs = [a.key.to_user_string() for a in ALL_ASSETS if a.partitions_def is None and not a.dependency_keys]
    ok, errors, md = w.run(refs, None)
    assert ok, errors
    w.metadata.update(md)
    ok, errors, md = w.run(YEARLY, str(YEAR))
    assert ok, errors
    w.metadata.update(md)
    w.good = w.digests()
    return w


@pytest.fixture(scope="session")
def bad_world(tmp_path_factory) -> BadWorld:
    """The good world of the bad-input catalogue (module docstring)."""
    return build_bad_world(tmp_path_factory.mktemp("bad_input"))
