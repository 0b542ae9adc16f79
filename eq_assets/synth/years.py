"""Drawing the years in one process or in several, with the same bytes either way.

Every year's draws come from its own seeded streams (``rng.stream(seed, component, year)``), so a
year's raw files and spilled parts do not depend on which process draws it, nor on the order the
years are drawn in: a year is a task ``(part, year, late)`` whose outputs are its own files
(``customs_{year}.csv``, ``asif_{year}.csv``) and its spilled parts numbered ``part`` (its position
among the years, :meth:`~eq_assets.synth.spill.Spill.put`), read back in part order. The results
come back in task order, so what is summed or printed is the same as in one process.

Processes: ``workers`` > 1 forks that many processes from the generator after the world is built
(each inherits the world copy-on-write instead of rebuilding it) and before the generator opens its
DuckDB connection (no database threads are forked); each worker opens its own connection.
Python's ``multiprocessing`` (a library, not hand-written scheduling); the world is passed to the
workers through a module global, the usual idiom for fork-inherited state.
"""

from __future__ import annotations

import multiprocessing as mp
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

#: one year's task: (part number, year, late) -- late: a post-survey year (aggregate and patents only)
Task = tuple[int, int, bool]


@dataclass
class YearResult:
    """What the generator keeps of one drawn year (everything else is in files and spilled parts)."""

    year: int
    late: bool = False
    files: dict[str, int] = field(default_factory=dict)
    counts: dict[str, float] = field(default_factory=dict)
    parts: dict[str, dict[int, Path]] = field(default_factory=dict)
    line: str = ""


#: (draw function, its fixed arguments), set in the parent before the workers are forked
_JOB: tuple[Callable, tuple] | None = None


def _run(task: Task) -> YearResult:
    fn, args = _JOB
    return fn(task, *args)


class YearPool:
    """``workers`` forked processes that run ``fn(task, *args)`` for each task (``workers`` <= 1:
    no process; :meth:`map` runs the tasks in this process). Create it before opening any DuckDB
    connection in this process; a context manager."""

    def __init__(self, workers: int, fn: Callable[..., YearResult], args: tuple) -> None:
        global _JOB
        self.fn, self.args = fn, args
        self._pool = None
        if workers > 1:
            _JOB = (fn, args)
            try:
                self._pool = mp.get_context("fork").Pool(workers)
            finally:
                _JOB = None  # the workers hold their copy; the parent drops its reference

    def map(self, tasks: list[Task], local_args: tuple | None = None) -> Iterator[YearResult]:
        """Results in task order. In this process the tasks get ``local_args`` if given (e.g. the
        generator's own spill instead of a worker's)."""
        if self._pool is None:
            for t in tasks:
                yield self.fn(t, *(local_args if local_args is not None else self.args))
            return
        yield from self._pool.imap(_run, tasks, chunksize=1)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool.join()
            self._pool = None
        self.args = None  # the world: freed once the generator drops it too (before the P1 oracle)

    def terminate(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None

    def __enter__(self) -> "YearPool":
        return self

    def __exit__(self, exc_type, *exc) -> None:
        (self.close if exc_type is None else self.terminate)()
