"""Reading a review source: YAML front matter plus Markdown, turned into a few block values.

The renderers (PDF, DOCX, HTML) all consume the same blocks, so a source reads the same in every
format. Only what the sources use is modelled: headings, paragraphs, lists, tables and quotes.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeGuard

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from corpus.builder.errors import SourceInvalid

ALLOWED_VALUES: dict[str, frozenset[str]] = {
    "nation": frozenset({"england", "wales", "scotland", "northern_ireland"}),
    "review_type": frozenset({"scr", "cspr", "national", "cpr", "susr", "learning_review", "cmr"}),
    "outcome": frozenset({"death", "serious_harm"}),
    "age_group": frozenset({"under_1", "1_4", "5_9", "10_14", "15_17", "mixed"}),
}
METADATA_FIELDS = (
    "review_id",
    "title",
    "year",
    "partnership",
    "nation",
    "review_type",
    "outcome",
    "age_group",
    "published",
)
FICTION_NOTICE = (
    "This is a fictional example written for the CSPR Workbench software. It does not describe "
    "any real child, family, professional or case."
)
TYPE_LABELS = {
    "scr": "Serious Case Review",
    "cspr": "Local Child Safeguarding Practice Review",
    "national": "National Child Safeguarding Practice Review",
    "cpr": "Child Practice Review",
    "susr": "Single Unified Safeguarding Review",
    "learning_review": "Learning Review",
    "cmr": "Case Management Review",
}
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)
_CONTENTS_TITLE = re.compile(r"^(table of )?contents$", re.IGNORECASE)
_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"


class _FrontMatterLoader(yaml.SafeLoader):
    """YAML 1.1 reads ``1_4`` and ``15_17`` as the numbers 14 and 1517: here only plain digits
    are integers, so age groups written without quotes stay strings."""


_FrontMatterLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_INT_TAG, _FLOAT_TAG)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_FrontMatterLoader.add_implicit_resolver(
    _INT_TAG, re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789")
)


@dataclass(frozen=True)
class ReviewMeta:
    """The published facts about a review, as the front matter gives them."""

    review_id: str
    title: str
    year: int
    partnership: str
    nation: str
    review_type: str
    outcome: str
    age_group: str
    published: dt.date

    @property
    def type_label(self) -> str:
        """The review type as a reader would see it on a title page."""
        if self.review_type == "scr" and self.nation == "scotland":
            return "Significant Case Review"
        return TYPE_LABELS[self.review_type]

    def as_row(self) -> dict[str, str]:
        """The metadata as strings, in ``METADATA_FIELDS`` order."""
        return {name: str(getattr(self, name)) for name in METADATA_FIELDS}


@dataclass(frozen=True)
class Run:
    """A piece of inline text with its emphasis."""

    text: str
    bold: bool = False
    italic: bool = False


Inline = tuple[Run, ...]


def plain(runs: Inline) -> str:
    """The text of some inline runs without emphasis."""
    return "".join(run.text for run in runs)


@dataclass(frozen=True)
class Heading:
    level: int
    runs: Inline

    @property
    def text(self) -> str:
        return plain(self.runs)


@dataclass(frozen=True)
class Paragraph:
    runs: Inline
    quote: bool = False


@dataclass(frozen=True)
class ListItem:
    """One list entry; ``marker`` is "3." or "3)" (ordered), "•" (bullet) or "" (continuation)."""

    marker: str
    runs: Inline
    depth: int
    ordered: bool


@dataclass(frozen=True)
class ListBlock:
    items: tuple[ListItem, ...]


@dataclass(frozen=True)
class Table:
    header: tuple[Inline, ...]
    rows: tuple[tuple[Inline, ...], ...]


Block = Heading | Paragraph | ListBlock | Table


def is_notice(block: Block) -> TypeGuard[Paragraph]:
    """Whether a block is the "this is a fictional example" notice (not merely a name that
    says "fictional example")."""
    if not isinstance(block, Paragraph):
        return False
    text = plain(block.runs).lower()
    return "fictional" in text and "real" in text


@dataclass(frozen=True)
class ReviewSource:
    """A parsed source: metadata, title, the front part (before the first section) and the body.

    ``body`` starts at the first heading after the title; a "Contents" section written in the
    source is dropped from it, because each format makes its own contents list.
    """

    path: Path
    meta: ReviewMeta
    title: str
    preamble: tuple[Block, ...]
    body: tuple[Block, ...]
    text: str

    @property
    def has_notice(self) -> bool:
        return any(is_notice(b) for b in self.preamble)

    def headings(self, max_level: int = 3) -> list[Heading]:
        return [b for b in self.body if isinstance(b, Heading) and b.level <= max_level]


def split_front_matter(text: str, path: Path) -> tuple[dict[str, Any], str]:
    """The front matter mapping and the rest of the text."""
    match = _FRONT_MATTER.match(text)
    if not match:
        raise SourceInvalid(f"{path}: no YAML front matter between '---' lines")
    try:
        data = yaml.load(match.group(1), Loader=_FrontMatterLoader)  # noqa: S506
    except yaml.YAMLError as problem:
        raise SourceInvalid(f"{path}: front matter is not valid YAML ({problem})") from problem
    if not isinstance(data, dict):
        raise SourceInvalid(f"{path}: front matter is not a mapping")
    return data, text[match.end() :]


def parse_meta(data: dict[str, Any], path: Path) -> ReviewMeta:
    """Validate front matter: every field present, allowed values, id equal to the file stem."""
    missing = [name for name in METADATA_FIELDS if data.get(name) in (None, "")]
    if missing:
        raise SourceInvalid(f"{path}: front matter lacks {', '.join(missing)}")
    for name, allowed in ALLOWED_VALUES.items():
        if str(data[name]) not in allowed:
            raise SourceInvalid(f"{path}: {name} {data[name]!r} is not one of {sorted(allowed)}")
    if str(data["review_id"]) != path.stem.split(".")[0]:
        raise SourceInvalid(f"{path}: review_id {data['review_id']!r} does not match the file")
    published = data["published"]
    if not isinstance(published, dt.date):
        try:
            published = dt.date.fromisoformat(str(published))
        except ValueError as problem:
            raise SourceInvalid(f"{path}: published {published!r} is not a date") from problem
    fields = {name: str(data[name]) for name in METADATA_FIELDS[:-1]}
    return ReviewMeta(**{**fields, "year": int(data["year"]), "published": published})


def read_source(path: Path) -> ReviewSource:
    """Parse one ``corpus/src/<id>.md`` (or a Markdown review) into metadata and blocks."""
    text = path.read_text(encoding="utf-8")
    data, body_text = split_front_matter(text, path)
    meta = parse_meta(data, path)
    blocks = parse_blocks(body_text)
    title = meta.title
    if blocks and isinstance(blocks[0], Heading) and blocks[0].level == 1:
        title, blocks = blocks[0].text, blocks[1:]
    first = next((i for i, b in enumerate(blocks) if isinstance(b, Heading)), len(blocks))
    body = _drop_contents(blocks[first:])
    return ReviewSource(path, meta, title, tuple(blocks[:first]), tuple(body), body_text)


def _drop_contents(blocks: list[Block]) -> list[Block]:
    kept: list[Block] = []
    skipping_level = 0
    for block in blocks:
        if isinstance(block, Heading):
            if skipping_level and block.level <= skipping_level:
                skipping_level = 0
            if _CONTENTS_TITLE.match(block.text.strip()):
                skipping_level = block.level
        if not skipping_level:
            kept.append(block)
    return kept


def parse_blocks(markdown: str) -> list[Block]:
    """Markdown to blocks (CommonMark plus tables)."""
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    return _BlockReader(tokens).read()


class _BlockReader:
    """Walks markdown-it's flat token stream, keeping the list and quote nesting."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.blocks: list[Block] = []
        self.lists: list[list[Any]] = []  # [ordered, next number] per open list
        self.items: list[ListItem] = []
        self.marker = ""
        self.quote = 0
        self.table: list[tuple[bool, list[Inline]]] = []

    def read(self) -> list[Block]:
        i = 0
        while i < len(self.tokens):
            i = self._step(i)
        return self.blocks

    def _step(self, i: int) -> int:
        token = self.tokens[i]
        kind = token.type
        if kind == "heading_open":
            self.blocks.append(Heading(int(token.tag[1]), runs_of(self.tokens[i + 1])))
            return i + 3
        if kind == "inline":
            self._add_inline(runs_of(token))
        elif kind in ("fence", "code_block"):
            self._add_inline((Run(token.content.strip()),))
        elif kind in ("ordered_list_open", "bullet_list_open"):
            start = int(token.attrGet("start") or 1)
            self.lists.append([kind.startswith("ordered"), start])
        elif kind == "list_item_open":
            self.marker = self._next_marker(token)
        elif kind in ("ordered_list_close", "bullet_list_close"):
            self.lists.pop()
            if not self.lists:
                self.blocks.append(ListBlock(tuple(self.items)))
                self.items = []
        elif kind == "blockquote_open":
            self.quote += 1
        elif kind == "blockquote_close":
            self.quote -= 1
        elif kind == "tr_open":
            self.table.append((self.tokens[i + 1].type == "th_open", []))
        elif kind == "table_close":
            self._add_table()
        return i + 1

    def _next_marker(self, token: Token) -> str:
        ordered, number = self.lists[-1]
        if not ordered:
            return "•"
        self.lists[-1][1] = number + 1
        return f"{token.info or number}{token.markup or '.'}"

    def _add_inline(self, runs: Inline) -> None:
        if self.table:
            self.table[-1][1].append(runs)
        elif self.lists:
            ordered = bool(self.lists[-1][0])
            self.items.append(ListItem(self.marker, runs, len(self.lists) - 1, ordered))
            self.marker = ""
        else:
            self.blocks.append(Paragraph(runs, quote=self.quote > 0))

    def _add_table(self) -> None:
        header = tuple(cells for is_head, cells in self.table if is_head)
        rows = tuple(tuple(cells) for is_head, cells in self.table if not is_head)
        self.blocks.append(Table(tuple(header[0]) if header else (), rows))
        self.table = []


def runs_of(token: Token) -> Inline:
    """The inline children of a markdown-it token as runs (links keep their text)."""
    runs: list[Run] = []
    bold = italic = False
    for child in token.children or []:
        kind = child.type
        if kind == "strong_open" or kind == "strong_close":
            bold = kind == "strong_open"
        elif kind == "em_open" or kind == "em_close":
            italic = kind == "em_open"
        elif kind in ("text", "code_inline"):
            runs.append(Run(child.content, bold, italic))
        elif kind in ("softbreak", "hardbreak"):
            runs.append(Run(" ", bold, italic))
    return _merge(runs)


def _merge(runs: list[Run]) -> Inline:
    merged: list[Run] = []
    for run in runs:
        if merged and (merged[-1].bold, merged[-1].italic) == (run.bold, run.italic):
            merged[-1] = Run(merged[-1].text + run.text, run.bold, run.italic)
        elif run.text:
            merged.append(run)
    return tuple(merged)


def count_words(text: str) -> int:
    """Words in a text, the way the README table counts them."""
    return len(re.findall(r"[A-Za-z0-9][A-Za-z0-9'’-]*", text))
