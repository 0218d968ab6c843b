"""Markdown to the normalised page text: one block per paragraph, list item or table row, headings
as ``#`` lines, inline markup (emphasis, links, images, code) reduced to its text."""

from __future__ import annotations

import re

from learning.extract.blocks import table_row_block

_ATX = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_RULE = re.compile(r"^\s{0,3}([-*_])(?:\s*\1){2,}\s*$")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_ITEM = re.compile(r"^\s*(?:([-*+])|(\d{1,3}(?:\.\d{1,3})*)[.)])\s+(.*)$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
_BOLD_BLOCK = re.compile(r"^(\*\*|__)(?P<text>[^*_].*?)\1\s*(?P<colon>:?)$")
_INLINE = (
    (re.compile(r"<!--.*?-->", re.S), ""),
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), ""),
    (re.compile(r"\[\^[^\]]+\]"), ""),
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),
    (re.compile(r"<(https?://[^>]+)>"), r"\1"),
    (re.compile(r"</?[A-Za-z][^>]*>"), " "),
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),
    (re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<![\w_])_(?=\S)(.+?)(?<=\S)_(?![\w_])"), r"\1"),
    (re.compile(r"~~(.+?)~~"), r"\1"),
    (re.compile(r"`([^`]*)`"), r"\1"),
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>])"), r"\1"),
)


def strip_inline(text: str) -> str:
    """Inline Markdown reduced to plain text, whitespace collapsed."""
    for pattern, replacement in _INLINE:
        text = pattern.sub(replacement, text)
    return " ".join(text.split())


class _Blocks:
    """Collects blocks; an open paragraph gathers lines until something ends it."""

    def __init__(self) -> None:
        self.blocks: list[str] = []
        self.lines: list[str] = []
        self.level = 1

    def flush(self) -> None:
        lines, self.lines = self.lines, []
        if lines:
            self._add_paragraph(" ".join(line.strip() for line in lines))

    def _add_paragraph(self, raw: str) -> None:
        bold = _BOLD_BLOCK.match(raw)
        text = strip_inline(raw)
        if not text:
            return
        if bold and len(text.split()) <= 12 and not text.endswith((".", ",", ";")):
            # a paragraph that is all bold and short is used as a heading
            self.add_heading(min(self.level + 1, 6), text, nest=False)
        else:
            self.blocks.append(text)

    def add_heading(self, level: int, raw: str, *, nest: bool = True) -> None:
        self.flush()
        text = strip_inline(raw)
        if text:
            self.blocks.append("#" * level + " " + text)
            self.level = level if nest else self.level

    def add_item(self, marker: str, raw: str) -> None:
        self.flush()
        self.lines = [f"{marker} {raw}"]

    def add_row(self, row: str) -> None:
        self.flush()
        block = table_row_block([strip_inline(c) for c in row.strip().strip("|").split("|")])
        if block:
            self.blocks.append(block)


def normalise_markdown(text: str) -> str:
    """Markdown to normalised page text (blocks separated by blank lines)."""
    out = _Blocks()
    lines = text.splitlines()
    fenced = False
    for i, line in enumerate(lines):
        if _FENCE.match(line):
            fenced = not fenced
            out.flush()
            continue
        if fenced:
            out.lines.append(line)
            continue
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        _read_line(out, line, nxt)
    out.flush()
    return "\n\n".join(out.blocks)


def _read_line(out: _Blocks, line: str, nxt: str) -> None:
    stripped = line.strip()
    if not stripped:
        out.flush()
        return
    atx = _ATX.match(line)
    if atx:
        out.add_heading(len(atx.group(1)), atx.group(2))
        return
    setext = _SETEXT.match(line)
    if setext and out.lines and len(out.lines) == 1:
        heading = out.lines.pop()
        out.add_heading(1 if setext.group(1)[0] == "=" else 2, heading)
        return
    if _RULE.match(line) or (_TABLE_RULE.match(line) and "|" in line):
        out.flush()
        return
    if stripped.startswith("|") or ("|" in stripped and _TABLE_RULE.match(nxt)):
        out.add_row(stripped)
        return
    item = _ITEM.match(line)
    if item:
        marker = "-" if item.group(1) else f"{item.group(2)}."
        out.add_item(marker, item.group(3))
        return
    out.lines.append(stripped.lstrip(">").strip() if stripped.startswith(">") else stripped)
