"""The Admin page's local targets: each partnership's own target, in working days, for the steps
the guidance sets no statutory time limit for (most steps in Wales, Scotland and Northern
Ireland), and a form to set or remove one. The services check everything; this draws."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.errors import WorkbenchError
from core.labels import nation_label
from review_flows.calendar import Nation
from review_flows.partnership_targets import (
    MAX_DAYS,
    MIN_DAYS,
    clear_partnership_target,
    partnership_targets,
    set_partnership_target,
    step_label,
    target_steps,
)
from review_flows.rulebook import load_rulebook
from ui.admin_forms import report_done
from ui.resources import db_session
from ui.widgets import plain

#: The nations whose guidance sets few time limits come first in the rulebook list.
_NATION_ORDER = (Nation.WALES, Nation.SCOTLAND, Nation.NORTHERN_IRELAND, Nation.ENGLAND)


def _rulebook_words(ruleset_id: str) -> str:
    book = load_rulebook(ruleset_id)
    return f"{book.title} ({nation_label(book.nation)})"


def _rulebooks() -> list[str]:
    """The rulebooks with steps a local target can be set for, devolved nations first."""
    return sorted(
        target_steps(), key=lambda book: (_NATION_ORDER.index(load_rulebook(book).nation), book)
    )


def local_targets_section(names: list[str], by: str) -> None:
    """The partnerships' own targets and a form to set or remove one (``by``: the admin)."""
    st.subheader("Local targets per partnership")
    st.caption(
        "Where the guidance sets no statutory time limit for a step, a partnership may set its "
        "own target in working days. Its cases then show a due date beside \u201cno statutory "
        "time limit\u201d, and reminders go out as the target nears and once it has passed. A "
        "partnership's own target replaces one set for every partnership."
    )
    with db_session() as session:
        rows = partnership_targets(session)
    if rows:
        st.dataframe(
            pd.DataFrame(
                [(r.partnership, _rulebook_words(r.ruleset_id),
                  step_label(r.ruleset_id, r.milestone), r.working_days, r.set_by,
                  f"{r.set_at:%Y-%m-%d %H:%M} UTC") for r in rows],
                columns=["Partnership", "Rulebook", "Step", "Working days", "Set by", "Set at"],
            ),
            hide_index=True,
            key="partnership_targets_table",
        )  # fmt: skip
    else:
        st.caption("No partnership has set its own local targets.")
    _target_form(names, by)


def _target_form(names: list[str], by: str) -> None:
    # not an st.form: the steps offered follow the rulebook chosen
    partnership = st.selectbox(
        "Partnership", names, index=None, key="target_partnership",
        placeholder="Choose a partnership",
    )  # fmt: skip
    ruleset = st.selectbox(
        "Rulebook", _rulebooks(), format_func=_rulebook_words, key="target_ruleset"
    )
    steps = target_steps().get(ruleset, ()) if ruleset else ()
    milestone = st.selectbox(
        "Step without a statutory time limit", steps, key="target_step",
        format_func=lambda m: step_label(ruleset, m) if ruleset else m,
    )  # fmt: skip
    days = st.number_input(
        "Target in working days", min_value=MIN_DAYS, max_value=MAX_DAYS, value=60, step=1,
        key="target_days",
    )  # fmt: skip
    save, remove = st.columns(2)
    saved = save.button("Save the target", key="target_save")
    removed = remove.button("Remove the partnership's own target", key="target_clear")
    if not (saved or removed):
        return
    if not partnership or not ruleset or not milestone:
        st.error("Choose a partnership, a rulebook and a step.")
        return
    step = f"\u201c{step_label(ruleset, milestone)}\u201d"
    who = plain(partnership)
    try:
        with db_session() as session:
            if saved:
                set_partnership_target(session, partnership, ruleset, milestone, int(days), by=by)
            else:
                done = clear_partnership_target(session, partnership, ruleset, milestone, by=by)
    except (WorkbenchError, ValueError) as refused:
        st.error(f"Not saved: {plain(refused)}")
        return
    if saved:
        report_done(f"{who}: local target for {step} set to {int(days)} working days.")
    elif done:
        report_done(f"{who}: its own local target for {step} removed.")
    else:
        st.info(f"{who} had no local target of its own for {step}.")
