"""Reading a tracker file (.csv or .xlsx) into rows of text and dates, cheaply whatever it holds.

A tracker comes from outside (an upload on the Admin page, a file given to the CLI), so every
limit is checked before the cost it guards: the file's size first, then for a workbook the zip's
entries (a file that is not a zip, or that would unpack to far more than it weighs, is refused
before openpyxl opens it), then the rows, columns and characters while reading. openpyxl reads
in its read-only mode with the values Excel last saved (``data_only``): no formula is ever
evaluated here, and its XML goes through defusedxml (no entity expansion, no network).

A text cell ``'=...`` (how :mod:`review_flows.tracker_export` writes text that a spreadsheet
would run as a formula) reads back as ``=...``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import zipfile
from dataclasses import dataclass

from review_flows.errors import TrackerUnreadable

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 10 * 1024 * 1024  # a 40-case tracker is a few kilobytes
MAX_ROWS = 5_000  # rows under the header
MAX_COLUMNS = 200
MAX_CELL_CHARS = 4_000  # twice a note's limit: a longer cell is not a tracker's
MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # a workbook's entries, all unpacked
MAX_ZIP_ENTRIES = 500
MAX_RATIO = 200  # unpacked size / packed size of one entry beyond 1 MB: a zip bomb
_BLANK_ROWS_SCANNED = 20_000  # blank rows read past before giving up (a sparse hostile sheet)
_FORMULA_STARTS = ("=", "+", "-", "@")

Cell = str | dt.date | None


@dataclass(frozen=True)
class Sheet:
    """A tracker's header row and its rows, each with its row number as the spreadsheet shows
    it (the header's own number is ``header_row``: 1 unless title rows come first)."""

    header: tuple[str, ...]
    header_row: int
    rows: tuple[tuple[int, tuple[Cell, ...]], ...]


def read_tracker(content: bytes, filename: str) -> Sheet:
    """The first sheet of a .xlsx, or a .csv (UTF-8, with or without a byte-order mark, or a
    Windows code page; comma, semicolon or tab separated). :class:`TrackerUnreadable` says
    what is wrong with the file and what to do."""
    if len(content) > MAX_FILE_BYTES:
        raise TrackerUnreadable(
            f"{filename} is {len(content) / 1_048_576:.1f} MB; a tracker may be at most "
            f"{MAX_FILE_BYTES // 1_048_576} MB (split it, or save it without images)"
        )
    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    if suffix == "xlsx":
        return _sheet(_xlsx_rows(content, filename), filename)
    if suffix == "csv":
        return _sheet(_csv_rows(content, filename), filename)
    raise TrackerUnreadable(
        f"{filename} is not a tracker file this reads; save it as .xlsx or .csv (an older "
        ".xls workbook: open it and save it as .xlsx)"
    )


def cell_text(value: Cell) -> str:
    """A cell as text (a date as its ISO form; an empty cell as '')."""
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, dt.date) else value


def _sheet(rows: list[tuple[int, tuple[Cell, ...]]], filename: str) -> Sheet:
    """The header is the first row of two cells or more: a title row above it is left out."""
    filled = [(number, cells) for number, cells in rows if any(c is not None for c in cells)]
    titles = 0
    while titles < len(filled) - 1 and sum(c is not None for c in filled[titles][1]) < 2:
        titles += 1
    filled = filled[titles:]
    if not filled:
        raise TrackerUnreadable(f"{filename} has no rows: expected a header row and a row per case")
    (header_row, header), body = filled[0], filled[1:]
    if len(body) > MAX_ROWS:
        raise TrackerUnreadable(
            f"{filename} has more than {MAX_ROWS:,} rows; import it in parts of at most "
            f"{MAX_ROWS:,}"
        )
    width = max(len(cells) for _, cells in filled)
    names = tuple(cell_text(cell).strip() for cell in header) + ("",) * (width - len(header))
    padded = tuple((n, cells + (None,) * (width - len(cells))) for n, cells in body)
    return Sheet(names, header_row, padded)


