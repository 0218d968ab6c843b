"""Bringing a partnership's tracker in: every row checked by the rules a case typed into the
CLI meets, a report of what would be created and what is refused (row, column, reason), then
the cases written all or nothing, or row by row with the bad rows skipped.

Each case is opened by :func:`review_flows.case_history.add_case_with_history` (one
``history_imported`` event and the known steps) inside a savepoint, so every row is checked
against the database as it would be written (a reference already used is refused) and the
whole file is still one transaction: committed, or rolled back for a dry run or a refusal.
The file arrives as bytes (an upload, or a file the CLI read): no path from a user reaches
here.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import update
from sqlmodel import Session, col

from core.errors import PersonalDataFound, WorkbenchError
from core.labels import event_label
from review_flows.case_history import CaseHistoryCreate, KnownStep, add_case_with_history
from review_flows.case_queries import get_case
from review_flows.cases import parse_input
from review_flows.errors import CaseDataInvalid, DuplicateCaseReference, RulebookNotFound
from review_flows.events import EventKind
from review_flows.lifecycle import unrecorded_steps
from review_flows.models import Case, check_free_text, check_partnership, check_username
from review_flows.partnership_targets import set_partnership_target
from review_flows.tracker_drafts import CaseDraft, Refusal, read_drafts
from review_flows.tracker_later import StepRefused, append_steps
from review_flows.tracker_layouts import (
    TrackerLayout,
    bind_layout,
    bundled_layouts,
    detect_layout,
)
from review_flows.tracker_read import read_tracker

logger = logging.getLogger(__name__)

DEFAULT_REASON = "brought in from the partnership's tracker"
_ORDER = {kind: place for place, kind in enumerate(EventKind)}
_KIND_WORDS = re.compile(
    r"\b(" + "|".join(sorted((k.value for k in EventKind), key=len)[::-1]) + r")\b"
)


class ImportMode(StrEnum):
    """How refusals affect the rest of the file."""

    ALL_OR_NOTHING = "all or nothing"  # one refusal and nothing is written
    ROW_BY_ROW = "row by row"  # the good cases are written, the refused ones skipped


@dataclass(frozen=True)
class CaseOutcome:
    """One case of the file: created (or would be) with its stage, events and the steps not
    recorded; or refused, with every reason found."""

    reference: str
    rows: tuple[int, ...]
    stage: str = ""
    events: tuple[tuple[EventKind, dt.date], ...] = ()
    not_recorded: tuple[EventKind, ...] = ()
    refusals: tuple[Refusal, ...] = ()

    @property
    def accepted(self) -> bool:
        return not self.refusals


@dataclass(frozen=True)
class ImportReport:
    """What an import did or would do. ``written`` is true when the accepted cases were
    committed (never on a dry run; in all-or-nothing mode only if nothing was refused)."""

    filename: str
    partnership: str
    layout: str
    mode: ImportMode
    dry_run: bool
    written: bool
    cases: tuple[CaseOutcome, ...]
    unused_columns: tuple[str, ...] = ()
    # the partnership's own local targets set with the import ("<rulebook>:<step>", days)
    targets: tuple[tuple[str, int], ...] = ()

    @property
    def accepted(self) -> tuple[CaseOutcome, ...]:
        return tuple(case for case in self.cases if case.accepted)

    @property
    def refused(self) -> tuple[CaseOutcome, ...]:
        return tuple(case for case in self.cases if not case.accepted)

    @property
    def refusals(self) -> tuple[Refusal, ...]:
        """Every refusal, by row."""
        found = (refusal for case in self.refused for refusal in case.refusals)
        return tuple(sorted(found, key=lambda r: (r.row, r.column)))


def import_tracker(
    session: Session,
    content: bytes,
    filename: str,
    *,
    partnership: str,
    mapping: TrackerLayout | None,
    dry_run: bool,
    skip_bad: bool,
    recorded_by: str,
    today: dt.date,
    targets: Mapping[str, int] | None = None,
) -> ImportReport:
    """Check every case of the tracker ``content`` and, unless ``dry_run``, write them: all or
    nothing (any refusal writes nothing), or with ``skip_bad`` each good case. Raises
    :class:`TrackerUnreadable` or :class:`TrackerLayoutInvalid` when the file itself cannot
    be read; refusals of rows are in the report.

    ``targets`` (``"<rulebook>:<step>"`` -> working days) sets the partnership's own local
    targets in the same transaction, written only if the cases are; a target the service
    refuses (:func:`review_flows.partnership_targets.set_partnership_target`) refuses the
    whole import with its named error, before anything is written."""
    try:
        partnership = check_partnership(partnership)
        recorded_by = check_username(recorded_by)
    except ValueError as bad:
        raise CaseDataInvalid(str(bad)) from None
    sheet = read_tracker(content, filename)
    if mapping is None:
        bound = detect_layout(sheet.header, bundled_layouts())
    else:
        bound = bind_layout(mapping, sheet.header)
    drafts = read_drafts(sheet, bound)
    mode = ImportMode.ROW_BY_ROW if skip_bad else ImportMode.ALL_OR_NOTHING
    try:
        _begin_writing(session)
        outcomes = tuple(_add(session, draft, partnership, recorded_by, today) for draft in drafts)
        if any(outcome.accepted for outcome in outcomes):  # else the partnership may be unknown
            _set_targets(session, partnership, targets or {}, recorded_by)
        refused = any(not outcome.accepted for outcome in outcomes)
        written = not dry_run and (skip_bad or not refused)
        if written:
            session.commit()
        else:
            session.rollback()
    except BaseException:
        session.rollback()
        raise
    report = ImportReport(
        filename, partnership, bound.layout.name, mode, dry_run, written, outcomes, bound.unused,
        tuple(sorted((targets or {}).items())),
    )  # fmt: skip
    # counts only: a file's name is the user's and may say more than it should
    logger.info(
        "tracker for %s: %d accepted, %d refused, written=%s",
        partnership, len(report.accepted), len(report.refused), written,
    )  # fmt: skip
    return report


def _set_targets(session: Session, partnership: str, targets: Mapping[str, int], by: str) -> None:
    for key, days in sorted(targets.items()):
        ruleset, _, milestone = key.partition(":")
        set_partnership_target(session, partnership, ruleset, milestone, days, by=by, commit=False)


def _begin_writing(session: Session) -> None:
    """Open the transaction the savepoints nest in. On SQLite the driver begins one only at
    the first write, and releasing a savepoint opened before it would commit that case alone:
    a write that changes nothing begins it (and takes the write lock for the whole file)."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(update(Case).where(col(Case.id) == -1).values(id=-1))


