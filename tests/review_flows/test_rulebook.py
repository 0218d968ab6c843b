"""Rulebooks: bundled files validate, errors name the file and field, editions by date."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from review_flows.calendar import Nation
from review_flows.errors import RulebookInvalid, RulebookNotFound
from review_flows.events import EventKind
from review_flows.rulebook import (
    RULEBOOK_DIR,
    Confidence,
    Direction,
    DurationUnit,
    list_rulebooks,
    load_rulebook,
    load_rulebook_file,
    select_rulebook,
)

D = dt.date

EXPECTED_IDS = [
    "england-cspr-2018",
    "england-cspr-2023",
    "england-scr-2015",
    "ni-cmr",
    "scotland-learning-review",
    "wales-cpr",
    "wales-susr",
]


def test_every_bundled_rulebook_loads() -> None:
    assert [book.id for book in list_rulebooks()] == EXPECTED_IDS
    for book in list_rulebooks():
        assert book.rules
        for rule in book.rules:
            assert set(rule.sources) <= set(book.sources)
            assert book.source_text(rule).startswith(rule.reference)


@pytest.mark.parametrize("ruleset", ["england-cspr-2018", "england-cspr-2023"])
def test_england_cspr_rules(ruleset: str) -> None:
    book = load_rulebook(ruleset)
    summary = {
        rule.milestone: (
            rule.start_event,
            rule.duration,
            rule.unit,
            rule.direction,
            rule.done_by,
            rule.confidence,
        )
        for rule in book.rules
    }
    wd, months = DurationUnit.WORKING_DAYS, DurationUnit.CALENDAR_MONTHS
    after, before = Direction.AFTER, Direction.BEFORE
    K, C = EventKind, Confidence
    assert summary == {
        "notification": (K.AWARE, 5, wd, after, (K.NOTIFIED,), C.CONFIRMED),
        "rapid_review": (K.AWARE, 15, wd, after, (K.RAPID_REVIEW_SUBMITTED,), C.SECONDARY),
        "rapid_review_from_notification": (
            K.NOTIFIED,
            15,
            wd,
            after,
            (K.RAPID_REVIEW_SUBMITTED,),
            C.SECONDARY,
        ),
        "review_decision": (
            K.RAPID_REVIEW_SUBMITTED,
            None,
            None,
            after,
            (K.DECISION, K.DECISION_NO_REVIEW, K.NATIONAL_REVIEW_REFERRED),
            C.SECONDARY,
        ),
        "panel_decision": (
            K.RAPID_REVIEW_SUBMITTED,
            None,
            None,
            after,
            (K.PANEL_RESPONSE,),
            C.SECONDARY,
        ),
        "review_published": (K.DECISION, 6, months, after, (K.PUBLISHED,), C.UNCONFIRMED),
        "report_to_panel": (K.PUBLICATION_PLANNED, 7, wd, before, (K.REPORT_SENT,), C.UNCONFIRMED),
        "publication_kept_until": (K.PUBLISHED, 12, months, after, (), C.SECONDARY),
        "delay_notice": (K.DECISION, 6, months, after, (K.DELAY_RECORDED,), C.UNCONFIRMED),
    }
    assert book.rule("rapid_review_from_notification").reading_of == "rapid_review"
    assert book.rule("delay_notice").waived_if_by_due is K.PUBLISHED
    assert book.rule("publication_kept_until").holds


def test_covid_note_is_a_note_on_the_2018_edition_only() -> None:
    assert any("COVID-19" in note for note in load_rulebook("england-cspr-2018").notes)
    assert not any("COVID-19" in note for note in load_rulebook("england-cspr-2023").notes)


def test_scr_rules() -> None:
    book = load_rulebook("england-scr-2015")
    K = EventKind
    summary = {
        rule.milestone: (rule.start_event, rule.duration, rule.unit, rule.direction, rule.done_by)
        for rule in book.rules
    }
    assert summary == {
        "notification": (K.AWARE, 5, DurationUnit.WORKING_DAYS, Direction.AFTER, (K.NOTIFIED,)),
        "scr_decision": (
            K.NOTIFIED,
            1,
            DurationUnit.CALENDAR_MONTHS,
            Direction.AFTER,
            (K.DECISION, K.DECISION_NO_REVIEW),
        ),
        "no_review_notice": (
            K.DECISION_NO_REVIEW,
            14,
            DurationUnit.CALENDAR_DAYS,
            Direction.AFTER,
            (K.REPORT_SENT,),
        ),
        "scr_completed": (
            K.DECISION,
            6,
            DurationUnit.CALENDAR_MONTHS,
            Direction.AFTER,
            (K.REPORT_SENT, K.PUBLISHED),
        ),
        "copy_before_publication": (
            K.PUBLICATION_PLANNED,
            7,
            DurationUnit.CALENDAR_DAYS,
            Direction.BEFORE,
            (K.REPORT_SENT,),
        ),
        "publication_kept_until": (
            K.PUBLISHED,
            12,
            DurationUnit.CALENDAR_MONTHS,
            Direction.AFTER,
            (),
        ),
    }
    assert book.rule("scr_decision").confidence is Confidence.SECONDARY


@pytest.mark.parametrize(
    "ruleset", ["wales-cpr", "wales-susr", "scotland-learning-review", "ni-cmr"]
)
def test_devolved_rulebooks_set_no_time_limits(ruleset: str) -> None:
    book = load_rulebook(ruleset)
    assert all(rule.duration is None and rule.unit is None for rule in book.rules)
    assert all("no time limit found" in rule.reference for rule in book.rules)


# --- edition selection ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("nation", "incident", "review_type", "expected"),
    [
        (Nation.ENGLAND, D(2015, 3, 1), None, "england-scr-2015"),
        (Nation.ENGLAND, D(2018, 6, 28), None, "england-scr-2015"),
        (Nation.ENGLAND, D(2018, 6, 29), None, "england-cspr-2018"),
        (Nation.ENGLAND, D(2023, 12, 31), None, "england-cspr-2018"),
        (Nation.ENGLAND, D(2024, 1, 1), None, "england-cspr-2023"),
        (Nation.ENGLAND, D(2026, 5, 1), "cspr", "england-cspr-2023"),
        (Nation.WALES, D(2024, 9, 30), None, "wales-cpr"),
        (Nation.WALES, D(2024, 10, 1), None, "wales-susr"),
        (Nation.SCOTLAND, D(2022, 1, 1), None, "scotland-learning-review"),
        (Nation.NORTHERN_IRELAND, D(2022, 1, 1), None, "ni-cmr"),
        ("england", D(2020, 1, 1), None, "england-cspr-2018"),
    ],
)
def test_select_rulebook_by_incident_date(
    nation: Nation, incident: dt.date, review_type: str | None, expected: str
) -> None:
    assert select_rulebook(nation, incident, review_type).id == expected


def test_pinned_rulebook_overrides_the_date() -> None:
    chosen = select_rulebook(Nation.ENGLAND, D(2024, 5, 1), pinned="england-cspr-2018")
    assert chosen.id == "england-cspr-2018"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"pinned": "england-cspr-2099"}, "no rulebook 'england-cspr-2099'; known rulebooks: "),
        (
            {"review_type": "scr"},
            "no england rulebook of type 'scr' in force for an incident on 2020",
        ),
    ],
)
def test_select_rulebook_errors(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(RulebookNotFound, match=re.escape(message)):
        select_rulebook(Nation.ENGLAND, D(2020, 1, 1), **kwargs)


# --- validation errors ---------------------------------------------------------------------------


def _valid() -> dict:
    return yaml.safe_load((RULEBOOK_DIR / "england-scr-2015.yaml").read_text(encoding="utf-8"))


def _write(tmp_path: Path, data: dict, name: str = "england-scr-2015") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_a_copy_of_a_valid_file_loads(tmp_path: Path) -> None:
    assert load_rulebook_file(_write(tmp_path, _valid())) == load_rulebook("england-scr-2015")


def _drop_label(data: dict) -> None:
    del data["rules"][0]["label"]


def _bad_unit(data: dict) -> None:
    data["rules"][1]["unit"] = "fortnights"


def _bad_event(data: dict) -> None:
    data["rules"][0]["start_event"] = "noticed"


def _duration_without_unit(data: dict) -> None:
    del data["rules"][2]["unit"]


def _unknown_source(data: dict) -> None:
    data["rules"][3]["sources"] = ["PQ", "ZZ"]


def _unknown_field(data: dict) -> None:
    data["rules"][0]["deadline"] = 5


def _bad_nation(data: dict) -> None:
    data["nation"] = "cornwall"


def _bad_date(data: dict) -> None:
    data["in_force_to"] = "2018-02-30"


def _negative_duration(data: dict) -> None:
    data["rules"][0]["duration"] = -5


def _duplicate_milestone(data: dict) -> None:
    data["rules"][1]["milestone"] = "notification"


def _before_without_duration(data: dict) -> None:
    rule = data["rules"][4]
    del rule["duration"], rule["unit"]


def _no_done_by(data: dict) -> None:
    del data["rules"][0]["done_by"]


def _reading_of_unknown(data: dict) -> None:
    data["rules"][1]["reading_of"] = "nothing_here"


def _bad_confidence(data: dict) -> None:
    data["rules"][0]["confidence"] = "V"


@pytest.mark.parametrize(
    ("break_it", "message"),
    [
        (_drop_label, "rules[0] (notification).label: Field required"),
        (_bad_unit, "rules[1] (scr_decision).unit: Input should be 'working_days'"),
        (_bad_event, "rules[0] (notification).start_event: Input should be 'aware'"),
        (_duration_without_unit, "rules[2] (no_review_notice): duration and unit: give both"),
        (_unknown_source, "rules[3] (scr_completed).sources: ['ZZ'] not listed under sources"),
        (_unknown_field, "rules[0] (notification).deadline: Extra inputs are not permitted"),
        (_bad_nation, "nation: Input should be 'england'"),
        (_bad_date, "in_force_to: Input should be a valid date"),
        (_negative_duration, "rules[0] (notification).duration: Input should be greater than"),
        (_duplicate_milestone, "rules[1] (notification).milestone: duplicate milestone id"),
        (_before_without_duration, "rules[4] (copy_before_publication): duration: a 'before' rule"),
        (_no_done_by, "rules[0] (notification): done_by: name the event kind"),
        (_reading_of_unknown, "rules[1] (scr_decision).reading_of: no such milestone"),
        (_bad_confidence, "rules[0] (notification).confidence: Input should be 'confirmed'"),
    ],
)
def test_invalid_rulebook_names_file_and_field(tmp_path: Path, break_it, message: str) -> None:
    data = _valid()
    break_it(data)
    path = _write(tmp_path, data)
    with pytest.raises(RulebookInvalid, match=re.escape(f"{path}: ") + ".*" + re.escape(message)):
        load_rulebook_file(path)


def test_id_must_match_file_name(tmp_path: Path) -> None:
    path = _write(tmp_path, _valid(), name="england-scr-2013")
    with pytest.raises(RulebookInvalid, match=re.escape(f"{path}: id: 'england-scr-2015' must")):
        load_rulebook_file(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [("id: [unclosed\n", "cannot read rulebook"), ("- a list\n", "expected a mapping")],
)
def test_unreadable_rulebook(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulebookInvalid, match=re.escape(f"{path}: {message}")):
        load_rulebook_file(path)


def test_missing_rulebook_file(tmp_path: Path) -> None:
    with pytest.raises(RulebookInvalid, match="absent.yaml: cannot read rulebook"):
        load_rulebook_file(tmp_path / "absent.yaml")
