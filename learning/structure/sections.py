"""Blocks and sections of a normalised review: what each heading means (a findings or
recommendations heading, a heading that is itself a finding, or neither) and how the items under
a findings/recommendations heading are marked (lead-ins, subheadings, numbers, bullets)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum

from learning.models import Page, UnitKind

_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_HEADING_NUMBER = re.compile(
    r"^(?:(?:section|part|chapter)\s+)?(\d{1,2}(?:\.\d{1,2}){0,3})\.?(?:\s*[:.\-–—])?\s+", re.I
)
_ENDS_SENTENCE = re.compile(r"[.!?:;]['\"”’)]*$")
_LIST_START = re.compile(r"^(?:- |\(?\w{1,4}[.)]\s|\d{1,2}(?:\.\d{1,2})+\s)")
_LEAD_IN = re.compile(
    r"^(?:\*\*)?(?P<word>key\s+finding|finding|recommendation|learning\s+point|learning|lesson)"
    r"(?P<plural>s?)\s*(?:no\.?\s*|number\s*)?(?P<num>\d{1,2}(?:\.\d{1,2})?|[A-Z](?=\s*[:.)\-–—]))?"
    r"(?P<sep>\s*[:.)\-–—]+\s*|\s+(?=[A-Z])|$)",
    re.IGNORECASE,
)
_NUMBERED = re.compile(
    r"^\(?(?:R|Rec\.?\s*)?(?P<num>\d{1,2}(?:\.\d{1,2}){0,3})(?:[.):]|\s)\s*(?=\S)"
)
_Q = (
    r"(?:(?:key|main|summary of(?: the)?|overall|the|our|review|multi-?agency|practice|emerging)"
    r"\s+)*"
)
_FINDINGS = re.compile(
    rf"^{_Q}(?:findings?|learning(?: points?| themes?| lessons?| identified)?|key learning|"
    r"lessons(?: learn[et]d?)?|analysis and findings|findings and (?:analysis|learning|themes)|"
    r"learning and findings|what (?:we|has been|have we|was|did we) learn[et]d?|"
    r"learning from (?:this|the) (?:review|case))"
    r"(?:\s+(?:from|for|of|in|about|arising)\b.*)?$",
    re.IGNORECASE,
)
_RECOMMENDATIONS = re.compile(
    rf"^{_Q}(?:single[- ]agency\s+|partnership\s+|national\s+|local\s+)?recommendations?"
    r"(?:\s+(?:and|&)\s+(?:actions?|next steps|improvement actions?))?"
    r"(?:\s+(?:for|to|from|of|made|by|arising)\b.*)?$",
    re.IGNORECASE,
)
_MIXED = re.compile(
    r"^(?:key\s+)?(?:findings?|learning|conclusions?)(?:,? (?:learning|findings))?"
    r"\s+(?:and|&)\s+recommendations?\b|^recommendations?\s+(?:and|&)\s+(?:findings|learning)\b",
    re.IGNORECASE,
)
_TAIL_FINDINGS = re.compile(
    r"\b(?:findings|learning points|key learning|lessons learn[et]d?)$", re.I
)
_TAIL_RECOMMENDATIONS = re.compile(r"\brecommendations$", re.I)
_GENERIC = re.compile(
    r"^(?:introduction|overview|background|context|summary|methodology|conclusions?)$", re.I
)
# Labels that open a section of a briefing or summary when they stand alone on a line, even
# without Markdown "#" ("Recommendations:", "**Key learning**", "3. What happened").
_LABEL_DECORATION = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*\.?\s+|[*_]{1,2})|[*_]{1,2}$|\s*[:?]$")
_GENERIC_LABEL = re.compile(
    r"^(?:(?:case |executive |brief |review )?summary|background|introduction|overview|"
    r"context|conclusions?|what happened|the case|about (?:the|this) (?:review|case|child)|"
    r"the (?:child|children|family)(?: and (?:the )?family)?|key messages?|"
    r"(?:key |main )?(?:practice )?points|why (?:it|this) matters|what (?:should|can|must) "
    r"(?:practitioners|professionals|managers|agencies|you|we) do(?: differently)?|"
    r"what (?:needs|has) to (?:happen|change)|questions? (?:to consider|for practice|for "
    r"reflection)|reflective questions|next steps|actions?(?: taken| since the review)?|"
    r"good practice|what went well|further reading|resources)$",
    re.IGNORECASE,
)
_LABEL_MAX_WORDS = 7
# "5. Findings" beside "6. Recommendations": a list of short numbered lines is a contents list
_SHORT_NUMBERED = re.compile(r"^\d{1,2}(?:\.\d{1,2})*\.?\s+(?:\S+\s+){0,7}\S+$")
# reference apparatus: such a heading ends any findings/recommendations heading above it
REFERENCE_HEADING = re.compile(
    r"\b(?:glossary|abbreviations|acronyms|references|bibliography|appendix|appendices|annex|"
    r"contents|acknowledg(?:e)?ments|terms of reference|membership|distribution)\b",
    re.IGNORECASE,
)


class Role(Enum):
    """What a heading says the items under it are."""

    FINDINGS = "findings"
    RECOMMENDATIONS = "recommendations"
    MIXED = "mixed"


@dataclass(frozen=True)
class Block:
    """A paragraph, list item or heading (``level`` > 0), on the page where it starts."""

    text: str
    page: int
    label: str | None
    level: int = 0


@dataclass
class Section:
    """The blocks under one heading. ``role`` is the findings/recommendations heading in force
    (None outside one); ``item`` is set when the heading is itself a finding or recommendation;
    ``style`` is how items are marked in the region of that role."""

    heading: Block | None
    path: tuple[str, ...]
    role: Role | None = None
    item: tuple[UnitKind, str | None] | None = None
    named: bool = False  # the heading names its item ("Finding 3: ..."), not just its place
    region: int = -1
    style: str = "none"
    blocks: list[Block] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path[-1] if self.path else ""


def section_label(text: str) -> str | None:
    """The label of a line that is only a known section label ("Recommendations:",
    "**Key learning**", "3. What happened", "Learning points"), in any case, with or without a
    colon, numbering or bold; ``None`` for anything else."""
    if len(text.split()) > _LABEL_MAX_WORDS or len(text) > 80:
        return None
    label = text
    for _ in range(3):  # "1. **Findings:**" sheds its number, bold and colon
        label = _LABEL_DECORATION.sub("", label).strip()
    if not label or not label[0].isalpha():
        return None
    if heading_role(label) is not None or _GENERIC_LABEL.match(label):
        return label
    return None


def read_blocks(pages: Sequence[Page]) -> list[Block]:
    """Blocks of all pages in order; a paragraph cut by a page break is joined back together
    (it keeps the page where it starts). A paragraph that is only a section label becomes a
    heading one level below the last real heading (level 2 when there is none, or only the
    title), so labels in a row are siblings; never in reference apparatus (contents, glossary)
    or in a numbered list of short lines (a contents list without its heading)."""
    paragraphs = [
        (page, text)
        for page in pages
        for text in (" ".join(raw.split()) for raw in page.text.split("\n\n"))
        if text
    ]
    blocks: list[Block] = []
    last_level, in_reference, last_page = 1, False, None
    for place, (page, text) in enumerate(paragraphs):
        first, last_page = page.number != last_page, page.number
        heading = _HEADING.match(text)
        if heading:
            last_level = len(heading.group(1))
            title = heading.group(2).rstrip(" :") or heading.group(2)  # "Recommendations:"
            in_reference = bool(REFERENCE_HEADING.search(title))
            blocks.append(Block(title, page.number, page.label, last_level))
        elif not in_reference and _is_label(paragraphs, place):
            label = section_label(text) or text
            blocks.append(Block(label, page.number, page.label, min(last_level + 1, 6)))
        elif first and blocks and _continues(blocks[-1], text):
            prev = blocks[-1]
            joined = prev.text[:-1] + text if prev.text.endswith("-") else f"{prev.text} {text}"
            blocks[-1] = Block(joined, prev.page, prev.label)
        else:
            blocks.append(Block(text, page.number, page.label))
    return blocks


def _is_label(paragraphs: Sequence[tuple[Page, str]], place: int) -> bool:
    text = paragraphs[place][1]
    if section_label(text) is None:
        return False
    if not _SHORT_NUMBERED.match(text):
        return True
    neighbours = [*paragraphs[max(place - 1, 0) : place], *paragraphs[place + 1 : place + 2]]
    return not any(_SHORT_NUMBERED.match(other) for _, other in neighbours)


def _continues(prev: Block, text: str) -> bool:
    if prev.level or _ENDS_SENTENCE.search(prev.text):
        return False
    return not (_LIST_START.match(text) or lead_in(text) or _NUMBERED.match(text))


def lead_in(text: str) -> tuple[UnitKind, str | None] | None:
    """(kind, number) of text that opens with "Finding 2:", "Recommendation 1 -",
    "Learning point:" ...; "Learning"/"Lesson" count only with a number, plurals never."""
    match = _LEAD_IN.match(text)
    if not match:
        return None
    word = " ".join(match.group("word").lower().split())
    number = match.group("num")
    kind = UnitKind.RECOMMENDATION if word.startswith("recommendation") else UnitKind.FINDING
    if number is not None:
        return kind, number
    if match.group("plural") or word in ("learning", "lesson"):
        return None  # "Findings", "Recommendations were made ..."
    if ":" in match.group("sep") or match.end() == len(text):
        return kind, None  # "Finding: ...", "Learning point"
    return None


def item_number(text: str) -> str | None:
    """The number a numbered paragraph opens with ("3", "2.1", "4" of "R4"), if any."""
    match = _NUMBERED.match(text)
    return match.group("num") if match else None


def heading_role(text: str) -> Role | None:
    """Whether a heading introduces findings, recommendations or both: "Findings", "Key
    findings", "Recommendations for the partnership", "Themes and findings", "Improving
    systems and practice: recommendations", "Findings and recommendations"."""
    title = _HEADING_NUMBER.sub("", text).strip().rstrip(":").strip()
    words = len(title.split())
    # "Improving systems and practice: recommendations" names its recommendations after a
    # colon; "Analysis: what we learned" is analysis, so findings need the whole heading
    tails = re.split(r"\s*(?::|\s[–—-])\s+", title)[1:]
    bracketed = re.findall(r"\(([^)]*)\)", title)  # "Key learning (findings)"
    title = re.sub(r"\s*\([^)]*\)", "", title) or title
    tails += bracketed
    if _MIXED.match(title):
        return Role.MIXED
    if words <= 12 and any(_RECOMMENDATIONS.match(part) for part in (title, *tails)):
        return Role.RECOMMENDATIONS
    if words <= 7 and any(
        _FINDINGS.match(p) or _TAIL_FINDINGS.search(p) for p in (title, *bracketed)
    ):
        return Role.FINDINGS
    if words <= 6 and _TAIL_RECOMMENDATIONS.search(title):
        return Role.RECOMMENDATIONS
    return None