def _add(
    session: Session, draft: CaseDraft, partnership: str, recorded_by: str, today: dt.date
) -> CaseOutcome:
    """Check one draft and add it in a savepoint (rolled back if refused)."""
    if not draft.refusals:
        _check_dates(draft, today)
        _check_notes(draft)
    if draft.refusals:
        return _refused(draft)
    data = {**draft.fields, "partnership": partnership}
    data.setdefault("owner", recorded_by)
    data.setdefault("taken_over_on", today)
    data.setdefault("reason", DEFAULT_REASON)
    data["reference"] = draft.reference
    try:
        with session.begin_nested():
            create = parse_input(CaseHistoryCreate, data)
            # the steps up to the take-over are its history; those after it were recorded
            # one by one (an export of a case that went on after its import)
            known = [s for s in draft.steps if s.on <= create.taken_over_on]
            later = sorted(
                (s for s in draft.steps if s.on > create.taken_over_on),
                key=lambda s: (s.on, _ORDER[s.kind]),
            )
            case = add_case_with_history(
                session, create, [KnownStep(s.kind, s.on, s.note) for s in known],
                recorded_by=recorded_by, today=today,
            )  # fmt: skip
            append_steps(session, case, later, recorded_by=recorded_by, today=today)
            record = get_case(session, case.reference, partnership=partnership)
    except CaseDataInvalid as invalid:
        _refuse_fields(draft, str(invalid))
        return _refused(draft)
    except StepRefused as refused:
        draft.refuse(refused.step.row, refused.step.column, str(refused.error))
        return _refused(draft)
    except WorkbenchError as refused:
        row, column = _place_of(draft, refused)
        # an impossible order in words, not the guard's stage codes; else the guard's reason
        draft.refuse(row, column, _out_of_order(draft, row, column) or str(refused))
        return _refused(draft)
    events = tuple((e.kind, e.on) for e in sorted(record.events[1:], key=lambda e: e.on))
    missing = unrecorded_steps(record.events)
    return CaseOutcome(
        draft.reference,
        tuple(draft.rows),
        stage=record.stage.value,
        events=events,
        not_recorded=tuple(k for k in EventKind if k in missing),
    )


