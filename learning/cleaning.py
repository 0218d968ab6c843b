"""Normalise laid-out text (PDF pages, plain-text dumps) into the one page representation the
structurer reads: paragraphs separated by blank lines and headings as Markdown lines
(``## 3. Findings``).

Pure: no I/O. The steps, in order: tidy lines; drop running headers and footers (lines repeated at
the top or bottom of many pages, compared with digits masked); drop page numbers; drop tables of
contents; then, page by page, find headings and join wrapped lines into paragraphs.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

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
_SENTENCE_END = re.compile(r"[.!?:;]['\"”’)]*$")


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
    return [
        i
        for i in sorted(ends)
        if page[i].position is None or not _TOP <= page[i].position <= _BOTTOM  # type: ignore[operator]
    ]


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
    return bool(match) and any(ch.isalpha() for ch in match.group("title"))


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
    ended = bool(_SENTENCE_END.search(prev.text))
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


# -- headings ---------------------------------------------------------------------------------

_MD_HEADING = re.compile(r"^(#{1,6})\s+(\S.*?)\s*#*$")
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
    if prev is None or line.gap_before or _SENTENCE_END.search(prev.text):
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
            and not _SENTENCE_END.search(prev.text)
            and len(prev.text.split()) + len(line.text.split()) <= 24
        ):
            merged[-1] = replace(prev, text=f"{prev.text} {line.text}")
        else:
            merged.append(line)
    return merged
