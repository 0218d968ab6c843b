"""Finding 1 of issue 22 on the Case page: no field takes a server path; a published report is
uploaded with the event and handed to a worker (its job waits; nothing is ingested here)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from core.db import open_session
from review_flows.events import EventKind
from review_flows.models import Case, CaseEvent, Job, JobKind
from tests.review_flows.test_sweep import REPORT
from tests.ui.case_pages import _one, _open_case, _record
from tests.ui.conftest import PANEL, AppFactory

PUBLISHED_READY = "NSH-DEMO-011"  # the panel member of the finding published this one


@pytest.fixture
def dispatched(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """What the page hands to the detached dispatch process (not started here)."""
    calls: list[dict[str, Any]] = []

    def record(job_ids: Any, settings: Any = None, *, ingest_here: bool = True) -> None:
        calls.append({"ids": list(job_ids), "ingest_here": ingest_here})

    monkeypatch.setattr("review_flows.dispatch.dispatch_in_background", record)
    return calls


def test_the_record_form_has_no_field_that_takes_a_path(app: AppFactory) -> None:
    at = _open_case(app, PANEL, PUBLISHED_READY)

    assert not at.exception
    labels = [w.label for w in [*at.text_input, *at.text_area]]
    assert "Note (no names or personal details)" in labels  # the record form is there
    assert not [label for label in labels if "file" in label.lower() or "path" in label.lower()]
    (uploader,) = at.file_uploader
    assert uploader.label == "Published report (for published only, optional)"


def test_a_published_report_uploaded_on_the_case_page_lands_as_a_job_not_in_process(
    app: AppFactory, app_data: Path, db_url: str, dispatched: list[dict[str, Any]]
) -> None:
    _record(db_url, PUBLISHED_READY, EventKind.REPORT_SENT, on=dt.date.today())
    at = _open_case(app, PANEL, PUBLISHED_READY)
    _one(at.selectbox, "Event").set_value(EventKind.PUBLISHED)
    at.file_uploader[0].set_value(("/etc/passwd.md", REPORT.encode(), "text/markdown"))
    _one(at.button, "Record event").click().run()

    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "the report waits as a job" in at.success[0].value
    with open_session(db_url) as session:
        case = session.exec(select(Case).where(Case.reference == PUBLISHED_READY)).one()
        event = session.exec(
            select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "published")
        ).one()
        job = session.exec(
            select(Job).where(Job.event_id == event.id, Job.kind == JobKind.PUBLISH)
        ).one()
    stored = Path(job.report_path or "")
    assert stored.parent == app_data / "publications" and stored.read_text() == REPORT
    assert stored.name.startswith("nsh-demo-011-published-")
    assert job.done_at is None  # waits for a worker
    assert dispatched and all(call["ingest_here"] is False for call in dispatched)
    assert not (app_data / "index").exists()  # nothing read or embedded in the app's process
    assert event.on == dt.date.today()


def test_a_drop_folder_name_is_offered_only_when_an_admin_set_one_up_and_escapes_are_refused(
    app: AppFactory, app_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    dispatched: list[dict[str, Any]],
) -> None:  # fmt: skip
    from core.settings import get_settings

    drop = tmp_path / "drop"
    drop.mkdir()
    secret = tmp_path / "secrets.txt"
    secret.write_text("The database password for production is hunter2")
    monkeypatch.setenv("CSPR_PUBLICATION_DROP_DIR", str(drop))
    get_settings.cache_clear()
    try:
        at = _open_case(app, PANEL, PUBLISHED_READY)
        _one(at.selectbox, "Event").set_value(EventKind.PUBLISHED)
        name = "Or the file name of the report in the publication drop folder"
        _one(at.text_input, name).input("../secrets.txt")
        _one(at.button, "Record event").click().run()
    finally:
        get_settings.cache_clear()

    assert [e.value.replace("\\", "") for e in at.error] == [
        "Not recorded: there is no report named '../secrets.txt' in the publication drop folder"
    ]
    assert not (app_data / "publications").exists() and dispatched == []
