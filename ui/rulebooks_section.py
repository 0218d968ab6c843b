"""The Admin page's Rulebooks section: the editions known, the local targets set for every
partnership (read-only: set in the environment), and the rulebook each partnership's new cases
take. A partnership's own targets are in :mod:`ui.local_targets_section`."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.errors import WorkbenchError
from review_flows.partnership_targets import step_label, target_steps
from review_flows.partnerships import (
    clear_partnership_rulebook,
    partnership_rulebooks,
    set_partnership_rulebook,
)
from review_flows.rulebook import Rulebook, list_rulebooks, load_rulebook
from ui.admin_forms import FLASH, words
from ui.resources import db_session, settings
from ui.widgets import plain


def _covers(book: Rulebook) -> str:
    """The incident dates an edition covers, in words."""
    start, end = book.in_force_from, book.in_force_to
    if start and end:
        return f"{start:%d %b %Y} to {end:%d %b %Y}"
    if start:
        return f"from {start:%d %b %Y}"
    return f"up to {end:%d %b %Y}" if end else "any date"


def rulebooks_section() -> None:
    """The rulebook editions known and the local targets in force (set in the environment)."""
    books = list_rulebooks()
    st.dataframe(
        pd.DataFrame(
            [
                (b.id, b.title, words(b.nation), words(b.review_type), _covers(b), len(b.rules))
                for b in books
            ],
            columns=["Id", "Title", "Nation", "Review type", "Incidents covered", "Milestones"],
        ),
        hide_index=True,
        key="rulebooks_table",
    )
    st.subheader("Local targets for every partnership")
    targets = settings().local_targets
    if targets:
        st.dataframe(
            pd.DataFrame(
                [(*key.partition(":")[::2], days) for key, days in sorted(targets.items())],
                columns=["Rulebook", "Milestone", "Working days"],
            ),
            hide_index=True,
            key="targets_table",
        )
    else:
        st.caption("No local targets are set.")
    st.markdown(
        "Local targets set a time limit where the guidance sets none. Those above apply to "
        "every partnership and are read-only here: they come from the workbench's settings, "
        "which whoever runs it changes. A partnership's own targets, set below, replace them."
    )
    with st.expander("Steps that can take a local target"):
        for book, milestones in target_steps().items():
            steps = "; ".join(step_label(book, m) for m in milestones)
            st.markdown(f"{plain(load_rulebook(book).title)}: {plain(steps)}")


def partnership_rulebooks_section(names: list[str], by: str) -> None:
    """The rulebook chosen for each partnership's new cases, and a form to set one (``by``:
    the admin who sets it)."""
    st.subheader("Rulebook per partnership")
    st.caption(
        "A partnership's new cases take its chosen edition where that edition can govern the "
        "incident (in force then, or the previous edition within a year of its end); other "
        "cases take the edition in force. Existing cases keep theirs."
    )
    with db_session() as session:
        chosen = partnership_rulebooks(session)
    if chosen:
        st.dataframe(
            pd.DataFrame(
                [(c.partnership, c.ruleset_id, c.set_by, f"{c.set_at:%Y-%m-%d %H:%M} UTC")
                 for c in chosen],
                columns=["Partnership", "Rulebook", "Set by", "Set at"],
            ),
            hide_index=True,
            key="partnership_rulebooks_table",
        )  # fmt: skip
    with st.form("partnership_rulebook"):
        partnership = st.selectbox(
            "Partnership", names, index=None, key="rules_partnership",
            placeholder="Choose a partnership",
        )  # fmt: skip
        ruleset = st.selectbox(
            "Rulebook for its new cases",
            ["(the edition in force)", *(b.id for b in list_rulebooks())],
            key="rules_ruleset",
        )
        submitted = st.form_submit_button("Save the partnership's rulebook", key="rules_save")
    if not submitted:
        return
    if not partnership:
        st.error("Choose a partnership.")
        return
    try:
        with db_session() as session:
            if ruleset.startswith("("):
                clear_partnership_rulebook(session, partnership)
            else:
                set_partnership_rulebook(session, partnership, ruleset, by=by)
    except (WorkbenchError, ValueError) as refused:
        st.error(f"Not saved: {plain(refused)}")
        return
    st.session_state[FLASH] = f"{partnership}: rulebook saved."
    st.rerun()
