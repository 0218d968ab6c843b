"""Column mappings of trackers: the bundled layouts install and are found from a header row,
a mapping file is read or refused by name, and dates and words are read as people write them."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import pytest

from review_flows.errors import TrackerLayoutInvalid
from review_flows.events import EventKind
from review_flows.tracker_layouts import (
    LayoutKind,
    bind_layout,
    bundled_layouts,
    detect_layout,
    layout_named,
    load_layout,
    parse_layout,
    read_date,
    read_word,
    word_for,
)

ROOT = Path(__file__).resolve().parents[2]
UK = ("%d/%m/%Y", "%Y-%m-%d")


def test_the_bundled_layouts_are_package_data() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert (
        "tracker_layouts/*.toml" in pyproject["tool"]["setuptools"]["package-data"]["review_flows"]
    )
    assert [(layout.name, layout.kind) for layout in bundled_layouts()] == [
        ("per-case", LayoutKind.PER_CASE),
        ("per-event", LayoutKind.PER_EVENT),
    ]


@pytest.mark.parametrize(
    ("header", "layout", "fields"),
    [
        (
            ["Case ref", "Nation", "Date of incident", "Outcome", "Age band", "Date LA aware",
             "RR submitted", "RAG"],
            "per-case",
            {"reference": 0, "nation": 1, "incident_date": 2, "outcome": 3, "age_group": 4},
        ),
        (
            ["Cyfeirnod", "Gwlad", "Incident date", "Outcome", "Age band", "Event", "Dyddiad",
             "Nodyn"],
            "per-event",
            {"reference": 0, "nation": 1, "incident_date": 2, "outcome": 3, "age_group": 4,
             "event": 5, "date": 6, "note": 7},
        ),
    ],
)  # fmt: skip
def test_the_layout_is_found_from_the_header_row(
    header: list[str], layout: str, fields: dict[str, int]
) -> None:
    bound = detect_layout(header, bundled_layouts())
    assert (bound.layout.name, dict(bound.fields)) == (layout, fields)


def test_headers_match_whatever_their_case_spaces_and_punctuation() -> None:
    header = ["CASE REF", "nation ", "Date of Incident:", "outcome", "age-band", "RR  submitted"]
    bound = detect_layout(header, bundled_layouts())
    assert dict(bound.dates) == {EventKind.RAPID_REVIEW_SUBMITTED: 5}
    assert bound.unused == ()


def test_a_header_no_layout_fits_is_refused_with_what_was_found_and_what_is_known() -> None:
    with pytest.raises(TrackerLayoutInvalid) as refused:
        detect_layout(["Child", "DOB", "Social worker"], bundled_layouts())
    message = str(refused.value)
    assert "'Child', 'DOB', 'Social worker'" in message
    assert "per-case (one row per case, one column per step's date)" in message
    assert "per-event (one row per event: reference, event, date, note)" in message


def test_a_layout_names_the_required_columns_a_file_lacks() -> None:
    per_case = layout_named("per-case", bundled_layouts())
    with pytest.raises(TrackerLayoutInvalid, match="needs the columns 'Incident date', 'Outcome'"):
        bind_layout(per_case, ["Case ref", "Nation", "Age group", "Date LA aware"])
    with pytest.raises(TrackerLayoutInvalid, match="a date column of any step"):
        bind_layout(per_case, ["Case ref", "Nation", "Incident date", "Outcome", "Age group"])


MAPPING = """
name = "mid-wales"
kind = "per-case"
description = "the board's own tracker"
date_formats = ["%d.%m.%Y"]
[columns]
reference = "ID"
incident_date = "Incident"
outcome = "Result"
age_group = "Age"
[dates]
notified = "Referred to board"
decision = "Chair decided"
[words.outcome]
death = ["Marwolaeth"]
[defaults]
nation = "wales"
"""


def test_a_mapping_file_names_its_columns_words_formats_and_defaults(tmp_path: Path) -> None:
    path = tmp_path / "mid-wales.toml"
    path.write_text(MAPPING)
    layout = load_layout(path)
    bound = bind_layout(layout, ["ID", "Incident", "Result", "Age", "Referred to board"])
    assert dict(bound.dates) == {EventKind.NOTIFIED: 4}
    assert layout.defaults == {"nation": "wales"}
    assert read_word(layout, "outcome", "marwolaeth") == "death"
    assert read_date("03.02.2025", layout.date_formats) == dt.date(2025, 2, 3)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name = ", "mapping.toml: not a TOML mapping file"),
        ('name = "x"', "mapping.toml: missing 'kind'"),
        ('name = "x"\nkind = "sideways"', "'sideways' is not a valid LayoutKind"),
        ('name = "x"\nkind = "per-case"\n[columns]\nchild_name = "Name"', "'child_name' is not a"),
        ('name = "x"\nkind = "per-case"\n[dates]\nbirthday = "DOB"', "'birthday' is not a valid"),
        ('name = "x"\nkind = "per-case"\n[words.outcome]\nfine = ["ok"]', "'fine' is not one of"),
        ('name = "x"\nkind = "per-case"\n[columns]\nreference = 3', "3 should be a header name"),
    ],
)
def test_a_bad_mapping_file_is_refused_naming_the_entry(text: str, message: str) -> None:
    with pytest.raises(TrackerLayoutInvalid, match=message.replace("(", r"\(")):
        parse_layout(text, "mapping.toml")


def test_a_missing_mapping_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TrackerLayoutInvalid, match="cannot read the mapping file"):
        load_layout(tmp_path / "absent.toml")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("03/04/2025", dt.date(2025, 4, 3)),  # UK day first, never April the 3rd read as March
        ("2025-04-03", dt.date(2025, 4, 3)),
        (" 3/4/2025 ", dt.date(2025, 4, 3)),
        (dt.date(2025, 4, 3), dt.date(2025, 4, 3)),
        (dt.datetime(2025, 4, 3, 13, 5), dt.date(2025, 4, 3)),  # a spreadsheet date cell
    ],
)
def test_dates_are_read_uk_day_first_iso_and_from_date_cells(
    value: str | dt.date, expected: dt.date
) -> None:
    assert read_date(value, UK) == expected


@pytest.mark.parametrize("value", ["31/02/2024", "04/13/2025", "next week", "2025"])
def test_what_is_not_a_date_is_refused_with_the_formats_accepted(value: str) -> None:
    with pytest.raises(ValueError, match=f"'{value}' is not a date; write it as 31/01/2026"):
        read_date(value, UK)


@pytest.mark.parametrize(
    ("field", "text", "value"),
    [
        ("nation", "Cymru", "wales"),
        ("nation", "Northern Ireland", "northern_ireland"),
        ("outcome", "died", "death"),
        ("outcome", "Serious Harm", "serious_harm"),
        ("age_group", "0-1", "under_1"),
        ("age_group", "Under 1 year", "under_1"),
        ("age_group", "1–4 years", "1_4"),
        ("event", "RR submitted", "rapid_review_submitted"),
        ("event", "Taken over", "history_imported"),
        ("flag", "Y", "yes"),
        ("flag", "no", "no"),
    ],
)
def test_words_are_read_as_trackers_write_them(field: str, text: str, value: str) -> None:
    per_case, per_event = bundled_layouts()
    layout = per_event if field == "event" else per_case
    assert read_word(layout, field, text) == value


def test_an_unknown_word_is_refused_with_the_words_known() -> None:
    with pytest.raises(ValueError, match="'Atlantis' is not a known nation: use one of"):
        read_word(bundled_layouts()[0], "nation", "Atlantis")


def test_the_export_writes_the_labels_every_layout_reads_back() -> None:
    for layout in bundled_layouts():
        for field, value in (("nation", "wales"), ("age_group", "10_14"), ("outcome", "death")):
            assert read_word(layout, field, word_for(field, value)) == value
    assert read_word(bundled_layouts()[1], "event", word_for("event", "decision")) == "decision"


def test_the_words_cover_every_code_of_the_models_and_the_layouts_stay_pure() -> None:
    import subprocess
    import sys

    from review_flows.models import AgeGroup, Outcome

    layout = bundled_layouts()[0]
    assert {read_word(layout, "outcome", o.value) for o in Outcome} == set(Outcome)
    assert {read_word(layout, "age_group", a.value) for a in AgeGroup} == set(AgeGroup)
    code = "import sys, review_flows.tracker_drafts; print('sqlalchemy' in sys.modules)"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert loaded.stdout.strip() == "False", loaded.stderr
