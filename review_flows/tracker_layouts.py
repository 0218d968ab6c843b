"""Column mappings of partnership trackers: which column holds which field, and how to read it.

A partnership's tracker is a spreadsheet laid out one of two ways: one row per case with one
column per step's date ("Date LA aware", "Date notified to Panel", "RR submitted", ...), or one
row per event (reference, event, date, note). A mapping file (TOML, read with the standard
library) names the columns of each field, the date formats accepted and the words used for
nations, outcomes, age groups and events; the bundled ones are in ``tracker_layouts/``. The
layout of a file given without a mapping is the bundled one its header row fits.

Pure: no database, no clock; the importer (:mod:`review_flows.tracker_import`) and the export
(:mod:`review_flows.tracker_export`) do the rest.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any

from core.labels import (
    AGE_GROUP_LABELS,
    OUTCOME_LABELS,
    age_group_label,
    event_label,
    nation_label,
    outcome_label,
)
from review_flows.calendar import Nation
from review_flows.errors import TrackerLayoutInvalid
from review_flows.events import AMENDING_KINDS, EventKind

#: The case's own fields a column may hold (the partnership is given for the whole file).
CASE_FIELDS = (
    "reference", "nation", "incident_date", "outcome", "age_group", "looked_after",
    "child_protection_plan", "ruleset_id", "owner", "taken_over_on", "reason",
)  # fmt: skip
#: A per-event layout's own columns.
EVENT_FIELDS = ("event", "date", "note")
#: Steps of a case's history a tracker may date (not corrections, voids or amendments).
STEP_KINDS = tuple(
    kind for kind in EventKind if kind not in AMENDING_KINDS and kind != EventKind.HISTORY_IMPORTED
)
_REQUIRED = ("reference", "incident_date", "outcome", "age_group", "nation")
_WORD_FIELDS = ("nation", "outcome", "age_group", "event", "flag")
# the codes, the app's labels, and the words most trackers use; a mapping file adds its own
_COMMON_WORDS: dict[str, dict[str, str]] = {
    "nation": {"Cymru": "wales", "NI": "northern_ireland", "Alba": "scotland"},
    "outcome": {"died": "death", "fatal": "death", "harm": "serious_harm"},
    "age_group": {"0-1": "under_1", "under 1": "under_1", "<1": "under_1", "1-4": "1_4",
                  "5-9": "5_9", "10-14": "10_14", "15-17": "15_17"},
}  # fmt: skip
_BUILT_IN_WORDS: dict[str, dict[str, str]] = {
    "nation": {nation_label(n): n.value for n in Nation}
    | {n.value: n.value for n in Nation}
    | _COMMON_WORDS["nation"],
    # the labels' codes are the models' Outcome and AgeGroup values (tests/review_flows/
    # test_tracker_layouts.py checks), read here without importing the models' database layer
    "outcome": {outcome_label(o): o for o in OUTCOME_LABELS}
    | {o: o for o in OUTCOME_LABELS}
    | _COMMON_WORDS["outcome"],
    "age_group": {age_group_label(a): a for a in AGE_GROUP_LABELS}
    | {a: a for a in AGE_GROUP_LABELS}
    | _COMMON_WORDS["age_group"],
    "event": {event_label(k): k.value for k in (*STEP_KINDS, EventKind.HISTORY_IMPORTED)}
    | {k.value: k.value for k in (*STEP_KINDS, EventKind.HISTORY_IMPORTED)},
    "flag": {"yes": "yes", "y": "yes", "true": "yes", "1": "yes", "x": "yes",
             "no": "no", "n": "no", "false": "no", "0": "no"},
}  # fmt: skip
_DEFAULT_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y")


class LayoutKind(StrEnum):
    """How a tracker is laid out."""

    PER_CASE = "per-case"  # one row per case, one column per step's date
    PER_EVENT = "per-event"  # one row per event: reference, event, date, note


@dataclass(frozen=True)
class TrackerLayout:
    """A column mapping. Header names are matched without regard to case, spaces or
    punctuation; the first name of each column is the one an export writes."""

    name: str
    kind: LayoutKind
    description: str
    columns: Mapping[str, tuple[str, ...]]  # field -> header names
    dates: Mapping[EventKind, tuple[str, ...]]  # per-case: step -> its date column
    notes: Mapping[EventKind, tuple[str, ...]]  # per-case: step -> its note column
    words: Mapping[str, Mapping[str, str]]  # field -> {word as written: value}
    date_formats: tuple[str, ...]
    defaults: Mapping[str, str]  # field -> value when the file has no such column


@dataclass(frozen=True)
class BoundLayout:
    """A layout matched to one file's header row: the column index of each field."""

    layout: TrackerLayout
    header: tuple[str, ...]
    fields: Mapping[str, int]
    dates: Mapping[EventKind, int]
    notes: Mapping[EventKind, int]
    unused: tuple[str, ...]  # header cells no field takes (left alone, and reported)


