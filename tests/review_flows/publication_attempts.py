"""What the publication tests share: the viewers who try, a server file no user may read,
a case whose report was sent, and the steps of publishing and indexing a report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from core.access import Viewer
from core.roles import Role
from core.settings import Settings
from learning.encoder import FakeEncoder
from learning.index import open_index
from review_flows.case_details import record_next_event
from review_flows.jobs import PublicationFailed, pending_jobs, run_publication
from review_flows.models import JobKind
from review_flows.notify.channels import InboxChannel
from tests.review_flows.test_sweep import PUBLISHED_PATH

D = dt.date
PUBLISHED_ON = D(2026, 3, 30)
SECRET = "The database password for production is hunter2-Correct-Horse"
PANEL = Viewer("panel-northshire", Role.PANEL_MEMBER, partnership="Northshire")
OTHER_PANEL = Viewer("panel-westmere", Role.PANEL_MEMBER, partnership="Westmere")
OWNER = Viewer("rita", Role.REVIEWER)
ANALYST = Viewer("ana", Role.ANALYST)
ADMIN = Viewer("ada", Role.ADMIN)
INBOX = {"inbox": InboxChannel()}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    drop = tmp_path / "drop"
    drop.mkdir()
    return Settings(data_dir=tmp_path / "data", publication_drop_dir=drop)  # type: ignore[call-arg]


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A server file no user may read: next to the drop folder, and linked from inside it."""
    path = tmp_path / "elsewhere" / "secrets.txt"
    path.parent.mkdir()
    path.write_text(f"# Credentials\n\n{SECRET}.\n")
    return path


@pytest.fixture
def sent_ref(case_factory: Any) -> str:
    """A Northshire case whose report was sent: ``published`` is the next event."""
    return str(case_factory(events=PUBLISHED_PATH, owner="rita").case.reference)


def _publish(session: Session, viewer: Viewer, sent_ref: str, settings: Settings,
             report: Any, kind: str = "published") -> Any:  # fmt: skip
    return record_next_event(
        session, viewer, sent_ref, kind=kind, on=PUBLISHED_ON, today=D(2026, 3, 31),
        report=report, settings=settings,
    )  # fmt: skip


def _run_publications(session: Session, settings: Settings) -> list[str]:
    """Every pending publication done as the worker does it; the refusals' messages."""
    refused = []
    for job in pending_jobs(session, kind=JobKind.PUBLISH):
        assert job.id is not None
        try:
            run_publication(
                session, job.id, today=D(2026, 3, 31), channels=INBOX,
                index_dir=settings.resolved_index_dir, encoder_factory=FakeEncoder,
                settings=settings,
            )  # fmt: skip
        except PublicationFailed as failed:
            refused.append(str(failed))
    return refused


def _indexed_text(settings: Settings) -> str:
    if not settings.resolved_index_dir.exists():
        return ""
    index = open_index(settings.resolved_index_dir)
    try:
        return "\n".join(
            unit.text
            for document in index.store.documents()
            for unit in index.store.units_of_review(document.review_id)
        )
    finally:
        index.close()


def _stored(settings: Settings) -> list[str]:
    folder = settings.publications_dir
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []
