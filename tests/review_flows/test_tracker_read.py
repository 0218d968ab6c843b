"""Reading tracker files, hostile ones included: every limit refuses before the cost it guards,
with a message that says what to do; formulas are never evaluated; CSV as Excel saves it."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest

from review_flows.errors import TrackerUnreadable
from review_flows.tracker_read import MAX_COLUMNS, MAX_ROWS, read_tracker

HEADER = "Case ref,Nation,Incident date,Outcome,Age band,Date LA aware\r\n"
ROW = "NSH-2026-001,England,05/01/2026,Death,under 1,06/01/2026\r\n"


def _xlsx(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _replaced(content: bytes, name: str, data: bytes) -> bytes:
    """The workbook with one part's XML replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w") as target:
        for entry in source.infolist():
            target.writestr(entry, data if entry.filename == name else source.read(entry))
    return out.getvalue()


def test_a_workbook_is_read_as_text_and_dates_with_spreadsheet_row_numbers() -> None:
    content = _xlsx(
        [
            ["Northshire tracker, saved 30/11/2026"],  # a title row above the header
            [],
            ["Case ref", "Incident date", "LAC", "Count"],
            ["NSH-2026-001", dt.datetime(2026, 1, 5), True, 3.0],
            [],
            ["NSH-2026-002", "05/02/2026", None, 2.5],
        ]
    )
    sheet = read_tracker(content, "tracker.xlsx")
    assert (sheet.header, sheet.header_row) == (("Case ref", "Incident date", "LAC", "Count"), 3)
    assert sheet.rows == (
        (4, ("NSH-2026-001", dt.date(2026, 1, 5), "yes", "3")),
        (6, ("NSH-2026-002", "05/02/2026", None, "2.5")),
    )


def test_formulas_are_never_evaluated_and_escaped_text_reads_back() -> None:
    content = _xlsx([["Case ref", "Note", "Sum"], ["NSH-2026-001", '\'=HYPERLINK("x")', "=1+1"]])
    sheet = read_tracker(content, "tracker.xlsx")
    # the formula has no value Excel saved: it stays empty, it is not computed here
    assert sheet.rows == ((2, ("NSH-2026-001", '=HYPERLINK("x")', None)),)
    csv = b"Case ref,Note\r\nNSH-2026-001,=cmd|' /C calc'!A0\r\nNSH-2026-002,'-3 days\r\n"
    assert read_tracker(csv, "t.csv").rows == (
        (2, ("NSH-2026-001", "=cmd|' /C calc'!A0")),
        (3, ("NSH-2026-002", "-3 days")),
    )


def test_a_csv_with_a_byte_order_mark_and_semicolons_as_excel_saves_it() -> None:
    content = '\ufeffCase ref;Nation;Note\r\nNSH-2026-001;Cymru;"a; b"\r\n'.encode()
    sheet = read_tracker(content, "tracker.CSV")
    assert sheet.header == ("Case ref", "Nation", "Note")
    assert sheet.rows == ((2, ("NSH-2026-001", "Cymru", "a; b")),)


def test_a_csv_in_a_windows_code_page_is_decoded() -> None:
    text = "Case ref,Note\r\nNSH-2026-001,the GP’s surgery reported it to the police, as agreed\r\n"
    sheet = read_tracker(text.encode("cp1252"), "tracker.csv")
    assert sheet.rows[0][1][1] == "the GP’s surgery reported it to the police"
    assert read_tracker(text.encode("utf-16"), "tracker.csv") == sheet


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (HEADER.encode(), "tracker.xlsx", "is not an .xlsx workbook .an .xlsx file is a zip"),
        (b"PK\x03\x04 broken", "tracker.xlsx", "is not an .xlsx workbook"),
        (b"\xd0\xcf\x11\xe0", "tracker.xls", "save it as .xlsx"),
        (b"", "tracker.csv", "has no rows"),
        (b"x" * (10 * 1024 * 1024 + 1), "tracker.csv", "a tracker may be at most 10 MB"),
    ],
)
def test_what_is_not_a_tracker_is_refused_unread(
    content: bytes, filename: str, message: str
) -> None:
    with pytest.raises(TrackerUnreadable, match=message):
        read_tracker(content, filename)


