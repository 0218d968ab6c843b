"""Markdown and plain-text extraction, front matter, encodings, and the checks every format
shares (suffix, size, emptiness)."""

from __future__ import annotations

from pathlib import Path

import pytest

from learning.errors import (
    DocumentTooLarge,
    EmptyDocument,
    UnreadableDocument,
    UnsupportedFormat,
    WrongExtension,
)
from learning.extract import SUPPORTED_SUFFIXES, extract_document
from learning.extract.markdown import normalise_markdown
from learning.models import UnitKind
from learning.structure import split_units

MARKDOWN = """---
review_id: cspr-2021-07
title: "Child W: a review"
year: 2021
nation: England
review_type: CSPR
outcome: death
age_group: 10_14
---

Child W
=======

Published by the *Millbrook* Safeguarding Children Partnership. See [the annex](annex.html).

## Key findings

**Finding 1:** Nobody asked Child W what
life was like at home.

**Finding 2:** School attendance fell below 50% and was not escalated.

## Recommendations

1) The partnership should audit return-home interviews.
2) Schools should refer persistent absence to children's social care.

| No. | Action | Owner |
| --- | --- | --- |
| 3 | Review the **missing** protocol | Police |

```
code is kept as text
```
"""


def test_markdown_review(tmp_path: Path) -> None:
    path = tmp_path / "child-w.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    doc = extract_document(path)
    assert doc.format == "markdown" and len(doc.pages) == 1
    assert doc.pages[0].text.split("\n\n") == [
        "# Child W",
        "Published by the Millbrook Safeguarding Children Partnership. See the annex.",
        "## Key findings",
        "Finding 1: Nobody asked Child W what life was like at home.",
        "Finding 2: School attendance fell below 50% and was not escalated.",
        "## Recommendations",
        "1. The partnership should audit return-home interviews.",
        "2. Schools should refer persistent absence to children's social care.",
        "No. | Action | Owner",
        "3. Review the missing protocol | Police",
        "code is kept as text",
    ]
    meta = doc.metadata
    assert (meta.review_id, meta.title, meta.year) == ("cspr-2021-07", "Child W: a review", 2021)
    assert (meta.nation, meta.review_type, meta.outcome, meta.age_group) == (
        "england",
        "cspr",
        "death",
        "10_14",
    )
    units = split_units(doc)
    assert [(u.kind, u.number) for u in units if u.kind is not UnitKind.PASSAGE] == [
        (UnitKind.FINDING, "1"),
        (UnitKind.FINDING, "2"),
        (UnitKind.RECOMMENDATION, "1"),
        (UnitKind.RECOMMENDATION, "2"),
        (UnitKind.RECOMMENDATION, "3"),
    ]
    assert {u.review_id for u in units} == {"cspr-2021-07"}


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("Title\n---\n\nBody", "## Title\n\nBody"),
        ("# Heading #\ntext", "# Heading\n\ntext"),
        ("- one\n  continued\n- two", "- one continued\n\n- two"),
        ("> quoted\n> text", "quoted text"),
        ("![logo](logo.png) Report", "Report"),
        ("Text with `code` and ~~old~~ words", "Text with code and old words"),
        ("snake_case_name stays", "snake_case_name stays"),
        ("__Learning point__", "## Learning point"),
        ("**Not a heading because it is a sentence.**", "Not a heading because it is a sentence."),
        ("***\n\nafter rule", "after rule"),
        ("<!-- hidden -->visible", "visible"),
    ],
)
def test_markdown_fragments(markdown: str, expected: str) -> None:
    assert normalise_markdown(markdown) == expected


def _txt_page(number: int, body: str) -> str:
    header = "Child Practice Review - Child S - FINAL"
    return f"{header}\n\n{body}\n\nPage {number} of 3\n"


TXT = "\f".join(
    [
        _txt_page(
            1,
            "Child Practice Review: Child S\n\nContents\n\n1. Introduction .......... 1\n"
            "2. Learning points .......... 2\n"
            "3. Recommendations ..... 3\n\n1. Introduction\n\nChild S was fifteen when he was "
            "found with serious\ninjuries. The review looked at the two years before. The "
            "assess-\nment of risk was never completed.",
        ),
        _txt_page(
            2,
            "2. Learning Points\n\nLearning point 1: Exploitation was seen as offending.\n\n"
            "Learning point 2: Moves between areas broke up the information.",
        ),
        _txt_page(
            3,
            "3. Recommendations\n\nRecommendation 1: The board should adopt a protocol for\n"
            "children who move between areas.",
        ),
    ]
)


