"""PDF extraction: text on the right page with its printed label, running headers/footers,
page numbers and contents gone, headings marked, and clear refusals for unreadable files."""

from __future__ import annotations

from pathlib import Path

import pytest

from learning.errors import (
    CorruptDocument,
    EmptyDocument,
    EncryptedDocument,
    NoTextLayer,
    UnreadableDocument,
    WrongExtension,
)
from learning.extract import content_hash, extract_document
from learning.extract.pdf import read_page_labels, read_pdf
from learning.models import UnitKind
from learning.structure import split_units

from .conftest import HEADER, LOREM, build_pdf


@pytest.fixture(scope="module")
def child_t(pdf_with_headers: Path):
    return extract_document(pdf_with_headers)


def test_pages_keep_their_physical_number_and_printed_label(child_t) -> None:
    assert [p.number for p in child_t.pages] == [1, 2, 3, 4, 5, 6, 7]
    assert [p.label for p in child_t.pages] == ["i", "ii", "1", "2", "3", "4", "5"]
    assert child_t.format == "pdf" and child_t.paging == "physical"
    assert "Finding 3: Information was not shared" in child_t.pages[4].text
    assert "Finding 3" not in child_t.pages[3].text


def test_running_header_goes_but_the_same_words_in_a_sentence_stay(child_t) -> None:
    text = "\n".join(page.text for page in child_t.pages)
    assert HEADER not in text.splitlines()
    assert text.count("Child Safeguarding Practice Review - Child T - OFFICIAL") == 1
    assert "We call this report the Child Safeguarding Practice Review - Child T - OFFICIAL" in text


def test_page_number_footers_and_contents_are_gone(child_t) -> None:
    text = "\n".join(page.text for page in child_t.pages)
    assert "Page 4 of 7" not in text and "of 7" not in text
    assert child_t.pages[1].text == ""  # the contents page
    assert ". . . ." not in text


def test_hyphenated_line_break_is_mended(child_t) -> None:
    assert "did not complete the assessment of the family" in child_t.pages[2].text


def test_headings_are_marked_and_paragraphs_joined(child_t) -> None:
    blocks = child_t.pages[3].text.split("\n\n")
    headings = [b for b in blocks if b.startswith("#")]
    assert [h.lstrip("# ") for h in headings] == [
        "3. Findings",
        "Finding 1: The men in the household were not seen",
        "Finding 2: Bruising was not recognised as a sign of abuse",
    ]
    # the wrapped paragraph is one block, a sentence per line no more
    assert any(
        b.startswith("Professionals focused on the mother.") and LOREM[-40:] in b for b in blocks
    )


def test_glossary_entries_stay_separate_paragraphs(child_t) -> None:
    blocks = child_t.pages[6].text.split("\n\n")
    assert blocks[1].startswith("MASH:") and blocks[2].startswith("GP:")


def test_metadata_inferred_from_the_title_page(child_t) -> None:
    meta = child_t.metadata
    assert meta.review_id == "child-t-cspr"
    assert meta.title == "Child Safeguarding Practice Review Child T"
    assert (meta.year, meta.review_type, meta.nation) == (2023, "cspr", "england")
    assert meta.partnership == "Northshire Safeguarding Children Partnership"
    assert (meta.outcome, meta.age_group) == (None, None)


def test_units_cite_the_page_where_they_start(child_t) -> None:
    units = split_units(child_t)
    finding = {u.number: u for u in units if u.kind is UnitKind.FINDING}
    assert sorted(finding) == ["1", "2", "3"]
    assert (finding["3"].page, finding["3"].page_label) == (5, "3")
    assert finding["3"].text.startswith("Finding 3: Information was not shared")
    recs = [u for u in units if u.kind is UnitKind.RECOMMENDATION]
    assert [(r.number, r.page, r.page_label) for r in recs] == [("1", 6, "4"), ("2", 6, "4")]
    assert recs[0].section == "4. Recommendations"


def test_content_hash_is_the_sha256_of_the_bytes(pdf_with_headers: Path, child_t) -> None:
    import hashlib

    expected = hashlib.sha256(pdf_with_headers.read_bytes()).hexdigest()
    assert content_hash(pdf_with_headers) == child_t.content_hash == expected


def test_long_pdf_every_page_in_place(long_pdf: Path) -> None:
    doc = extract_document(long_pdf)
    assert len(doc.pages) == 120
    for page in doc.pages:
        assert f"marker page {page.number}." in page.text
        assert f"Page {page.number} of 120" not in page.text
    assert all(p.label is None for p in doc.pages)  # no /PageLabels: no printed labels claimed


def test_pdf_without_labels_reports_none(tmp_path: Path) -> None:
    path = build_pdf(tmp_path / "plain.pdf", [[("p", LOREM)]], header=None, footer=None)
    assert read_page_labels(path, 1) == (None,)


def test_owner_password_only_pdf_is_read(owner_locked_pdf: Path) -> None:
    doc = extract_document(owner_locked_pdf)
    assert "The social worker did not complete the assessment" in doc.pages[0].text


def test_partly_scanned_pdf_is_read_with_a_warning(partly_scanned_pdf: Path) -> None:
    doc = extract_document(partly_scanned_pdf)
    assert len(doc.pages) == 5 and doc.pages[4].text == ""
    assert doc.warnings == ("1 page(s) without text (images or blank): 5",)