def _check_dates(draft: CaseDraft, today: dt.date) -> None:
    """A tracker holds what has happened: a step after today is refused as the CLI refuses it
    (checked here, before the take-over date, which defaults to today, would refuse it less
    clearly as "after the take-over")."""
    for step in draft.steps:
        if step.on > today and step.kind is not EventKind.PUBLICATION_PLANNED:  # may be ahead
            draft.refuse(
                step.row,
                step.column,
                f"{step.kind.value} on {step.on.isoformat()} is in the future (today is "
                f"{today.isoformat()}); record it when it has happened",
            )


def _check_notes(draft: CaseDraft) -> None:
    """Each note and the reason through the personal-data guard first, so a refusal names
    the cell (the service would refuse it too, without the column)."""
    texts = [(s.note, s.row, s.note_column) for s in draft.steps if s.note]
    if "reason" in draft.fields:
        row, column = draft.place("reason")
        texts.append((draft.fields["reason"], row, column))
    for text, row, column in texts:
        try:
            check_free_text(text, "note")
        except ValueError as bad:  # PersonalDataFound is one; so is an over-long note
            reason = str(bad) if isinstance(bad, PersonalDataFound) else f"note: {bad}"
            draft.refuse(row, column, reason)


def _refuse_fields(draft: CaseDraft, message: str) -> None:
    """A validation error names each field ("incident_date: ..."): refuse at its cell."""
    for problem in message.split("; "):
        name, _, reason = problem.partition(": ")
        if reason and name != "partnership":
            row, column = draft.place(name)
            if reason == "Field required":
                reason = f"empty: every case needs its {name.replace('_', ' ')}"
            draft.refuse(row, column, reason)
        else:
            draft.refuse(draft.rows[0], "", problem)


def _place_of(draft: CaseDraft, refused: WorkbenchError) -> tuple[int, str]:
    """The cell a service refusal is about: the step it names first, the incident date, or
    the reference (a duplicate, or the case as a whole)."""
    message = str(refused)
    if isinstance(refused, DuplicateCaseReference):
        return draft.place("reference")
    if isinstance(refused, RulebookNotFound):
        return draft.place("incident_date")
    match = _KIND_WORDS.search(message)
    if match is not None:
        kind = EventKind(match.group(1))
        if kind is EventKind.HISTORY_IMPORTED:
            return draft.place("taken_over_on")
        for step in draft.steps:
            if step.kind is kind:
                return step.row, step.column
    if message.startswith("incident date"):
        return draft.place("incident_date")
    return draft.place("reference")


def _out_of_order(draft: CaseDraft, row: int, column: str) -> str:
    """ "impossible order: ..." when the refused step is dated after a step that comes later
    in a case's life (a notification after the decision), else nothing."""
    step = next((s for s in draft.steps if (s.row, s.column) == (row, column)), None)
    if step is None:
        return ""
    ahead = [s for s in draft.steps if _ORDER[s.kind] > _ORDER[step.kind] and s.on < step.on]
    if not ahead or step.kind is EventKind.DELAY_RECORDED:
        return ""
    first = min(ahead, key=lambda s: s.on)
    where = f" (row {first.row})" if first.row != step.row else ""
    return (
        f"impossible order: {event_label(step.kind).lower()} on {step.on.isoformat()} comes "
        f"after {event_label(first.kind).lower()} on {first.on.isoformat()}{where}, which "
        "follows it in a case's life; check the two dates"
    )


def _refused(draft: CaseDraft) -> CaseOutcome:
    return CaseOutcome(draft.reference, tuple(draft.rows), refusals=tuple(draft.refusals))
