"""What the tables stage's step processes import before they are forked (``jobs.TABLES_EXECUTOR``
preloads this module in Dagster's forkserver): quiet warnings (:func:`eq_assets.logs.quiet_warnings`,
inherited by every forked step, which otherwise prints Dagster's beta warnings on the console)
and the definitions, imported once instead of once per step."""

from eq_assets.logs import quiet_warnings

quiet_warnings()

import eq_assets.definitions  # noqa: E402,F401
