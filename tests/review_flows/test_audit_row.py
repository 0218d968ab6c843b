"""The audit chain covers the case row (issue 22, finding 3): a case's facts are in its chain
from its creation event on, a raw SQL change of the row is named field by field, and the
exported heads catch, by default, a deleted last event and a chain rewritten whole.

Each attack is made as someone with database rights would (raw SQL, the append-only triggers
dropped or disabled). Run on SQLite here and on PostgreSQL in test_postgres.py.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import Session
from typer.testing import CliRunner

from core.audit_chain import BreakKind
from core.db import build_engine
from core.migrations import current_revision, upgrade_database
from review_flows.audit_heads import export_heads, latest_heads
from review_flows.audit_log import verify_log
from tests.review_flows.test_audit import _events_of, _tamper

NOW = dt.datetime(2026, 12, 7, 7, 0, tzinfo=dt.UTC)


def _update_case(session: Session, reference: str, **values: Any) -> None:
    """``UPDATE cases SET ...`` behind the product's back (the cases table has no trigger)."""
    assignments = ", ".join(f"{field} = :{field}" for field in values)
    session.execute(
        text(f"UPDATE cases SET {assignments} WHERE reference = :reference"),
        {**values, "reference": reference},
    )
    session.commit()


@pytest.fixture
def opened(case_factory: Any) -> Any:
    """A case opened through the service, owned by bm, with one more event."""
    return case_factory(
        reference="NSH-DEMO-011", owner="bm", events=(("notified", dt.date(2026, 1, 7)),)
    )


# --- a changed case row is named ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("incident_date", dt.date(2025, 12, 20)),
        ("owner", "reviewer"),
        ("outcome", "death"),
        ("nation", "wales"),
        ("partnership", "Westmere"),
        ("ruleset_id", "england-scr-2015"),
        ("age_group", "15_17"),
    ],
)
def test_a_raw_update_of_a_case_fact_is_named(
    session: Session, opened: Any, field: str, value: Any
) -> None:
    assert verify_log(session).intact
    was = getattr(opened.case, field)
    logged = was.isoformat() if isinstance(was, dt.date) else str(getattr(was, "value", was))
    shown = value.isoformat() if isinstance(value, dt.date) else value
    _update_case(session, "NSH-DEMO-011", **{field: value})
    report = verify_log(session)
    (found,) = report.breaks
    assert (found.partnership, found.reference) == ("Northshire", "NSH-DEMO-011")
    assert found.detail.kind is BreakKind.ROW_CHANGED
    assert [m.field for m in found.detail.mismatches] == [field]
    assert found.describe() == (
        f"Northshire NSH-DEMO-011: {field} in the row ({shown}) differs from its event log "
        f"({logged if was is not None else 'none'})"
    )


def test_the_issues_update_of_three_facts_is_named_field_by_field(
    session: Session, opened: Any
) -> None:
    _update_case(
        session, "NSH-DEMO-011", incident_date=dt.date(2026, 1, 12), owner="reviewer",
        outcome="death",
    )  # fmt: skip
    (found,) = verify_log(session).breaks
    assert found.describe() == (
        "Northshire NSH-DEMO-011: incident_date in the row (2026-01-12) differs from its event "
        "log (2026-01-05); outcome in the row (death) differs from its event log (serious_harm); "
        "owner in the row (reviewer) differs from its event log (bm)"
    )
    assert verify_log(session).to_dict()["breaks"][0]["fields"] == [
        "incident_date", "outcome", "owner",
    ]  # fmt: skip


def test_an_amendment_and_an_owner_change_through_the_services_verify_intact(
    session: Session, opened: Any, today: dt.date
) -> None:
    from review_flows.case_queries import get_case
    from review_flows.cases import amend_case, change_owner

    amend_case(
        session, "NSH-DEMO-011", reason="date was wrong", recorded_by="bm", today=today,
        incident_date=dt.date(2026, 1, 4), nation="wales",
    )  # fmt: skip
    change_owner(session, "NSH-DEMO-011", "reviewer", reason="handed over", recorded_by="bm",
                 today=today)  # fmt: skip
    assert verify_log(session).intact
    row = session.execute(
        text("SELECT incident_date, nation, owner FROM cases WHERE reference = 'NSH-DEMO-011'")
    ).one()
    assert (str(row.incident_date), row.nation, row.owner) == ("2026-01-04", "wales", "reviewer")
    case = get_case(session, "NSH-DEMO-011").case
    assert (case.incident_date, case.nation.value, case.owner) == (
        dt.date(2026, 1, 4), "wales", "reviewer",
    )  # fmt: skip
    # putting the row back as it was before the amendment is a change too
    _update_case(session, "NSH-DEMO-011", owner="bm")
    (found,) = verify_log(session).breaks
    assert "owner in the row (bm) differs from its event log (reviewer)" in found.describe()


