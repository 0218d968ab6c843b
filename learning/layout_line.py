"""One line of text as laid out on a page, with what is known of its style: the unit the
cleaning of PDF pages and plain-text dumps works on.

Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LayoutLine:
    """One line as laid out on a page. Style fields are ``None``/``False`` when unknown
    (plain text): ``size`` is the font size, ``gap_before`` a blank line or a vertical gap
    above it, ``position`` its height on the page from 0 (top) to 1 (bottom)."""

    text: str
    size: float | None = None
    bold: bool = False
    gap_before: bool = False
    position: float | None = None


def lines_from_text(text: str) -> list[LayoutLine]:
    """Plain text as layout lines: a blank line marks a gap before the next line."""
    lines: list[LayoutLine] = []
    gap = False
    for raw in text.splitlines():
        if raw.strip():
            lines.append(LayoutLine(raw, gap_before=gap))
            gap = False
        else:
            gap = True
    return lines
