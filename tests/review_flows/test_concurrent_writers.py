"""Several processes write at once: three service writers (as the app and the flows), one
writing through the `cspr` command, and two deadline sweeps, on the same cases.

Afterwards every recorded event is in the log exactly once, only one ``notified`` per case got
through (the read-validate-append step is serialised per case), every case's log still
validates and its hash chain holds, no notice went twice, and no writer met an unhandled error
such as SQLite's "database is locked". Runs on SQLite here and on PostgreSQL in
test_postgres.py (through the ``db_url`` fixture).
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor

import pytest
from sqlalchemy import text
from sqlmodel import Session

from core.db import build_engine
from review_flows.audit_log import verify_log
from tests.review_flows.writers import TODAY, record_events, sweep_repeatedly

CASES = 6
SERVICE_WRITERS = 3
DELAYS_PER_WRITER = 60
CLI_EVENTS = 4
SWEEPERS = 2


def _cli_writes(url: str, references: list[str]) -> list[tuple[str, str, int]]:
    """``cspr case event`` as a user at a terminal would run it, one process per event."""
    env = {**os.environ, "CSPR_DATABASE_URL": url, "CSPR_PREFECT_API_URL": ""}
    done = []
    for number in range(CLI_EVENTS):
        reference = references[number % len(references)]
        note = f"cli delay {number}"
        result = subprocess.run(
            [sys.executable, "-m", "cspr", "case", "event", reference, "delay_recorded",
             TODAY.isoformat(), "--note", note, "--by", "cli", "--today", TODAY.isoformat()],
            env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        done.append((note, result.returncode, result.stderr[-500:]))
    return done


@pytest.mark.slow
def test_concurrent_writers_lose_nothing_and_double_nothing(
    db_url: str, case_factory: object, contacts: list
) -> None:
    references = [case_factory().case.reference for _ in range(CASES)]  # type: ignore[operator]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(SERVICE_WRITERS + SWEEPERS, mp_context=context) as pool:
        writers = [
            pool.submit(record_events, db_url, f"writer{n}", references, DELAYS_PER_WRITER, n)
            for n in range(SERVICE_WRITERS)
        ]
        sweeps = [pool.submit(sweep_repeatedly, db_url, 5) for _ in range(SWEEPERS)]
        cli = _cli_writes(db_url, references)
        results = [future.result(timeout=600) for future in writers]
        swept = [future.result(timeout=600) for future in sweeps]

    failures = [f for result in results + swept for f in result["failures"]]
    assert failures == []
    assert [(note, code) for note, code, _ in cli] == [
        (f"cli delay {n}", 0) for n in range(CLI_EVENTS)
    ], cli

    recorded = [row for result in results for row in result["recorded"]]
    notified = Counter(reference for reference, kind, _, _ in recorded if kind == "notified")
    assert notified == Counter(references)  # exactly one writer won each case
    refused = [line for result in results for line in result["refused"]]
    assert len(refused) == CASES * (SERVICE_WRITERS - 1)
    assert all("notified" in line for line in refused)

    engine = build_engine(db_url)
    with Session(engine) as session:
        stored = session.execute(
            text("SELECT id, kind, note FROM events WHERE kind <> 'aware' ORDER BY id")
        ).all()
        notes = Counter(note for _, kind, note in stored if kind == "delay_recorded")
        expected = Counter(note for _, kind, note, _ in recorded if kind == "delay_recorded")
        expected.update(note for note, _, _ in cli)
        assert notes == expected  # every delay once, none invented
        assert sum(expected.values()) == SERVICE_WRITERS * DELAYS_PER_WRITER + CLI_EVENTS
        assert {event_id for *_, event_id in recorded} <= {row.id for row in stored}
        notices = session.execute(text("SELECT key, sent_at, attempts FROM notices")).all()
        keys = [key for key, _, _ in notices]
        assert len(keys) == len(set(keys)) > 0
        assert all(sent_at is not None and attempts == 1 for _, sent_at, attempts in notices)
        swept_keys = [key for key in keys if not key.startswith("event:")]  # not follow-ups
        assert sum(result["sent"] for result in swept) == len(swept_keys)  # each sent once
        report = verify_log(session)
        assert report.intact, [b.describe() for b in report.breaks]
        _assert_every_log_validates(session, references)
    engine.dispose()


def _assert_every_log_validates(session: Session, references: list[str]) -> None:
    from review_flows.case_queries import get_case
    from review_flows.event_validation import validate_log
    from review_flows.lifecycle import Stage

    for reference in references:
        record = get_case(session, reference)
        validate_log(list(record.events), record.case.incident_date, TODAY)
        assert record.stage is Stage.NOTIFIED
