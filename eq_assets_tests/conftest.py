"""Shared fixtures: one tiny synthetic world materialized once per test session.

``tiny_world`` writes the tiny synthetic world and materializes the whole graph (through the
runner ``make run`` uses) in a temporary data directory with its own Dagster instance. The
environment variables are set only while materializing; tests that need them (the end-to-end
module) enter ``tiny_world["use_env"]()``, and the browser test passes them to the
``dagster dev`` it starts.
"""

from __future__ import annotations

import os

import pytest

SEED = 20240801
_PATH_VARS = ("EQ_RAW_DIR", "EQ_WAREHOUSE", "EQ_OUTPUT_DIR")


class use_env:
    """Set ``env_vars`` (and unset the other EQ_* path variables) inside a ``with`` block."""

    def __init__(self, env_vars: dict[str, str]):
        self.env_vars = env_vars

    def __enter__(self):
        self.old = {k: os.environ.get(k) for k in list(self.env_vars) + list(_PATH_VARS)}
        os.environ.update(self.env_vars)
        for k in _PATH_VARS:
            os.environ.pop(k, None)
        return self

    def __exit__(self, *exc):
        for k, v in self.old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.fixture(scope="session")
def tiny_world(tmp_path_factory):
    root = tmp_path_factory.mktemp("eq_e2e")
    env_vars = {"EQ_DATA_DIR": str(root), "DAGSTER_HOME": str(root / "dagster_home")}
    with use_env(env_vars):
        from eq_assets.run import materialize_all
        from eq_assets.synth import generate

        generate(root / "raw", scale="tiny", seed=SEED)
        failed = materialize_all(log=lambda *a: None)
        env = {**os.environ}
    return {"root": root, "env_vars": env_vars, "env": env, "failed": failed, "use_env": lambda: use_env(env_vars)}


# the one-year world of the bad-input catalogue (test_bad_input.py, test_run_isolation.py)
from bad_input_world import bad_world  # noqa: E402,F401
