"""Properties of the workflow's edges, for all inputs of a kind: typed dates, rulebook files,
event sequences through the lifecycle (pure, and on a real SQLite database), and the
personal-data guard."""

from __future__ import annotations

import calendar as gregorian
import copy
import datetime as dt
import functools
import itertools
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func
from sqlmodel import Session, select

from review_flows.amendments import parse_amended_value
from review_flows.calendar import Nation, calendar_for
from review_flows.cases import case_timeline, get_case, list_cases, parse_input, record_event
from review_flows.cli.cases import _date as parse_typed_date
from review_flows.errors import (
    CaseDataInvalid,
    EventRefused,
    InvalidTransition,
    PersonalDataFound,
    RulebookInvalid,
)
from review_flows.events import AMENDING_KINDS, Event, EventKind
from review_flows.lifecycle import (
    TRANSITIONS,
    Stage,
    accepted_kinds,
    derive_stage,
    effective_events,
    validate_event,
    validate_log,
)
from review_flows.models import CaseEvent, CaseEventCreate, Job
from review_flows.personal_data import Kind, check_personal_data, find_personal_data
from review_flows.rulebook import (
    RULEBOOK_DIR,
    Direction,
    DurationUnit,
    Rulebook,
    _PlainDateLoader,
    load_rulebook_file,
)
from review_flows.timeline import compute_milestones

D = dt.date
TODAY = D(2026, 3, 31)  # the ``today`` fixture
INCIDENT, AWARE = D(2026, 1, 5), D(2026, 1, 6)  # the case factory's dates

# --- typed dates ---------------------------------------------------------------------------------

# Text people type in a date box: anything, and things shaped like dates with wrong numbers.
date_shaped = st.builds(
    lambda y, m, d, sep: f"{y}{sep}{m}{sep}{d}",
    st.integers(-99, 99_999),
    st.integers(-9, 999),
    st.integers(-9, 999),
    st.sampled_from(["-", "/", ".", " ", ""]),
)
typed_text = st.one_of(st.text(max_size=40), date_shaped, st.dates().map(lambda d: f"{d} x"))


def _parsers() -> list[tuple[str, Any]]:
    """Each parser of typed dates, with the start of its refusal message for ``text``."""
    return [
        ("cli", lambda text: parse_typed_date(text, "ON")),
        ("input", lambda text: parse_input(CaseEventCreate, {"kind": "aware", "on": text}).on),
        ("amended", lambda text: parse_amended_value("incident_date", text)),
    ]


def _refusal_start(parser: str, text: str) -> str:
    return {
        "cli": f"ON: {text!r} is not a date; write YYYY-MM-DD",
        "input": "on: ",
        "amended": f"incident date {text!r} is not a date (YYYY-MM-DD)",
    }[parser]


@settings(max_examples=300, deadline=None)
@given(day=st.dates(), pad=st.sampled_from(["", " ", "\t", " \n "]))
def test_any_date_round_trips_through_its_iso_text(day: dt.date, pad: str) -> None:
    text = day.isoformat()
    assert parse_typed_date(pad + text + pad, "ON") == day
    assert parse_input(CaseEventCreate, {"kind": "aware", "on": text}).on == day
    assert parse_amended_value("incident_date", text) == day


@settings(max_examples=300, deadline=None)
@given(text=typed_text)
def test_typed_text_is_a_date_or_a_refusal_that_says_what_to_write(text: str) -> None:
    for name, parse in _parsers():
        try:
            result = parse(text)
        except CaseDataInvalid as refusal:
            assert str(refusal).startswith(_refusal_start(name, text))
            assert len(str(refusal)) > len("on: ")
        else:
            assert type(result) is dt.date
    # the CLI reads what the amendment reads, and the same date
    try:
        amended = parse_amended_value("incident_date", text)
    except CaseDataInvalid:
        return
    assert parse_typed_date(text, "ON") == amended


# Values a form or a JSON payload may hold where a date is wanted.
any_value = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.binary(max_size=20),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.datetimes(),
    typed_text,
)


@settings(max_examples=300, deadline=None)
@given(value=any_value)
def test_any_value_for_an_event_date_is_a_date_or_case_data_invalid(value: object) -> None:
    try:
        event = parse_input(CaseEventCreate, {"kind": "notified", "on": value})
    except CaseDataInvalid as refusal:
        assert str(refusal).startswith("on: ")
    else:
        assert type(event.on) is dt.date


