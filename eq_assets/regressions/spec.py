"""The regression specification record: one frozen record per table column.

Every published column is a :class:`RegressionSpec`; one engine
(:func:`eq_assets.regressions.engine.fit_spec`) fits them all. A robustness column is one line,
``replace(spec, column="5", fixed_effects=...)``, and the spec alone says which panel columns a
fit needs (:attr:`RegressionSpec.columns_needed`), so the caller loads nothing else from a
10M-row panel.
The papers' columns are declared in :mod:`.specs_p1` and :mod:`.specs_p2`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from eq_assets.regressions.samples import get_sample

#: Estimators the engine knows. "iv" is 2SLS on FE-demeaned data (:mod:`eq_assets.regressions.iv`).
ESTIMATORS = ("ols", "iv")

#: Singleton rules (pyfixest / fixest ``fixef_rm`` values): drop singletons, or keep them.
FIXEF_RM = ("singleton", "none")

VcovArg = str | dict[str, str]


def _as_vcov(v: "VcovArg | tuple[tuple[str, str], ...]") -> str | tuple[tuple[str, str], ...]:
    """Store a vcov hashably: "hetero" stays a string, {"CRV1": "firm_id"} becomes pairs."""
    if isinstance(v, str):
        return v
    if isinstance(v, Mapping):
        return tuple((str(k), str(c)) for k, c in v.items())
    return tuple((str(k), str(c)) for k, c in v)


@dataclass(frozen=True)
class RegressionSpec:
    """One regression = one column of one published table.

    ``regressors`` are the coefficients of interest (rows of the printed table); ``controls``
    enter the model too (their coefficients are in results.csv, the table shows "Controls: Yes").
    ``fixed_effects`` are panel column names absorbed by the demeaner. ``vcov`` is pyfixest's
    vcov argument ("iid", "hetero" or {"CRV1": "firm_id"}), stored hashably. ``sample`` names a
    :class:`~eq_assets.regressions.samples.Sample`; ``panel`` names the analysis panel asset.
    For ``estimator="iv"``, ``endogenous`` (a subset of ``regressors``) are instrumented by
    ``instruments``; with ``first_stage_column`` set, the first stage (endogenous regressor on
    instruments and controls, same sample) is reported as that column of the table, as P1
    Table 7 prints it.
    """

    paper: str
    table: str
    column: str
    depvar: str
    regressors: tuple[str, ...]
    controls: tuple[str, ...] = ()
    fixed_effects: tuple[str, ...] = ()
    vcov: str | tuple[tuple[str, str], ...] = field(default=(("CRV1", "firm_id"),))
    sample: str = "full"
    panel: str = "p1_panel"
    estimator: str = "ols"
    endogenous: tuple[str, ...] = ()
    instruments: tuple[str, ...] = ()
    first_stage_column: str | None = None
    variant: str = ""
    """Which reading of the paper's column this is: ``""`` (default) is the column as the paper
    most plausibly ran it, the one its table prints; a name (e.g. ``"city_cluster"``) marks an
    alternative reading reported beside it in results.csv (column ``variant``), such as better
    econometrics where the paper's choice is debatable. Variants are not printed in the paper
    tables; the table note lists them."""
    fixef_rm: str | None = None
    """Singleton rule of this column: ``"singleton"`` drops observations alone in an FE level,
    iteratively across the FE (reghdfe's default, R fixest ``fixef.rm = "singleton"``);
    ``"none"`` keeps them (Stata ``xtreg, fe`` / ``areg`` keep singletons, so a paper estimated
    with those prints N with them). ``None`` (default) follows ``EstimationSettings.fixef_rm``."""

    def __post_init__(self) -> None:
        for name in ("regressors", "controls", "fixed_effects", "endogenous", "instruments"):
            value = getattr(self, name)
            if isinstance(value, str):
                raise TypeError(f"{name} must be a tuple of column names, got the string {value!r}")
            object.__setattr__(self, name, tuple(value))
        object.__setattr__(self, "vcov", _as_vcov(self.vcov))
        for name in ("paper", "table", "column"):
            if not isinstance(getattr(self, name), str):
                raise TypeError(f"{name} must be a string, e.g. '1'")
        if self.estimator not in ESTIMATORS:
            raise ValueError(f"estimator must be one of {ESTIMATORS}, got {self.estimator!r}")
        if self.estimator == "iv":
            if not self.endogenous or not self.instruments:
                raise ValueError("an iv spec needs endogenous and instruments")
            if len(self.instruments) < len(self.endogenous):
                raise ValueError("an iv spec needs at least as many instruments as endogenous regressors")
            if self.first_stage_column is not None and len(self.endogenous) != 1:
                raise ValueError("first_stage_column needs exactly one endogenous regressor")
        elif self.endogenous or self.instruments or self.first_stage_column is not None:
            raise ValueError("endogenous/instruments are only used with estimator='iv'")
        if not self.regressors:
            raise ValueError("a spec needs at least one regressor of interest")
        if self.fixef_rm not in (None, *FIXEF_RM):
            raise ValueError(f"fixef_rm must be None or one of {FIXEF_RM}, got {self.fixef_rm!r}")

    # ---- derived views -------------------------------------------------------------------

    def singleton_rule(self, default: str) -> str:
        """The singleton rule this column uses: its own ``fixef_rm``, else ``default`` (settings)."""
        return self.fixef_rm if self.fixef_rm is not None else default

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.paper, self.table, self.column)

    @property
    def result_key(self) -> tuple[str, str, str, str]:
        """(paper, table, column, variant): unique across the specifications."""
        return (self.paper, self.table, self.column, self.variant)

    @property
    def exogenous(self) -> tuple[str, ...]:
        """Right-hand-side variables that are not instrumented (regressors, then controls)."""
        return tuple(v for v in self.regressors + self.controls if v not in self.endogenous)

    @property
    def formula(self) -> str:
        """The pyfixest formula, e.g. ``Distance ~ Eco + Size | firm_id + year``.

        For IV: ``y ~ exog | fe | endog ~ instruments`` (pyfixest's three-part syntax; the FE
        part is left out without fixed effects).
        """
        rhs = " + ".join(self.exogenous) if self.exogenous else "1"
        parts = [f"{self.depvar} ~ {rhs}"]
        if self.fixed_effects:
            parts.append(" + ".join(self.fixed_effects))
        if self.estimator == "iv":
            parts.append(f"{' + '.join(self.endogenous)} ~ {' + '.join(self.instruments)}")
        return " | ".join(parts)

    @property
    def vcov_arg(self) -> VcovArg:
        """The vcov in pyfixest's form ({"CRV1": "firm_id"} or "hetero")."""
        return self.vcov if isinstance(self.vcov, str) else dict(self.vcov)

    @property
    def vcov_label(self) -> str:
        """Short label for results.csv, e.g. ``CRV1:firm_id``."""
        if isinstance(self.vcov, str):
            return self.vcov
        return ";".join(f"{k}:{c}" for k, c in self.vcov)

    @property
    def cluster_columns(self) -> tuple[str, ...]:
        """Panel columns the vcov clusters on ("firm_id+year" two-way -> both)."""
        if isinstance(self.vcov, str):
            return ()
        out: list[str] = []
        for _, c in self.vcov:
            out.extend(p.strip() for p in c.split("+"))
        return tuple(out)

    @property
    def fixed_effects_label(self) -> str:
        """``firm_id+year`` (empty string without fixed effects)."""
        return "+".join(self.fixed_effects)

    @property
    def numeric_columns(self) -> tuple[str, ...]:
        """Variables that enter the model as numbers (depvar, regressors, controls, instruments)."""
        return _unique((self.depvar,) + self.regressors + self.controls + self.endogenous + self.instruments)

    @property
    def id_columns(self) -> tuple[str, ...]:
        """Identifier columns: fixed effects and cluster variables."""
        return _unique(self.fixed_effects + self.cluster_columns)

    @property
    def columns_needed(self) -> tuple[str, ...]:
        """Exactly the panel columns a fit reads (model, FE, clusters, sample filter)."""
        return _unique(self.numeric_columns + self.id_columns + get_sample(self.sample).columns)


def _unique(cols: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(cols))
