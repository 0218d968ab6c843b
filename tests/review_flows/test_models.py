"""Tables and their validation: pseudonymous references, no names in free text, UTC stamps,
enum values on disk, and the append-only event log enforced by the database."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlmodel import Session

from review_flows.events import EventKind
from review_flows.models import (
    ActionCreate,
    AgeGroup,
    Case,
    CaseCreate,
    CaseEvent,
    CaseEventCreate,
    Outcome,
    check_free_text,
    check_reference,
)
from review_flows.partnership_models import UserCreate

CASE = {
    "reference": "NSH-2026-004",
    "partnership": "Northshire",
    "nation": "england",
    "incident_date": dt.date(2026, 1, 5),
    "aware_on": dt.date(2026, 1, 6),
    "outcome": "death",
    "age_group": "1_4",
}


@pytest.mark.parametrize(
    "reference",
    ["NSH-2026-004", "CSPR/2024/17", "LCSPR-19-A", "W.2023.05", "AB12"],
)
def test_reference_accepts_codes(reference: str) -> None:
    assert check_reference(f"  {reference} ") == reference


@pytest.mark.parametrize(
    ("reference", "why"),
    [
        ("Jane Smith", "a name"),
        ("JANE SMITH 12", "spaces"),
        ("Jane-2024-01", "lower case"),
        ("JOHNSMITH-12", "a long run of letters"),
        ("NSH-A", "fewer than two digits"),
        ("NS", "too short"),
        ("N" * 3 + "-" + "1" * 40, "too long"),
        ("NSH--2026", "empty segment"),
    ],
)
def test_reference_refuses_names_and_non_codes(reference: str, why: str) -> None:
    with pytest.raises(ValueError, match="is not a pseudonymous code"):
        check_reference(reference)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("  criminal trial of the father  ", "criminal trial of the father"),
        ("Dr appointment missed", "Dr appointment missed"),
        ("", None),
        (None, None),
    ],
)
def test_free_text_accepts_roles(value: str | None, expected: str | None) -> None:
    assert check_free_text(value, "note") == expected


@pytest.mark.parametrize("value", ["Mrs Smith phoned", "seen by Dr. Khan", "Mr Jones (father)"])
def test_free_text_refuses_titled_names(value: str) -> None:
    with pytest.raises(ValueError, match="seems to hold personal data: a person's name"):
        check_free_text(value, "note")


def test_free_text_refuses_overlong_text() -> None:
    with pytest.raises(ValueError, match="note is longer than 2000 characters"):
        check_free_text("x" * 2001, "note")


def test_create_models_validate_and_convert() -> None:
    case = CaseCreate.model_validate(CASE)
    assert (case.outcome, case.age_group) == (Outcome.DEATH, AgeGroup.AGE_1_4)
    with pytest.raises(ValidationError, match="nation"):
        CaseCreate.model_validate({**CASE, "nation": "france"})
    with pytest.raises(ValidationError, match="partnership"):
        CaseCreate.model_validate({**CASE, "partnership": "<script>"})
    with pytest.raises(ValidationError, match="seems to hold personal data: a person's name"):
        CaseEventCreate(kind=EventKind.DELAY_RECORDED, on=dt.date(2026, 2, 1), note="Ms Brown ill")
    with pytest.raises(ValidationError, match="must not be empty"):
        ActionCreate(
            recommendation_ref="R1", recommendation=" ", owner="LA", due=dt.date(2026, 6, 1)
        )
    with pytest.raises(ValidationError, match="password"):
        UserCreate(username="alice", display_name="Alice", role="analyst", password="short")


def test_table_models_skip_validation_unless_model_validate() -> None:
    """The SQLModel pitfall: building a table object directly validates nothing."""
    fields = {k: v for k, v in CASE.items() if k != "aware_on"}
    unchecked = Case(**{**fields, "reference": "Jane Smith"})
    assert unchecked.reference == "Jane Smith"
    with pytest.raises(ValidationError, match="is not a pseudonymous code"):
        Case.model_validate({**fields, "reference": "Jane Smith"})


def _insert_case_with_event(session: Session) -> CaseEvent:
    fields = {k: v for k, v in CASE.items() if k != "aware_on"}
    case = Case.model_validate(fields)
    session.add(case)
    session.flush()
    event = CaseEvent.model_validate(
        {"case_id": case.id, "kind": "aware", "on": dt.date(2026, 1, 6), "recorded_by": "alice"}
    )
    session.add(event)
    session.commit()
    return event


def test_enums_are_stored_as_values_and_stamps_come_back_in_utc(session: Session) -> None:
    event = _insert_case_with_event(session)
    raw = session.execute(text("SELECT nation, outcome, age_group FROM cases")).one()
    assert tuple(raw) == ("england", "death", "1_4")
    assert session.execute(text("SELECT kind FROM events")).scalar_one() == "aware"
    session.expire_all()
    loaded = session.get(CaseEvent, event.id)
    assert loaded is not None and loaded.kind is EventKind.AWARE
    assert loaded.recorded_at.tzinfo == dt.UTC


def test_naive_timestamps_are_refused(session: Session) -> None:
    event = _insert_case_with_event(session)
    naive = CaseEvent.model_validate(
        {"case_id": event.case_id, "kind": "notified", "on": dt.date(2026, 1, 7),
         "recorded_by": "alice", "recorded_at": dt.datetime(2026, 1, 7, 9, 0)}
    )  # fmt: skip
    session.add(naive)
    with pytest.raises(StatementError, match="timezone-aware"):
        session.commit()
    session.rollback()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE events SET note = 'changed'",
        "UPDATE events SET \"on\" = '2026-01-01'",
        "DELETE FROM events",
    ],
)
def test_event_log_is_append_only_in_the_database(session: Session, statement: str) -> None:
    _insert_case_with_event(session)
    with pytest.raises(IntegrityError, match="append-only"):
        session.execute(text(statement))
    session.rollback()
    assert session.execute(text("SELECT count(*), max(note) FROM events")).one() == (1, None)


def test_orm_update_of_an_event_is_refused(session: Session) -> None:
    event = _insert_case_with_event(session)
    event.note = "edited in place"
    session.add(event)
    with pytest.raises(IntegrityError, match="append-only"):
        session.commit()
    session.rollback()


def test_case_reference_is_unique_per_partnership(session: Session) -> None:
    fields = {k: v for k, v in CASE.items() if k != "aware_on"}
    session.add(Case.model_validate(fields))
    session.add(Case.model_validate({**fields, "partnership": "Southshire"}))
    session.commit()
    session.add(Case.model_validate(fields))
    with pytest.raises(IntegrityError, match="(?i)unique"):
        session.commit()
    session.rollback()
