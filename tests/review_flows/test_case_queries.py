"""Reading cases on a real migrated database (SQLite here; test_postgres.py runs them on
PostgreSQL): a case's timeline under its rulebook, holiday overrides and local
targets, a pinned rulebook, and the list and summary filtered and ranked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from review_flows.case_queries import case_timeline, list_cases, summarise_cases
from review_flows.errors import RulebookNotFound
from review_flows.lifecycle import Stage
from review_flows.milestones import MilestoneStatus
from tests.review_flows.case_inputs import D, K, _settings


def test_timeline_uses_rulebook_overrides_and_local_targets(
    session: Session, case_factory: Any, today: D, tmp_path: Path
) -> None:
    record = case_factory(events=((K.NOTIFIED, D(2026, 1, 8)),))
    plain = case_timeline(session, record.case.reference, today=today, settings=_settings())
    assert plain.ruleset_id == "england-cspr-2023"
    assert plain.stage is Stage.NOTIFIED
    assert _due(plain, "notification") == D(2026, 1, 13)  # aware Tue 6 Jan + 5 working days
    overrides = tmp_path / "holidays.yaml"
    overrides.write_text("england:\n  - 2026-01-08\n", encoding="utf-8")
    settings = _settings(
        holiday_overrides_file=overrides,
        local_targets={"england-cspr-2023:panel_decision": 10},
    )
    record = case_factory(events=((K.NOTIFIED, D(2026, 1, 8)), (K.RAPID_REVIEW_SUBMITTED,
                                  D(2026, 1, 20))))  # fmt: skip
    timeline = case_timeline(session, record.case.reference, today=today, settings=settings)
    assert _due(timeline, "notification") == D(2026, 1, 14)  # one working day later
    panel = next(m for m in timeline.milestones if m.milestone == "panel_decision")
    assert (panel.local_target, panel.due) == (True, D(2026, 2, 3))


def _due(timeline: Any, milestone: str) -> D | None:
    return next(m.due for m in timeline.milestones if m.milestone == milestone)


def test_pinned_rulebook_is_used(session: Session, case_factory: Any, today: D) -> None:
    # a partnership that adopted Working Together 2023 late keeps the 2018 edition for 2024
    record = case_factory(ruleset_id="england-cspr-2018", incident_date=D(2024, 11, 4))
    timeline = case_timeline(session, record.case.reference, today=today, settings=_settings())
    assert (timeline.case.ruleset_id, timeline.ruleset_id) == ("england-cspr-2018",) * 2


@pytest.mark.parametrize(
    ("ruleset", "incident", "message"),
    [
        ("england-scr-2015", D(2026, 1, 5),
         r"rulebook england-scr-2015 governs incidents from .* to 2018-06-28, not one on "
         r"2026-01-05; use england-cspr-2023"),
        ("england-cspr-2018", D(2025, 1, 6), "use england-cspr-2023"),
        ("england-cspr-2023", D(2023, 6, 1), "governs incidents from 2024-01-01"),
    ],
)  # fmt: skip
def test_a_pinned_rulebook_must_govern_the_incident(
    case_factory: Any, ruleset: str, incident: D, message: str
) -> None:
    with pytest.raises(RulebookNotFound, match=message):
        case_factory(ruleset_id=ruleset, incident_date=incident)


def test_list_and_summarise_filter_and_rank(session: Session, case_factory: Any, today: D) -> None:
    case_factory("NSH-2026-001")  # notification overdue
    case_factory("NSH-2026-002", events=((K.NOTIFIED, D(2026, 3, 27)),))
    closed = (
        (K.NOTIFIED, D(2026, 1, 7)),
        (K.DECISION_NO_REVIEW, D(2026, 1, 20)),
        (K.CLOSED, D(2026, 2, 2)),
    )
    case_factory("NSH-2026-003", events=closed)
    case_factory("SSH-2026-001", partnership="Southshire", aware_on=D(2026, 3, 30))

    def refs(**filters: Any) -> list[str]:
        return [r.case.reference for r in list_cases(session, **filters)]

    assert refs() == ["NSH-2026-001", "NSH-2026-002", "NSH-2026-003", "SSH-2026-001"]
    assert refs(open_only=True) == ["NSH-2026-001", "NSH-2026-002", "SSH-2026-001"]
    assert refs(partnership="Southshire") == ["SSH-2026-001"]
    assert refs(stage=Stage.CLOSED) == ["NSH-2026-003"]
    assert refs(stage=Stage.NOTIFIED, partnership="Southshire") == []
    rows = summarise_cases(session, today=today, open_only=True, settings=_settings())
    summary = {
        o.case.reference: (o.stage, o.next_due and o.next_due.milestone, o.worst_status)
        for o in rows
    }
    assert summary == {
        "NSH-2026-001": (Stage.INCIDENT_RECORDED, "notification", MilestoneStatus.OVERDUE),
        "NSH-2026-002": (Stage.NOTIFIED, "rapid_review", MilestoneStatus.OVERDUE),
        "SSH-2026-001": (Stage.INCIDENT_RECORDED, "notification", MilestoneStatus.DUE_SOON),
    }
