"""Split an extracted review into units: findings, recommendations and passages.

Pure: reads the normalised page text (blocks separated by blank lines, ``#`` heading lines) and
returns ``Unit`` values. Sections come from headings. Findings (and learning points) and
recommendations are recognised as their own units:

- items under a findings/recommendations heading ("Findings", "Key findings", "Learning points",
  "What we learned", "Recommendations for the partnership" ...), numbered ("3.", "2.1", "R4",
  "(1)"), bulleted, or one per paragraph;
- headings that name one ("Finding 3: ...", "Recommendation 2"), with everything under them;
- lead-in paragraphs anywhere ("Finding 1: ...", "Recommendation 2 - The partnership should ...",
  "Learning point: ...").

Everything else becomes passages of at most ``max_words`` words (under the encoder's 256 tokens)
that overlap by about ``overlap_words`` and never cross a section boundary. Nothing is dropped:
a glossary stays as passages in a section named "Glossary" (see ``is_reference_section``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from learning.models import ExtractedDocument, Unit, UnitKind
from learning.structure.sections import (
    REFERENCE_HEADING,
    Block,
    Role,
    Section,
    item_number,
    lead_in,
    read_blocks,
    read_sections,
)

#: A run of characters without a space longer than this is cut (a URL fits; junk does not).
MAX_WORD_CHARS = 100
#: Characters one word stands for when a chunk's size is measured: a unit holds at most
#: ``max_words`` x ``CHARS_PER_WORD`` characters (3,600 at the default 180 words).
CHARS_PER_WORD = 20
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[\"'“‘(]?[A-Z0-9])")
_SUB_ITEM = re.compile(r"^(?:- |\(?(?:[a-z]|[ivx]{1,4})[.)]\s)")
_RECOMMENDING = re.compile(
    r"\b(?:should|must|ought to|(?:is|are) asked to|needs? to|recommend\w*|to ensure)\b",
    re.IGNORECASE,
)


def is_reference_section(section: str) -> bool:
    """Whether a section is reference apparatus (glossary, appendix, references ...) whose text
    theme scoring should weigh down; its passages are still units."""
    return bool(REFERENCE_HEADING.search(section))


@dataclass
class _Segment:
    """A run of blocks that becomes one or more units of one kind (and number)."""

    kind: UnitKind
    number: str | None
    section: Section
    blocks: list[Block] = field(default_factory=list)
    title: Block | None = None


def split_units(
    doc: ExtractedDocument, *, max_words: int = 180, overlap_words: int = 30
) -> list[Unit]:
    """The review's units in reading order (``ordinal`` from 0)."""
    if max_words < 10 or not 0 <= overlap_words < max_words // 2:
        raise ValueError("need max_words >= 10 and 0 <= overlap_words < max_words / 2")
    sections = read_sections(read_blocks(doc.pages))
    segments: list[_Segment] = []
    for section in sections:
        segments.extend(_section_segments(section))
    units: list[Unit] = []
    for segment in segments:
        for text, block in _chunk(segment, max_words, overlap_words):
            units.append(
                Unit(
                    review_id=doc.metadata.review_id,
                    ordinal=len(units),
                    kind=segment.kind,
                    text=text,
                    section=segment.section.name,
                    page=block.page,
                    page_label=block.label,
                    number=segment.number,
                    headings=segment.section.path,
                )
            )
    return units


def _mode_kind(role: Role | None, text: str) -> UnitKind:
    if role is Role.RECOMMENDATIONS:
        return UnitKind.RECOMMENDATION
    if role is Role.MIXED and _RECOMMENDING.search(text):
        return UnitKind.RECOMMENDATION
    return UnitKind.FINDING


class _SectionReader:
    """Walks one section's blocks, opening segments in reading order."""

    def __init__(self, section: Section) -> None:
        self.section = section
        self.segments: list[_Segment] = []
        self.base: _Segment | None = None
        self.current: _Segment | None = None
        self.passage: _Segment | None = None
        if section.item is not None:
            kind, number = section.item
            self.base = self._open(kind, number, title=section.heading)
            self.current = self.base

    def _open(self, kind: UnitKind, number: str | None, title: Block | None = None) -> _Segment:
        segment = _Segment(kind, number, self.section, title=title)
        self.segments.append(segment)
        self.passage = None
        return segment

    def _add_passage(self, block: Block) -> None:
        if self.passage is None:
            self.passage = self._open(UnitKind.PASSAGE, None)
            self.current = None
        self.passage.blocks.append(block)

    def read(self, block: Block) -> None:
        lead = lead_in(block.text)
        if lead is not None:
            self.current = self._open(*lead)
            self.current.blocks.append(block)
            return
        if self.current is not None and self._attaches(block):
            self.current.blocks.append(block)
            return
        if self.current is not None and self.current is not self.base:
            self.current = None
            if self.base is not None and self._base_takes(block):
                self.current = self._open(self.base.kind, self.base.number)
                self.current.blocks.append(block)
                return
        if self._starts_item(block):
            number = item_number(block.text)
            kind = _mode_kind(self.section.role, block.text)
            self.current = self._open(kind, number)
            self.current.blocks.append(block)
            return
        self._add_passage(block)

    def _attaches(self, block: Block) -> bool:
        """Whether a block continues the open item rather than starting something else."""
        current = self.current
        assert current is not None
        if current is self.base:
            return self._base_takes(block)
        if " | " in block.text and item_number(block.text) is None:
            return False  # a table's header row
        last = current.blocks[-1].text if current.blocks else ""
        if last.endswith(":"):
            return True
        # a bullet or (a)/(i) point under an item belongs to it, unless items are bullets
        first = current.blocks[0].text if current.blocks else ""
        if _SUB_ITEM.match(block.text) and not (first.startswith("- ") and block.text[:2] == "- "):
            return True
        style = self.section.style
        if style == "leadin":
            return self.section.role is not None and self.base is None
        if style == "numbered":
            return item_number(block.text) is None and self.section.role is not None
        return False

    def _base_takes(self, block: Block) -> bool:
        """Whether text under an item heading belongs to it. Numbered points under a
        subheading that only places them ("Working with fathers", a table's header row) are
        items of their own."""
        assert self.base is not None
        numbered = self.section.role is not None and item_number(block.text) is not None
        return self.section.named or self.base.number is not None or not numbered

    def _starts_item(self, block: Block) -> bool:
        style = self.section.style
        if self.section.role is None or style in ("leadin", "headings"):
            return False
        if style == "numbered":
            return item_number(block.text) is not None
        if style == "bullets":
            return block.text.startswith("- ")
        return True  # "plain": each paragraph under the heading is one item


