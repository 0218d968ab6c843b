"""What the Admin page's forms share: the message that says what a change did (shown on the
next run, above the tabs), a stored value in words, and the partnership a form names (one
chosen from the list, or a new one typed in full).
"""

from __future__ import annotations

import streamlit as st

from review_flows.errors import CaseDataInvalid
from review_flows.partnerships import check_new_partnership

FLASH = "admin_flash"
NEW_PARTNERSHIP = "A new partnership (type its full name below)"
NEW_NAME_LABEL = "Full name of the new partnership (only with \u201cA new partnership\u201d)"


def words(value: str) -> str:
    """A stored value in words: ``serious_harm`` -> "serious harm"."""
    return value.replace("_", " ")


def report_done(message: str) -> None:
    """Say what was done on the next run (the lists above the forms are read again)."""
    st.session_state[FLASH] = message
    st.rerun()


def partnership_choice(choice: str | None, typed: str, known: list[str]) -> str | None:
    """The partnership a form names: one chosen from the list, or a new one typed in full
    after choosing "A new partnership" (refused if it is too like a known one)."""
    if choice == NEW_PARTNERSHIP:
        if not typed.strip():
            raise CaseDataInvalid("type the new partnership's full name, or choose one listed")
        return check_new_partnership(typed, known)
    if typed.strip():
        raise CaseDataInvalid(
            "a new partnership's name was typed but \u201cA new partnership\u201d was not chosen: "
            "choose it to add the partnership, or clear the name"
        )
    return choice or None
