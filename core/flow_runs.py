"""The Prefect flow runs of one case, for the Case page: what its events started on the server.

Event jobs are submitted as flow runs named ``"<case reference> <event kind>"`` and tagged with
the case's partnership (``review_flows.dispatch``), so a case's runs are found by both. Without
a configured server, or when it cannot be reached, there are no runs and a note says why.
The server is read over its REST API (:mod:`core.prefect_rest`): importing Prefect's
client would cost the page's first render 2.5 s.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from core.errors import PrefectUnreachable
from core.prefect_rest import FINAL_STATES, parse_time, post_json

logger = logging.getLogger(__name__)

NO_SERVER = "No Prefect server is configured (CSPR_PREFECT_API_URL): follow-ups ran in-process."


@dataclass(frozen=True)
class FlowRunLine:
    name: str
    flow_name: str
    state: str
    started: dt.datetime | None
    url: str
    ended: bool = True  # in a final state (completed, failed, crashed, cancelled)


@dataclass(frozen=True)
class FlowRunsView:
    runs: tuple[FlowRunLine, ...] = ()
    note: str | None = None
    reachable: bool = True  # False: no server configured, or it did not answer

    @property
    def all_ended(self) -> bool:
        """Whether every run listed has ended (none waiting or running)."""
        return all(run.ended for run in self.runs)


def flow_run_url(api_url: str, run_id: object) -> str:
    """The run's page in the Prefect UI, served next to the API (``.../api`` dropped)."""
    return f"{api_url.rstrip('/').removesuffix('/api')}/runs/flow-run/{run_id}"


def case_flow_runs(
    reference: str, partnership: str, *, api_url: str | None, limit: int = 20
) -> FlowRunsView:
    """The newest ``limit`` flow runs of case ``reference`` (tagged ``partnership``)."""
    if not api_url:
        return FlowRunsView(note=NO_SERVER, reachable=False)
    try:
        runs, flow_names = _read_runs(api_url, reference, partnership, limit)
    except PrefectUnreachable as problem:
        logger.warning("flow runs of %s not read from %s: %s", reference, api_url, problem)
        note = f"The Prefect server at {api_url} cannot be reached: {problem}"
        return FlowRunsView(note=note, reachable=False)
    lines = tuple(
        FlowRunLine(
            name=run["name"],
            flow_name=flow_names.get(run["flow_id"], ""),
            state=run.get("state_name") or "",
            started=parse_time(run.get("start_time")),
            url=flow_run_url(api_url, run["id"]),
            ended=run.get("state_type") in FINAL_STATES,
        )  # fmt: skip
        for run in runs
    )
    return FlowRunsView(lines, None if lines else "No flow runs of this case on the server yet.")


def _read_runs(
    api_url: str, reference: str, partnership: str, limit: int
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    found = post_json(
        api_url,
        "flow_runs/filter",
        {
            "flow_runs": {"name": {"like_": reference}, "tags": {"all_": [partnership]}},
            # expected start is set on every run, pending ones too
            "sort": "EXPECTED_START_TIME_DESC",
            "limit": limit,
        },
    )
    # like_ matches anywhere in the name; a case's runs start with its reference
    runs = [run for run in found if str(run["name"]).partition(" ")[0] == reference]
    if not runs:
        return [], {}
    ids = sorted({run["flow_id"] for run in runs})
    flows = post_json(api_url, "flows/filter", {"flows": {"id": {"any_": ids}}})
    return runs, {flow["id"]: flow["name"] for flow in flows}