def test_text_file_pages_and_cleaning(tmp_path: Path) -> None:
    path = tmp_path / "child-s.txt"
    path.write_text(TXT, encoding="utf-8")
    doc = extract_document(path)
    assert doc.paging == "form_feeds" and [p.number for p in doc.pages] == [1, 2, 3]
    first, second, third = (p.text for p in doc.pages)
    assert first == (
        "## Child Practice Review: Child S\n\n## 1. Introduction\n\n"
        "Child S was fifteen when he was found with serious injuries. "
        "The review looked at the two years before. The assessment of risk was never completed."
    )
    assert second.startswith("## 2. Learning Points\n\nLearning point 1: Exploitation")
    assert "Page 3 of 3" not in third and "FINAL" not in third
    units = split_units(doc)
    assert [(u.kind, u.number, u.page) for u in units if u.kind is not UnitKind.PASSAGE] == [
        (UnitKind.FINDING, "1", 2),
        (UnitKind.FINDING, "2", 2),
        (UnitKind.RECOMMENDATION, "1", 3),
    ]
    meta = doc.metadata
    assert (meta.title, meta.review_type, meta.nation) == (
        "Child Practice Review: Child S",
        "cpr",
        "wales",
    )


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ("Child’s review – final".encode("cp1252"), "Child’s review – final"),
        ("Child’s review".encode("utf-16"), "Child’s review"),
        ("\ufeffWith a BOM".encode(), "With a BOM"),
    ],
)
def test_text_encodings(tmp_path: Path, data: bytes, fragment: str) -> None:
    path = tmp_path / "review.txt"
    path.write_bytes(data)
    assert fragment in extract_document(path).pages[0].text


@pytest.mark.parametrize(
    ("data", "warning"),
    [
        (b"---\ntitle: [unclosed\n---\nBody text.", "the YAML front matter is not valid at line 2"),
        (b"---\n- a list\n---\nBody text.", "not a set of 'key: value' lines"),
    ],
)
def test_unusable_front_matter_is_ignored_with_a_warning(
    tmp_path: Path, data: bytes, warning: str
) -> None:
    path = tmp_path / "r.md"
    path.write_bytes(data)
    document = extract_document(path)
    assert document.pages[0].text == "Body text."
    assert document.metadata.title is None
    assert any(warning in text and "its metadata was ignored" in text for text in document.warnings)


@pytest.mark.parametrize(
    ("name", "data", "error", "reason"),
    [
        ("r.md", b"---\ntitle: Only front matter\n---\n\n", EmptyDocument, "no text in the file"),
        ("r.txt", b"   \n\n\t\n", EmptyDocument, "no text"),
        ("r.txt", b"\x00\x01\x02binary\x00", WrongExtension, "binary data of an unknown format"),
        ("r.md", b"<!DOCTYPE html><html><p>x</p></html>", WrongExtension, "rename it to .html"),
        ("r.txt", b"%PDF-1.7\n...", WrongExtension, r"content is a PDF: rename it to \.pdf"),
        ("r.rtf", b"{\\rtf1 hello}", UnsupportedFormat, r"unsupported format '\.rtf'"),
        ("r.doc", b"\xd0\xcf\x11\xe0", UnsupportedFormat, r"supported: \.docx, \.htm"),
        ("README", b"text", UnsupportedFormat, r"'\(no extension\)'"),
    ],
)  # fmt: skip
def test_refused_files(
    tmp_path: Path, name: str, data: bytes, error: type[Exception], reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(error, match=reason) as caught:
        extract_document(path)
    assert caught.value.path == path  # type: ignore[attr-defined]


def test_too_large_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("word " * 500_000)  # 2.4 MB
    limit = r"too large: 2\.4 MB, over the limit of 2 MB \(raise CSPR_MAX_DOCUMENT_MB"
    with pytest.raises(DocumentTooLarge, match=limit):
        extract_document(path, max_bytes=2 * 1024 * 1024)  # CSPR_MAX_DOCUMENT_MB=2
    assert extract_document(path, max_bytes=3 * 1024 * 1024).pages[0].text.startswith("word")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UnreadableDocument, match="no such file"):
        extract_document(tmp_path / "gone.pdf")


def test_supported_suffixes() -> None:
    assert {".pdf", ".docx", ".html", ".htm", ".md", ".markdown", ".txt"} == SUPPORTED_SUFFIXES
