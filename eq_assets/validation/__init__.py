"""Validation of the estimators against the synthetic world: standard-error coverage (``make coverage``)."""
