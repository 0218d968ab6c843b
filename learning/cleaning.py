"""Normalise laid-out text (PDF pages, plain-text dumps) into the one page representation the
structurer reads: paragraphs separated by blank lines and headings as Markdown lines
(``## 3. Findings``).

Pure: no I/O. The steps, in order: tidy lines; drop running headers and footers (lines repeated at
the top or bottom of many pages, compared with digits masked); drop page numbers; drop tables of
contents; then, page by page, find headings (``learning.layout_headings``) and join wrapped
lines into paragraphs.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from learning.layout_headings import (
    SENTENCE_END,
    BodyStyle,
    detect_heading,
    measure_body,
    merge_heading_lines,
)
from learning.layout_line import LayoutLine

_ZONE_LINES = 3  # how many lines at each end of a page may be a header or footer
_TOP, _BOTTOM = 0.15, 0.85  # ... and where on the page they must sit, when positions are known
_ROMAN = r"[ivxlcdm]{1,7}"
_PAGE_NUMBER = re.compile(
    rf"^(?:page\s*)?[-–—|(\[]?\s*(?:\d{{1,4}}|{_ROMAN})\s*[-–—|)\]]?$"
    r"|^(?:page\s*)?\d{1,4}\s*(?:of|/)\s*\d{1,4}$",
    re.IGNORECASE,
)
_MASK_ROMAN = re.compile(rf"\b{_ROMAN}\b", re.IGNORECASE)
_CONTENTS_TITLE = re.compile(r"^(?:#+\s*)?(?:table of )?contents?(?: page)?:?$", re.IGNORECASE)
_LEADER = re.compile(r"(?:\.\s?){4,}|…{2,}|_{4,}")
_TOC_ENTRY = re.compile(
    rf"^(?P<title>.*?\S)\s*(?:(?:\.\s?){{2,}}|…+|\s|(?<=[)\]]))\s*(?:\d{{1,3}}|{_ROMAN})$", re.I
)
_LEADER_ONLY = re.compile(rf"^(?:(?:\.\s?){{3,}}|…+|_{{3,}})\s*(?:\d{{1,3}}|{_ROMAN})?$", re.I)
_BULLET = re.compile(r"^[•▪◦●○■□·*‣⁃–-]\s+(?=\S)")
_NUMBER_ONLY = re.compile(r"^(?:R|Rec\.?\s*)?\d{1,2}(?:\.\d{1,2})*[.)]?$")
_NUMBERED = re.compile(
    r"^\(?(?:\d{1,2}(?:\.\d{1,2}){0,3}|[a-z]|[ivx]{1,4})[.)]\s+\S"
    r"|^\d{1,2}\.\d{1,2}(?:\.\d{1,2})*\s+\S|^\d{1,2}\s+[A-Z]"
)
_LEAD_IN = re.compile(
    r"^(?:key\s+)?(?:finding|recommendation|learning\s+point|lesson)\s*(?:no\.?\s*)?\d", re.I
)
_MD_HEADING = re.compile(r"^(#{1,6})\s+(\S.*?)\s*#*$")


def clean_layout_pages(pages: Sequence[Sequence[LayoutLine]]) -> list[str]:
    """Laid-out pages to normalised page texts (same number of pages, same order)."""
    tidied = [_tidy_lines(page) for page in pages]
    tidied = strip_running_lines(tidied)
    tidied = [strip_page_numbers(page) for page in tidied]
    tidied = strip_contents(tidied)
    style = measure_body([line for page in tidied for line in page])
    tidied = [merge_heading_lines(page, style) for page in tidied]
    style = measure_body([line for page in tidied for line in page])
    return [render_page(page, style) for page in tidied]


def _tidy_lines(lines: Sequence[LayoutLine]) -> list[LayoutLine]:
    """Collapse whitespace; drop empty lines, carrying their gap to the next line."""
    kept: list[LayoutLine] = []
    gap = False
    for line in lines:
        text = " ".join(line.text.replace("\xad", "").split())
        if not text:
            gap = True
            continue
        kept.append(replace(line, text=text, gap_before=line.gap_before or gap))
        gap = False
    return kept


def mask_line(text: str) -> str:
    """A line's identity for header/footer matching: lower case, digits and roman numerals masked,
    so "Page 3 of 20" and "Page 4 of 20" (or "Child A SCR - iii") compare equal."""
    masked = re.sub(r"\d+", "#", text.lower())
    masked = _MASK_ROMAN.sub("#", masked)
    return " ".join(masked.split())


def _zone_indices(page: Sequence[LayoutLine]) -> list[int]:
    """Indices of the lines at the top and bottom of a page that may be a header or footer."""
    count = len(page)
    ends = set(range(min(_ZONE_LINES, count))) | set(range(max(0, count - _ZONE_LINES), count))
    return [i for i in sorted(ends) if _outside_body(page[i].position)]


def _outside_body(position: float | None) -> bool:
    """A line above or below the page's body, or one whose height on the page is unknown."""
    return position is None or not _TOP <= position <= _BOTTOM


