"""Fixtures of the case store: a migrated SQLite database per test, and a case factory.

The migrations run once per test session into a template file; each test gets its own copy, so
tests share no state and every database has the real schema and the append-only triggers.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import shutil
import socket
from collections.abc import Callable, Iterator
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.db import build_engine

TODAY = dt.date(2026, 3, 31)


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file with every migration applied, built once."""
    from core.db import get_engine
    from core.migrations import upgrade_database

    path = tmp_path_factory.mktemp("template") / "cspr.db"
    url = f"sqlite:///{path}"
    upgrade_database(url)
    get_engine(url).dispose()  # closing the last connection checkpoints the WAL into the file
    return path


@pytest.fixture
def db_url(tmp_path: Path, migrated_template: Path) -> str:
    """URL of a fresh migrated SQLite database for this test."""
    path = tmp_path / "cspr.db"
    shutil.copyfile(migrated_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = build_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def today() -> dt.date:
    return TODAY


CaseFactory = Callable[..., Any]


@pytest.fixture
def case_factory(session: Session, today: dt.date) -> CaseFactory:
    """``case_factory(reference="NSH-2026-001", **fields)`` opens a case and returns its record;
    ``events=[(kind, date, note)]`` records more events after ``aware``."""
    from review_flows.case_queries import get_case
    from review_flows.cases import create_case, parse_input, record_event
    from review_flows.models import CaseCreate, CaseEventCreate

    counter = iter(range(1, 10_000))

    def make(reference: str | None = None, events: tuple[Any, ...] = (), **fields: Any) -> Any:
        data = {
            "reference": reference or f"NSH-2026-{next(counter):03d}",
            "partnership": "Northshire",
            "nation": "england",
            "incident_date": dt.date(2026, 1, 5),
            "aware_on": dt.date(2026, 1, 6),
            "outcome": "serious_harm",
            "age_group": "under_1",
            **fields,
        }
        record = create_case(
            session, parse_input(CaseCreate, data), recorded_by="tester", today=today
        )
        for kind, on, *note in events:
            event = CaseEventCreate(kind=kind, on=on, note=note[0] if note else None)
            record_event(
                session,
                record.case.reference,
                event,
                recorded_by="tester",
                today=today,
                partnership=record.case.partnership,
            )
        return get_case(session, record.case.reference, partnership=record.case.partnership)

    return make


# --- orchestration: contacts and a real SMTP server -------------------------------------------

PARTNERSHIP = "Northshire"


@pytest.fixture
def contacts(session: Session) -> list[object]:
    from review_flows.contacts import add_contact
    from review_flows.partnership_models import ContactCreate

    people = [
        ("business_manager", "bm@northshire.example.org", "inbox,email"),
        ("chair", "chair@northshire.example.org", "inbox"),
        ("reviewer", "reviewer@northshire.example.org", "email"),
        ("analyst", "analyst@northshire.example.org", "inbox"),
    ]
    return [
        add_contact(
            session,
            ContactCreate(partnership=PARTNERSHIP, role=role, email=email, channels=channels),
        )
        for role, email, channels in people
    ]


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: object, smtp: object, envelope: object) -> str:  # noqa: N802
        self.messages.append(message_from_bytes(envelope.content, policy=email.policy.default))  # type: ignore[attr-defined]
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[tuple[str, int, Mailbox]]:
    """A real SMTP server on a free loopback port (no TLS, no login)."""
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield "127.0.0.1", port, mailbox
    finally:
        controller.stop()