def header_key(text: str) -> str:
    """A header or word as compared: lower case, letters and digits only ("RR submitted:" and
    "rr-submitted" are the same column)."""
    return re.sub(r"[^0-9a-z<>+]+", " ", text.casefold()).strip()


def parse_layout(text: str, source: str) -> TrackerLayout:
    """The layout a mapping file's TOML text describes; :class:`TrackerLayoutInvalid` names
    ``source`` and the entry at fault."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as bad:
        raise TrackerLayoutInvalid(f"{source}: not a TOML mapping file ({bad})") from None
    try:
        return _layout(raw)
    except (KeyError, TypeError, ValueError) as bad:
        raise TrackerLayoutInvalid(f"{source}: {_plain(bad)}") from None


def load_layout(path: Path) -> TrackerLayout:
    """A mapping file from disk (the CLI's ``--mapping``)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as bad:
        raise TrackerLayoutInvalid(f"cannot read the mapping file {path}: {bad}") from None
    return parse_layout(text, path.name)


def bundled_layouts() -> tuple[TrackerLayout, ...]:
    """The layouts shipped in ``review_flows/tracker_layouts/``, by file name."""
    folder = resources.files("review_flows").joinpath("tracker_layouts")
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".toml")), key=lambda f: f.name)
    return tuple(parse_layout(f.read_text(encoding="utf-8"), f.name) for f in files)


def layout_named(name: str, layouts: Sequence[TrackerLayout]) -> TrackerLayout:
    for layout in layouts:
        if layout.name == name:
            return layout
    known = ", ".join(layout.name for layout in layouts)
    raise TrackerLayoutInvalid(f"no tracker layout {name!r}; the layouts known are: {known}")


def bind_layout(layout: TrackerLayout, header: Sequence[str]) -> BoundLayout:
    """Match ``layout`` to a header row; refused if a required column is missing."""
    keys = [header_key(cell) for cell in header]

    def find(names: tuple[str, ...]) -> int | None:
        for name in names:
            if header_key(name) in keys:
                return keys.index(header_key(name))
        return None

    fields = {f: i for f, names in layout.columns.items() if (i := find(names)) is not None}
    dates = {k: i for k, names in layout.dates.items() if (i := find(names)) is not None}
    notes = {k: i for k, names in layout.notes.items() if (i := find(names)) is not None}
    missing = [
        layout.columns.get(field, (field,))[0]
        for field in _required(layout)
        if field not in fields and field not in layout.defaults
    ]
    if layout.kind is LayoutKind.PER_CASE and not dates:
        missing.append("a date column of any step")
    if missing:
        raise TrackerLayoutInvalid(
            f"the {layout.name} layout needs the column{'s' * (len(missing) > 1)} "
            f"{', '.join(repr(m) for m in missing)}; the header row has: {_listed(header)}"
        )
    taken = {*fields.values(), *dates.values(), *notes.values()}
    unused = tuple(cell for i, cell in enumerate(header) if i not in taken and cell.strip())
    return BoundLayout(layout, tuple(header), fields, dates, notes, unused)


def detect_layout(header: Sequence[str], layouts: Sequence[TrackerLayout]) -> BoundLayout:
    """The layout among ``layouts`` that fits ``header`` best (the most columns taken); refused
    with the header found and the layouts known if none fits."""
    fits = []
    for layout in layouts:
        try:
            fits.append(bind_layout(layout, header))
        except TrackerLayoutInvalid:
            continue
    if not fits:
        known = "; ".join(f"{layout.name} ({layout.description})" for layout in layouts)
        raise TrackerLayoutInvalid(
            f"no known tracker layout fits the header row {_listed(header)}; the layouts known "
            f"are: {known}. Give a mapping file naming your columns"
        )
    return max(fits, key=lambda bound: len(bound.header) - len(bound.unused))