def _heading_item(
    heading: Block, mode: tuple[int, Role] | None
) -> tuple[UnitKind, str | None] | None:
    """A heading that is a finding or recommendation: "Finding 3: ...", "Recommendation 2", or
    a subheading under a findings/recommendations heading ("5.2 Working with fathers")."""
    found = lead_in(heading.text)
    if found is not None:
        return found
    if mode is None or heading.level <= mode[0] or mode[1] is Role.MIXED:
        return None
    title = _HEADING_NUMBER.sub("", heading.text).strip()
    if _GENERIC.match(title) or heading_role(heading.text) is not None:
        return None
    kind = UnitKind.RECOMMENDATION if mode[1] is Role.RECOMMENDATIONS else UnitKind.FINDING
    number = _HEADING_NUMBER.match(heading.text)
    return kind, number.group(1) if number else None


def read_sections(blocks: Sequence[Block]) -> list[Section]:
    """Sections in order, each knowing its heading path and the role in force."""
    sections = [Section(heading=None, path=())]
    path: list[Block] = []
    modes: list[tuple[int, Role, int]] = []  # (heading level, role, region id)
    regions = 0
    for block in blocks:
        if not block.level:
            sections[-1].blocks.append(block)
            continue
        while path and path[-1].level >= block.level:
            path.pop()
        path.append(block)
        role = heading_role(block.text)
        mode = (modes[-1][0], modes[-1][1]) if modes else None
        item = _heading_item(block, mode) if role is None else None
        if REFERENCE_HEADING.search(block.text) and role is None:
            modes.clear()
            item = None
        elif item is None or role is not None:
            while modes and modes[-1][0] >= block.level:
                modes.pop()
            if role is not None:
                regions += 1
                modes.append((block.level, role, regions))
        top = modes[-1] if modes else None
        sections.append(
            Section(
                heading=block,
                path=tuple(b.text for b in path),
                role=top[1] if top else None,
                item=item,
                named=item is not None and lead_in(block.text) is not None,
                region=top[2] if top else -1,
            )
        )
    _mark_styles(sections)
    return [s for s in sections if s.blocks or s.heading is not None]


def _mark_styles(sections: Sequence[Section]) -> None:
    """How items are marked in each section under a findings/recommendations heading: by
    lead-ins, numbers, bullets, or one item per paragraph ("plain"); "headings" for the
    introduction of a region whose items are subheadings ("Finding 1: ...")."""
    with_items = {s.region for s in sections if s.item is not None and s.region >= 0}
    for section in sections:
        if section.region < 0:
            continue
        texts = [b.text for b in section.blocks]
        if any(lead_in(t) for t in texts):
            section.style = "leadin"
        elif any(item_number(t) for t in texts):
            section.style = "numbered"
        elif any(t.startswith("- ") for t in texts):
            section.style = "bullets"
        elif section.region in with_items:
            section.style = "headings"
        else:
            section.style = "plain"
