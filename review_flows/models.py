"""Tables of the case store, as SQLModel families (``XBase`` -> ``XCreate`` / table / ``XPublic``):
cases, their append-only events, actions, saved shortlists, and the notices and jobs a case
sets going. A partnership's people and settings are in :mod:`review_flows.partnership_models`.

A case carries a pseudonymous reference, never a name: the reference must look like a code
(``NSH-2026-004``) and free-text fields refuse a title followed by a name (``Mrs Smith``); use
roles instead ("mother", "the GP"). The event log is append-only: nothing here updates or
deletes an event, and the migration adds database triggers that refuse UPDATE and DELETE.

``table=True`` classes skip validation when built directly (``Case(reference="x")``); build them
with ``Model.model_validate(data)`` or from a validated ``XCreate``.

No ``from __future__ import annotations`` here: it breaks SQLModel's relationship and type
resolution (fastapi/sqlmodel#196).
"""

import datetime as dt
import re
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from pydantic import field_validator
from sqlmodel import Field, SQLModel

from core.columns import UTCDateTime, enum_column, utc_now
from core.personal_data import check_personal_data
from review_flows.calendar import Nation, parse_nation
from review_flows.events import EventKind
from review_flows.notify.kinds import Channel, NoticeKind

NOTE_MAX = 2000
_REFERENCE = re.compile(r"^[A-Z0-9]+(?:[-/_.][A-Z0-9]+)*$")
_LETTER_RUN = re.compile(r"[A-Z]{7,}")
_PARTNERSHIP = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 &'(),.-]{1,79}$")
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.@-]{1,63}$")
_RULESET = re.compile(r"^[a-z][a-z0-9_-]*$")


class Outcome(StrEnum):
    """What happened to the child (rules.md section 2: nature of the incident)."""

    DEATH = "death"
    SERIOUS_HARM = "serious_harm"


class AgeGroup(StrEnum):
    """The child's age band at the incident, as the national statistics group it."""

    UNDER_1 = "under_1"
    AGE_1_4 = "1_4"
    AGE_5_9 = "5_9"
    AGE_10_14 = "10_14"
    AGE_15_17 = "15_17"


def check_reference(value: str) -> str:
    """A pseudonymous case reference such as ``NSH-2026-004``; refuses anything name-like."""
    text = value.strip()
    looks_like_code = (
        3 <= len(text) <= 40
        and _REFERENCE.match(text) is not None
        and sum(ch.isdigit() for ch in text) >= 2
        and _LETTER_RUN.search(text) is None
    )
    if not looks_like_code:
        raise ValueError(
            f"reference {value!r} is not a pseudonymous code: use capital letters, digits and "
            "hyphens with at least two digits, e.g. NSH-2026-004 (never a child's name)"
        )
    check_personal_data(text, "reference", identifier=True)
    return text


def check_free_text(value: str | None, field: str, max_length: int = NOTE_MAX) -> str | None:
    """Free text, trimmed; refuses personal data (see ``core.personal_data``) and
    over-long text."""
    if value is None:
        return None
    text = value.strip()
    if len(text) > max_length:
        raise ValueError(f"{field} is longer than {max_length} characters")
    check_personal_data(text, field)
    return text or None


def check_partnership(value: str) -> str:
    """A partnership's name: letters, digits, spaces and a little punctuation, no personal data."""
    text = value.strip()
    if _PARTNERSHIP.match(text) is None:
        raise ValueError(
            f"partnership {value!r}: use 2-80 letters, digits, spaces and & ' ( ) , . -"
        )
    check_personal_data(text, "partnership")
    return text


def check_username(value: str) -> str:
    text = value.strip()
    if _USERNAME.match(text) is None:
        raise ValueError(
            f"username {value!r}: use 2-64 lower-case letters, digits, '.', '_', '-' or '@'"
        )
    return text


# --- cases ---------------------------------------------------------------------------------------


