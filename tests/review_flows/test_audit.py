"""The tamper-evident event log: every event is chained to the one before it in its case, and
``verify_log`` / ``cspr audit verify`` name the first edited, inserted or deleted row.

The store tests run on SQLite here and on PostgreSQL in test_postgres.py (same fixtures names).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlmodel import Session
from typer.testing import CliRunner

from core.audit_chain import GENESIS, BreakKind, ChainedEvent, event_hash, first_break
from core.db import build_engine
from core.migrations import alembic_config, upgrade_database
from review_flows.audit_log import verify_log

STAMP = dt.datetime(2026, 3, 2, 9, 30, 15, 123456, tzinfo=dt.UTC)
FACTS = '{"reference":"NSH-2026-001","partnership":"Northshire"}'


# --- the pure chain --------------------------------------------------------------------------


def _chain(count: int, case_id: int = 7) -> list[ChainedEvent]:
    events, previous = [], GENESIS
    for number in range(1, count + 1):
        content = ChainedEvent(
            id=number,
            case_id=case_id,
            kind="notified",
            on=dt.date(2026, 3, number),
            note=f"note {number}",
            corrects=None,
            recorded_at=STAMP,
            recorded_by="bm",
            amends=None,
            amended_to=None,
            case_facts=FACTS if number == 1 else None,
        )
        digest = event_hash(previous, content)
        events.append(dataclasses.replace(content, chain_prev=previous, chain_hash=digest))
        previous = digest
    return events


def test_an_untouched_chain_holds() -> None:
    assert first_break(_chain(5)) is None
    assert first_break([]) is None


def test_the_hash_covers_every_field_and_the_previous_hash() -> None:
    (event,) = _chain(1)
    changes = {
        "case_id": 8,
        "kind": "closed",
        "on": dt.date(2026, 3, 9),
        "note": "other",
        "corrects": 1,
        "recorded_at": STAMP + dt.timedelta(microseconds=1),
        "recorded_by": "someone",
        "amends": "nation",
        "amended_to": "wales",
        "case_facts": FACTS.replace("NSH", "WSM"),
    }
    for name, value in changes.items():
        assert event_hash(GENESIS, dataclasses.replace(event, **{name: value})) != event.chain_hash
    assert event_hash("x", event) != event.chain_hash


def test_the_same_instant_in_another_zone_hashes_the_same() -> None:
    (event,) = _chain(1)
    elsewhere = STAMP.astimezone(dt.timezone(dt.timedelta(hours=1)))
    assert (
        event_hash(GENESIS, dataclasses.replace(event, recorded_at=elsewhere)) == event.chain_hash
    )


def test_an_edited_row_is_named() -> None:
    events = _chain(5)
    events[2] = dataclasses.replace(events[2], note="rewritten")
    found = first_break(events)
    assert (found.event_id, found.kind) == (3, BreakKind.EDITED)
    assert "#3 was edited" in found.describe()


def test_a_deleted_row_is_named_by_the_row_after_it() -> None:
    events = _chain(5)
    del events[2]
    found = first_break(events)
    assert (found.event_id, found.kind) == (4, BreakKind.DELETED)
    first_gone = _chain(3)[1:]
    assert (first_break(first_gone).event_id, first_break(first_gone).kind) == (
        2,
        BreakKind.DELETED,
    )


def test_an_inserted_row_is_named_even_with_a_valid_hash_of_its_own() -> None:
    events = _chain(4)
    forged = dataclasses.replace(events[1], id=99, note="forged")
    forged = dataclasses.replace(
        forged,
        chain_prev=events[1].chain_hash,
        chain_hash=event_hash(events[1].chain_hash, forged),
    )
    found = first_break([*events[:2], forged, *events[2:]])
    assert (found.event_id, found.kind) == (99, BreakKind.INSERTED)
    at_start = first_break(
        [
            dataclasses.replace(forged, chain_prev=GENESIS, chain_hash=event_hash(GENESIS, forged)),
            *events,
        ]
    )
    assert (at_start.event_id, at_start.kind) == (99, BreakKind.INSERTED)


def test_saved_heads_catch_deleted_last_events_and_allow_appended_ones() -> None:
    from core.audit_chain import head_missing

    events = _chain(4)
    saved = events[2].chain_hash
    assert head_missing(events, saved) is None  # one event appended since: fine
    assert first_break(events[:2]) is None  # the chain alone cannot see its end cut off
    found = head_missing(events[:2], saved)
    assert (found.event_id, found.kind) == (2, BreakKind.HEAD_GONE)


def test_a_row_without_a_hash_is_named() -> None:
    events = _chain(3)
    events.append(dataclasses.replace(events[-1], id=4, chain_prev=None, chain_hash=None))
    assert first_break(events).kind is BreakKind.UNHASHED


# --- the store --------------------------------------------------------------------------------


def _tamper(session: Session, statement: str) -> None:
    """Change the event log behind the application's back, as someone with database access."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        session.execute(text("DROP TRIGGER IF EXISTS events_no_update"))
        session.execute(text("DROP TRIGGER IF EXISTS events_no_delete"))
        for part in statement.split(";"):
            session.execute(text(part))
    else:
        session.execute(text("ALTER TABLE events DISABLE TRIGGER USER"))
        for part in statement.split(";"):
            session.execute(text(part))
        session.execute(text("ALTER TABLE events ENABLE TRIGGER USER"))
    session.commit()