def _checked(value: object, filename: str, row: int, column: int) -> Cell:
    """One cell as text or a date; text trimmed, empty as ``None``, a long cell refused."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if len(text) > MAX_CELL_CHARS:
        raise TrackerUnreadable(
            f"{filename} row {row}, column {column}: a cell of {len(text):,} characters "
            f"(at most {MAX_CELL_CHARS:,}); a tracker cell holds a date, a word or a short note"
        )
    if len(text) > 1 and text[0] == "'" and text[1] in _FORMULA_STARTS:
        text = text[1:]
    return text or None


def _width_checked(cells: tuple[object, ...], filename: str, row: int) -> tuple[object, ...]:
    while cells and (cells[-1] is None or cells[-1] == ""):
        cells = cells[:-1]
    if len(cells) > MAX_COLUMNS:
        raise TrackerUnreadable(
            f"{filename} row {row} has more than {MAX_COLUMNS} columns; keep the tracker's own "
            "columns only"
        )
    return cells


# --- .xlsx ---------------------------------------------------------------------------------------


def _xlsx_rows(content: bytes, filename: str) -> list[tuple[int, tuple[Cell, ...]]]:
    _check_zip(content, filename)
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError) as bad:
        cause = type(bad.__cause__ or bad).__name__  # EntitiesForbidden: defusedxml refused
        raise TrackerUnreadable(
            f"{filename} is not a workbook openpyxl can read ({cause}); open it in a "
            "spreadsheet and save it again as .xlsx, or save it as .csv"
        ) from None
    try:
        if not book.worksheets:
            raise TrackerUnreadable(f"{filename} has no worksheet")
        return _worksheet_rows(book.worksheets[0], filename)
    except (ValueError, TypeError, KeyError) as bad:
        if isinstance(bad, TrackerUnreadable):
            raise
        raise TrackerUnreadable(
            f"{filename}: its first sheet cannot be read ({bad}); save it again as .xlsx or .csv"
        ) from None
    finally:
        book.close()


def _worksheet_rows(sheet: object, filename: str) -> list[tuple[int, tuple[Cell, ...]]]:
    rows = []
    kept = 0
    # the dimension a file declares may be wrong either way: read what the sheet holds
    sheet.reset_dimensions()  # type: ignore[attr-defined]
    rows_iter = sheet.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True)  # type: ignore[attr-defined]
    for number, values in enumerate(rows_iter, start=1):
        cells = _width_checked(tuple(values), filename, number)
        if cells:
            kept += 1
            rows.append(
                (number, tuple(_checked(v, filename, number, i + 1) for i, v in enumerate(cells)))
            )
        if kept > MAX_ROWS + 1 or number > MAX_ROWS + _BLANK_ROWS_SCANNED:
            raise TrackerUnreadable(
                f"{filename} has more than {MAX_ROWS:,} rows (or a sheet padded with blank rows "
                f"past row {number:,}); import it in parts, keeping only the tracker's rows"
            )
    return rows


def _check_zip(content: bytes, filename: str) -> None:
    """Refuse a workbook that is not a zip, has too many entries, or unpacks too far."""
    if not zipfile.is_zipfile(io.BytesIO(content)):
        raise TrackerUnreadable(
            f"{filename} is not an .xlsx workbook (an .xlsx file is a zip archive; this is not "
            "one). Save it from the spreadsheet as .xlsx, or as .csv"
        )
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError) as bad:
        raise TrackerUnreadable(f"{filename} is a damaged zip archive ({bad})") from None
    unpacked = sum(entry.file_size for entry in entries)
    bomb = any(
        entry.file_size > 1_048_576 and entry.file_size > MAX_RATIO * max(entry.compress_size, 1)
        for entry in entries
    )
    if len(entries) > MAX_ZIP_ENTRIES or unpacked > MAX_UNPACKED_BYTES or bomb:
        logger.warning("refused a workbook: %d parts, %d bytes unpacked", len(entries), unpacked)
        raise TrackerUnreadable(
            f"{filename} would unpack to {unpacked / 1_048_576:,.0f} MB in {len(entries)} parts, "
            "far more than a tracker holds; it is refused unread. Save the tracker's sheet alone "
            "as .xlsx or .csv"
        )


# --- .csv ----------------------------------------------------------------------------------------


def _csv_rows(content: bytes, filename: str) -> list[tuple[int, tuple[Cell, ...]]]:
    text = _decoded(content, filename)
    first = next((line for line in text.splitlines() if line.strip()), "")
    try:
        delimiter = csv.Sniffer().sniff(first, delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    rows = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        # numbered by record, as a spreadsheet opening the file numbers its rows
        for number, values in enumerate(reader, start=1):
            cells = _width_checked(tuple(values), filename, number)
            rows.append(
                (number, tuple(_checked(v, filename, number, i + 1) for i, v in enumerate(cells)))
            )
            if len(rows) > MAX_ROWS + _BLANK_ROWS_SCANNED:
                break
    except csv.Error as bad:
        raise TrackerUnreadable(
            f"{filename} line {reader.line_num}: not readable as CSV ({bad})"
        ) from None
    return rows


def _decoded(content: bytes, filename: str) -> str:
    """UTF-8 (a byte-order mark dropped) or UTF-16 with its mark; else Windows-1252, what
    Excel's plain "CSV" is in the UK; else the encoding charset-normalizer finds."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            pass
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(content).best()
    if best is None:
        raise TrackerUnreadable(
            f"{filename} is not text in any encoding recognised; save it as CSV UTF-8"
        )
    return str(best)