def test_an_owner_change_refuses_a_username_the_log_cannot_hold(
    session: Session, opened: Any, today: dt.date
) -> None:
    from review_flows.cases import change_owner
    from review_flows.errors import CaseDataInvalid

    with pytest.raises(CaseDataInvalid, match="at most 40 characters"):
        change_owner(session, "NSH-DEMO-011", "a" * 41, reason="x", recorded_by="bm", today=today)
    with pytest.raises(CaseDataInvalid, match="username"):
        change_owner(session, "NSH-DEMO-011", "Not A User", reason="x", recorded_by="bm",
                     today=today)  # fmt: skip
    assert verify_log(session).intact


def test_a_case_row_left_without_its_events_is_named(session: Session, opened: Any) -> None:
    ids = ",".join(map(str, _events_of(session, "NSH-DEMO-011")))
    _tamper(session, f"DELETE FROM jobs WHERE event_id IN ({ids}); "
                     f"DELETE FROM events WHERE id IN ({ids})")  # fmt: skip
    (found,) = verify_log(session).breaks
    assert (
        found.describe()
        == "Northshire NSH-DEMO-011: the case has no events: its whole log was deleted"
    )


def test_a_first_event_stripped_of_its_facts_is_named(session: Session, opened: Any) -> None:
    first = _events_of(session, "NSH-DEMO-011")[0]
    _tamper(session, f"UPDATE events SET case_facts = NULL WHERE id = {first}")
    (found,) = verify_log(session).breaks
    assert (found.detail.kind, found.detail.event_id) == (BreakKind.EDITED, first)


# --- exported heads catch what the chain alone cannot -----------------------------------------


