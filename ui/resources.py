"""The app's shared resources (``st.cache_resource``): settings, the database engine, the
search engine and encoder. One per process, shared by every session; tests replace them."""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import streamlit as st
from sqlmodel import Session

from core.settings import Settings, get_settings

logger = logging.getLogger(__name__)

#: What the pages import that takes seconds in a new process (pandas alone 1.3 s, altair 0.5 s,
#: the services and the index's libraries): imported in the background while the first user
#: signs in, so that no page's first render waits for them. Not torch: only a search needs it.
WARM_MODULES = (
    "pandas", "pyarrow", "altair", "review_flows.deadlines", "review_flows.case_details",
    "review_flows.workbench", "review_flows.audit_log", "review_flows.partnerships",
    "learning.library", "learning.search", "learning.themes.views",
)  # fmt: skip


def settings() -> Settings:
    return get_settings()


@st.cache_resource(show_spinner=False)
def warm_up() -> threading.Thread:
    """Start importing :data:`WARM_MODULES` in a background thread, once per process (every
    run calls this; only the first starts it)."""

    def work() -> None:
        for name in WARM_MODULES:
            try:
                importlib.import_module(name)
            except ImportError as missing:  # a page importing it later says what is wrong
                logger.warning("warm-up: %s not imported: %s", name, missing)

    thread = threading.Thread(target=work, name="cspr-warm-up", daemon=True)
    thread.start()
    return thread


@st.cache_resource(show_spinner=False)
def _prepared_url(url: str) -> str:
    """Migrate an empty database once per process (the CLI does the same on first use)."""
    from core.migrations import prepare_database

    prepare_database(url)
    return url


@contextmanager
def db_session() -> Iterator[Session]:
    """A short session for one page run (never kept across reruns)."""
    from core.db import open_session

    with open_session(_prepared_url(settings().resolved_database_url)) as session:
        yield session


class _OneThreadEncoder:
    """The model, encoding on one thread: one app process serves every session, and a query's
    encode spread over both cores took the core the other sessions' scripts were waiting for.
    torch is imported on the first encode (a search), not when a page opens the index: the
    import alone took 4 s of the Search page's first render."""

    def __init__(self, encoder: Any) -> None:
        self._encoder = encoder
        self._threads_set = False

    @property
    def name(self) -> str:
        return str(self._encoder.name)

    @property
    def dimension(self) -> int:
        return int(self._encoder.dimension)

    def encode(self, texts: Any) -> Any:
        if not self._threads_set:
            import torch

            torch.set_num_threads(1)
            self._threads_set = True
        return self._encoder.encode(texts)


@st.cache_resource(show_spinner="Opening the library's index (first time only) ...")
def search_engine() -> Any:
    """The learning search engine over the index folder, opened once per process. The model
    behind it loads on the first search that needs it (the Library and Themes pages read the
    index and the cached theme tags only)."""
    from learning.encoder import SentenceTransformerEncoder
    from learning.runtime import build_encoder
    from learning.search import open_engine

    encoder = build_encoder()
    if isinstance(encoder, SentenceTransformerEncoder):
        encoder = _OneThreadEncoder(encoder)
    return open_engine(settings().resolved_index_dir, encoder)


def reviews_being_added() -> bool:
    """Whether an ingest flow run (the demo library, an upload) is under way now."""
    import datetime as dt

    from learning.ingest_runs import library_ingests

    return library_ingests(settings().prefect_api_url, now=dt.datetime.now(dt.UTC)).under_way


def engine_or_stop(empty_hint: str) -> Any:
    """The search engine; if there is no index or it cannot be used, say so and stop the page."""
    from learning.errors import IndexNotFound, LearningError

    try:
        return search_engine()
    except IndexNotFound:
        st.info(f"The library has no reviews yet. {empty_hint}")
    except LearningError as problem:
        st.error(f"The search index cannot be used: {problem}. Ask an admin to rebuild it.")
    st.stop()
