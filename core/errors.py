"""Named errors shared by both halves, under :class:`WorkbenchError` (the workflow's
``ReviewFlowsError`` is one). The edges (CLI, pages, flows) turn them into a message that says
what to do next."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def validation_problems(invalid: Any, label: Callable[[tuple[Any, ...]], str]) -> str:
    """A pydantic ``ValidationError`` as one line: each field's ``label`` and its problem."""
    return "; ".join(
        f"{label(tuple(error['loc']))}: {error['msg'].removeprefix('Value error, ')}"
        for error in invalid.errors()
    )


class WorkbenchError(Exception):
    """Base class of the workbench's named errors (learning's ``LearningError`` stands apart)."""


class PersonalDataFound(WorkbenchError, ValueError):
    """A field holds what looks like personal data (a name, an NHS number, a date of birth, a
    postcode, contact details); the message names the field, what was found (masked) and what
    to write instead."""

    def __init__(self, message: str, *, field: str, findings: tuple[object, ...] = ()) -> None:
        super().__init__(message)
        self.field = field
        self.findings = findings


class DatabaseNotReady(WorkbenchError):
    """The database has no tables or an older schema; run `cspr db upgrade`."""


class AuditLogBroken(WorkbenchError):
    """The event log does not verify (a chain, a saved head or a case row), so its heads are
    not exported; the message names each case and what broke."""


class PrefectUnreachable(WorkbenchError):
    """The Prefect server did not answer a read (down, refused, or an error status)."""