def test_deleting_the_last_event_is_caught_by_the_latest_export(
    session: Session, opened: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "heads"
    export_heads(session, folder, now=NOW)
    ids = _events_of(session, "NSH-DEMO-011")
    _tamper(session, f"DELETE FROM jobs WHERE event_id = {ids[-1]}; "
                     f"DELETE FROM events WHERE id = {ids[-1]}")  # fmt: skip
    assert verify_log(session).intact  # the chain alone looks whole
    latest = latest_heads(folder)
    (found,) = verify_log(session, latest.saved).breaks
    assert found.detail.kind is BreakKind.CUT
    assert found.describe() == (
        f"Northshire NSH-DEMO-011: the chain has 1 events, 2 when the heads were saved: events "
        f"after #{ids[0]} were deleted"
    )


def _rewrite_chain(
    session: Session, reference: str, forged_facts: str | None = None, **facts: Any
) -> None:
    """An attacker with the code and database rights: change the row, then re-seal the case's
    whole chain so that it holds with the new facts."""
    from core.audit_chain import GENESIS, ChainedEvent, event_hash
    from core.audit_facts import facts_text
    from review_flows.audit_log import CASE_ROWS, _stored_events

    _update_case(session, reference, **facts)
    row = session.execute(
        CASE_ROWS.select().where(CASE_ROWS.c.reference == reference)
    ).mappings().one()  # fmt: skip
    chain = [e for e in _stored_events(session) if e.case_id == row["id"]]
    previous, statements = GENESIS, []
    for position, event in enumerate(chain):
        forged: ChainedEvent = dataclasses.replace(
            event, case_facts=(forged_facts or facts_text(row)) if position == 0 else None
        )
        digest = event_hash(previous, forged)
        literal = (forged.case_facts or "").replace(":", "\\:")  # not a bind parameter
        facts = "NULL" if forged.case_facts is None else f"'{literal}'"
        statements.append(
            f"UPDATE events SET case_facts = {facts}, chain_prev = '{previous}', "
            f"chain_hash = '{digest}' WHERE id = {event.id}"
        )
        previous = digest
    _tamper(session, "; ".join(statements))


def test_a_chain_rewritten_whole_is_caught_by_the_latest_export(
    session: Session, opened: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "heads"
    export_heads(session, folder, now=NOW)
    _rewrite_chain(session, "NSH-DEMO-011", incident_date=dt.date(2026, 1, 12))
    assert verify_log(session).intact  # consistent: the chain and the row agree
    (found,) = verify_log(session, latest_heads(folder).saved).breaks
    assert found.detail.kind is BreakKind.HEAD_GONE
    assert "the saved head is not in the chain" in found.describe()


def test_a_chain_rewritten_with_unreadable_facts_is_named(session: Session, opened: Any) -> None:
    _rewrite_chain(session, "NSH-DEMO-011", forged_facts="[]", outcome="death")
    (found,) = verify_log(session).breaks
    assert found.detail.kind is BreakKind.NO_FACTS
    assert "does not record the case's facts" in found.describe()


def test_an_export_is_a_new_owner_only_file_and_refused_once_the_log_breaks(
    session: Session, opened: Any, today: dt.date, tmp_path: Path
) -> None:
    from core.errors import AuditLogBroken
    from review_flows.cases import change_owner

    folder = tmp_path / "heads"
    first = export_heads(session, folder, now=NOW)
    again = export_heads(session, folder, now=NOW)  # same second: a second file, not a rewrite
    change_owner(session, "NSH-DEMO-011", "reviewer", reason="handed over", recorded_by="bm",
                 today=today)  # fmt: skip
    later = export_heads(session, folder, now=NOW + dt.timedelta(days=1))
    assert [p.name for p in sorted(folder.iterdir())] == [
        "heads-2026-12-07T070000Z-2.json", "heads-2026-12-07T070000Z.json",
        "heads-2026-12-08T070000Z.json",
    ]  # fmt: skip
    assert (folder.stat().st_mode & 0o777, first.stat().st_mode & 0o777) == (0o700, 0o600)
    assert latest_heads(folder).path == later
    assert json.loads(first.read_text())["heads"] == json.loads(again.read_text())["heads"]
    ids = _events_of(session, "NSH-DEMO-011")
    _tamper(session, f"DELETE FROM events WHERE id = {ids[-1]}")
    with pytest.raises(AuditLogBroken, match="NSH-DEMO-011: the chain has 2 events, 3 when"):
        export_heads(session, folder, now=NOW + dt.timedelta(days=2))
    assert latest_heads(folder).path == later  # the older head stays the latest
    _update_case(session, "NSH-DEMO-011", owner="bm")  # as a restored backup would hold it
    restored = export_heads(session, folder, now=NOW + dt.timedelta(days=3), after_restore=True)
    assert latest_heads(folder).path == restored


# --- the CLI compares with the latest export by default ---------------------------------------


@pytest.fixture
def cli(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    from core.settings import get_settings
    from cspr.cli.main import _register_areas, app

    monkeypatch.setenv("CSPR_DATABASE_URL", db_url)
    monkeypatch.setenv("CSPR_AUDIT_HEADS_DIR", str(tmp_path / "heads"))
    get_settings.cache_clear()
    _register_areas()
    runner = CliRunner()
    yield lambda *args: runner.invoke(app, list(args))
    get_settings.cache_clear()


def test_cli_verify_uses_the_latest_exported_heads_by_default(
    cli: Any, session: Session, opened: Any, tmp_path: Path
) -> None:
    nothing = cli("audit", "verify")
    assert nothing.exit_code == 0, nothing.output
    assert f"no exported chain heads in {tmp_path / 'heads'}" in nothing.output
    exported = cli("audit", "export-heads")
    assert exported.exit_code == 0, exported.output
    (path,) = (tmp_path / "heads").iterdir()
    assert f"exported the chain heads to {path}" in exported.output
    intact = cli("audit", "verify")
    assert intact.exit_code == 0, intact.output
    assert f"compared with the chain heads in {path}" in intact.output
    ids = _events_of(session, "NSH-DEMO-011")
    _tamper(session, f"DELETE FROM jobs WHERE event_id = {ids[-1]}; "
                     f"DELETE FROM events WHERE id = {ids[-1]}")  # fmt: skip
    caught = cli("audit", "verify")
    assert caught.exit_code == 1
    assert f"compared with the chain heads in {path}" in caught.output
    assert "BROKEN Northshire NSH-DEMO-011: the chain has 1 events, 2 when" in caught.output
    assert "1 of 1 cases do not verify" in caught.output
    skipped = cli("audit", "verify", "--no-heads")
    assert skipped.exit_code == 0 and "--no-heads" in skipped.output
    refused = cli("audit", "export-heads")
    assert refused.exit_code != 0 and "no heads were exported" in refused.output
    assert len(list((tmp_path / "heads").iterdir())) == 1


def test_cli_verify_against_a_file_and_its_refusals(
    cli: Any, session: Session, opened: Any, tmp_path: Path
) -> None:
    saved = cli("audit", "verify", "--json", "--no-heads")
    heads = tmp_path / "saved.json"
    heads.write_text(saved.stdout)
    _rewrite_chain(session, "NSH-DEMO-011", owner="reviewer")
    caught = cli("audit", "verify", "--against", str(heads))
    assert caught.exit_code == 1 and "the saved head is not in the chain" in caught.output
    old = tmp_path / "scheme1.json"
    old.write_text(json.dumps({"heads": json.loads(saved.stdout)["heads"]}))
    refused = cli("audit", "verify", "--against", str(old))
    assert refused.exit_code == 2 and "chain scheme 1" in refused.output
    both = cli("audit", "verify", "--against", str(heads), "--no-heads")
    assert both.exit_code == 2


# --- the migration re-seals existing chains ---------------------------------------------------


@pytest.fixture
def blank_url(tmp_path: Path) -> str:
    """An empty SQLite file (test_postgres.py hands an empty PostgreSQL database instead)."""
    return f"sqlite:///{tmp_path / 'blank.db'}"


def _at_0010_with_an_amended_case(url: str) -> None:
    """A case as the store held it before 0011: the row never updated, one amendment."""
    from tests.review_flows.test_audit import _seed_first_revision_case

    upgrade_database(url, "0001")
    _seed_first_revision_case(url)
    upgrade_database(url, "0004")
    engine = build_engine(url)
    with engine.begin() as connection:
        connection.execute(text(
            'INSERT INTO events (id, case_id, kind, "on", note, recorded_at, recorded_by, amends, '
            "amended_to) VALUES (3, 1, 'amended', '2025-11-07', 'date was wrong', "
            "'2025-11-07 10:00:00+00:00', 'bm', 'incident_date', '2025-11-02')"
        ))  # fmt: skip
    engine.dispose()
    upgrade_database(url, "0010")


def test_the_upgrade_reseals_existing_chains_which_then_verify(blank_url: str) -> None:
    from review_flows.case_queries import get_case

    _at_0010_with_an_amended_case(blank_url)
    upgrade_database(blank_url)
    engine = build_engine(blank_url)
    with Session(engine) as session:
        report = verify_log(session)
        record = get_case(session, "OLD-2025-001")
        facts = session.execute(text("SELECT case_facts FROM events WHERE id = 1")).scalar_one()
        _update_case(session, "OLD-2025-001", outcome="serious_harm")
        tampered = verify_log(session)
    engine.dispose()
    assert report.intact and (report.cases, report.events) == (1, 3)
    assert record.case.incident_date == dt.date(2025, 11, 2)  # the row took its amendment
    assert json.loads(facts)["incident_date"] == "2025-11-03"  # the facts it was opened with
    (found,) = tampered.breaks
    assert "outcome in the row (serious_harm) differs from its event log (death)" in (
        found.describe()
    )


def test_the_upgrade_refuses_to_reseal_a_chain_already_tampered_with(blank_url: str) -> None:
    from core.errors import AuditLogBroken

    _at_0010_with_an_amended_case(blank_url)
    engine = build_engine(blank_url)
    with Session(engine) as session:
        _tamper(session, "UPDATE events SET note = 'rewritten' WHERE id = 2")
    engine.dispose()
    with pytest.raises(AuditLogBroken, match="case id 1: event #2 was edited"):
        upgrade_database(blank_url)
    assert current_revision(blank_url) == "0010"


def test_cli_amend_hands_a_case_to_another_owner_and_the_log_verifies(
    cli: Any, session: Session, opened: Any
) -> None:
    handed = cli("case", "amend", "NSH-DEMO-011", "--owner", "reviewer", "--reason",
                 "handed to the lead reviewer", "--by", "bm")  # fmt: skip
    assert handed.exit_code == 0, handed.output
    assert "amended: owner is now reviewer" in handed.output
    owner = session.execute(text("SELECT owner FROM cases WHERE reference = 'NSH-DEMO-011'"))
    assert owner.scalar_one() == "reviewer"
    assert cli("audit", "verify", "--no-heads").exit_code == 0