def _events_of(session: Session, reference: str) -> list[int]:
    return list(
        session.execute(
            text(
                "SELECT events.id FROM events JOIN cases ON cases.id = events.case_id "
                "WHERE cases.reference = :ref ORDER BY events.id"
            ),
            {"ref": reference},
        ).scalars()
    )


@pytest.fixture
def three_cases(case_factory: object, today: dt.date) -> list[object]:
    make = case_factory  # type: ignore[assignment]
    return [
        make(events=(("notified", dt.date(2026, 1, 7)),)),  # type: ignore[operator]
        make(
            events=(
                ("notified", dt.date(2026, 1, 7), "told the Panel"),  # type: ignore[operator]
                ("rapid_review_started", dt.date(2026, 1, 8)),
            )
        ),
        make(),  # type: ignore[operator]
    ]


def test_events_written_by_the_store_verify(session: Session, three_cases: list) -> None:
    report = verify_log(session)
    assert report.intact
    assert (report.cases, report.events) == (3, 6)
    assert set(report.heads) == {f"Northshire/{c.case.reference}" for c in three_cases}


def test_an_amendment_and_a_void_keep_the_chain(
    session: Session, case_factory: object, today: dt.date
) -> None:
    from review_flows.cases import amend_case, record_event
    from review_flows.models import CaseEventCreate

    record = case_factory(events=(("notified", dt.date(2026, 1, 7)),))  # type: ignore[operator]
    reference = record.case.reference
    amend_case(
        session,
        reference,
        reason="date was wrong",
        recorded_by="bm",
        today=today,
        incident_date=dt.date(2026, 1, 4),
    )
    notified = record.events[-1].id
    record_event(
        session,
        reference,
        CaseEventCreate(kind="void", on=today, corrects=notified, note="recorded in error"),
        recorded_by="bm",
        today=today,
    )
    assert verify_log(session).intact


@pytest.mark.parametrize(
    ("statement", "position", "kind"),
    [
        ("UPDATE events SET note = 'rewritten' WHERE id = {id}", 1, BreakKind.EDITED),
        ("UPDATE events SET \"on\" = '2026-01-09' WHERE id = {id}", 1, BreakKind.EDITED),
        (
            "DELETE FROM jobs WHERE event_id = {id}; DELETE FROM events WHERE id = {id}",
            1,
            BreakKind.DELETED,
        ),
    ],
)
def test_tampering_is_named(
    session: Session, three_cases: list, statement: str, position: int, kind: BreakKind
) -> None:
    reference = three_cases[1].case.reference
    ids = _events_of(session, reference)
    _tamper(session, statement.format(id=ids[position]))
    report = verify_log(session)
    (found,) = report.breaks
    assert found.reference == reference
    assert found.detail.kind is kind
    named = ids[position + 1] if kind is BreakKind.DELETED else ids[position]
    assert found.detail.event_id == named


def test_an_inserted_row_is_named_in_the_store(session: Session, three_cases: list) -> None:
    reference = three_cases[0].case.reference
    first, second = _events_of(session, reference)
    _tamper(
        session,
        'INSERT INTO events (case_id, kind, "on", recorded_at, recorded_by, chain_prev, '
        f"chain_hash) SELECT case_id, 'closed', \"on\", recorded_at, 'x', chain_prev, chain_hash "
        f"FROM events WHERE id = {second}",
    )
    (found,) = verify_log(session).breaks
    assert found.detail.kind is BreakKind.EDITED  # a copied hash does not fit its new content
    assert found.detail.event_id > second


