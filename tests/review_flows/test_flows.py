"""Real Prefect flow runs under one session-scoped test server, and (slow) a real
``prefect server start`` serving the deployments whose scheduled sweep runs and completes."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, select

from benchmarks.loopback import free_port
from review_flows.models import Notice

D = dt.date


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=90):
        yield


@pytest.fixture
def flow_settings(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from core.settings import get_settings

    monkeypatch.setenv("CSPR_DATABASE_URL", db_url)
    monkeypatch.setenv("CSPR_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CSPR_SMTP_HOST", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.slow
def test_sweep_and_event_flows_run_in_prefect(
    prefect_server: None, flow_settings: None, session: Session, case_factory, contacts
) -> None:
    from review_flows.flows.case_events import case_event
    from review_flows.flows.sweep import deadline_sweep
    from review_flows.jobs import pending_jobs

    case_factory(events=(("notified", D(2026, 1, 8)),))
    (job,) = pending_jobs(session)
    assert case_event(job.id, today="2026-03-31") == 1
    first = deadline_sweep(today="2026-03-31")
    second = deadline_sweep(today="2026-03-31")
    assert first["sent"] and second["sent"] == []
    assert second["skipped_already_sent"] == len(first["sent"])
    assert first["jobs"] == {"done": 0, "failed": []}
    session.expire_all()
    assert len(session.exec(select(Notice)).all()) == len(first["sent"]) + 1


@pytest.mark.slow
def test_a_failing_publication_is_retried_by_prefect_then_succeeds(
    prefect_server: None, flow_settings: None, session: Session, case_factory, contacts,
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    from review_flows import dispatch
    from review_flows.cases import record_event
    from review_flows.flows import publication as definitions
    from review_flows.jobs import pending_jobs, publication_status
    from review_flows.models import CaseEventCreate, JobKind
    from tests.review_flows.test_sweep import PUBLISHED_PATH, REPORT

    record = case_factory(events=PUBLISHED_PATH)
    report = tmp_path / "publications" / "report.md"  # the folder the job reads
    report.parent.mkdir()
    report.write_text(REPORT)
    record_event(
        session, record.case.reference, CaseEventCreate(kind="published", on=D(2026, 3, 30)),
        recorded_by="tester", today=D(2026, 3, 31), report_path=str(report),
    )  # fmt: skip
    (job,) = pending_jobs(session, kind=JobKind.PUBLISH)
    real_publish = dispatch.publish_in_process
    calls = []

    def flaky(job_id: int, today: D) -> str:
        calls.append(job_id)
        if len(calls) == 1:
            raise OSError("the report's file share is not mounted yet")
        from learning.encoder import FakeEncoder

        monkeypatch.setattr("learning.runtime.build_encoder", FakeEncoder)
        return real_publish(job_id, today)

    monkeypatch.setattr(dispatch, "publish_in_process", flaky)
    fast = definitions.ingest_published_report.with_options(retry_delay_seconds=0)
    monkeypatch.setattr(definitions, "ingest_published_report", fast)
    assert definitions.publication(job.id, today="2026-03-31") == "nsh-2026-001-cspr"
    assert calls == [job.id, job.id]
    session.expire_all()
    assert publication_status(session, record.case.id).startswith("report in the learning index")


@pytest.mark.slow
@pytest.mark.timeout(400)
def test_a_real_server_runs_the_scheduled_sweep(db_url: str, tmp_path: Path) -> None:
    """`cspr server` + `cspr serve` with the sweep every minute: a scheduled run completes."""
    port = free_port()
    env = {
        **os.environ,
        "CSPR_DATA_DIR": str(tmp_path),
        "CSPR_DATABASE_URL": db_url,
        "CSPR_PREFECT_PORT": str(port),
        "CSPR_SWEEP_CRON": "* * * * *",
    }
    env.pop("PREFECT_API_URL", None)
    env.pop("CSPR_PREFECT_API_URL", None)
    cspr = [sys.executable, "-m", "cspr.cli.main"]
    logs = tmp_path / "logs"
    logs.mkdir()
    children = []
    try:
        for command, log in ((["server"], "server.log"), (["serve"], "serve.log")):
            out = (logs / log).open("wb")
            child = subprocess.Popen(
                [*cspr, *command], env=env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
            children.append(child)
            if command == ["server"]:
                from cspr.cli.processes import wait_for_api

                assert wait_for_api(f"http://127.0.0.1:{port}/api", 120, children[0]), (
                    logs / "server.log"
                ).read_text()[-2000:]
        state = _wait_for_completed_sweep(f"http://127.0.0.1:{port}/api", 240)
        assert state == "COMPLETED", (logs / "serve.log").read_text()[-3000:]
    finally:
        from cspr.cli.processes import _stop

        _stop(children)
    assert all(child.poll() is not None for child in children)


def _wait_for_completed_sweep(api: str, seconds: float) -> str | None:
    import json
    import urllib.request

    deadline = time.monotonic() + seconds
    body = json.dumps({"flows": {"name": {"any_": ["deadline-sweep"]}}}).encode()
    last = None
    while time.monotonic() < deadline:
        request = urllib.request.Request(
            f"{api}/flow_runs/filter", data=body, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310
                runs = json.loads(answer.read())
        except OSError:
            runs = []
        states = {run["state_type"] for run in runs if run.get("state_type")}
        if "COMPLETED" in states:
            return "COMPLETED"
        last = states or last
        time.sleep(3)
    return str(last)


@pytest.mark.slow
def test_ingest_folder_flow_runs_one_task_per_document_and_caches_by_content(
    prefect_server: None, flow_settings: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from learning.encoder import FakeEncoder
    from learning.flows.ingest import ingest_folder
    from learning.index import open_index
    from tests.learning.factories import write_corpus

    monkeypatch.setattr("learning.runtime.build_encoder", FakeEncoder)
    folder = tmp_path / "reviews"
    write_corpus(folder)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 not really a pdf")
    index_dir = tmp_path / "flow-index"
    first = ingest_folder(str(folder), str(index_dir))
    assert first["documents"] == len(list(folder.iterdir()))
    assert [Path(f["path"]).name for f in first["failed"]] == ["broken.pdf"]
    index = open_index(index_dir)
    try:
        indexed = len(index.store.documents())
    finally:
        index.close()
    assert indexed == first["documents"] - 1
    calls = []
    monkeypatch.setattr("learning.ingest.ingest_paths", lambda *a, **k: calls.append(a))
    second = ingest_folder(str(folder), str(index_dir))
    assert second["documents"] == first["documents"]
    assert len(calls) <= 1  # the unchanged documents come from the task cache


@pytest.mark.slow
def test_the_theme_tagger_is_retrained_by_its_flow_once_decisions_accumulate(
    prefect_server: None, flow_settings: None, db_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """A real SQLite database and a real small index (the data folder's): the flow trains
    nothing before the setting's number of decisions, then stores a head the tags use."""
    from core.settings import get_settings
    from learning.encoder import FakeEncoder
    from learning.flows.tagger import retrain_theme_tagger
    from learning.themes.head_store import head_path
    from learning.themes.retraining import retrain_check
    from tests.learning.themes.conftest import build_index
    from tests.learning.themes.test_learned_tagger import DOCS, decide_all

    monkeypatch.setattr("learning.runtime.build_encoder", FakeEncoder)
    monkeypatch.setenv("CSPR_TAGGER_RETRAIN_AFTER", "8")
    get_settings.cache_clear()
    index_dir = build_index(tmp_path / "index", DOCS, FakeEncoder())
    assert retrain_theme_tagger(only_if_due=True) is None
    assert not head_path(index_dir).exists()
    decide_all(db_url)
    report = retrain_theme_tagger(only_if_due=True)
    assert report is not None and "domestic_abuse" in report["learned"]
    assert report["decisions"] == 8 and report["version"].startswith("learned-")
    stored = json.loads(head_path(index_dir).read_text(encoding="utf-8"))
    assert stored["version"] == report["version"]
    assert retrain_check(get_settings()).since == 0
    assert retrain_theme_tagger(only_if_due=True) is None  # nothing new since
