"""Reviews on their way into the library, as the Library page reads them from Prefect
(issue 23, items 8 and 10): the progress the ingest flow records on its run, its state in
words, and (slow) a real ingest run under the session's test server."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest

from learning.ingest_runs import (
    DEMO_LIBRARY_RUN,
    IngestRun,
    IngestView,
    _ingest_run,
    _still_shown,
    library_ingests,
    progress_fields,
)
from tests.review_flows.test_flows import flow_settings, prefect_server  # noqa: F401

NOW = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)
UNREACHABLE = "http://127.0.0.1:9/api"


def test_the_flow_records_the_counts_and_a_share() -> None:
    assert progress_fields(12, 48) == {
        "data": 25.0,
        "description": "12 of 48 documents done",
        "metadata_": {"done": "12", "total": "48"},
    }
    assert progress_fields(0, 0)["data"] == 100.0  # an empty folder is done


@pytest.mark.parametrize(
    ("run", "progress", "words"),
    [
        (
            {"name": DEMO_LIBRARY_RUN, "tags": ["demo-library"], "state_type": "RUNNING"},
            (12, 49),
            "The demo library (the published reviews the demo comes with): 12 of 49 documents "
            "done; under way.",
        ),
        (
            {
                "name": "upload 20261207T093000Z",
                "tags": ["upload"],
                "state_type": "SCHEDULED",
                "expected_start_time": "2026-12-07T09:30:00Z",
            },
            None,
            "Reviews uploaded at 09:30 UTC on 7 Dec 2026: counting its documents; waiting to "
            "start.",
        ),
        (
            {
                "name": "upload x",
                "tags": ["upload"],
                "state_type": "CRASHED",
                "start_time": "2026-12-07T09:31:02.5+00:00",
            },
            (3, 5),
            "Reviews uploaded at 09:31 UTC on 7 Dec 2026: 3 of 5 documents done; stopped before "
            "it finished.",
        ),
        (
            {"name": "ingest", "tags": [], "state_type": "COMPLETED"},
            (1, 1),
            "Reviews added: 1 of 1 document done; finished.",
        ),
    ],  # fmt: skip
    ids=["demo-running", "upload-waiting", "upload-crashed", "other-finished"],
)
def test_a_run_in_words(
    run: dict[str, object], progress: tuple[int, int] | None, words: str
) -> None:
    assert _ingest_run(run, progress).describe() == words


def test_runs_ended_over_an_hour_ago_are_not_shown() -> None:
    running = {"state_type": "RUNNING", "end_time": None}
    recent = {"state_type": "COMPLETED", "end_time": "2026-12-07T11:30:00Z"}
    old = {"state_type": "FAILED", "end_time": "2026-12-07T10:30:00Z"}

    assert [_still_shown(r, NOW) for r in (running, recent, old)] == [True, True, False]


def test_the_share_done_and_whether_any_is_under_way() -> None:
    half = IngestRun("x", "under way", ended=False, done=5, total=10)
    counting = IngestRun("y", "starting", ended=False)
    done = IngestRun("z", "finished", ended=True, done=2, total=2)

    assert (half.fraction, counting.fraction, done.fraction) == (0.5, None, 1.0)
    assert IngestView((done, half)).under_way and not IngestView((done,)).under_way


def test_without_a_server_nothing_and_an_unreachable_one_is_a_note() -> None:
    assert library_ingests(None, now=NOW) == IngestView()
    started = time.monotonic()
    view = library_ingests(UNREACHABLE, now=NOW)
    assert view.runs == () and view.note is not None
    assert view.note.startswith("Whether reviews are being added cannot be seen now")
    assert time.monotonic() - started < 10


@pytest.mark.slow
def test_an_ingest_run_records_its_progress_and_the_page_reads_it(
    prefect_server: None,  # noqa: F811
    flow_settings: None,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from prefect.settings import PREFECT_API_URL

    from learning.encoder import FakeEncoder
    from learning.flows.ingest import ingest_folder
    from tests.learning.factories import write_corpus

    made: list[FakeEncoder] = []

    def build_encoder() -> FakeEncoder:
        made.append(FakeEncoder())
        return made[-1]

    monkeypatch.setattr("learning.runtime.build_encoder", build_encoder)
    monkeypatch.setattr("os.nice", lambda increment: 0)  # this test process keeps its priority
    write_corpus(tmp_path / "reviews")
    total = len(list((tmp_path / "reviews").iterdir()))

    result = ingest_folder.with_options(flow_run_name="demo library")(
        str(tmp_path / "reviews"), str(tmp_path / "index")
    )

    assert result["documents"] == total and result["failed"] == []
    view = library_ingests(PREFECT_API_URL.value(), now=dt.datetime.now(dt.UTC))
    [run] = [run for run in view.runs if run.what.startswith("The demo library")]
    assert (run.done, run.total, run.state, run.ended) == (total, total, "finished", True)
    assert (tmp_path / "index" / "themes-cache").is_dir()  # the themes worked out in the run
    assert len(made) == 1  # one encoder (one model load) for every document and the themes