def read_date(value: str | dt.date, formats: Sequence[str]) -> dt.date:
    """A date cell: a spreadsheet date, or text in one of ``formats`` (UK day first)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = value.strip()
    for pattern in formats:
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    shown = ", ".join(_example(pattern) for pattern in formats[:3])
    raise ValueError(f"{text!r} is not a date; write it as {shown}")


def read_word(layout: TrackerLayout, field: str, text: str) -> str:
    """The stored value of a word as the tracker writes it ("Cymru" -> wales, "died" ->
    death, "0-1" -> under_1, "RR submitted" -> rapid_review_submitted, "Y" -> yes)."""
    key = header_key(text)
    words = {header_key(w): v for w, v in _BUILT_IN_WORDS[field].items()}
    words |= {header_key(w): v for w, v in layout.words.get(field, {}).items()}
    if key in words:
        return words[key]
    known = sorted({w for w in layout.words.get(field, {})} | set(_BUILT_IN_WORDS[field]))
    raise ValueError(f"{text.strip()!r} is not a known {field.replace('_', ' ')}: use one of "
                     f"{', '.join(known[:12])}")  # fmt: skip


def word_for(field: str, value: str) -> str:
    """The word an export writes for a stored value: the label the app shows ("Wales",
    "Under 1", "Rapid review submitted"), which every layout reads back."""
    labels = {"nation": nation_label, "outcome": outcome_label, "age_group": age_group_label}
    if field in labels:
        return labels[field](value)
    return event_label(value) if field == "event" else value


def _required(layout: TrackerLayout) -> tuple[str, ...]:
    if layout.kind is LayoutKind.PER_EVENT:
        return (*_REQUIRED, *EVENT_FIELDS[:2])
    return _REQUIRED


def _layout(raw: dict[str, Any]) -> TrackerLayout:
    kind = LayoutKind(raw["kind"])
    columns = {field: _names(v) for field, v in raw.get("columns", {}).items()}
    allowed = CASE_FIELDS + (EVENT_FIELDS if kind is LayoutKind.PER_EVENT else ())
    for field in columns:
        if field not in allowed:
            raise ValueError(f"[columns] {field!r} is not a field; use {', '.join(allowed)}")
    words = {}
    for field, table in raw.get("words", {}).items():
        if field not in _WORD_FIELDS:
            raise ValueError(f"[words.{field}] is not a field; use {', '.join(_WORD_FIELDS)}")
        words[field] = {w: _value(field, v) for v, names in table.items() for w in _names(names)}
    defaults = {str(k): str(v) for k, v in raw.get("defaults", {}).items()}
    formats = tuple(raw.get("date_formats", _DEFAULT_DATE_FORMATS))
    return TrackerLayout(
        name=str(raw["name"]),
        kind=kind,
        description=str(raw.get("description", "")),
        columns=columns,
        dates={EventKind(k): _names(v) for k, v in raw.get("dates", {}).items()},
        notes={EventKind(k): _names(v) for k, v in raw.get("notes", {}).items()},
        words=words,
        date_formats=formats,
        defaults=defaults,
    )


def _value(field: str, value: str) -> str:
    """A value a ``[words.FIELD]`` table maps to, checked against the field's codes."""
    codes = set(_BUILT_IN_WORDS[field].values())
    if value not in codes:
        raise ValueError(f"[words.{field}] {value!r} is not one of {', '.join(sorted(codes))}")
    return value


def _names(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ValueError(f"{value!r} should be a header name or a list of names")


def _example(pattern: str) -> str:
    return dt.date(2026, 1, 31).strftime(pattern)


def _listed(header: Sequence[str]) -> str:
    cells = [repr(cell) for cell in header if cell.strip()]
    return ", ".join(cells[:30]) + (" ..." if len(cells) > 30 else "") if cells else "(empty)"


def _plain(error: Exception) -> str:
    if isinstance(error, KeyError):
        return f"missing {error.args[0]!r}"
    return str(error)
