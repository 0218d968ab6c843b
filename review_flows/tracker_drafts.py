"""A tracker's rows read as drafts of cases: the case's fields, its known steps, and where in
the file each came from (row and column), so that a refusal can point at the cell.

Only the reading happens here (words, dates, required cells, the same reference twice in the
file); whether the case may be opened is decided by the same rules as the CLI's
(:mod:`review_flows.tracker_import`). Pure: no database, no clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from review_flows.events import EventKind
from review_flows.tracker_layouts import (
    BoundLayout,
    LayoutKind,
    read_date,
    read_word,
)
from review_flows.tracker_read import Cell, Sheet, cell_text

_WORD_FIELDS = ("nation", "outcome", "age_group")
_FLAG_FIELDS = ("looked_after", "child_protection_plan")
_TEXT_FIELDS = ("ruleset_id", "owner")


@dataclass(frozen=True)
class Refusal:
    """Why a row is refused: its row number as the spreadsheet shows it, the column's header
    (empty when the fault is the row's, not one cell's) and the reason in plain words."""

    row: int
    column: str
    reason: str


@dataclass(frozen=True)
class StepCell:
    """A known step read from the file, with the cell it came from."""

    kind: EventKind
    on: dt.date
    note: str | None
    row: int
    column: str
    note_column: str


@dataclass
class CaseDraft:
    """One case as the file gives it. ``fields`` are CaseHistoryCreate's (the partnership,
    take-over date and reason are added by the importer when the file does not give them)."""

    reference: str
    rows: list[int]
    fields: dict[str, Any] = field(default_factory=dict)
    places: dict[str, tuple[int, str]] = field(default_factory=dict)  # field -> (row, column)
    blanks: dict[str, tuple[int, str]] = field(default_factory=dict)  # an empty cell's place
    steps: list[StepCell] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)

    def refuse(self, row: int, column: str, reason: str) -> None:
        self.refusals.append(Refusal(row, column, reason))

    def place(self, name: str) -> tuple[int, str]:
        """The cell a field came from (the case's first row and the field's name if none)."""
        found = self.places.get(name) or self.blanks.get(name)
        return found or (self.rows[0], name.replace("_", " "))


def read_drafts(sheet: Sheet, bound: BoundLayout) -> list[CaseDraft]:
    """Each case of the file, in file order, with what could not be read refused."""
    if bound.layout.kind is LayoutKind.PER_EVENT:
        return _per_event(sheet, bound)
    drafts: list[CaseDraft] = []
    seen: dict[str, int] = {}
    for number, cells in sheet.rows:
        draft = CaseDraft(_text(cells, bound.fields.get("reference")) or "", [number])
        _case_fields(draft, bound, number, cells)
        for kind, column in bound.dates.items():
            note_column = bound.notes.get(kind)
            _step(draft, bound, number, cells, kind, column, note_column)
        if draft.reference and draft.reference in seen:
            draft.refuse(
                number,
                _header(bound, bound.fields["reference"]),
                f"{draft.reference} is already on row {seen[draft.reference]}; each case has "
                "one row in this layout",
            )
        seen.setdefault(draft.reference, number)
        drafts.append(draft)
    return drafts


def _per_event(sheet: Sheet, bound: BoundLayout) -> list[CaseDraft]:
    drafts: dict[str, CaseDraft] = {}
    loose: list[CaseDraft] = []
    event_column, date_column = bound.fields["event"], bound.fields["date"]
    note_column = bound.fields.get("note")
    for number, cells in sheet.rows:
        reference = _text(cells, bound.fields.get("reference")) or ""
        if not reference:
            draft = CaseDraft("", [number])
            loose.append(draft)
        else:
            draft = drafts.setdefault(reference, CaseDraft(reference, []))
            draft.rows.append(number)
        _case_fields(draft, bound, number, cells)
        word = _text(cells, event_column)
        if not word:
            draft.refuse(number, _header(bound, event_column), "no event named on this row")
            continue
        try:
            kind = EventKind(read_word(bound.layout, "event", word))
        except ValueError as bad:
            draft.refuse(number, _header(bound, event_column), str(bad))
            continue
        if kind is EventKind.HISTORY_IMPORTED:
            _history_row(draft, bound, number, cells, date_column, note_column)
        else:
            _step(draft, bound, number, cells, kind, date_column, note_column, required=True)
    for draft in loose:
        draft.refuse(draft.rows[0], _header(bound, bound.fields["reference"]), _NO_REFERENCE)
    return [*drafts.values(), *loose]


_NO_REFERENCE = "no case reference: every row needs the case's pseudonymous reference"


def _history_row(
    draft: CaseDraft,
    bound: BoundLayout,
    number: int,
    cells: tuple[Cell, ...],
    date_column: int,
    note_column: int | None,
) -> None:
    """A per-event file's "taken over" row: the take-over date, and why in its note."""
    if "taken_over_on" in draft.fields:
        draft.refuse(number, _header(bound, date_column), "the case is taken over twice")
        return
    on = _date(draft, bound, number, cells, date_column, required=True)
    if on is not None:
        draft.fields["taken_over_on"] = on
        draft.places["taken_over_on"] = (number, _header(bound, date_column))
    reason = _text(cells, note_column)
    if reason:
        draft.fields["reason"] = reason
        draft.places["reason"] = (number, _header(bound, note_column))


