"""The workbench's pages against the services behind them, side by side in one run.

- **Deadlines** for 1,000 open cases (an admin sees them all): the page run by Streamlit's
  AppTest (script, services and rendering to elements; no browser) against the service alone
  (``review_flows.deadlines.deadline_rows``). Target: the page under 2 s.
- **Search**, warm: the Search page answering a query (the engine already loaded) against the
  engine's own ``search_library`` for the same query. Target: under 1 s.

The browser's own paint adds to these; the browser test prints what a user sees.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.bench_cases_db import TODAY, load_database
from benchmarks.table import BenchTable

REPO = Path(__file__).resolve().parents[1]
CASES = 1_000
QUERIES = (
    "bruising in a non-mobile baby",
    "information sharing between health visitor and social care",
    "neglect of a teenager missing from education",
    "domestic abuse and the mother's new partner",
    "disguised compliance with the child protection plan",
)


def _timed(work: Any) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def _median_of(runs: int, work: Any) -> float:
    return statistics.median(_timed(work) for _ in range(runs))


def _deadlines(folder: Path) -> tuple[float, float, int]:
    from sqlmodel import Session
    from streamlit.testing.v1 import AppTest

    from core.access import Viewer
    from core.db import build_engine
    from core.roles import Role
    from review_flows.deadlines import deadline_rows

    url = f"sqlite:///{folder / 'cspr.db'}"
    load_database(url, CASES)
    admin = Viewer("admin", Role.ADMIN, None, "Admin")
    engine = build_engine(url)
    rows: list[Any] = []

    def service() -> None:
        with Session(engine) as session:
            rows[:] = deadline_rows(session, admin, today=TODAY)

    def page() -> None:
        at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
        at.session_state["viewer"] = admin
        at.session_state["last_seen"] = dt.datetime.now(dt.UTC)
        at.switch_page("ui/pages/deadlines.py").run()
        assert not at.exception, at.exception

    service_s = _median_of(3, service)
    page_s = _median_of(3, page)
    engine.dispose()
    return service_s, page_s, len(rows)


def _search(folder: Path) -> tuple[float, float]:
    from streamlit.testing.v1 import AppTest

    from core.access import Viewer
    from core.roles import Role
    from learning.ingest import ingest_paths
    from learning.library import search_library
    from learning.runtime import build_encoder
    from learning.search import open_engine
    from learning.search_form import SearchMode

    index_dir = folder / "index"
    ingest_paths([REPO / "corpus" / "reviews"], index_dir, build_encoder())
    engine = open_engine(index_dir, build_encoder())
    from learning.filters import parse_filters

    no_filters = parse_filters([])
    search_library(engine, QUERIES[0], SearchMode.PASSAGES, no_filters)  # warm
    service_s = statistics.median(
        _timed(lambda q=q: search_library(engine, q, SearchMode.PASSAGES, no_filters))
        for q in QUERIES
    )
    reviewer = Viewer("reviewer", Role.REVIEWER, None, "Reviewer")
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=300)
    at.session_state["viewer"] = reviewer
    at.session_state["last_seen"] = dt.datetime.now(dt.UTC)
    at.switch_page("ui/pages/search.py").run()
    at.text_input(key="search_query").input(QUERIES[0]).run()  # warms the app's engine
    times = []
    for query in QUERIES:
        times.append(_timed(lambda q=query: at.text_input(key="search_query").input(q).run()))
        assert not at.exception, at.exception
    return service_s, statistics.median(times)


def run() -> list[BenchTable]:
    from core.settings import get_settings

    with tempfile.TemporaryDirectory(prefix="bench-app-") as name:
        folder = Path(name)
        os.environ["CSPR_DATA_DIR"] = str(folder)
        os.environ.pop("CSPR_DATABASE_URL", None)
        os.environ.pop("CSPR_INDEX_DIR", None)
        get_settings.cache_clear()
        deadline_service, deadline_page, rows = _deadlines(folder)
        search_service, search_page = _search(folder)
        get_settings.cache_clear()
    table = (
        ("Deadlines", f"{rows:,} open cases", deadline_service, deadline_page, 2.0),
        ("Search (warm)", f"median of {len(QUERIES)} queries", search_service, search_page, 1.0),
    )
    return [
        BenchTable(
            title="Workbench pages (AppTest, no browser) beside their services",
            headers=("page", "work", "service s", "page s", "page / service", "target"),
            rows=tuple(
                (name, work, f"{svc:.2f}", f"{pg:.2f}", f"{pg / svc:.1f}x", f"< {target:.0f} s")
                for name, work, svc, pg, target in table
            ),
            notes=(
                "Deadlines: median of 3 runs each; the page includes building the table, chart "
                "and calendar-feed download. Search: the corpus indexed with the real model "
                f"first; today = {TODAY.isoformat()} for the cases."
            ),
        )
    ]
