"""The few shared pieces: a status shown by word and icon (never colour alone), days left, and
user-controlled text made safe to show in Markdown."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence

from review_flows.milestones import MilestoneStatus

#: What Streamlit's Markdown reads in a line of text, escaped wherever it appears: emphasis,
#: code, links and images, HTML, tables, strikethrough, LaTeX, escapes themselves.
_ALWAYS = frozenset("\\`*_{}[]<>|~$")
#: Escaped only when a word follows (``:red[``, ``:smile:``, ``http://``, ``www.``, ``&lt;``,
#: ``a@b``), so "Not saved: reason." still reads as written in the page's source.
_BEFORE_WORD = frozenset(":.&@")
#: What would start a list, heading, quote or ordered list at the start of the text.
_BLOCK_START = re.compile(r"^(?:[-+#>=]|\d+[.)])")
_SPACE = re.compile(r"\s+")


def plain(text: object) -> str:
    """``text`` (a name, note, label, file title, a refusal echoing input: anything a user
    typed) as Markdown that renders as the text itself, on one line, for ``st.markdown``,
    ``st.caption``, ``st.error``, expander labels and the like."""
    flat = _SPACE.sub(" ", str(text)).strip()
    start = _BLOCK_START.match(flat)
    marker = start.end() - 1 if start else -1  # "- x", "# x", "1. x": the marker's last char
    escaped = []
    for index, char in enumerate(flat):
        word_follows = flat[index + 1 : index + 2].strip() != ""
        if char in _ALWAYS or (char in _BEFORE_WORD and word_follows) or index == marker:
            escaped.append(f"\\{char}")
        else:
            escaped.append(char)
    return "".join(escaped)


#: Status -> (shape, words). The shapes are in the Source Sans font Streamlit bundles (and in
#: DejaVu and Liberation), never emoji: where no emoji font is installed (a locked-down
#: desktop, headless Chromium) an emoji draws as an empty box. Urgent ones are triangles, those
#: needing attention diamonds and dots, finished ones ticks and squares. Colour is at most a
#: third cue.
STATUS_LABELS: dict[str, tuple[str, str]] = {
    MilestoneStatus.OVERDUE: ("▲", "Overdue"),
    MilestoneStatus.LATE_DELAY_NOTIFIED: ("△", "Late, delay notified"),
    MilestoneStatus.STALLED: ("◆", "Stalled"),
    MilestoneStatus.DUE_SOON: ("●", "Due soon"),
    MilestoneStatus.DUE: ("○", "Due"),
    MilestoneStatus.NO_TIME_LIMIT: ("○", "No time limit"),
    MilestoneStatus.NOT_STARTED: ("□", "Not started"),
    MilestoneStatus.NOT_RECORDED: ("–", "Not recorded (taken over later)"),
    MilestoneStatus.DONE_LATE: ("■", "Done late"),
    MilestoneStatus.DONE_ON_TIME: ("✓", "Done on time"),
    MilestoneStatus.DONE: ("✓", "Done"),
    MilestoneStatus.NOT_APPLICABLE: ("–", "Not applicable"),
}


def status_label(status: str | None) -> str:
    """ "▲ Overdue": the shape and the words, for tables, lists and badges."""
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


ELLIPSIS = "\u2026"


def short_labels(labels: Sequence[str], limit: int = 38) -> dict[str, str]:
    """Each label of a chart's axis cut to ``limit`` characters, the cut ones still told apart.

    A chart cuts long labels at a width, so "Rapid review sent to the Panel (clock from
    awareness)" and "... (clock from the notification)" both read "Rapid review sent to the
    Pa...". Here labels that would be cut alike keep their start and the words where they
    differ ("Rapid review sent to the … awareness)"); any still alike are numbered. The full
    label belongs in the chart's tooltip."""
    unique = list(dict.fromkeys(labels))
    short = {label: _cut(label, limit) for label in unique}
    for group in _alike(short):
        common = os.path.commonprefix(group)
        for label in group:
            short[label] = _head_and_tail(label, len(common), limit)
    for group in _alike(short):
        for number, label in enumerate(group, 1):
            suffix = f" ({number})"
            short[label] = _cut(short[label], limit - len(suffix)) + suffix
    return short


def _cut(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + ELLIPSIS


def _alike(short: dict[str, str]) -> list[list[str]]:
    """Groups of labels whose short forms are the same."""
    groups: dict[str, list[str]] = {}
    for label, cut in short.items():
        groups.setdefault(cut, []).append(label)
    return [group for group in groups.values() if len(group) > 1]


def _head_and_tail(label: str, differs_at: int, limit: int) -> str:
    """The label's start (to a word's end), an ellipsis and its end from the word where it
    differs; at most ``limit`` characters."""
    if len(label) <= limit:
        return label
    start = label.rfind(" ", 0, differs_at) + 1
    tail = _cut(label[start:], limit - 11)  # a long tail: its start, and at least 8 before
    room = limit - len(tail) - 3
    head = label[:room]
    if label[room] != " " and " " in head[8:]:
        head = head[: head.rindex(" ")]
    return f"{head.rstrip()} {ELLIPSIS} {tail}"


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
