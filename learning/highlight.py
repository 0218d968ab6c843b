"""Search results as the pages show them: passage text as safe Markdown with the matched words
in bold, where a passage is ("page 5 of Child A ..."), and metadata values in words. Pure.

Review text is untrusted: a passage may hold ``*``, ``#``, ``<b>``, ``$x$`` or ``:red[...]``,
which Streamlit's Markdown would render. Every ASCII punctuation character is escaped with a
backslash (CommonMark lets any of them be escaped), so the text reads exactly as written and
only the bold markers added here take effect.
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence

from core.labels import (
    AGE_GROUP_LABELS,
    NATION_LABELS,
    OUTCOME_LABELS,
    REVIEW_TYPE_LABELS,
)
from learning.results import PassageHit

_PUNCTUATION = frozenset(string.punctuation)
_SPACE = re.compile(r"\s+")
#: Values whose words are not simply the value with spaces for underscores.
_VALUE_LABELS = {
    **NATION_LABELS,
    **REVIEW_TYPE_LABELS,
    **OUTCOME_LABELS,
    **AGE_GROUP_LABELS,
    "unknown": "not known",
}


def escape_markdown(text: str) -> str:
    """``text`` as Markdown that renders as the text itself: punctuation escaped, runs of
    whitespace (newlines, tabs, an indent that would start a code block) as one space."""
    flat = _SPACE.sub(" ", text)
    return "".join(f"\\{char}" if char in _PUNCTUATION else char for char in flat)


def highlight_markdown(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """``text`` as safe Markdown with each ``(start, end)`` span in bold; the spans are those
    of a search hit (``PassageHit.spans``), in order and not overlapping."""
    pieces: list[str] = []
    position = 0
    for start, end in spans:
        if start < position or end <= start or end > len(text):
            continue  # out of order or out of range: leave the text as it is
        pieces.append(escape_markdown(text[position:start]))
        pieces.append(f"**{escape_markdown(text[start:end])}**")
        position = end
    pieces.append(escape_markdown(text[position:]))
    return "".join(pieces).strip()


def page_of(page: int, page_label: str | None) -> str:
    """The page as the reader finds it: the printed label if the review has one."""
    return page_label or str(page)


def passage_location(hit: PassageHit) -> str:
    """ "Finding 2 · Findings · page 5 of Child A: ..." for a passage hit."""
    kind = hit.kind.capitalize()
    what = f"{kind} {hit.number}" if hit.number else kind
    parts = [what, *([hit.section] if hit.section and hit.section != kind else [])]
    return f"{' · '.join(parts)} · page {page_of(hit.page, hit.page_label)} of {hit.title}"


def unit_markdown(number: str | None, text: str, page: int, page_label: str | None) -> str:
    """A finding or recommendation to read: its number in bold (unless the text starts with
    it already), the text as safe Markdown, and its page in italics on a line of its own."""
    lead = ""
    if number and not re.match(rf"\W*{re.escape(number)}\b", text):
        lead = f"**{escape_markdown(number)}** "
    where = escape_markdown(page_of(page, page_label))
    return f"{lead}{escape_markdown(text).strip()}  \n*page {where}*"


def value_label(value: str | None) -> str:
    """A metadata value in words (:mod:`core.labels`): ``serious_harm`` -> ``Serious
    harm``, ``1_4`` -> ``1\u20134 years``, ``cspr`` -> ``CSPR``; ``None`` -> ``not known``."""
    if value is None or not value.strip():
        return _VALUE_LABELS["unknown"]
    return _VALUE_LABELS.get(value, value.replace("_", " "))
