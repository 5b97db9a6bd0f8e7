"""One small error hierarchy for the whole toolkit.

Every error names where the problem is (source file, row, column), the rule that was broken and
the value received, so a structurer can fix the input without reading a traceback. The CLI maps
:class:`DabsError` to exit code 2 and the dashboard shows it with ``st.error``.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic_core import PydanticCustomError


@dataclass(frozen=True)
class Issue:
    """One finding about an input: where it is, which rule it breaks, and the value seen.

    Parameters
    ----------
    source : str
        File name (or ``"deal"``/``"<upload>"``) the finding is about.
    rule : str
        Short rule name, e.g. ``"amount must be > 0"``.
    row : int or None
        1-based data row number as a spreadsheet user counts it (header is row 1), if any.
    column : str or None
        Column or field name, if any.
    value : object
        The offending value as received (``None`` when absent).
    severity : str
        ``"error"`` or ``"warning"``.
    code : str or None
        Machine-readable kind of rule (pydantic's error type, e.g. ``greater_than``), so a
        surface can word the rule in its own language and units; ``None`` when not known.
    context : dict or None
        The rule's parameters (e.g. ``{"gt": 0.0}``), in the model's units (yuan, fractions).
    """

    source: str
    rule: str
    row: int | None = None
    column: str | None = None
    value: object = None
    severity: str = "error"
    code: str | None = None
    context: dict[str, object] | None = None

    def __str__(self) -> str:
        where = [self.source]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        value = "" if self.value is None else f": got {self.value!r}"
        tag = "warning" if self.severity == "warning" else "error"
        return f"{', '.join(where)}: {tag}: {self.rule}{value}"


class DabsError(ValueError):
    """Base class of every error the toolkit raises on purpose (bad input, broken invariant)."""


def rule_error(code: str, template: str, /, **context: object) -> PydanticCustomError:
    """A spec rule broken inside a model validator, with a code and its numbers.

    The English ``template`` (``{name}`` placeholders filled from ``context``) is what the CLI
    and the deal-file messages print; ``code`` and ``context`` (model units: yuan, fractions,
    field codes) let a surface word the rule in its own language and units (the dashboard:
    :mod:`ui.messages`). Every rule a spec validator states goes through here, so each has a
    code (``tests/ui/test_rule_messages.py`` enumerates them).

    Examples
    --------
    >>> e = rule_error("tranche_names_duplicate", "duplicated: {names}", names=["A"])
    >>> e.type, e.message()
    ('tranche_names_duplicate', "duplicated: ['A']")
    """
    return PydanticCustomError(code, template, dict(context))


class TapeError(DabsError):
    """A pool tape could not be read or failed validation; carries every finding at once."""

    def __init__(self, source: str, issues: list[Issue]) -> None:
        self.source = source
        self.issues = list(issues)
        errors = [i for i in self.issues if i.severity == "error"]
        lines = "\n".join(f"  - {i}" for i in errors)
        super().__init__(f"{source}: {len(errors)} problem(s) in the pool tape:\n{lines}")


class DealSpecError(DabsError):
    """A deal file or structure is malformed or inconsistent.

    ``code`` and ``context`` (optional) name the rule and its numbers, as :func:`rule_error`
    does, for a check that also runs outside model validation (``abs.deal.check_revolving``).
    """

    def __init__(
        self, message: str, *, code: str | None = None, context: dict[str, object] | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.context = dict(context or {})


class ScheduleError(DabsError):
    """Dates or calendar conventions are inconsistent (QuantLib errors are re-raised as this)."""


class ProjectionError(DabsError):
    """The collections projection could not be computed from the pool and assumptions."""


class WaterfallError(DabsError):
    """The waterfall engine met an impossible state (e.g. cash not conserved: a bug)."""


class ConservationError(WaterfallError):
    """Cash in did not equal cash out in some scenario and period (always a bug)."""


class NoYieldError(DabsError):
    """No yield makes a stream of cash flows worth the given price (:func:`yield_from_price`)."""


class ScenarioError(DabsError):
    """A stress scenario, grid or search was specified inconsistently or failed."""


class ExportError(DabsError):
    """A filing export could not be written (bad path, existing file, permissions)."""