class CaseBase(SQLModel):
    reference: str = Field(max_length=40)
    partnership: str = Field(max_length=80, index=True)
    nation: Nation = Field(sa_type=enum_column(Nation))
    incident_date: dt.date
    outcome: Outcome = Field(sa_type=enum_column(Outcome))
    age_group: AgeGroup = Field(sa_type=enum_column(AgeGroup))
    looked_after: bool = False
    child_protection_plan: bool = False
    ruleset_id: str | None = Field(default=None, max_length=64)
    # the user who answers for the case's deadlines (a username, never a child's name)
    owner: str | None = Field(default=None, max_length=64)

    @field_validator("owner")
    @classmethod
    def _owner(cls, value: str | None) -> str | None:
        return None if value is None else check_username(value)

    @field_validator("reference")
    @classmethod
    def _reference(cls, value: str) -> str:
        return check_reference(value)

    @field_validator("nation", mode="before")
    @classmethod
    def _nation(cls, value: Any) -> Any:
        return parse_nation(value) if isinstance(value, str) else value

    @field_validator("partnership")
    @classmethod
    def _partnership(cls, value: str) -> str:
        return check_partnership(value)

    @field_validator("ruleset_id")
    @classmethod
    def _ruleset(cls, value: str | None) -> str | None:
        if value is not None and _RULESET.match(value) is None:
            raise ValueError(f"ruleset {value!r} is not a rulebook id (see `cspr rules list`)")
        return value


class CaseCreate(CaseBase):
    """What a user gives to open a case: the case and the date the authority became aware."""

    aware_on: dt.date


class Case(CaseBase, table=True):
    __tablename__ = "cases"
    __table_args__ = (
        sa.UniqueConstraint("partnership", "reference", name="uq_cases_partnership_reference"),
    )

    id: int | None = Field(default=None, primary_key=True)
    created_at: dt.datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class CasePublic(CaseBase):
    id: int
    created_at: dt.datetime


# --- events (append-only) ------------------------------------------------------------------------


class CaseEventBase(SQLModel):
    kind: EventKind = Field(sa_type=enum_column(EventKind))
    on: dt.date
    note: str | None = Field(default=None, max_length=NOTE_MAX)
    corrects: int | None = Field(default=None, foreign_key="events.id")

    @field_validator("note")
    @classmethod
    def _note(cls, value: str | None) -> str | None:
        return check_free_text(value, "note")


class CaseEventCreate(CaseEventBase):
    """What a user gives to record an event (the case and the recorder come separately)."""


class CaseEvent(CaseEventBase, table=True):
    """One row of the append-only log. Never updated or deleted (triggers refuse it)."""

    __tablename__ = "events"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    recorded_at: dt.datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    recorded_by: str = Field(max_length=64)
    # an ``amended`` event: the case field it changes and the new value (ISO date, nation, owner)
    amends: str | None = Field(default=None, max_length=40)
    amended_to: str | None = Field(default=None, max_length=40)
    # a case's first event: the case's facts as canonical JSON, inside its hash (audit_facts)
    case_facts: str | None = Field(default=None, sa_type=sa.Text)
    # the tamper-evident chain (core.audit_chain): the case's previous hash, and this row's
    chain_prev: str | None = Field(default=None, max_length=64)
    chain_hash: str | None = Field(default=None, max_length=64)

    @field_validator("recorded_by")
    @classmethod
    def _recorded_by(cls, value: str) -> str:
        return check_username(value)


class CaseEventPublic(CaseEventBase):
    id: int
    case_id: int
    recorded_at: dt.datetime
    recorded_by: str
    amends: str | None = None
    amended_to: str | None = None


# --- actions (recommendation -> action -> owner -> due -> done) --------------------------------


class ActionBase(SQLModel):
    recommendation_ref: str = Field(max_length=20)
    recommendation: str = Field(max_length=NOTE_MAX)
    owner: str = Field(max_length=120)
    due: dt.date

    @field_validator("recommendation_ref", "recommendation", "owner")
    @classmethod
    def _text(cls, value: str, info: Any) -> str:
        text = check_free_text(value, info.field_name)
        if not text:
            raise ValueError(f"{info.field_name} must not be empty")
        return text


