"""The app's shared resources (``st.cache_resource``): settings, the database engine, the
search engine and encoder. One per process, shared by every session; tests replace them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import streamlit as st
from sqlmodel import Session

from review_flows.settings import Settings, get_settings


def settings() -> Settings:
    return get_settings()


@st.cache_resource(show_spinner=False)
def _prepared_url(url: str) -> str:
    """Migrate an empty database once per process (the CLI does the same on first use)."""
    from review_flows.migrations import prepare_database

    prepare_database(url)
    return url


@contextmanager
def db_session() -> Iterator[Session]:
    """A short session for one page run (never kept across reruns)."""
    from review_flows.db import open_session

    with open_session(_prepared_url(settings().resolved_database_url)) as session:
        yield session


@st.cache_resource(show_spinner="Loading the search index and model (first time only) ...")
def search_engine() -> Any:
    """The learning search engine over the index folder, loaded once per process.

    The model encodes on one thread here: one app process serves every session, and a query's
    encode spread over both cores took the core the other sessions' scripts were waiting for."""
    import torch

    from learning.cli import build_encoder
    from learning.search import open_engine

    torch.set_num_threads(1)

    return open_engine(settings().resolved_index_dir, build_encoder())


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
