"""A partnership's cases written out as a tracker, in the layouts the import reads, so that a
partnership can leave as easily as it came: importing the export into an empty database gives
the same cases, events and milestones.

What is written is the log as it now reads: the case with its amendments applied, each
corrected step at its corrected date, voided steps left out; a case taken over keeps its
take-over date and the reason it gave. Text that a spreadsheet would run as a formula
(starting ``= + - @``) is written with a leading apostrophe, which the import removes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import Session

from review_flows.case_queries import CaseRecord, get_case, list_cases
from review_flows.events import Event, EventKind
from review_flows.lifecycle import effective_events
from review_flows.models import CasePublic
from review_flows.tracker_layouts import (
    CASE_FIELDS,
    STEP_KINDS,
    LayoutKind,
    TrackerLayout,
    word_for,
)
from review_flows.tracker_read import Cell

_ORDER = {kind: place for place, kind in enumerate(EventKind)}
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NOT_RECORDED_SUFFIX = re.compile(r" \(steps not recorded: [^()]*\)$")


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


@dataclass(frozen=True)
class TrackerExport:
    """The file's bytes, how many cases it holds, and what the layout could not hold."""

    content: bytes
    cases: int
    warnings: tuple[str, ...]


def export_tracker(
    session: Session, *, partnership: str, layout: TrackerLayout, fmt: ExportFormat
) -> TrackerExport:
    """Every case of ``partnership`` as a tracker file in ``layout``."""
    header, rows, warnings = tracker_table(session, partnership=partnership, layout=layout)
    count = len(list_cases(session, partnership=partnership))
    content = _xlsx(header, rows) if fmt is ExportFormat.XLSX else _csv(header, rows)
    return TrackerExport(content, count, warnings)


def tracker_table(
    session: Session, *, partnership: str, layout: TrackerLayout
) -> tuple[list[str], list[list[Cell]], tuple[str, ...]]:
    """The header row, the rows and the warnings of a partnership's export."""
    records = [
        get_case(session, record.case.reference, partnership=partnership)
        for record in list_cases(session, partnership=partnership)
    ]
    if layout.kind is LayoutKind.PER_EVENT:
        return _per_event(records, layout)
    return _per_case(records, layout)


def safe_text(text: str) -> str:
    """Text a spreadsheet will show as text: a leading ``= + - @`` gets an apostrophe."""
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def history_reason(note: str | None) -> str:
    """The reason a case was taken over, without the steps-not-recorded list the service
    appended (the import adds it again)."""
    return _NOT_RECORDED_SUFFIX.sub("", note or "")


# --- layouts -------------------------------------------------------------------------------------


def _per_case(
    records: list[CaseRecord], layout: TrackerLayout
) -> tuple[list[str], list[list[Cell]], tuple[str, ...]]:
    fields = [f for f in CASE_FIELDS if f in layout.columns]
    kinds = [k for k in STEP_KINDS if k in layout.dates]
    header = [layout.columns[f][0] for f in fields]
    for kind in kinds:
        header.append(layout.dates[kind][0])
        if kind in layout.notes:
            header.append(layout.notes[kind][0])
    rows, warnings = [], []
    for record in records:
        history, steps = _log(record)
        row = _case_cells(record.case, fields, history)
        repeated = sorted(k.value for k, n in Counter(s.kind for s in steps).items() if n > 1)
        lost = [s for s in steps if s.note and s.kind not in layout.notes]
        for kind in kinds:
            first = next((s for s in steps if s.kind is kind), None)
            row.append(first.on if first else None)
            if kind in layout.notes:
                row.append(safe_text(first.note) if first and first.note else None)
        missing = [s.kind.value for s in steps if s.kind not in layout.dates]
        if repeated or lost or missing:
            warnings.append(_warning(record.case.reference, repeated, len(lost), missing))
        rows.append(row)
    return header, rows, tuple(warnings)


def _per_event(
    records: list[CaseRecord], layout: TrackerLayout
) -> tuple[list[str], list[list[Cell]], tuple[str, ...]]:
    fields = [f for f in CASE_FIELDS if f in layout.columns]
    header = [layout.columns[f][0] for f in (*fields, "event", "date", "note")]
    rows: list[list[Cell]] = []
    for record in records:
        history, steps = _log(record)
        case = _case_cells(record.case, fields, None)
        if history is not None:
            reason = safe_text(history_reason(history.note)) or None
            rows.append([*case, word_for("event", history.kind.value), history.on, reason])
        for step in steps:
            note = safe_text(step.note) if step.note else None
            rows.append([*case, word_for("event", step.kind.value), step.on, note])
    return header, rows, ()


def _log(record: CaseRecord) -> tuple[Event | None, list[Event]]:
    """The take-over event (if any) and the steps as the log now reads, by date."""
    events = effective_events(record.events)
    history = next((e for e in events if e.kind is EventKind.HISTORY_IMPORTED), None)
    steps = [e for e in events if e.kind is not EventKind.HISTORY_IMPORTED]
    return history, sorted(steps, key=lambda e: (e.on, _ORDER[e.kind]))


def _case_cells(case: CasePublic, fields: list[str], history: Event | None) -> list[Cell]:
    cells: list[Cell] = []
    for field in fields:
        if field == "taken_over_on":
            cells.append(history.on if history else None)
        elif field == "reason":
            reason = history_reason(history.note) if history else ""
            cells.append(safe_text(reason) or None)
        else:
            cells.append(_case_value(field, getattr(case, field)))
    return cells


def _case_value(field: str, value: object) -> Cell:
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return value
    text = str(getattr(value, "value", value))
    if field in ("nation", "outcome", "age_group"):
        return word_for(field, text)
    return safe_text(text)


def _warning(reference: str, repeated: list[str], lost: int, missing: list[str]) -> str:
    parts = []
    if repeated:
        parts.append(f"only the first date of {', '.join(repeated)}")
    if lost:
        parts.append(f"{lost} note{'s' * (lost != 1)} of steps left out")
    if missing:
        parts.append(f"no column for {', '.join(missing)}")
    return f"{reference}: {'; '.join(parts)} (the per-event layout keeps every event)"


# --- files ---------------------------------------------------------------------------------------


def _csv(header: list[str], rows: list[list[Cell]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if c is None else c.isoformat() if isinstance(c, dt.date) else c
                         for c in row])  # fmt: skip
    return out.getvalue().encode("utf-8-sig")  # the mark tells Excel the file is UTF-8


def _xlsx(header: list[str], rows: list[list[Cell]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Cases")
    sheet.append(header)
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, dt.date):
                cell.number_format = "dd/mm/yyyy"
            elif isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
