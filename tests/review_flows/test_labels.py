"""Human labels (core.labels): every stored code has one, and the notices a real sweep
and a real follow-up write say what to do in the app, in words, with no raw ids or commands."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest
from sqlmodel import Session, select

from core import labels
from core.settings import Settings
from learning.metadata_vocabulary import AGE_GROUPS, NATIONS, OUTCOMES, REVIEW_TYPES
from review_flows.calendar import Nation
from review_flows.events import EventKind
from review_flows.lifecycle import Stage
from review_flows.models import AgeGroup, JobKind, Notice, Outcome
from review_flows.notify.channels import InboxChannel
from review_flows.notify.kinds import Channel, NoticeKind
from review_flows.sweep import run_sweep

CODES: dict[str, tuple[Iterable[str], Mapping[str, str]]] = {
    "event kinds": (EventKind, labels.EVENT_LABELS),
    "event help": (EventKind, labels.EVENT_HELP),
    "stages": (Stage, labels.STAGE_LABELS),
    "outcomes": (Outcome, labels.OUTCOME_LABELS),
    "age groups": (AgeGroup, labels.AGE_GROUP_LABELS),
    "nations": (Nation, labels.NATION_LABELS),
    "notice kinds": (NoticeKind, labels.NOTICE_KIND_LABELS),
    "job kinds": (JobKind, labels.JOB_KIND_LABELS),
    "channels": (Channel, labels.CHANNEL_LABELS),
    "library outcomes": (OUTCOMES, labels.OUTCOME_LABELS),
    "library age groups": (AGE_GROUPS, labels.AGE_GROUP_LABELS),
    "library review types": (REVIEW_TYPES, labels.REVIEW_TYPE_LABELS),
    "library nations": (NATIONS, labels.NATION_LABELS),
}
#: A code as stored (``rapid_review_submitted``, ``serious_harm``, ``5_9``), not a word.
RAW_ID = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")
COMMAND = re.compile(r"\bcspr [a-z]|(?:^|\s)--[a-z]")


@pytest.mark.parametrize("what", CODES)
def test_every_code_has_a_label_in_words(what: str) -> None:
    codes, table = CODES[what]
    missing = [str(code) for code in codes if str(code) not in table]
    assert missing == []
    for code in codes:
        words = table[str(code)]
        assert words.strip() and not RAW_ID.search(words) and not COMMAND.search(words), words


def test_labels_read_as_a_user_says_them() -> None:
    assert labels.event_label(EventKind.RAPID_REVIEW_SUBMITTED) == "Rapid review submitted"
    assert labels.outcome_label(Outcome.SERIOUS_HARM) == "Serious harm"
    assert labels.age_group_label(AgeGroup.AGE_5_9) == "5\u20139 years"
    assert labels.stage_label(Stage.AWAITING_DECISION) == "Awaiting decision"
    # a void or correction explains itself in the form's words, not a command's flags
    assert labels.event_choice(EventKind.VOID) == (
        "Void an event recorded in error: choose the event in \u201cEvent it corrects or "
        "voids\u201d and say why in the note"
    )
    # a code added later still reads as words, never as the raw id
    assert labels.event_label("panel_reply_chased") == "Panel reply chased"


def test_a_case_link_quotes_the_reference() -> None:
    assert labels.case_link("https://cspr.example.org/", "NSH/2026 7") == (
        "https://cspr.example.org/case?ref=NSH%2F2026%207"
    )


def test_notices_of_a_real_sweep_and_follow_up_say_what_to_do_in_the_app(
    session: Session,
    case_factory,
    contacts,
    today,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    from review_flows.jobs import pending_jobs, run_follow_up

    settings = Settings(data_dir=tmp_path, app_url="https://cspr.example.org")  # type: ignore[call-arg]
    case_factory(reference="NSH-2026-001")  # aware weeks ago: its notification is overdue
    case_factory(reference="NSH-2026-002", events=(("notified", today),), age_group="5_9")
    inbox = {Channel.INBOX: InboxChannel()}
    for job in pending_jobs(session):
        run_follow_up(session, job.id, today=today, channels=inbox, settings=settings)
    run_sweep(session, today=today, settings=settings, channels=inbox)

    notices = session.exec(select(Notice)).all()
    kinds = {notice.kind for notice in notices}
    assert {NoticeKind.REMINDER, NoticeKind.ESCALATION, NoticeKind.EVENT} <= kinds
    for notice in notices:
        for text in (notice.subject, notice.body):
            assert not COMMAND.search(text), text
            assert not RAW_ID.search(text.replace(notice.recipient, "")), text
    for notice in notices:
        if notice.kind in (NoticeKind.REMINDER, NoticeKind.ESCALATION):
            link = f"https://cspr.example.org/case?ref={notice.case_reference}"
            assert notice.body.endswith(f"Record it on the case's page: {link}")
    follow_up = next(n for n in notices if n.kind is NoticeKind.EVENT)
    assert follow_up.subject == "[CSPR] NSH-2026-002: incident notified"
