"""Demo data, seeded through the ordinary services: the fictional partnerships' contacts and
users (:mod:`review_flows.demo_partnerships`) and about thirty fictional cases
(:mod:`review_flows.demo_cases`), dated as of today.

With a password (``CSPR_DEMO_PASSWORD``) the demo also creates one user per role
(:data:`~review_flows.demo_partnerships.DEMO_USERS`). Without a password no user is created,
and the report says so.

Everything goes through :func:`review_flows.cases.create_case`,
:func:`review_flows.cases.record_event` and :func:`review_flows.users.create_user`, so the demo
passes the same checks as real data: pseudonymous references, notes without personal data,
events in lifecycle order, no event in the future but a planned publication. Seeding is
idempotent: a case whose reference already exists in its partnership is left alone, a contact
already there is not added again, and an existing user (their password too) is left as it is.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlmodel import Session

from review_flows.calendar import calendar_for
from review_flows.case_queries import get_case
from review_flows.cases import create_case, parse_input, record_event
from review_flows.contacts import add_contact, list_contacts
from review_flows.demo_cases import DEMO_CASES, DemoCase, demo_date, demo_incident_date, demo_owner
from review_flows.demo_partnerships import (
    DEMO_PARTNERSHIPS,
    DEMO_USERS,
    DemoPartnership,
    contact_email,
    contact_username,
)
from review_flows.errors import CaseDataInvalid, CaseNotFound, DuplicateUsername
from review_flows.jobs import settle_follow_ups
from review_flows.models import CaseCreate, CaseEventCreate
from review_flows.notify.kinds import ContactRole
from review_flows.partnership_models import ContactCreate, UserCreate
from review_flows.users import PASSWORD_MIN, check_password_rule, create_user

logger = logging.getLogger(__name__)

CONTACT_CHANNELS = "inbox,email"


@dataclass(frozen=True)
class DemoReport:
    """What one run of :func:`seed_demo` did (all zero but ``cases_existing`` on a rerun)."""

    cases_created: int = 0
    cases_existing: int = 0
    contacts_created: int = 0
    events_recorded: int = 0
    cases_skipped: int = 0  # cases today's date cannot place (an SCR once 2018 is too recent)
    # False: no demo password was given, so no user was created (nor looked at)
    password_set: bool = False
    users_created: tuple[str, ...] = ()
    users_existing: tuple[str, ...] = ()  # left as they were, password and all


# --- seeding -------------------------------------------------------------------------------------


def seed_demo(
    session: Session,
    *,
    today: dt.date,
    recorded_by: str | None = None,
    password: str | None = None,
) -> DemoReport:
    """Seed the demo users (with ``password``; none without it), the partnerships' contacts and
    the cases as of ``today``; rerunning adds nothing. Each case's events are recorded by
    ``recorded_by``, or by default by the case's owner (:func:`demo_owner`).

    A case whose reference its partnership already has is left as it is (counted as
    existing), whatever its events: the demo never writes to a case it did not just open. A
    user who exists is left alone too, password and all. A password too short for an account
    is refused (:class:`CaseDataInvalid`) before anything is written.
    """
    users = _demo_user_data(password) if password is not None else None
    created_users, existing_users = _seed_users(session, users) if users else ((), ())
    contacts = sum(_seed_contacts(session, partnership) for partnership in DEMO_PARTNERSHIPS)
    created = existing = skipped = events = 0
    for case in DEMO_CASES:
        if not _placeable(case, today):
            skipped += 1
            continue
        if _case_exists(session, case):
            existing += 1
            continue
        events += _seed_case(session, case, today=today, recorded_by=recorded_by)
        created += 1
    # The demo's history happened before anyone was watching: no follow-up notices for it.
    settle_follow_ups(session, reason="seeded by cspr demo: history, no follow-up")
    logger.info("demo: %d cases created, %d already there, %d skipped", created, existing, skipped)
    return DemoReport(
        cases_created=created,
        cases_existing=existing,
        contacts_created=contacts,
        events_recorded=events,
        cases_skipped=skipped,
        password_set=users is not None,
        users_created=created_users,
        users_existing=existing_users,
    )


def _demo_user_data(password: str) -> list[UserCreate]:
    """The demo users to create, checked before anything is written (never echoing the
    password)."""
    if len(password) < PASSWORD_MIN:
        raise CaseDataInvalid(
            f"the demo password needs at least {PASSWORD_MIN} characters (CSPR_DEMO_PASSWORD)"
        )
    try:
        check_password_rule(password, *(user.username for user in DEMO_USERS))
    except CaseDataInvalid as weak:
        raise CaseDataInvalid(f"the demo {weak} (CSPR_DEMO_PASSWORD)") from None
    return [
        parse_input(
            UserCreate,
            {
                "username": user.username,
                "display_name": user.display_name,
                "role": user.role,
                "partnership": user.partnership,
                "password": password,
            },
        )
        for user in DEMO_USERS
    ]


def _seed_users(
    session: Session, users: list[UserCreate]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Create the users not there yet; the usernames created and those already there."""
    created: list[str] = []
    existing: list[str] = []
    for data in users:
        try:
            create_user(session, data)
        except DuplicateUsername:
            existing.append(data.username)
        else:
            created.append(data.username)
    return tuple(created), tuple(existing)


