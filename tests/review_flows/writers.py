"""Writer processes for the concurrent-writers test: each opens its own engine on the shared
database and writes through the services, as the app, the flows and the CLI do.

Module level (not in the test file) so that ``multiprocessing``'s spawn can import them.
"""

from __future__ import annotations

import datetime as dt
import random
import traceback

from sqlmodel import Session

from core.errors import WorkbenchError

TODAY = dt.date(2026, 3, 31)
NOTIFIED_ON = dt.date(2026, 1, 7)


def record_events(url: str, name: str, references: list[str], delays: int, seed: int) -> dict:
    """Try ``notified`` on every case (only one writer may succeed per case) and record
    ``delays`` delay notes spread over the cases; report what succeeded and any failure."""
    from core.db import build_engine
    from review_flows.cases import record_event
    from review_flows.models import CaseEventCreate

    engine = build_engine(url)
    chooser = random.Random(seed)
    attempts: list[tuple[str, str, str | None]] = [
        (reference, "notified", None) for reference in references
    ]
    attempts += [
        (chooser.choice(references), "delay_recorded", f"{name} delay {number}")
        for number in range(delays)
    ]
    chooser.shuffle(attempts)
    recorded: list[tuple[str, str, str | None, int]] = []
    refused: list[str] = []
    failures: list[str] = []
    for reference, kind, note in attempts:
        on = NOTIFIED_ON if kind == "notified" else TODAY
        try:
            with Session(engine, expire_on_commit=False) as session:
                event = record_event(
                    session,
                    reference,
                    CaseEventCreate(kind=kind, on=on, note=note),
                    recorded_by=name,
                    today=TODAY,
                )
            recorded.append((reference, kind, note, event.id))
        except WorkbenchError as refusal:
            refused.append(f"{reference} {kind}: {refusal}")
        except Exception:  # noqa: BLE001 - the test reports every unexpected failure
            failures.append(traceback.format_exc(limit=3))
    engine.dispose()
    return {"recorded": recorded, "refused": refused, "failures": failures}


def sweep_repeatedly(url: str, rounds: int) -> dict:
    """Run the deadline sweep (inbox only) ``rounds`` times, as the scheduled flow does."""
    from core.db import build_engine
    from review_flows.notify.channels import InboxChannel
    from review_flows.notify.kinds import Channel
    from review_flows.sweep import run_sweep

    engine = build_engine(url)
    sent = 0
    failures: list[str] = []
    for _ in range(rounds):
        try:
            with Session(engine, expire_on_commit=False) as session:
                report = run_sweep(session, today=TODAY, channels={Channel.INBOX: InboxChannel()})
            sent += len(report.delivery.sent)
        except Exception:  # noqa: BLE001
            failures.append(traceback.format_exc(limit=3))
    engine.dispose()
    return {"sent": sent, "failures": failures}