def _case_fields(
    draft: CaseDraft, bound: BoundLayout, number: int, cells: tuple[Cell, ...]
) -> None:
    """The case's own fields on this row; in a per-event file a field is given on one row or
    repeated alike on each (a different value is refused)."""
    layout = bound.layout
    for name in ("nation", "incident_date", "outcome", "age_group", *_FLAG_FIELDS, *_TEXT_FIELDS,
                 "taken_over_on", "reason"):  # fmt: skip
        column = bound.fields.get(name)
        raw = cells[column] if column is not None else None
        if raw is None:
            if column is not None:
                draft.blanks.setdefault(name, (number, _header(bound, column)))
            if name in layout.defaults and name not in draft.fields:
                draft.fields[name] = layout.defaults[name]
            continue
        header = _header(bound, column)
        try:
            value = _value(bound, name, raw)
        except ValueError as bad:
            draft.refuse(number, header, str(bad))
            continue
        earlier = draft.places.get(name)
        if earlier is not None and draft.fields[name] != value:
            draft.refuse(number, header, f"differs from row {earlier[0]} of the same case")
            continue
        if earlier is None:
            draft.fields[name] = value
            draft.places[name] = (number, header)
    if draft.reference:
        draft.places.setdefault("reference", (number, _header(bound, bound.fields["reference"])))
    elif layout.kind is LayoutKind.PER_CASE:
        draft.refuse(number, _header(bound, bound.fields["reference"]), _NO_REFERENCE)


def _value(bound: BoundLayout, name: str, raw: str | dt.date) -> Any:
    layout = bound.layout
    if name in ("incident_date", "taken_over_on"):
        return read_date(raw, layout.date_formats)
    text = cell_text(raw)
    if name in _WORD_FIELDS:
        return read_word(layout, name, text)
    if name in _FLAG_FIELDS:
        return read_word(layout, "flag", text) == "yes"
    return text


def _step(
    draft: CaseDraft,
    bound: BoundLayout,
    number: int,
    cells: tuple[Cell, ...],
    kind: EventKind,
    date_column: int,
    note_column: int | None,
    *,
    required: bool = False,
) -> None:
    on = _date(draft, bound, number, cells, date_column, required=required)
    note = _text(cells, note_column)
    if on is None:
        if note and not required:
            draft.refuse(number, _header(bound, note_column), "a note without its date")
        return
    draft.steps.append(
        StepCell(kind, on, note, number, _header(bound, date_column), _header(bound, note_column))
    )


def _date(
    draft: CaseDraft,
    bound: BoundLayout,
    number: int,
    cells: tuple[Cell, ...],
    column: int,
    *,
    required: bool,
) -> dt.date | None:
    raw = cells[column]
    if raw is None:
        if required:
            draft.refuse(number, _header(bound, column), "no date")
        return None
    try:
        return read_date(raw, bound.layout.date_formats)
    except ValueError as bad:
        draft.refuse(number, _header(bound, column), str(bad))
        return None


def _text(cells: tuple[Cell, ...], column: int | None) -> str | None:
    if column is None or cells[column] is None:
        return None
    return cell_text(cells[column]).strip() or None


def _header(bound: BoundLayout, column: int | None) -> str:
    return bound.header[column] if column is not None else ""
