"""A case's Prefect flow runs: a note without a server or when it is down, and (slow) a real
run found by its name and partnership tag under the session's test server."""

from __future__ import annotations

import time

import pytest

from core.flow_runs import NO_SERVER, FlowRunsView, case_flow_runs, flow_run_url
from tests.review_flows.test_flows import prefect_server  # noqa: F401

UNREACHABLE = "http://127.0.0.1:9/api"


def test_without_a_server_the_note_says_follow_ups_ran_in_process() -> None:
    assert case_flow_runs("NSH-2026-001", "Northshire", api_url=None) == FlowRunsView(
        note=NO_SERVER, reachable=False
    )


def test_an_unreachable_server_is_a_note_not_an_error() -> None:
    started = time.monotonic()
    view = case_flow_runs("NSH-2026-001", "Northshire", api_url=UNREACHABLE)

    assert view.runs == () and not view.reachable
    assert view.note is not None
    assert view.note.startswith(f"The Prefect server at {UNREACHABLE} cannot be reached: ")
    assert time.monotonic() - started < 15


@pytest.mark.parametrize(
    ("api_url", "url"),
    [
        ("http://127.0.0.1:4200/api", "http://127.0.0.1:4200/runs/flow-run/42"),
        ("http://127.0.0.1:4200/api/", "http://127.0.0.1:4200/runs/flow-run/42"),
        ("https://prefect.example/x/api", "https://prefect.example/x/runs/flow-run/42"),
    ],
)
def test_a_run_url_is_the_ui_next_to_the_api(api_url: str, url: str) -> None:
    assert flow_run_url(api_url, 42) == url


@pytest.mark.slow
def test_a_case_run_is_listed_with_its_state_and_link(prefect_server: None) -> None:  # noqa: F811
    from prefect import flow, tags
    from prefect.settings import PREFECT_API_URL

    @flow(name="tiny-case-flow")
    def tiny() -> int:
        return 1

    with tags("Northshire"):
        tiny.with_options(flow_run_name="NSH-2026-001 notified")()
        tiny.with_options(flow_run_name="NSH-2026-0010 notified")()  # another case
    with tags("Southshire"):
        tiny.with_options(flow_run_name="NSH-2026-001 notified")()  # another partnership
    api_url = PREFECT_API_URL.value()

    view = case_flow_runs("NSH-2026-001", "Northshire", api_url=api_url)

    assert view.note is None
    [line] = view.runs
    assert (line.name, line.flow_name, line.state) == (
        "NSH-2026-001 notified", "tiny-case-flow", "Completed",
    )  # fmt: skip
    assert line.started is not None
    assert line.url.startswith(api_url.removesuffix("/api") + "/runs/flow-run/")
