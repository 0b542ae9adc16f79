"""Where the logs go: quiet console, full log in a file (``data/logs/dagster.log``).

Dagster's event log (every DEBUG line of every step) goes to the file through the instance's
``python_logs.dagster_handler_config`` (written into ``dagster.yaml`` by :mod:`eq_assets.run`),
and the project's own Python loggers (``eq_assets.*``) to the same file here. The console shows
what :mod:`eq_assets.run` prints; ``-v`` adds Dagster's console log.
"""

from __future__ import annotations

import logging
from pathlib import Path

from eq_assets import settings

_ATTACHED: set[str] = set()


def log_path() -> Path:
    p = settings.data_dir() / "logs" / "dagster.log"
    p.parent.mkdir(parents=True, exist_ok=True)
    return p.resolve()


def dagster_yaml_logging() -> str:
    """The ``python_logs`` block of dagster.yaml sending Dagster's full log to :func:`log_path`."""
    return (
        "python_logs:\n"
        "  python_log_level: INFO\n"
        "  dagster_handler_config:\n"
        "    handlers:\n"
        "      eqFile:\n"
        "        class: logging.FileHandler\n"
        "        level: DEBUG\n"
        f"        filename: {log_path().as_posix()}\n"
        "        mode: a\n"
        "        encoding: utf-8\n"
    )


def attach_file_log() -> None:
    """Send the ``eq_assets`` Python loggers to the log file (once per process)."""
    path = str(log_path())
    if path in _ATTACHED:
        return
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(process)d %(name)s %(levelname)s %(message)s"))
    logger = logging.getLogger("eq_assets")
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    logger.propagate = False
    _ATTACHED.add(path)


def quiet_warnings() -> None:
    """Dagster's beta/preview warnings are for its developers, not for a run's reader; and a
    library that calls ``logging.basicConfig`` at import (pyfixest 0.60 does, at INFO) must not
    print to the console: the root logger gets a handler first, so basicConfig does nothing."""
    import logging
    import warnings

    import dagster as dg

    warnings.filterwarnings("ignore", module=r"dagster")
    for cat in (dg.BetaWarning, dg.PreviewWarning, dg.SupersessionWarning, DeprecationWarning):
        warnings.filterwarnings("ignore", category=cat)
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.NullHandler())
