"""Headings in laid-out text: measure the body style of a document and tell a heading line
(numbered, a finding or recommendation title, a larger or bolder font, a Title Case line)
from body text, joining a heading wrapped over several lines.

Pure: no I/O.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from learning.layout_line import LayoutLine

#: A line that ends a sentence (or a clause): it cannot run on into the next line.
SENTENCE_END = re.compile(r"[.!?:;]['\"”’)]*$")
_HEADING_NUMBER = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})(\.?)\s+(\S.*)$")
_ITEM_HEADING = re.compile(
    r"^(?:key\s+)?(?:finding|recommendation|learning\s+point|learning|lesson)\s*(?:no\.?\s*)?"
    r"\d{1,2}(?:\.\d{1,2})?\b",
    re.IGNORECASE,
)
_SMALL_WORDS = frozenset(
    {"a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into", "is", "not", "of"}
    | {"on", "or", "per", "the", "to", "via", "vs", "was", "with", "are"}
)


@dataclass(frozen=True)
class BodyStyle:
    """What ordinary body text looks like in a document: the length of a full line, the font
    size, whether it is bold, and the heading level of each larger font size."""

    line_chars: float = 80.0
    size: float | None = None
    bold: bool = False
    size_levels: tuple[tuple[float, int], ...] = ()
    emphasis: bool = False  # whether any line is set larger or bolder than the body


def measure_body(lines: Sequence[LayoutLine]) -> BodyStyle:
    """Measure the body style of a document from all its lines."""
    lengths = sorted(len(line.text) for line in lines if len(line.text.split()) >= 4)
    line_chars = float(lengths[int(0.8 * (len(lengths) - 1))]) if lengths else 80.0
    sizes: Counter[float] = Counter()
    bold_chars = 0
    for line in lines:
        if line.size:
            sizes[round(line.size * 2) / 2] += len(line.text)
        bold_chars += len(line.text) if line.bold else 0
    if not sizes:
        return BodyStyle(line_chars=line_chars)
    body = sizes.most_common(1)[0][0]
    bold = bold_chars > 0.5 * sum(len(line.text) for line in lines)
    large = Counter(
        round(line.size * 2) / 2
        for line in lines
        if line.size and line.size >= body * 1.12 and len(line.text.split()) <= 14
    )
    ranked = sorted(large, reverse=True)
    lone_title = len(ranked) > 1 and large[ranked[0]] == 1
    base = 1 if lone_title else 2
    levels = tuple((size, min(base + rank, 4)) for rank, size in enumerate(ranked))
    emphasis = bool(levels) or (not bold and any(line.bold for line in lines))
    return BodyStyle(line_chars, size=body, bold=bold, size_levels=levels, emphasis=emphasis)


def _size_level(line: LayoutLine, style: BodyStyle) -> int | None:
    """The heading level implied by a line's font (larger or bolder than the body), if any."""
    if line.size and style.size and line.size >= style.size * 1.12:
        rounded = round(line.size * 2) / 2
        return next((level for size, level in style.size_levels if size == rounded), 2)
    if line.bold and not style.bold:
        return 1 + max((level for _, level in style.size_levels), default=2)
    return None


def _is_title_case(text: str) -> bool:
    words = [w.strip("()[]\"'‘’“”,-–:") for w in text.split()]
    words = [w for w in words if w and w[0].isalpha()]
    if not words:
        return False
    if all(w.isupper() for w in words) and sum(len(w) for w in words) >= 3:
        return True
    significant = [w for w in words if w.lower() not in _SMALL_WORDS] or words
    capitalised = sum(w[0].isupper() for w in significant)
    return words[0][0].isupper() and capitalised >= 0.7 * len(significant)


def _starts_fresh(line: LayoutLine, prev: LayoutLine | None, style: BodyStyle) -> bool:
    """Whether a line cannot be the middle of a sentence: first, after a gap or a sentence end,
    or after a short unpunctuated line (another heading)."""
    if prev is None or line.gap_before or SENTENCE_END.search(prev.text):
        return True
    return len(prev.text) < 0.6 * style.line_chars


def detect_heading(
    line: LayoutLine, prev: LayoutLine | None, nxt: LayoutLine | None, style: BodyStyle
) -> int | None:
    """The Markdown level of a heading line, or ``None`` for body text.

    A heading is short, has no final full stop or comma, starts with a capital (after any
    number), is not in the middle of a sentence and is not continued in lower case on the next
    line; and it is numbered ("3.2 Analysis"), a finding/recommendation title ("Finding 4: ..."),
    set in a larger or bolder font, or a Title Case / CAPITALS line followed by body text.
    """
    text = line.text
    font_level = _size_level(line, style)
    limit = 24 if font_level else 14  # a set-off heading may be long (joined from two lines)
    if len(text.split()) > limit or len(text) > 8 * limit or re.search(r"[.,;]['\"”’)]*$", text):
        return None
    if not _starts_fresh(line, prev, style):
        return None
    if nxt is not None and not nxt.gap_before and nxt.text[:1].islower():
        return None
    if font_level is None and style.emphasis and line.size is not None:
        return None  # where headings are set in a larger or bold font, plain lines are body
    if _ITEM_HEADING.match(text):
        return font_level or 3
    if text.endswith(":"):
        return None
    numbered = _HEADING_NUMBER.match(text)
    if numbered:
        return _numbered_level(numbered, line, font_level, style)
    first_alpha = next((ch for ch in text if ch.isalpha()), "")
    if not first_alpha.isupper():
        return None
    if font_level is not None:
        return font_level
    short = len(text.split()) <= 10 and len(text) < 0.6 * style.line_chars
    followed = nxt is not None and (nxt.text[:1].isupper() or nxt.text[:1].isdigit())
    return 2 if short and followed and _is_title_case(text) else None


def _numbered_level(
    match: re.Match[str], line: LayoutLine, font_level: int | None, style: BodyStyle
) -> int | None:
    number, dot, rest = match.groups()
    if int(number.split(".")[0]) > 40 or not rest[:1].isupper() or len(rest.split()) > 12:
        return None
    if not dot and "." not in number and font_level is None:
        return None  # "12 May 2019 ..." is a date, not heading 12
    if font_level is None and len(line.text) >= 0.7 * style.line_chars:
        return None
    return font_level or min(number.count(".") + 2, 5)


def merge_heading_lines(page: Sequence[LayoutLine], style: BodyStyle) -> list[LayoutLine]:
    """Join a heading wrapped over several lines: consecutive lines in the same larger or bold
    font, with no gap between them, the first not ending a sentence."""
    merged: list[LayoutLine] = []
    for line in page:
        prev = merged[-1] if merged else None
        if (
            prev is not None
            and not line.gap_before
            and _size_level(line, style) is not None
            and _size_level(prev, style) is not None
            and (prev.size, prev.bold) == (line.size, line.bold)
            and not SENTENCE_END.search(prev.text)
            and len(prev.text.split()) + len(line.text.split()) <= 24
        ):
            merged[-1] = replace(prev, text=f"{prev.text} {line.text}")
        else:
            merged.append(line)
    return merged