class ActionCreate(ActionBase):
    pass


class Action(ActionBase, table=True):
    """An action taken on a recommendation. Unlike events, its done date is set once later."""

    __tablename__ = "actions"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    done: dt.date | None = None
    evidence: str | None = Field(default=None, max_length=NOTE_MAX)
    created_at: dt.datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class ActionPublic(ActionBase):
    id: int
    case_id: int
    done: dt.date | None
    evidence: str | None
    created_at: dt.datetime


# --- shortlists of similar published reviews, saved to a case ------------------------------------


class ShortlistItem(SQLModel, table=True):
    """A published review a reviewer saved to a case as similar (from the Similar cases page)."""

    __tablename__ = "shortlist_items"
    __table_args__ = (sa.UniqueConstraint("case_id", "review_id", name="uq_shortlist_case_review"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    review_id: str = Field(max_length=120)
    note: str | None = Field(default=None, max_length=NOTE_MAX)
    saved_by: str = Field(max_length=64)
    saved_at: dt.datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)

    @field_validator("note")
    @classmethod
    def _note(cls, value: str | None) -> str | None:
        return check_free_text(value, "note")


# --- notices and follow-up jobs (orchestration) ------------------------------------------------


class JobKind(StrEnum):
    """Work an event sets going, done by a flow (or in-process without a Prefect server), and
    Library uploads the app could not hand to a Prefect server (the sweep does them)."""

    FOLLOW_UP = "follow_up"  # tell the responsible people what the event started
    PUBLISH = "publish"  # ingest the published report, tag its themes, tell the analysts
    INGEST_UPLOAD = "ingest_upload"  # a batch of Library uploads into the index (no case)


class Notice(SQLModel, table=True):
    """One notice to one recipient on one channel; also the in-app inbox.

    ``key`` is unique: the same reminder (case, milestone, due date, kind, recipient, channel)
    is never sent twice, and a due date moved by a correction makes a new key. A row is
    written before sending (``sent_at`` empty) so two sweeps never both send it; a failed send
    keeps its row with the error and is tried again by the next sweep.
    """

    __tablename__ = "notices"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=400, unique=True)
    kind: NoticeKind = Field(sa_type=enum_column(NoticeKind))
    partnership: str = Field(max_length=80, index=True)
    case_id: int | None = Field(default=None, foreign_key="cases.id", index=True)
    case_reference: str | None = Field(default=None, max_length=40)
    milestone: str | None = Field(default=None, max_length=64)
    due: dt.date | None = None
    recipient: str = Field(max_length=254, index=True)
    channel: Channel = Field(sa_type=enum_column(Channel))
    subject: str = Field(max_length=300)
    body: str = Field(sa_type=sa.Text)
    for_date: dt.date
    created_at: dt.datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    sent_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    attempts: int = 0
    # when the last delivery attempt began: a claim older than the timeout is retried
    attempted_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, max_length=500)
    read_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)


class Job(SQLModel, table=True):
    """Work an event set going (the outbox): written with the event in one transaction, done by
    a flow run or in-process, and retried by the next sweep until done. Nothing is lost if
    Prefect is down when the event is recorded. A Library upload's job has no event or case."""

    __tablename__ = "jobs"
    __table_args__ = (sa.UniqueConstraint("event_id", "kind", name="uq_jobs_event_kind"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: int | None = Field(default=None, foreign_key="events.id", index=True)
    case_id: int | None = Field(default=None, foreign_key="cases.id", index=True)
    kind: JobKind = Field(sa_type=enum_column(JobKind))
    # for a publication: the stored report file (in the publications folder); after it, the
    # review id in the index. For an upload: the batch folder (in the uploads folder).
    report_path: str | None = Field(default=None, max_length=1000)
    review_id: str | None = Field(default=None, max_length=120)
    created_at: dt.datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    done_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=500)