def _section_segments(section: Section) -> list[_Segment]:
    reader = _SectionReader(section)
    for block in section.blocks:
        reader.read(block)
    base = reader.base
    if base is not None and not base.blocks and not section.named:
        base.kind, base.number = UnitKind.PASSAGE, None  # a bare subheading is no finding
    return [s for s in reader.segments if s.blocks or s.title is not None]


# -- chunking ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Piece:
    """A sentence (or a slice of a very long one) with where it is."""

    words: tuple[str, ...]
    block: Block
    index: int  # which block of the segment, to keep paragraph breaks


def _pieces(segment: _Segment, max_words: int, overlap: int) -> Iterator[_Piece]:
    blocks = ([segment.title] if segment.title is not None else []) + segment.blocks
    for index, block in enumerate(blocks):
        text = block.text.lstrip("#").strip() if block is segment.title else block.text
        for sentence in _SENTENCE_BREAK.split(text):
            for part in _sentence_parts(_bounded_words(sentence), max_words, overlap):
                yield _Piece(part, block, index)


def _bounded_words(sentence: str) -> list[str]:
    """A sentence's words, any run of more than ``MAX_WORD_CHARS`` characters without a space
    cut into parts of that length (a 10 MB line with no space is not one 10 MB word)."""
    words: list[str] = []
    for word in sentence.split():
        if len(word) <= MAX_WORD_CHARS:
            words.append(word)
        else:
            words.extend(word[i : i + MAX_WORD_CHARS] for i in range(0, len(word), MAX_WORD_CHARS))
    return words


def _cost(word: str) -> int:
    """A word's size: 1, or more for a word longer than ``CHARS_PER_WORD`` characters (so that
    no unit exceeds ``max_words`` x ``CHARS_PER_WORD`` characters, whatever the spacing)."""
    return -(-(len(word) + 1) // CHARS_PER_WORD)


def _sentence_parts(words: list[str], max_words: int, overlap: int) -> Iterator[tuple[str, ...]]:
    """A sentence whole, or cut into parts of at most ``max_words`` in size that overlap by
    about ``overlap`` words (a sentence longer than a passage)."""
    start = 0
    while start < len(words):
        end, size = start, 0
        while end < len(words) and size + _cost(words[end]) <= max_words:
            size += _cost(words[end])
            end += 1
        end = max(end, start + 1)
        yield tuple(words[start:end])
        if end >= len(words):
            return
        start = max(end - min(overlap, (end - start) // 2), start + 1)


def _size(pieces: Sequence[_Piece]) -> int:
    return sum(_piece_size(piece) for piece in pieces)


def _piece_size(piece: _Piece) -> int:
    return sum(_cost(word) for word in piece.words)


def _chunk(segment: _Segment, max_words: int, overlap: int) -> Iterator[tuple[str, Block]]:
    """Greedy packing of sentences into chunks of at most ``max_words`` words; each new chunk
    starts with the last sentences of the previous one (up to ``overlap`` words)."""
    current: list[_Piece] = []
    fresh = False  # whether ``current`` holds anything not yet emitted
    for piece in _pieces(segment, max_words, overlap):
        if current and _size(current) + _piece_size(piece) > max_words:
            if fresh:
                yield _render(current), current[0].block
            current = _tail(current, overlap)
            while current and _size(current) + _piece_size(piece) > max_words:
                current.pop(0)
        current.append(piece)
        fresh = True
    if current and fresh:
        yield _render(current), current[0].block


def _tail(pieces: Sequence[_Piece], overlap: int) -> list[_Piece]:
    carried: list[_Piece] = []
    total = 0
    for piece in reversed(pieces):
        if total + len(piece.words) > overlap:
            break
        carried.insert(0, piece)
        total += len(piece.words)
    return carried


def _render(pieces: Sequence[_Piece]) -> str:
    paragraphs: list[list[str]] = []
    last_index = None
    for piece in pieces:
        if piece.index != last_index:
            paragraphs.append([])
            last_index = piece.index
        paragraphs[-1].append(" ".join(piece.words))
    return "\n".join(" ".join(sentences) for sentences in paragraphs)
