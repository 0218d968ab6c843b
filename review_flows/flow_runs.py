"""The Prefect flow runs of one case, for the Case page: what its events started on the server.

Event jobs are submitted as flow runs named ``"<case reference> <event kind>"`` and tagged with
the case's partnership (``review_flows.dispatch``), so a case's runs are found by both. Without
a configured server, or when it cannot be reached, there are no runs and a note says why;
Prefect is imported only when there is a server to ask (it is slow to import).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from prefect.client.orchestration import SyncPrefectClient

logger = logging.getLogger(__name__)

NO_SERVER = "No Prefect server is configured (CSPR_PREFECT_API_URL): follow-ups ran in-process."
REQUEST_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class FlowRunLine:
    name: str
    flow_name: str
    state: str
    started: dt.datetime | None
    url: str


@dataclass(frozen=True)
class FlowRunsView:
    runs: tuple[FlowRunLine, ...] = ()
    note: str | None = None


def flow_run_url(api_url: str, run_id: object) -> str:
    """The run's page in the Prefect UI, served next to the API (``.../api`` dropped)."""
    return f"{api_url.rstrip('/').removesuffix('/api')}/runs/flow-run/{run_id}"


def case_flow_runs(
    reference: str, partnership: str, *, api_url: str | None, limit: int = 20
) -> FlowRunsView:
    """The newest ``limit`` flow runs of case ``reference`` (tagged ``partnership``)."""
    if not api_url:
        return FlowRunsView(note=NO_SERVER)
    import httpx
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_REQUEST_TIMEOUT, PREFECT_API_URL, temporary_settings

    updates = {PREFECT_API_URL: api_url, PREFECT_API_REQUEST_TIMEOUT: REQUEST_TIMEOUT_SECONDS}
    try:
        with temporary_settings(updates=updates), get_client(sync_client=True) as client:
            runs, flow_names = _read_runs(client, reference, partnership, limit)
    # RuntimeError: the client refuses a server of another API version
    except (httpx.HTTPError, RuntimeError) as problem:
        logger.warning("flow runs of %s not read from %s: %s", reference, api_url, problem)
        return FlowRunsView(note=f"The Prefect server at {api_url} cannot be reached: {problem}")
    lines = tuple(
        FlowRunLine(
            name=run.name,
            flow_name=flow_names.get(run.flow_id, ""),
            state=run.state_name or "",
            started=run.start_time,
            url=flow_run_url(api_url, run.id),
        )  # fmt: skip
        for run in runs
    )
    return FlowRunsView(lines, None if lines else "No flow runs of this case on the server yet.")


def _read_runs(
    client: SyncPrefectClient, reference: str, partnership: str, limit: int
) -> tuple[list[Any], dict[Any, str]]:
    from prefect.client.schemas.filters import (
        FlowFilter,
        FlowFilterId,
        FlowRunFilter,
        FlowRunFilterName,
        FlowRunFilterTags,
    )
    from prefect.client.schemas.sorting import FlowRunSort

    found = client.read_flow_runs(
        flow_run_filter=FlowRunFilter(
            name=FlowRunFilterName(like_=reference), tags=FlowRunFilterTags(all_=[partnership])
        ),
        # expected start is set on every run, pending ones too
        sort=FlowRunSort.EXPECTED_START_TIME_DESC,
        limit=limit,
    )
    # like_ matches anywhere in the name; a case's runs start with its reference
    runs = [run for run in found if run.name.partition(" ")[0] == reference]
    if not runs:
        return [], {}
    flows = client.read_flows(
        flow_filter=FlowFilter(id=FlowFilterId(any_=list({run.flow_id for run in runs})))
    )
    return runs, {flow.id: flow.name for flow in flows}