@st.composite
def impossible_dates(draw: st.DrawFn) -> str:
    """``YYYY-MM-DD`` text with one part out of range: month 0 or 13+, a day past the month's
    end (30 February), or year 0 or 10000+."""
    year, month = draw(st.integers(1, 9999)), draw(st.integers(1, 12))
    last = gregorian.monthrange(year, month)[1]
    wrong = draw(st.sampled_from(["year", "month", "day"]))
    day = draw(st.integers(last + 1, 99)) if wrong == "day" else 1
    if wrong == "month":
        month = draw(st.sampled_from([0, *range(13, 100)]))
    if wrong == "year":
        year = draw(st.sampled_from([0, *range(10_000, 10_100)]))
    return f"{year:04d}-{month:02d}-{day:02d}"


@settings(max_examples=200, deadline=None)
@given(text=impossible_dates())
def test_out_of_range_dates_are_refused_with_a_message(text: str) -> None:
    for name, parse in _parsers():
        with pytest.raises(CaseDataInvalid) as refusal:
            parse(text)
        assert str(refusal.value).startswith(_refusal_start(name, text))


# --- rulebook files ------------------------------------------------------------------------------

REAL_RULEBOOK = "england-cspr-2023"


@functools.cache
def _real_parsed() -> dict[str, Any]:
    text = (RULEBOOK_DIR / f"{REAL_RULEBOOK}.yaml").read_text(encoding="utf-8")
    return yaml.load(text, Loader=_PlainDateLoader)  # noqa: S506 - a SafeLoader


def _real_raw() -> dict[str, Any]:
    return copy.deepcopy(_real_parsed())


def _dump(raw: object) -> str:
    return yaml.dump(raw, Dumper=yaml.CSafeDumper, allow_unicode=True)


