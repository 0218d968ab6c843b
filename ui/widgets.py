"""The few shared pieces: a status shown by word and icon (never colour alone), days left."""

from __future__ import annotations

from review_flows.timeline import MilestoneStatus

#: Status -> (icon, words). Colour is added by the page only as a third cue.
STATUS_LABELS: dict[str, tuple[str, str]] = {
    MilestoneStatus.OVERDUE: ("🔴", "Overdue"),
    MilestoneStatus.STALLED: ("🟠", "Stalled"),
    MilestoneStatus.DUE_SOON: ("🟡", "Due soon"),
    MilestoneStatus.LATE_DELAY_NOTIFIED: ("🟠", "Late, delay notified"),
    MilestoneStatus.DONE_LATE: ("☑️", "Done late"),
    MilestoneStatus.DUE: ("⚪", "Due"),
    MilestoneStatus.NO_TIME_LIMIT: ("⚪", "No time limit"),
    MilestoneStatus.NOT_STARTED: ("⚪", "Not started"),
    MilestoneStatus.DONE_ON_TIME: ("✅", "Done on time"),
    MilestoneStatus.DONE: ("✅", "Done"),
    MilestoneStatus.NOT_APPLICABLE: ("➖", "Not applicable"),
}


def status_label(status: str | None) -> str:
    """ "🔴 Overdue": the icon and the words, for tables and badges."""
    if status is None:
        return "-"
    icon, words = STATUS_LABELS.get(status, ("", str(status)))
    return f"{icon} {words}".strip()


def days_label(days: int | None) -> str:
    """ "3 working days left", "due today", "5 working days late"."""
    if days is None:
        return "-"
    if days == 0:
        return "due today"
    plural = "s" * (abs(days) != 1)
    return f"{days} working day{plural} left" if days > 0 else f"{-days} working day{plural} late"


#: Streamlit's faded caption grey (#828180 after its 0.6 opacity) is 3.9:1 on white; WCAG 2.2 AA
#: asks 4.5:1 for body text. #595959 at full opacity is 7:1.
ACCESSIBLE_CSS = """
<style>
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p,
[data-testid="stWidgetLabel"] small, .stTooltipIcon, [data-testid="stMarkdownContainer"] small {
  color: #595959 !important;
}
/* the caption's container is drawn at opacity 0.6, which fades any colour set inside it */
[data-testid="stCaptionContainer"] { opacity: 1 !important; }
input::placeholder, textarea::placeholder { color: #666666 !important; opacity: 1; }
</style>
"""


def apply_accessible_styles() -> None:
    """Raise the contrast of Streamlit's faded greys to WCAG AA (called once per run)."""
    import streamlit as st

    st.html(ACCESSIBLE_CSS)
