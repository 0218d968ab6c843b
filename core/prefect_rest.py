"""The few reads the app makes of the Prefect server, over its REST API with ``httpx``.

Why not Prefect's own client: importing it takes 2.5 to 3 s, which the first render of the
Case and Library pages paid in each new app process (the target is 2 s for the whole page);
these reads need two filter endpoints, and ``httpx`` is already loaded. Only reads: the
workers and the CLI submit runs with Prefect itself.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from core.errors import PrefectUnreachable

logger = logging.getLogger(__name__)

REQUEST_TIMEOUT_SECONDS = 5.0
#: Prefect's state types in which a run has ended.
FINAL_STATES = frozenset({"COMPLETED", "FAILED", "CRASHED", "CANCELLED"})


def post_json(
    api_url: str, path: str, body: dict[str, Any], timeout: float = REQUEST_TIMEOUT_SECONDS
) -> Any:
    """POST ``body`` to ``api_url``/``path`` and return the decoded answer;
    :class:`PrefectUnreachable` if the server does not answer or answers with an error."""
    import httpx

    url = f"{api_url.rstrip('/')}/{path.lstrip('/')}"
    try:
        answer = httpx.post(url, json=body, timeout=timeout)
        answer.raise_for_status()
        return answer.json()
    except (httpx.HTTPError, ValueError) as problem:
        logger.warning("Prefect read %s failed: %s", url, problem)
        raise PrefectUnreachable(str(problem) or type(problem).__name__) from problem


def parse_time(value: object) -> dt.datetime | None:
    """A timestamp of Prefect's JSON (ISO 8601, UTC) as an aware datetime; None if absent."""
    if not isinstance(value, str) or not value:
        return None
    parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