def test_a_zip_that_is_not_a_workbook_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    with pytest.raises(TrackerUnreadable, match="is not a workbook openpyxl can read"):
        read_tracker(out.getvalue(), "tracker.xlsx")


def test_a_zip_bomb_is_refused_before_it_is_unpacked() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (60 * 1024 * 1024))
    assert len(out.getvalue()) < 200_000  # 60 MB packed into a small file
    with pytest.raises(TrackerUnreadable, match="would unpack to 60 MB in 1 parts.*refused unread"):
        read_tracker(out.getvalue(), "tracker.xlsx")


def test_entity_expansion_in_a_workbook_is_refused() -> None:
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row>'
        b"</sheetData></worksheet>"
    )
    content = _replaced(_xlsx([["Case ref"], ["NSH-2026-001"]]), "xl/worksheets/sheet1.xml", laughs)
    with pytest.raises(
        TrackerUnreadable, match="not a workbook openpyxl can read .EntitiesForbidden"
    ):
        read_tracker(content, "tracker.xlsx")


def test_a_sheet_claiming_a_huge_size_is_read_for_what_it_holds() -> None:
    content = _xlsx([["Case ref", "Nation"], ["NSH-2026-001", "England"]])
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml")
    huge = xml.replace(b'<dimension ref="A1:B2"/>', b'<dimension ref="A1:XFD1048576"/>')
    assert huge != xml
    sheet = read_tracker(_replaced(content, "xl/worksheets/sheet1.xml", huge), "tracker.xlsx")
    assert sheet.rows == ((2, ("NSH-2026-001", "England")),)


def test_a_cell_a_million_rows_down_is_refused_without_reading_the_rows_between() -> None:
    content = _xlsx([["Case ref"], ["NSH-2026-001"]])
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml")
    far = b'<row r="1000000"><c r="A1000000" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    padded = xml.replace(b"</sheetData>", far)
    with pytest.raises(TrackerUnreadable, match="padded with blank rows"):
        read_tracker(_replaced(content, "xl/worksheets/sheet1.xml", padded), "tracker.xlsx")


def test_the_row_limit_holds_for_both_formats() -> None:
    ok = (HEADER + ROW * MAX_ROWS).encode()
    assert len(read_tracker(ok, "t.csv").rows) == MAX_ROWS
    with pytest.raises(TrackerUnreadable, match="more than 5,000 rows; import it in parts"):
        read_tracker((HEADER + ROW * (MAX_ROWS + 1)).encode(), "t.csv")
    rows: list[list[object]] = [["Case ref"]]
    rows += [["NSH-2026-001"] for _ in range(MAX_ROWS + 1)]
    with pytest.raises(TrackerUnreadable, match="more than 5,000 rows"):
        read_tracker(_xlsx(rows), "t.xlsx")


def test_too_many_columns_and_too_long_a_cell_are_refused_naming_the_place() -> None:
    wide = ",".join(f"c{i}" for i in range(MAX_COLUMNS + 1)).encode()
    with pytest.raises(TrackerUnreadable, match="row 1 has more than 200 columns"):
        read_tracker(wide, "t.csv")
    long = (HEADER + "NSH-2026-001," + "x" * 4001 + "\r\n").encode()
    with pytest.raises(TrackerUnreadable, match="row 2, column 2: a cell of 4,001 characters"):
        read_tracker(long, "t.csv")
    with pytest.raises(TrackerUnreadable, match="row 2, column 1: a cell of 5,000 characters"):
        read_tracker(_xlsx([["Note"], ["y" * 5000]]), "t.xlsx")