@pytest.fixture(scope="module")
def rules_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for the rulebook files the properties write (each example overwrites)."""
    return tmp_path_factory.mktemp("rules")


yaml_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**6), max_value=10**6),
        st.floats(allow_nan=False),
        st.text(max_size=12),
        st.sampled_from(["aware", "notified", "working_days", "calendar_months", "after",
                         "before", "confirmed", "england", "2024-01-01", "2024-13-40"]),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)  # fmt: skip


@st.composite
def mutated_rulebooks(draw: st.DrawFn) -> dict[str, Any]:
    """The real rulebook with a few random edits: a value replaced, a key removed or added."""
    raw = _real_raw()
    for _ in range(draw(st.integers(1, 4))):
        node: Any = raw
        while True:  # walk down to a random mapping or list
            keys = list(node) if isinstance(node, dict) else list(range(len(node)))
            if not keys:
                break
            key = draw(st.sampled_from(keys))
            child = node[key]
            if not isinstance(child, (dict, list)) or not child or draw(st.booleans()):
                break
            node = child
        if not keys:
            continue
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":
            node[key] = draw(yaml_values)
        elif action == "delete" and isinstance(node, dict):
            del node[key]
        elif isinstance(node, dict):
            node[draw(st.text(min_size=1, max_size=10))] = draw(yaml_values)
    return raw


def _load_or_refuse(path: Path) -> Rulebook | None:
    """The rulebook in ``path``, or None after checking the refusal names the file."""
    try:
        return load_rulebook_file(path)
    except RulebookInvalid as refusal:
        assert str(refusal).startswith(f"{path}: ")
        assert len(str(refusal)) > len(f"{path}: ")
        return None


@settings(max_examples=60, deadline=None)
@given(raw=mutated_rulebooks())
def test_a_mutated_rulebook_loads_or_is_refused_naming_the_file(
    rules_dir: Path, raw: dict[str, Any]
) -> None:
    path = rules_dir / f"{REAL_RULEBOOK}.yaml"
    path.write_text(_dump(raw), encoding="utf-8")
    book = _load_or_refuse(path)
    if book is not None:
        assert isinstance(book, Rulebook) and book.id == REAL_RULEBOOK and book.rules


@settings(max_examples=100, deadline=None)
@example(content=b"[" * 1000 + b"]" * 1000)  # deeper than Python's stack (slow: once)
@given(
    content=st.one_of(
        yaml_values.map(lambda value: _dump(value).encode()),
        st.text(max_size=200).map(str.encode),
        st.binary(max_size=200),
        st.integers(1, 300).map(lambda depth: b"[" * depth + b"]" * depth),
        st.integers(4301, 5000).map(lambda digits: b"duration: " + b"9" * digits),
    )
)
def test_any_file_loads_as_a_rulebook_or_is_refused_naming_the_file(
    rules_dir: Path, content: bytes
) -> None:
    path = rules_dir / "any.yaml"
    path.write_bytes(content)
    _load_or_refuse(path)


@st.composite
def retimed_rulebooks(draw: st.DrawFn) -> dict[str, Any]:
    """The real rulebook with every clock given a random duration, unit and direction."""
    raw = _real_raw()
    for rule in raw["rules"]:
        if draw(st.booleans()):
            # now and then a duration too long for any calendar, which must be refused
            huge = draw(st.integers(0, 19)) == 0
            rule["duration"] = draw(st.integers(0, 10**7) if huge else st.integers(0, 400))
            rule["unit"] = draw(st.sampled_from(list(DurationUnit))).value
            rule["direction"] = draw(st.sampled_from(list(Direction))).value
    return raw


@settings(max_examples=30, deadline=None)
@given(raw=retimed_rulebooks(), start=st.dates(D(2001, 1, 1), D(2080, 12, 31)))
def test_clocks_of_a_loaded_rulebook_are_due_on_or_after_their_start(
    rules_dir: Path, raw: dict[str, Any], start: dt.date
) -> None:
    path = rules_dir / f"{REAL_RULEBOOK}.yaml"
    path.write_text(_dump(raw), encoding="utf-8")
    book = _load_or_refuse(path)
    assume(book is not None)
    assert book is not None
    calendar = calendar_for(Nation.ENGLAND)
    # every clock started on ``start``
    clocks = [kind for kind in EventKind if kind not in AMENDING_KINDS]
    events = [Event(kind, start, id=i) for i, kind in enumerate(clocks, 1)]
    milestones = {m.milestone: m for m in compute_milestones(events, book, calendar, start)}
    for rule in book.rules:
        due = milestones[rule.milestone].due
        if rule.duration is None:
            assert due is None
            continue
        assert due is not None
        if rule.direction is Direction.BEFORE:
            assert due <= start
            continue
        assert due >= start
        if rule.unit is DurationUnit.WORKING_DAYS and rule.duration > 0:
            assert calendar.is_working_day(due) and due > start
            assert calendar.working_days_between(start, due) == rule.duration


# --- the lifecycle, pure -------------------------------------------------------------------------

NOTES = st.sampled_from([None, "", "  ", "criminal trial", "entered in error"])


@st.composite
def attempts(draw: st.DrawFn, ids: list[int], stage: Stage | None, last: dt.date) -> Event:
    """One event to try: mostly a kind the stage accepts on a date near the last one; sometimes
    any kind, date, note or event to correct."""
    kinds = accepted_kinds(stage) if stage is not None else (EventKind.AWARE,)
    kind = draw(st.sampled_from(kinds) | st.sampled_from(list(EventKind)))
    on = last + dt.timedelta(days=draw(st.integers(-5, 25)))
    if draw(st.integers(0, 9)) == 0:
        on = draw(st.dates(D(1985, 1, 1), D(2105, 12, 31)))
    corrects = None
    if kind in (EventKind.CORRECTION, EventKind.VOID) or draw(st.integers(0, 19)) == 0:
        corrects = draw(st.sampled_from(ids) | st.integers(-1, 10**6)) if ids else None
    note = "criminal trial" if kind is EventKind.DELAY_RECORDED else None
    if draw(st.integers(0, 4)) == 0 or kind in (EventKind.VOID, EventKind.AMENDED):
        note = draw(NOTES)
    return Event(kind, on, note=note, corrects=corrects)


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_random_event_sequences_are_accepted_or_refused_by_name(data: st.DataObject) -> None:
    log: list[Event] = []
    for _ in range(data.draw(st.integers(1, 20))):
        stage = derive_stage(log) if effective_events(log) else None  # None: no aware yet
        last = max((e.on for e in log), default=AWARE)
        new = data.draw(attempts([e.id for e in log if e.id is not None], stage, last))
        try:
            validate_event(log, new, INCIDENT, TODAY)
        except EventRefused as refusal:
            assert str(refusal)
            continue
        log.append(Event(new.kind, new.on, id=len(log) + 1, note=new.note, corrects=new.corrects))
        # what was accepted holds together as a whole, and moves the stage as the graph says
        validate_log(log, INCIDENT, TODAY)
        if stage is not None and new.kind not in (EventKind.CORRECTION, EventKind.VOID):
            assert derive_stage(log) == TRANSITIONS[stage][new.kind]
        dated = [e for e in log if e.kind not in AMENDING_KINDS]  # these carry no clock
        assert all(D(1990, 1, 1) <= e.on <= D(2100, 12, 31) for e in dated)
        assert all(e.on <= TODAY for e in dated if e.kind is not EventKind.PUBLICATION_PLANNED)


# --- the lifecycle on a real database ------------------------------------------------------------

_references = itertools.count(1)


def _count(session: Session, model: type, case_id: int | None = None) -> int:
    query = select(func.count()).select_from(model)
    if case_id is not None:
        query = query.where(model.case_id == case_id)  # type: ignore[attr-defined]
    return session.exec(query).one()


def _verdict(log: list[Event], new: Event) -> type[Exception] | None:
    """The class of the pure lifecycle's refusal of ``new``, or None if it accepts it."""
    if new.kind is EventKind.AMENDED:  # the store takes amendments only through amend_case
        return InvalidTransition
    try:
        validate_event(log, new, INCIDENT, TODAY)
    except EventRefused as refusal:
        return type(refusal)
    return None


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_random_events_on_a_real_database_keep_the_log_and_its_stage_whole(
    session: Session, case_factory: Any, data: st.DataObject
) -> None:
    reference = f"NSH-PBT-{next(_references):05d}"
    record = case_factory(reference=reference)
    case_id = record.case.id
    for _ in range(data.draw(st.integers(1, 15))):
        before = get_case(session, reference)
        last = max(e.on for e in before.events)
        ids = [e.id for e in before.events if e.id is not None]
        new = data.draw(attempts(ids, before.stage, last))
        counts = (_count(session, CaseEvent), _count(session, Job))
        pure = _verdict(list(before.events), new)
        try:
            payload = {"kind": new.kind, "on": new.on, "note": new.note, "corrects": new.corrects}
            record_event(
                session,
                reference,
                parse_input(CaseEventCreate, payload),
                recorded_by="tester",
                today=TODAY,
            )
        except (EventRefused, CaseDataInvalid) as refusal:
            assert str(refusal)
            # the store refuses what the pure lifecycle refuses, and more only by its rulebook
            assert type(refusal) is pure or (pure is None and type(refusal) is InvalidTransition)
            # nothing written, and the session still works
            assert (_count(session, CaseEvent), _count(session, Job)) == counts
            after = get_case(session, reference)
            assert after.case == before.case and after.events == before.events
        else:
            assert pure is None
            assert _count(session, CaseEvent, case_id) == len(before.events) + 1
        after = get_case(session, reference)
        stored = session.exec(
            select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
        ).all()
        assert [(e.kind, e.on, e.corrects) for e in after.events] == [
            (EventKind(r.kind), r.on, r.corrects) for r in stored
        ]
        # the stage every reader shows is the one the stored log derives to
        assert after.stage == derive_stage(after.events)
        listed = [r for r in list_cases(session, stage=after.stage) if r.case.id == case_id]
        assert len(listed) == 1
        assert case_timeline(session, reference, today=TODAY).stage == after.stage
        validate_log(list(after.events), INCIDENT, TODAY)


