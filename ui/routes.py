"""The routes the workbench's server (``ui/server.py``) serves beside Streamlit's, for what a
websocket cannot do:

- ``POST /session/start`` (body: a session token issued at sign-in, within a minute, once) sets
  it as an HttpOnly cookie: the signed-in page posts it in the background and stays put;
- ``/session/end`` ends the cookie's session and clears the cookie;
- ``/feeds/<token>.ics`` answers a personal calendar subscription, built from the database at
  each fetch, so the calendar follows every change;
- ``/feeds/digest/<token>.atom`` answers a personal subscription to the monthly digests of new
  learning (the last twelve months), built from the library at each fetch.

Unknown, spent and revoked secrets all get the same answer as an address that never existed.
"""

from __future__ import annotations

import datetime as dt
import functools
from contextlib import AbstractContextManager

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from core.errors import WorkbenchError
from core.settings import get_settings
from review_flows import web_sessions

NOT_FOUND = "Not found"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@functools.cache
def _prepared(url: str) -> str:
    """Migrate an empty database once per process, as the pages do (ui/resources.py)."""
    from core.migrations import prepare_database

    prepare_database(url)
    return url


def _session() -> AbstractContextManager[Session]:
    from core.db import open_session

    return open_session(_prepared(get_settings().resolved_database_url))


async def start_session(request: Request) -> Response:
    token = (await request.body())[:200].decode("ascii", "replace")
    with _session() as session:
        handed = bool(token) and web_sessions.hand_over(session, token, now=_now())
    if not handed:
        return PlainTextResponse(NOT_FOUND, status_code=404)
    settings = get_settings()
    answer = Response(status_code=204, headers={"Cache-Control": "no-store"})
    answer.set_cookie(
        web_sessions.COOKIE, token, max_age=settings.session_max_hours * 3600, path="/",
        httponly=True, samesite="strict", secure=settings.app_url.startswith("https://"),
    )  # fmt: skip
    return answer


def end_session(request: Request) -> Response:
    token = request.cookies.get(web_sessions.COOKIE)
    if token:
        with _session() as session:
            web_sessions.end(session, token)
    answer = Response(status_code=204, headers={"Cache-Control": "no-store"})
    answer.delete_cookie(web_sessions.COOKIE, path="/")
    return answer


def calendar(request: Request) -> Response:
    from review_flows.feed_links import feed_for_token

    settings = get_settings()
    with _session() as session:
        feed = feed_for_token(session, request.path_params["token"], today=dt.date.today(),
                              settings=settings)  # fmt: skip
    if feed is None:
        return PlainTextResponse(NOT_FOUND, status_code=404)
    return Response(
        feed.data, media_type="text/calendar; charset=utf-8",
        headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"},
    )  # fmt: skip


#: How many months (the last complete ones) the digest feed holds.
DIGEST_FEED_MONTHS = 12


def digest_feed(request: Request) -> Response:
    from zoneinfo import ZoneInfo

    from core.digest_model import Month
    from learning.digest import read_digests
    from learning.errors import LearningError
    from review_flows.digest_feeds import digest_feed_url, feed_editions
    from review_flows.digest_text import to_atom

    settings = get_settings()
    token = request.path_params["token"]
    with _session() as session:
        found = feed_editions(session, token, request.query_params.get("partnership"))
    if found is None:
        return PlainTextResponse(NOT_FOUND, status_code=404)
    today = dt.datetime.now(ZoneInfo(settings.sweep_timezone)).date()
    months = Month.before(today).back(DIGEST_FEED_MONTHS)
    try:  # themes from the cache only: a fetch does not wait for the model
        digests = read_digests(months, None, settings)
    except (LearningError, WorkbenchError):
        digests = []  # no library yet: a feed with no entries, as for months with none
    atom = to_atom(digests, partnerships=found[1], app_url=settings.app_url,
                   feed_url=digest_feed_url(settings, token))  # fmt: skip
    return Response(
        atom, media_type="application/atom+xml; charset=utf-8",
        headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"},
    )  # fmt: skip


ROUTES = [
    Route("/session/start", start_session, methods=["POST"]),
    Route("/session/end", end_session, methods=["POST"]),
    Route("/feeds/{token}.ics", calendar, methods=["GET"]),
    Route("/feeds/digest/{token}.atom", digest_feed, methods=["GET"]),
]