def test_font_sizes_and_positions_are_read(pdf_with_headers: Path) -> None:
    content = read_pdf(pdf_with_headers)
    first = content.pages[3]
    header = first[0]
    assert header.text == HEADER and header.position is not None and header.position < 0.1
    heading = next(line for line in first if line.text == "3. Findings")
    body = next(line for line in first if line.text.startswith("Professionals"))
    assert heading.bold and not body.bold
    assert heading.size is not None and body.size is not None and heading.size > body.size


@pytest.mark.parametrize(
    ("fixture", "error", "reason"),
    [
        ("encrypted_pdf", EncryptedDocument, "password-protected: save an unprotected copy"),
        ("truncated_pdf", CorruptDocument, "corrupt or truncated PDF"),
        ("image_only_pdf", NoTextLayer, r"no text layer on 3 of 3 pages.*run OCR first"),
    ],
)
def test_unreadable_pdfs_name_the_file_and_what_to_do(
    request: pytest.FixtureRequest, fixture: str, error: type[Exception], reason: str
) -> None:
    path: Path = request.getfixturevalue(fixture)
    with pytest.raises(error, match=reason) as caught:
        extract_document(path)
    assert isinstance(caught.value, UnreadableDocument)
    assert str(path) in str(caught.value)


@pytest.mark.parametrize(
    ("content", "error", "reason"),
    [
        (b"", EmptyDocument, r"empty file \(0 bytes\)"),
        (b"Child T review\nThis is really a text file.\n", WrongExtension,
         r"the name says \.pdf but the content is plain text: rename it to \.txt or \.md"),
        (b"%PDF-1.4 this is not really a pdf", CorruptDocument, "corrupt or truncated PDF"),
        (b"PK\x03\x04broken zip", WrongExtension, "damaged ZIP archive"),
        (b"<!DOCTYPE html><html><body><p>x</p></body></html>", WrongExtension,
         r"an HTML page: rename it to \.html"),
    ],
)  # fmt: skip
def test_bad_pdf_files(tmp_path: Path, content: bytes, error: type[Exception], reason: str) -> None:
    path = tmp_path / "review.pdf"
    path.write_bytes(content)
    with pytest.raises(error, match=reason):
        extract_document(path)


def test_recommendations_table_rows_become_numbered_recommendations(tmp_path: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    path = tmp_path / "table.pdf"
    out = canvas.Canvas(str(path), pagesize=A4)
    out.setFont("Helvetica-Bold", 14)
    out.drawString(72, 760, "6. Recommendations")
    out.setFont("Helvetica-Bold", 10)
    for x, text in ((72, "No."), (110, "Recommendation"), (420, "Lead agency")):
        out.drawString(x, 730, text)
    out.setFont("Helvetica", 10)
    rows = [
        ("1", "The partnership should ensure that every agency", "asks about all adults.", "LSCP"),
        ("2", "Health visitors should give safer sleep advice", "to both parents.", "ICB"),
    ]
    y = 710
    for number, first, second, lead in rows:  # a two-line cell, then a gap to the next row
        out.drawString(72, y, number)
        out.drawString(110, y, first)
        out.drawString(420, y, lead)
        out.drawString(110, y - 13, second)
        y -= 38
    out.showPage()
    out.save()
    units = split_units(extract_document(path))
    assert [(u.kind, u.number) for u in units] == [
        (UnitKind.PASSAGE, None),  # the header row
        (UnitKind.RECOMMENDATION, "1"),
        (UnitKind.RECOMMENDATION, "2"),
    ]
    assert units[2].text.startswith("2 Health visitors should give safer sleep advice")
    assert units[2].text.endswith("to both parents.")


def test_bold_lead_ins_are_findings_not_headings(tmp_path: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    path = tmp_path / "leadins.pdf"
    out = canvas.Canvas(str(path), pagesize=A4)
    out.setFont("Helvetica-Bold", 14)
    out.drawString(72, 780, "Findings")
    text = out.beginText(72, 750)
    for number, first, second in (
        (1, "The health visitor did not see the father at any of the six", "Home visits."),
        (2, "Bruising on a baby who could not crawl was not referred to", "Children's services."),
    ):
        text.setFont("Helvetica-Bold", 10.5)
        text.textOut(f"Finding {number}: ")
        text.setFont("Helvetica", 10.5)
        text.textLine(first)
        text.textLine(second)
        text.textLine("")
    out.drawText(text)
    out.showPage()
    out.save()
    doc = extract_document(path)
    assert doc.pages[0].text.split("\n\n")[1].startswith("Finding 1: The health visitor")
    units = split_units(doc)
    assert [(u.kind, u.number) for u in units] == [(UnitKind.FINDING, "1"), (UnitKind.FINDING, "2")]


def test_paragraph_with_a_hyphenated_break_stays_one_paragraph(tmp_path: Path) -> None:
    # pdfium joins "assess-" and "ment" into one line; the lines after it are still the same
    # paragraph, not a new one after a gap
    lines = [
        "The review found that the social worker did not complete the assess-",
        "ment of the family before the case was closed in May, and that nobody at",
        "all checked whether the father still lived at the address afterwards.",
        "The health visitor was not told that the case had been closed at all.",
    ]
    path = build_pdf(tmp_path / "hyphen.pdf", [[("line", line) for line in lines]], header=None)
    blocks = extract_document(path).pages[0].text.split("\n\n")
    assert blocks == [
        "The review found that the social worker did not complete the assessment of the family "
        "before the case was closed in May, and that nobody at all checked whether the father "
        "still lived at the address afterwards. The health visitor was not told that the case "
        "had been closed at all."
    ]
