"""Short versions of every demo review, the way real ones circulate: its summary (or first
section) alone, and its recommendations alone. With the 7-minute briefings written by hand in
``corpus/eval/short/briefings/``, they are the short-document evaluation set (``make eval``):
each carries its long review's theme labels.

The text is cut from each review as the product extracts it (every format), by the headings:

- **summary**: the first section whose heading says summary ("2. Summary", "Seven-minute
  briefing", "1.1 Summary of the circumstances"), else the first numbered section with its
  subsections ("1. Introduction and scope"); at most ``SUMMARY_WORDS`` words, whole paragraphs.
- **recommendations**: every paragraph under a recommendations heading, under a plain
  ``Recommendations:`` line.

Each is written as a single-heading document (a title, paragraphs), in a format that rotates
over Markdown, plain text, HTML and DOCX so that the evaluation reads every format's short
documents. The file's stem is the long review's id.

    python -m corpus.builder.short_versions
"""

from __future__ import annotations

import html
import io
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import docx

from learning.extract import extract_document
from learning.structure.sections import Role, Section, read_blocks, read_sections

REPO = Path(__file__).resolve().parents[2]
REVIEWS = REPO / "corpus" / "reviews"
SHORT = REPO / "corpus" / "eval" / "short"
KINDS = ("summaries", "recommendations")
FORMATS = ("md", "txt", "html", "docx")
SUMMARY_WORDS = 500
_MIN_SUMMARY_WORDS = 60
_SUMMARY = re.compile(r"\bsummary\b|seven-minute|7-minute|\bbriefing\b", re.IGNORECASE)
_NUMBERED_TOP = re.compile(r"^\d{1,2}\.?\s")


@dataclass(frozen=True)
class ShortVersion:
    """One short document: its review id, title and paragraphs (``label`` opens a list)."""

    review_id: str
    title: str
    paragraphs: tuple[str, ...]
    label: str | None = None


def summary_version(review_id: str, title: str, sections: Sequence[Section]) -> ShortVersion:
    """The review's summary, or its first numbered section, cut to whole paragraphs; the first
    such section with some prose (a heading in a contents list has none)."""
    for chosen in _summary_candidates(sections):
        paragraphs = _prose(chosen)
        if sum(len(text.split()) for text in paragraphs) >= _MIN_SUMMARY_WORDS:
            return ShortVersion(review_id, title, paragraphs)
    return ShortVersion(review_id, title, ())


def _prose(sections: Sequence[Section]) -> tuple[str, ...]:
    paragraphs: list[str] = []
    words = 0
    for block in (block for section in sections for block in section.blocks):
        if " | " in block.text:
            continue  # table rows read badly as prose
        size = len(block.text.split())
        if paragraphs and words + size > SUMMARY_WORDS:
            break
        paragraphs.append(block.text)
        words += size
    return tuple(paragraphs)


def _summary_candidates(sections: Sequence[Section]) -> Iterator[list[Section]]:
    for wanted in (_SUMMARY, _NUMBERED_TOP):
        for place, section in enumerate(sections):
            if section.heading is not None and wanted.search(section.heading.text):
                yield _with_subsections(sections, place)


def _with_subsections(sections: Sequence[Section], place: int) -> list[Section]:
    level = sections[place].heading.level  # type: ignore[union-attr]
    chosen = [sections[place]]
    for section in sections[place + 1 :]:
        if section.heading is not None and section.heading.level <= level:
            break
        chosen.append(section)
    return chosen


def recommendations_version(
    review_id: str, title: str, sections: Sequence[Section]
) -> ShortVersion:
    """Every paragraph under a recommendations heading (item headings kept as paragraphs)."""
    paragraphs: list[str] = []
    for section in sections:
        if section.role is not Role.RECOMMENDATIONS:
            continue
        if section.item is not None and section.heading is not None:
            paragraphs.append(section.heading.text)
        paragraphs.extend(block.text for block in section.blocks)
    return ShortVersion(review_id, title, tuple(paragraphs), label="Recommendations:")


def render(version: ShortVersion, fmt: str) -> bytes:
    """The short version as a file of format ``fmt`` (one heading: the title)."""
    body = [*([version.label] if version.label else []), *version.paragraphs]
    if fmt == "md":
        return (f"# {version.title}\n\n" + "\n\n".join(body) + "\n").encode()
    if fmt == "txt":
        return (f"{version.title}\n\n" + "\n\n".join(body) + "\n").encode()
    if fmt == "html":
        paragraphs = "".join(f"<p>{html.escape(text)}</p>\n" for text in body)
        return (
            f"<!DOCTYPE html><html><head><title>{html.escape(version.title)}</title></head>"
            f"<body><main><h1>{html.escape(version.title)}</h1>\n{paragraphs}</main></body></html>"
        ).encode()
    document = docx.Document()
    document.add_heading(version.title, level=1)
    for text in body:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def review_files(folder: Path = REVIEWS) -> list[Path]:
    return sorted(
        p
        for p in folder.iterdir()
        if p.suffix in (".md", ".txt", ".pdf", ".docx", ".html") and not p.name.startswith(".")
    )


def build_short_versions(out: Path = SHORT) -> list[Path]:
    """Write both short versions of every review; returns the files written."""
    written: list[Path] = []
    for kind in KINDS:
        folder = out / kind
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.iterdir():
            stale.unlink()
    for place, path in enumerate(review_files()):
        document = extract_document(path)
        review_id = document.metadata.review_id
        title = document.metadata.title or review_id
        sections = read_sections(read_blocks(document.pages))
        versions = (
            summary_version(review_id, title, sections),
            recommendations_version(review_id, title, sections),
        )
        for offset, (kind, version) in enumerate(zip(KINDS, versions, strict=True)):
            if not version.paragraphs:
                continue
            fmt = FORMATS[(place + offset) % len(FORMATS)]
            target = out / kind / f"{review_id}.{fmt}"
            target.write_bytes(render(version, fmt))
            written.append(target)
    return written


def main() -> int:
    written = build_short_versions()
    print(f"short versions: {len(written)} files written under {SHORT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
