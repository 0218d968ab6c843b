"""Properties of rulebook files, for all inputs: any file loads as a rulebook or is refused
naming the file, and a loaded rulebook's clocks fall due on or after their start."""

from __future__ import annotations

import copy
import datetime as dt
import functools
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from review_flows.calendar import Nation, calendar_for
from review_flows.errors import RulebookInvalid
from review_flows.events import AMENDING_KINDS, Event, EventKind
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
