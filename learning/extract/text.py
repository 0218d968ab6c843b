"""Markdown and plain-text reviews: decoding, optional YAML front matter, pages.

Plain text is treated as laid-out text (a PDF saved as text): form feeds split pages, and it is
cleaned like a PDF (running headers, page numbers, contents, wrapped lines, headings). Markdown is
already structured: its headings, lists and paragraphs are kept (see ``markdown.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from learning.cleaning import clean_layout_pages, lines_from_text
from learning.errors import EmptyDocument, InvalidFrontMatter
from learning.extract.markdown import normalise_markdown
from learning.metadata import load_yaml

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S | re.M)


@dataclass(frozen=True)
class TextContent:
    """Normalised page texts and the front matter (empty when there is none)."""

    pages: tuple[str, ...]
    front_matter: dict[str, Any]


def decode_text(data: bytes) -> str:
    """Bytes to text: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def split_front_matter(path: Path, text: str) -> tuple[dict[str, Any], str]:
    """Separate YAML front matter (between ``---`` lines at the very top) from the body."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        data = load_yaml(match.group(1))
    except yaml.YAMLError as problem:
        # where the broken construct starts, else where the parser gave up
        mark = getattr(problem, "context_mark", None) or getattr(problem, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        raise InvalidFrontMatter(
            path, f"the YAML front matter is not valid{where}: fix it or remove it"
        ) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InvalidFrontMatter(
            path, "the front matter is not a set of 'key: value' lines: fix it or remove it"
        )
    return {str(key): value for key, value in data.items()}, text[match.end() :]


def read_text(path: Path, data: bytes, *, markdown: bool) -> TextContent:
    """Decode, split off front matter and pages, and normalise a Markdown or text review."""
    front, body = split_front_matter(path, decode_text(data).replace("\r\n", "\n"))
    raw_pages = body.split("\f")
    if markdown:
        pages = [normalise_markdown(page) for page in raw_pages]
    else:
        pages = clean_layout_pages([lines_from_text(page) for page in raw_pages])
    if not any(page.strip() for page in pages):
        raise EmptyDocument(path, "no text in the file (only front matter or blank lines)")
    return TextContent(pages=tuple(pages), front_matter=front)
