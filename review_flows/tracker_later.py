"""Steps a tracker dates after a case's take-over, appended as if recorded one by one.

A case imported on 8 December whose decision was recorded on 10 January exports with both
dates; imported again, the decision is not part of its history (the take-over holds only the
steps before it) but an event recorded after it. It is checked as ``cspr case event`` checks
one (:func:`review_flows.cases.record_event`: the lifecycle guard, the rulebook's unused and
required steps) and chained onto the case's log, inside the importer's savepoint; unlike a
new event it sets no follow-up going: it happened before the import.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlmodel import Session

from core.errors import WorkbenchError
from review_flows.audit_log import seal
from review_flows.case_rows import event_row, event_rows, rulebook_for, to_event
from review_flows.errors import InvalidTransition
from review_flows.event_validation import validate_event
from review_flows.events import Event
from review_flows.lifecycle import unrecorded_steps
from review_flows.models import Case
from review_flows.rulebook import missing_before
from review_flows.tracker_drafts import StepCell


class StepRefused(Exception):
    """One later step was refused: ``error`` says why, ``step`` is the cell it came from."""

    def __init__(self, step: StepCell, error: WorkbenchError) -> None:
        super().__init__(str(error))
        self.step = step
        self.error = error


def append_steps(
    session: Session,
    case: Case,
    steps: Sequence[StepCell],
    *,
    recorded_by: str,
    today: dt.date,
) -> None:
    """Check and append ``steps`` (in date order) to ``case``'s log; flushes, never commits."""
    if not steps:
        return
    rows = event_rows(session, case.id)
    log = [to_event(row) for row in rows]
    book = rulebook_for(case)
    for step in steps:
        event = Event(step.kind, step.on, note=step.note)
        try:
            validate_event(log, event, case.incident_date, today)
            if event.kind in book.not_used:
                raise InvalidTransition(
                    f"{event.kind.value} is not part of a case under {book.id}: "
                    f"{book.not_used[event.kind]}"
                )
            taken = {e.kind for e in log} | unrecorded_steps(log)
            missing = missing_before(book, taken, event.kind)
            if missing:
                raise InvalidTransition(
                    f"{event.kind.value} needs {' and '.join(missing)} first: {book.id} requires it"
                )
            row = event_row(case, event, recorded_by)
        except WorkbenchError as refused:
            raise StepRefused(step, refused) from None
        seal([row], rows)
        session.add(row)
        session.flush()
        rows.append(row)
        log.append(to_event(row))