# --- the personal-data guard ---------------------------------------------------------------------


@settings(max_examples=400, deadline=None)
@given(text=st.text(max_size=300), identifier=st.booleans())
def test_the_guard_never_crashes_and_its_findings_lie_in_the_text(
    text: str, identifier: bool
) -> None:
    findings = find_personal_data(text, identifier=identifier)
    for finding in findings:
        assert 0 <= finding.start < finding.end <= len(text)
        assert finding.kind in Kind and finding.masked
    try:
        check_personal_data(text, "note", identifier=identifier)
    except PersonalDataFound as refusal:
        assert findings and refusal.field == "note"
        assert str(refusal).startswith("note seems to hold personal data: ")
    else:
        assert not findings


def _nhs_number(digits: list[int]) -> str | None:
    """Nine digits and their modulus-11 check digit, or None where there is none (10)."""
    check = 11 - sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11
    check = 0 if check == 11 else check
    return None if check == 10 else "".join(map(str, digits)) + str(check)


# Numbers of the English, Welsh and Northern Irish ranges (320-399, 400-799); Scotland's CHI
# numbers start with a date of birth.
nhs_numbers = (
    st.tuples(st.integers(320, 799), st.lists(st.integers(0, 9), min_size=6, max_size=6))
    .map(lambda parts: _nhs_number([*map(int, str(parts[0])), *parts[1]]))
    .filter(lambda number: number is not None)
)
uk_phones = st.builds(
    lambda body, style: {
        "spaced": f"07{body[:3]} {body[3:]}",
        "plain": f"07{body}",
        "international": f"+44 7{body[:3]} {body[3:]}",
        "landline": f"020 {body[1:5]} {body[5:]}",
    }[style],
    st.text("0123456789", min_size=9, max_size=9),
    st.sampled_from(["spaced", "plain", "international", "landline"]),
)
_LABEL = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8)
emails = st.builds(
    lambda local, domain, tld: f"{local}@{domain}.{tld}",
    st.builds(lambda a, b: a + b, _LABEL, st.text("abcdefghij._+-", max_size=4) | st.just("")),
    _LABEL,
    st.sampled_from(["com", "org", "co.uk", "nhs.uk", "gov.uk"]),
).filter(lambda email: email.split("@")[0][-1].isalnum())
surnames = st.from_regex(r"\A[A-Z][a-z]{1,10}\Z")
titled_names = st.builds(
    lambda title, dot, name: f"{title}{dot} {name}",
    st.sampled_from(["Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Master"]),
    st.sampled_from(["", "."]),
    surnames,
)