def strip_running_lines(pages: Sequence[Sequence[LayoutLine]]) -> list[list[LayoutLine]]:
    """Drop header/footer lines: in the top or bottom zone of at least 30% of pages (and of two)."""
    seen: Counter[str] = Counter()
    for page in pages:
        seen.update({mask_line(page[i].text) for i in _zone_indices(page)})
    threshold = max(2, math.ceil(0.3 * len(pages)))
    running = {key for key, count in seen.items() if count >= threshold}
    cleaned = []
    for page in pages:
        drop = {i for i in _zone_indices(page) if mask_line(page[i].text) in running}
        cleaned.append(_keep_lines(page, drop))
    return cleaned


def strip_page_numbers(page: Sequence[LayoutLine]) -> list[LayoutLine]:
    """Drop page-number lines ("12", "Page 3 of 40", "- iv -") at the top or bottom of a page."""
    drop = {i for i in _zone_indices(page) if _PAGE_NUMBER.match(page[i].text)}
    return _keep_lines(page, drop)


def _keep_lines(page: Sequence[LayoutLine], drop: set[int]) -> list[LayoutLine]:
    kept: list[LayoutLine] = []
    gap = False
    for i, line in enumerate(page):
        if i in drop:
            gap = gap or bool(kept)
            continue
        kept.append(replace(line, gap_before=True) if gap else line)
        gap = False
    return kept


def is_contents_entry(text: str) -> bool:
    """A table-of-contents line: a title ending in a page number, usually after dot leaders."""
    match = _TOC_ENTRY.match(text)
    return match is not None and any(ch.isalpha() for ch in match.group("title"))


def strip_contents(pages: Sequence[Sequence[LayoutLine]]) -> list[list[LayoutLine]]:
    """Drop tables of contents: a "Contents" title and the entries after it (across pages), or
    a run of four or more entries with dot leaders wherever it is."""
    flat = [
        (p, i, line.text.strip()) for p, page in enumerate(pages) for i, line in enumerate(page)
    ]
    drop: set[tuple[int, int]] = set()
    k = 0
    while k < len(flat):
        end = _contents_run(flat, k)
        if end > k:
            drop.update((p, i) for p, i, _ in flat[k:end])
            k = end
        else:
            k += 1
    return [_keep_lines(page, {i for p2, i in drop if p2 == p}) for p, page in enumerate(pages)]


def _contents_run(flat: Sequence[tuple[int, int, str]], start: int) -> int:
    """End (exclusive) of a table of contents starting at ``start``, or ``start`` if none."""
    titled = bool(_CONTENTS_TITLE.match(flat[start][2]))
    k = start + 1 if titled else start
    entries = leaders = misses = 0
    end = start
    while k < len(flat) and misses <= 2:
        text = flat[k][2]
        if is_contents_entry(text) or _LEADER_ONLY.match(text):
            entries += 1
            leaders += bool(_LEADER.search(text) or _LEADER_ONLY.match(text))
            misses, end = 0, k + 1
        elif len(text.split()) <= 20 and (titled or leaders):
            misses += 1  # a wrapped entry title, kept only if an entry follows
        else:
            break
        k += 1
    if (titled and entries >= 3) or leaders >= 4:
        return end
    return start


def render_page(lines: Sequence[LayoutLine], style: BodyStyle) -> str:
    """Find headings and join wrapped lines into paragraphs; blocks separated by blank lines."""
    blocks: list[str] = []
    paragraph: list[str] = []
    pending_number = ""

    def flush() -> None:
        if paragraph:
            blocks.append(_join_wrapped(paragraph))
            paragraph.clear()

    for i, line in enumerate(lines):
        prev = lines[i - 1] if i else None
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        marked = _MD_HEADING.match(line.text)
        if marked and not pending_number:
            flush()
            blocks.append(f"{marked.group(1)} {marked.group(2)}")
            continue
        level = detect_heading(line, prev, nxt, style)
        if level is not None and not pending_number:
            flush()
            blocks.append("#" * level + " " + line.text)
            continue
        text = _BULLET.sub("- ", line.text)
        if _NUMBER_ONLY.match(text) and nxt is not None:
            flush()  # a number on its own line (a table cell) numbers the next line
            pending_number = text.rstrip(".)") + ". "
            continue
        if pending_number or _starts_block(line, text, prev, style):
            flush()
        paragraph.append(pending_number + text)
        pending_number = ""
    flush()
    return "\n\n".join(blocks)


def _starts_block(line: LayoutLine, text: str, prev: LayoutLine | None, style: BodyStyle) -> bool:
    """Whether a line begins a new paragraph rather than continuing the previous one."""
    if prev is None or line.gap_before or text.startswith("- "):
        return True
    if re.search(r"[A-Za-z]-$", prev.text):
        return False  # a word hyphenated across the line break
    if len(prev.text) < 0.6 * style.line_chars:
        return True  # only the last line of a paragraph stops well short of the margin
    ended = bool(SENTENCE_END.search(prev.text))
    if ended and (_NUMBERED.match(text) or _LEAD_IN.match(text)):
        return True
    # a sentence that ends well short of the right margin ends its paragraph
    return ended and len(prev.text) < 0.75 * style.line_chars


def _join_wrapped(lines: Sequence[str]) -> str:
    """Join a paragraph's lines, mending words hyphenated across a line break."""
    text = lines[0]
    for line in lines[1:]:
        if re.search(r"[A-Za-z]-$", text) and line[:1].islower():
            text = text[:-1] + line
        else:
            text = f"{text} {line}"
    return text
