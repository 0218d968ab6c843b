"""DOCX extraction: headings from styles, Word's list numbers kept, tables as rows, page breaks
as pages, and refusals for damaged, old-format, encrypted or misnamed files."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from learning.errors import CorruptDocument, EncryptedDocument, WrongExtension
from learning.extract import extract_document
from learning.extract.docx import read_docx
from learning.models import UnitKind
from learning.structure import split_units
from learning.structure.sections import read_blocks


def _blocks(text: str) -> list[str]:
    return text.split("\n\n")


def test_headings_lists_and_tables(review_docx: Path) -> None:
    doc = extract_document(review_docx)
    first, second = (_blocks(p.text) for p in doc.pages)
    assert first[:3] == [
        "# Serious Case Review: Baby D",
        "Kingsford Safeguarding Children Board",
        "# 1. Introduction",
    ]
    assert "1. Bruising in a non-mobile baby was not acted upon." in first
    assert "3. The father's history of violence was not known to the health visitor." in first
    assert "## What the practitioners told us" in second  # an all-bold short paragraph
    assert "No. | Recommendation | Lead agency" in second
    assert "1. The board should audit the use of the bruising protocol. | KSCB" in second
    assert "2. Health visitors should give safer sleep advice to both parents. | Health" in second


def test_explicit_page_break_makes_pages(review_docx: Path) -> None:
    doc = extract_document(review_docx)
    assert doc.paging == "page_breaks" and [p.number for p in doc.pages] == [1, 2]
    assert doc.pages[0].text.endswith("The findings are explained below.")
    assert doc.pages[1].text.startswith("## What the practitioners told us")


def test_units_from_a_docx(review_docx: Path) -> None:
    units = split_units(extract_document(review_docx))
    findings = [(u.number, u.page) for u in units if u.kind is UnitKind.FINDING and u.number]
    recs = [(u.number, u.page) for u in units if u.kind is UnitKind.RECOMMENDATION]
    assert findings == [("1", 1), ("2", 1), ("3", 1)]
    assert recs[:2] == [("1", 2), ("2", 2)]


def test_metadata_from_the_title(review_docx: Path) -> None:
    meta = extract_document(review_docx).metadata
    assert (meta.title, meta.review_type) == ("Serious Case Review: Baby D", "scr")
    assert meta.partnership == "Kingsford Safeguarding Children Board"
    assert meta.nation is None  # an SCR may be English or (before 2013) Welsh: not guessed


def _add_numbering(document: docx.document.Document) -> str:
    """A two-level decimal list ("1." then "1.1") added to numbering.xml; returns its numId."""
    numbering = document.part.numbering_part.element
    numbering.insert(
        0,
        parse_xml(
            f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">'
            '<w:lvl w:ilvl="0"><w:start w:val="4"/><w:numFmt w:val="decimal"/>'
            '<w:lvlText w:val="%1."/></w:lvl>'
            '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
            '<w:lvlText w:val="%1.%2"/></w:lvl>'
            '<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/>'
            '<w:lvlText w:val="(%3)"/></w:lvl></w:abstractNum>'
        ),
    )
    numbering.append(
        parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>')
    )
    return "90"


def _numbered(document: docx.document.Document, text: str, num_id: str, level: int) -> None:
    paragraph = document.add_paragraph(text)
    paragraph._p.get_or_add_pPr().append(
        parse_xml(
            f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/>'
            "</w:numPr>"
        )
    )


def test_multilevel_numbering_is_rendered_as_word_shows_it(tmp_path: Path) -> None:
    document = docx.Document()
    num_id = _add_numbering(document)
    document.add_heading("Findings", level=1)
    _numbered(document, "Working with fathers", num_id, 0)
    _numbered(document, "The father was not seen.", num_id, 1)
    _numbered(document, "His history was not known.", num_id, 1)
    _numbered(document, "in health records", num_id, 2)
    _numbered(document, "Information sharing", num_id, 0)
    _numbered(document, "Police did not share.", num_id, 1)
    path = tmp_path / "numbered.docx"
    document.save(str(path))
    assert _blocks(read_docx(path).pages[0])[1:] == [
        "4. Working with fathers",
        "4.1 The father was not seen.",
        "4.2 His history was not known.",
        "(a) in health records",
        "5. Information sharing",
        "5.1 Police did not share.",
    ]


def test_word_rendered_page_breaks_are_used_when_present(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("First page text.")
    second = document.add_paragraph()
    second._p.append(parse_xml(f"<w:r {nsdecls('w')}><w:lastRenderedPageBreak/></w:r>"))
    second.add_run("Second page text.")
    tail = document.add_paragraph("Still on page two, running onto")
    tail._p.append(
        parse_xml(f"<w:r {nsdecls('w')}><w:lastRenderedPageBreak/><w:t>page three.</w:t></w:r>")
    )
    path = tmp_path / "rendered.docx"
    document.save(str(path))
    content = read_docx(path)
    assert content.paging == "rendered"
    assert content.pages == (
        "First page text.",
        "Second page text.\n\nStill on page two, running onto",
        "page three.",
    )
    # the paragraph cut by the page break is one block again, cited at its first page
    blocks = read_blocks(extract_document(path).pages)
    assert [(b.page, b.text) for b in blocks] == [
        (1, "First page text."),
        (2, "Second page text."),
        (2, "Still on page two, running onto page three."),
    ]


def test_table_of_contents_paragraphs_are_left_out(tmp_path: Path) -> None:
    document = docx.Document()
    styles = document.styles
    toc = styles.add_style("TOC 1", docx.enum.style.WD_STYLE_TYPE.PARAGRAPH)
    document.add_paragraph("Contents", style="Heading 1")
    document.add_paragraph("1. Introduction\t3", style=toc)
    document.add_paragraph("2. Findings\t5", style=toc)
    document.add_heading("1. Introduction", level=1)
    document.add_paragraph("The review began in 2020.")
    path = tmp_path / "toc.docx"
    document.save(str(path))
    assert extract_document(path).pages[0].text == "# 1. Introduction\n\nThe review began in 2020."


def _zip_without_word(tmp_path: Path) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    path = tmp_path / "sheet.docx"
    path.write_bytes(buffer.getvalue())
    return path


def _ole(tmp_path: Path, encrypted: bool) -> Path:
    # the OLE2 signature, then (for an encrypted OOXML file) the stream name in UTF-16
    body = "EncryptedPackage".encode("utf-16-le") if encrypted else b"WordDocument"
    path = tmp_path / "file.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + body)
    return path


def test_truncated_docx(review_docx: Path, tmp_path: Path) -> None:
    path = tmp_path / "cut.docx"
    path.write_bytes(review_docx.read_bytes()[:2000])
    with pytest.raises(CorruptDocument, match="damaged or truncated Word file"):
        extract_document(path)


@pytest.mark.parametrize(
    ("make", "error", "reason"),
    [
        (lambda t: _ole(t, encrypted=True), EncryptedDocument, "password-protected"),
        (lambda t: _ole(t, encrypted=False), WrongExtension, r"old-format Office file \(\.doc\)"),
        (_zip_without_word, WrongExtension, "a ZIP archive that is not a Word document"),
    ],
)
def test_bad_docx_files(tmp_path: Path, make, error: type[Exception], reason: str) -> None:
    path = make(tmp_path)
    with pytest.raises(error, match=reason) as caught:
        extract_document(path)
    assert str(path) in str(caught.value)


def test_docx_named_pdf_is_refused(review_docx: Path, tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(review_docx.read_bytes())
    with pytest.raises(WrongExtension, match=r"content is a Word document \(\.docx\): rename it"):
        extract_document(path)


def test_heading_style_chain_and_outline_level(tmp_path: Path) -> None:
    document = docx.Document()
    custom = document.styles.add_style("Review Heading", docx.enum.style.WD_STYLE_TYPE.PARAGRAPH)
    custom.base_style = document.styles["Heading 2"]
    document.add_paragraph("Learning points", style=custom)
    outlined = document.add_paragraph("Recommendations")
    outlined._p.get_or_add_pPr().append(parse_xml(f'<w:outlineLvl {nsdecls("w")} w:val="0"/>'))
    path = tmp_path / "styles.docx"
    document.save(str(path))
    assert read_docx(path).pages[0] == "## Learning points\n\n# Recommendations"
