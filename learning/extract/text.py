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

import charset_normalizer
import yaml

from learning.cleaning import clean_layout_pages
from learning.errors import EmptyDocument
from learning.extract.markdown import normalise_markdown
from learning.layout_line import lines_from_text
from learning.safe_yaml import YamlAliasRefused, load_yaml

_DETECT_BYTES = 65_536
_OPENING = re.compile(r"\A---[ \t]*\r?\n")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S | re.M)


@dataclass(frozen=True)
class TextContent:
    """Normalised page texts, the front matter (empty when there is none) and warnings about
    front matter that could not be used."""

    pages: tuple[str, ...]
    front_matter: dict[str, Any]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class FrontMatter:
    """The YAML front matter's values, the text after it, and why it was ignored (if it was)."""

    values: dict[str, Any]
    body: str
    problem: str | None = None


def decode_text(data: bytes) -> str:
    """Bytes to text: a byte-order mark says the encoding; else UTF-8 if it decodes; else the
    encoding charset-normalizer detects on the first 64 KB (UTF-16 without a mark, Windows
    code pages), else Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" not in data[:_DETECT_BYTES]:  # UTF-16 of plain letters is valid UTF-8
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
    encoding = detect_encoding(data[:_DETECT_BYTES]) or "cp1252"
    return data.decode(encoding, errors="replace")


def detect_encoding(head: bytes) -> str | None:
    """The text encoding charset-normalizer finds most likely for ``head``, if any."""
    best = charset_normalizer.from_bytes(head).best()
    return best.encoding if best is not None else None


def split_front_matter(text: str) -> FrontMatter:
    """Separate YAML front matter (between ``---`` lines at the very top) from the body. Front
    matter that is not valid YAML, or not ``key: value`` lines, is ignored with a reason: the
    body is still read."""
    match = _FRONT_MATTER.match(text)
    if not match:
        if _OPENING.match(text):
            return FrontMatter({}, text, "the front matter opened by '---' is never closed")
        return FrontMatter({}, text)
    body = text[match.end() :]
    try:
        data = load_yaml(match.group(1))
    except yaml.YAMLError as problem:
        # where the broken construct starts, else where the parser gave up
        mark = getattr(problem, "context_mark", None) or getattr(problem, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        if isinstance(problem, YamlAliasRefused):
            return FrontMatter({}, body, f"the YAML front matter uses an alias (*name){where}")
        return FrontMatter({}, body, f"the YAML front matter is not valid{where}")
    if data is None:
        return FrontMatter({}, body)
    if not isinstance(data, dict):
        return FrontMatter({}, body, "the front matter is not a set of 'key: value' lines")
    return FrontMatter({str(key): value for key, value in data.items()}, body)


def read_text(path: Path, data: bytes, *, markdown: bool) -> TextContent:
    """Decode, split off front matter and pages, and normalise a Markdown or text review."""
    front = split_front_matter(decode_text(data).replace("\r\n", "\n"))
    raw_pages = front.body.split("\f")
    if markdown:
        pages = [normalise_markdown(page) for page in raw_pages]
    else:
        pages = clean_layout_pages([lines_from_text(page) for page in raw_pages])
    if not any(page.strip() for page in pages):
        raise EmptyDocument(path, "no text in the file (only front matter or blank lines)")
    warnings: tuple[str, ...] = ()
    if front.problem is not None:
        warnings = (f"{front.problem}: its metadata was ignored (fix it and ingest again)",)
    return TextContent(tuple(pages), front.values, warnings)