def test_cli_verify_says_intact_then_names_the_row(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from core.settings import get_settings
    from cspr.cli.main import _register_areas, app

    monkeypatch.setenv("CSPR_DATABASE_URL", db_url)
    get_settings.cache_clear()
    _register_areas()
    runner = CliRunner()
    opened = runner.invoke(
        app,
        [
            *("case", "new", "--ref", "NSH-2026-900", "--partnership", "Northshire"),
            *("--nation", "england", "--incident", "2026-01-05", "--aware", "2026-01-06"),
            *("--outcome", "death", "--age-group", "under_1", "--by", "bm"),
            *("--today", "2026-01-06"),
        ],
    )
    assert opened.exit_code == 0, opened.output
    intact = runner.invoke(app, ["audit", "verify"])
    assert intact.exit_code == 0, intact.output
    assert "intact: 1 events in 1 cases" in intact.output
    engine = build_engine(db_url)
    with Session(engine) as session:
        _tamper(session, "UPDATE events SET recorded_by = 'someone-else'")
    engine.dispose()
    broken = runner.invoke(app, ["audit", "verify"])
    assert broken.exit_code == 1
    assert "Northshire NSH-2026-900: event #1 was edited" in broken.output


def test_cli_verify_against_saved_heads_finds_a_deleted_last_event_and_a_deleted_case(
    session: Session, three_cases: list, db_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    from core.settings import get_settings
    from cspr.cli.main import _register_areas, app

    monkeypatch.setenv("CSPR_DATABASE_URL", db_url)
    get_settings.cache_clear()
    _register_areas()
    runner = CliRunner()
    saved = runner.invoke(app, ["audit", "verify", "--json"])
    assert saved.exit_code == 0
    heads = tmp_path / "heads.json"
    heads.write_text(saved.stdout)
    cut, gone = three_cases[1].case.reference, three_cases[2].case.reference
    last = _events_of(session, cut)[-1]
    only = _events_of(session, gone)[0]
    statements = [
        f"DELETE FROM jobs WHERE event_id IN ({last}, {only})",
        f"DELETE FROM events WHERE id IN ({last}, {only})",
        f"DELETE FROM cases WHERE reference = '{gone}'",
    ]
    _tamper(session, "; ".join(statements))
    alone = runner.invoke(app, ["audit", "verify", "--no-heads"])
    assert alone.exit_code == 0  # the chains alone look whole
    found = runner.invoke(app, ["audit", "verify", "--against", str(heads)])
    assert found.exit_code == 1
    assert (
        f"{cut}: the chain has 2 events, 3 when the heads were saved: events after "
        f"#{last - 1} were deleted"
    ) in found.output
    assert f"{gone}: the case and all its events are gone" in found.output
    get_settings.cache_clear()
    get_settings.cache_clear()


# --- migrations from every revision -----------------------------------------------------------

REVISIONS = [
    script.revision
    for script in reversed(list(ScriptDirectory.from_config(alembic_config()).walk_revisions()))
]


@pytest.fixture
def blank_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'blank.db'}"


def _seed_first_revision_case(url: str) -> None:
    """A case with two events, written as the first schema had them (no hashes)."""
    engine = build_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO cases (id, reference, partnership, nation, incident_date, outcome, "
                "age_group, looked_after, child_protection_plan, created_at) VALUES (1, "
                "'OLD-2025-001', 'Northshire', 'england', '2025-11-03', 'death', 'under_1', "
                "false, false, '2025-11-04 09:00:00.000000+00:00')"
            )
        )
        for number, (kind, on) in enumerate(
            (("aware", "2025-11-04"), ("notified", "2025-11-06")), 1
        ):
            connection.execute(
                text(
                    'INSERT INTO events (id, case_id, kind, "on", recorded_at, recorded_by) '
                    f"VALUES ({number}, 1, '{kind}', '{on}', "
                    f"'2025-11-0{3 + number} 10:00:00+00:00', 'bm')"
                )
            )
    engine.dispose()


@pytest.mark.parametrize("start", REVISIONS)
def test_upgrade_from_every_revision_keeps_the_data_and_verifies(
    blank_url: str, start: str
) -> None:
    from review_flows.case_queries import get_case
    from tests.review_flows.test_migrations import schema_diffs

    upgrade_database(blank_url, "0001")
    _seed_first_revision_case(blank_url)
    upgrade_database(blank_url, start)
    upgrade_database(blank_url)
    assert schema_diffs(blank_url) == []
    engine = build_engine(blank_url)
    with Session(engine) as session:
        record = get_case(session, "OLD-2025-001")
        assert [event.kind.value for event in record.events] == ["aware", "notified"]
        report = verify_log(session)
    engine.dispose()
    assert report.intact and report.events == 2