def _seed_contacts(session: Session, partnership: DemoPartnership) -> int:
    """Add the partnership's four role contacts that are not there yet; how many were added."""
    present = {
        (contact.role, contact.email)
        for contact in list_contacts(session, partnership=partnership.name)
    }
    added = 0
    for role in ContactRole:
        email = contact_email(partnership, role)
        if (role, email) in present:
            continue
        data = {
            "partnership": partnership.name,
            "role": role,
            "email": email,
            "channels": CONTACT_CHANNELS,
            "username": contact_username(partnership, role),
        }
        add_contact(session, parse_input(ContactCreate, data))
        added += 1
    return added


def _placeable(case: DemoCase, today: dt.date) -> bool:
    """Whether the case's incident, counted back from ``today``, falls where the case belongs."""
    return case.incident_before is None or demo_incident_date(case, today) < case.incident_before


def _case_exists(session: Session, case: DemoCase) -> bool:
    try:
        get_case(session, case.reference, partnership=case.partnership.name)
    except CaseNotFound:
        return False
    return True


def _seed_case(session: Session, case: DemoCase, *, today: dt.date, recorded_by: str | None) -> int:
    """Open the case and record its steps in order; the number of events recorded."""
    calendar = calendar_for(case.partnership.nation)
    owner = demo_owner(case)
    recorded_by = recorded_by or owner
    data = {
        "reference": case.reference,
        "partnership": case.partnership.name,
        "nation": case.partnership.nation,
        "incident_date": demo_incident_date(case, today),
        "aware_on": demo_date(calendar, today, case.aware),
        "outcome": case.outcome,
        "age_group": case.age_group,
        "looked_after": case.looked_after,
        "child_protection_plan": case.child_protection_plan,
        "owner": owner,
    }
    record = create_case(
        session, parse_input(CaseCreate, data), recorded_by=recorded_by, today=today
    )
    # The latest event id of each kind, for the corrections and voids that name one.
    ids = {event.kind: event.id for event in record.events if event.id is not None}
    for step in case.steps:
        event = {
            "kind": step.kind,
            "on": demo_date(calendar, today, step.ago),
            "note": step.note,
            "corrects": ids[step.corrects] if step.corrects is not None else None,
        }
        recorded = record_event(
            session,
            case.reference,
            parse_input(CaseEventCreate, event),
            recorded_by=recorded_by,
            today=today,
            partnership=case.partnership.name,
        )
        ids[recorded.kind] = recorded.id
    return 1 + len(case.steps)