@settings(max_examples=300, deadline=None)
@given(
    before=st.text(max_size=60),
    after=st.text(max_size=60),
    found=st.one_of(
        nhs_numbers.map(lambda n: (Kind.NHS_NUMBER, n)),
        nhs_numbers.map(lambda n: (Kind.NHS_NUMBER, f"{n[:3]} {n[3:6]} {n[6:]}")),
        nhs_numbers.map(lambda n: (Kind.NHS_NUMBER, f"{n[:3]}-{n[3:6]}-{n[6:]}")),
        uk_phones.map(lambda p: (Kind.PHONE, p)),
        emails.map(lambda e: (Kind.EMAIL, e)),
        titled_names.map(lambda n: (Kind.NAME, n)),
    ),
)
def test_personal_data_anywhere_in_any_text_is_flagged(
    before: str, after: str, found: tuple[Kind, str]
) -> None:
    kind, value = found
    text = f"{before} ; {value} ; {after}"  # see the next test for a number beside a number
    start = len(before) + 3
    findings = find_personal_data(text)
    assert kind in {f.kind for f in findings if f.start <= start + len(value) and f.end > start}
    with pytest.raises(PersonalDataFound):
        check_personal_data(text, "note")


@settings(max_examples=50, deadline=None)
@given(phone=uk_phones, number=st.integers(0, 99))
def test_a_phone_number_beside_another_number_is_flagged(phone: str, number: int) -> None:
    for text in (f"ring {phone} {number} times", f"{number} {phone}"):
        assert Kind.PHONE in {f.kind for f in find_personal_data(text)}, text


def _names_file(name: str) -> frozenset[str]:
    path = Path(__file__).parents[2] / "review_flows" / "data" / name
    return frozenset(line.strip() for line in path.read_text(encoding="utf-8").splitlines())


# Case-note words that are no one's forename, and not a role word (after which a capitalised
# word reads as a name: "mum Chelsea"), checked against the guard's own lists.
_CANDIDATES = (
    'the', 'a', 'of', 'to', 'and', 'in', 'on', 'for', 'with', 'after', 'before', 'was', 'were',
    'agreed', 'discussed', 'referral', 'concerns', 'home', 'visit', 'visits', 'records', 'meeting',
    'meetings', 'agency', 'agencies', 'review', 'reviews', 'panel', 'report', 'practice',
    'learning', 'partners', 'services', 'decision', 'health', 'school', 'nursery', 'police',
    'social', 'care', 'plan', 'assessment', 'strategy', 'discussion', 'information', 'shared',
    'escalation', 'threshold', 'timely', 'response', 'recommendation', 'recommendations',
    'findings', 'safeguarding', 'multi', 'professional', 'supervision', 'support', 'early', 'help',
    'transfer', 'attendance', 'missed', 'appointment', 'appointments', 'injuries', 'injury',
    'bruising', 'hospital', 'admission', 'discharge'
)  # fmt: skip
SAFE_WORDS = sorted(
    word
    for word in _CANDIDATES
    if word not in _names_file("forenames.txt") and word not in {"mum", "child", "baby"}
)


@settings(max_examples=300, deadline=None)
@given(
    words=st.lists(
        st.tuples(
            st.sampled_from(SAFE_WORDS), st.booleans(), st.sampled_from([" ", ", ", ". ", "\n"])
        ),
        max_size=40,
    )
)
def test_text_of_safe_words_is_never_flagged(words: list[tuple[str, bool, str]]) -> None:
    assert len(SAFE_WORDS) >= 60  # the property is about many words, not a handful
    text = "".join((w.capitalize() if upper else w) + gap for w, upper, gap in words)
    assert find_personal_data(text) == []
    check_personal_data(text, "note")
