"""Shape of the labelled personal-data evaluation sets in benchmarks/data.

`personal_data_notes.jsonl` is the first (tuning) set; `personal_data_holdout.jsonl` is the
held-out set written blind to the guard; `personal_data_final.jsonl` is the final, report-only set
written blind to the guard and to both other sets; `personal_data_fourth.jsonl` is a fourth
report-only set written blind to the guard and to the three others. All get the same shape checks;
the held-out, final and fourth sets may use the extra forms documented in the README's "Held-out
set" section.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

DATA_DIR = Path(__file__).resolve().parents[2] / "benchmarks" / "data"
FIELDS = {"note", "reference", "reason", "precis", "partnership"}
FIRST_SET = "personal_data_notes.jsonl"
HOLDOUT_SET = "personal_data_holdout.jsonl"
FINAL_SET = "personal_data_final.jsonl"
FOURTH_SET = "personal_data_fourth.jsonl"
HOLDOUT_HEADING = "## Held-out set"
FINAL_HEADING = "## Final set"
FOURTH_HEADING = "## Fourth set"


def _load(name: str) -> list[dict[str, Any]]:
    lines = (DATA_DIR / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _forms_in(markdown: str) -> set[str]:
    return set(re.findall(r"^\| `([a-z_]+)` \|", markdown, flags=re.MULTILINE))


@pytest.fixture(scope="module", params=[FIRST_SET, HOLDOUT_SET, FINAL_SET, FOURTH_SET])
def dataset(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def items(dataset: str) -> list[dict[str, Any]]:
    return _load(dataset)


@pytest.fixture(scope="module")
def vocabulary(dataset: str) -> set[str]:
    readme = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    first, _, rest = readme.partition(HOLDOUT_HEADING)
    holdout = rest.partition(FINAL_HEADING)[0]
    if dataset in (HOLDOUT_SET, FINAL_SET, FOURTH_SET):
        return _forms_in(first) | _forms_in(holdout)
    return _forms_in(first)


def test_set_is_large_with_unique_ids_and_known_fields(items: list[dict[str, Any]]) -> None:
    assert len(items) >= 300
    assert len({item["id"] for item in items}) == len(items)
    assert {item["field"] for item in items} == FIELDS
    assert all(isinstance(item["text"], str) and item["text"].strip() for item in items)


def test_personal_share_is_between_40_and_60_percent(items: list[dict[str, Any]]) -> None:
    share = sum(item["personal"] is True for item in items) / len(items)
    assert 0.40 <= share <= 0.60


def test_forms_match_the_label(items: list[dict[str, Any]], vocabulary: set[str]) -> None:
    assert len(vocabulary) >= 10
    for item in items:
        assert item["personal"] in (True, False), item["id"]
        assert bool(item["forms"]) == item["personal"], item["id"]
        assert set(item["forms"]) <= vocabulary, item["id"]


def test_every_documented_form_occurs_at_least_8_times(
    items: list[dict[str, Any]], vocabulary: set[str]
) -> None:
    counts = Counter(form for item in items for form in item["forms"])
    assert {form: counts[form] for form in vocabulary if counts[form] < 8} == {}


def test_holdout_documents_its_extra_form_and_keys_are_exact() -> None:
    readme = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    first, heading, holdout = readme.partition(HOLDOUT_HEADING)
    assert heading, "README lacks the held-out section"
    assert "ni_number" in _forms_in(holdout) - _forms_in(first)
    for item in _load(HOLDOUT_SET):
        assert set(item) == {"id", "field", "text", "personal", "forms"}, item
        assert re.fullmatch(r"h\d{3}", item["id"]), item["id"]
        assert item["forms"] == sorted(set(item["forms"])), item["id"]


def test_holdout_shares_no_text_with_the_first_set() -> None:
    first = {item["text"].strip().casefold() for item in _load(FIRST_SET)}
    shared = [item["id"] for item in _load(HOLDOUT_SET) if item["text"].strip().casefold() in first]
    assert shared == []


def _texts(name: str) -> set[str]:
    return {item["text"].strip().casefold() for item in _load(name)}


def test_final_set_keys_ids_and_forms_are_exact() -> None:
    for item in _load(FINAL_SET):
        assert set(item) == {"id", "field", "text", "personal", "forms"}, item
        assert re.fullmatch(r"f\d{3}", item["id"]), item["id"]
        assert item["forms"] == sorted(set(item["forms"])), item["id"]


def test_final_set_is_documented_as_report_only_and_adds_no_forms() -> None:
    readme = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    _, heading, rest = readme.partition(FINAL_HEADING)
    assert heading, "README lacks the final-set section"
    final = rest.partition(FOURTH_HEADING)[0]
    assert FINAL_SET in final and "never be used to tune" in final
    assert _forms_in(final) == set()


def test_final_set_shares_no_text_with_the_other_sets() -> None:
    others = _texts(FIRST_SET) | _texts(HOLDOUT_SET)
    final = _load(FINAL_SET)
    assert len({item["text"].strip().casefold() for item in final}) == len(final)
    assert [item["id"] for item in final if item["text"].strip().casefold() in others] == []


def test_fourth_set_keys_ids_and_forms_are_exact() -> None:
    for item in _load(FOURTH_SET):
        assert set(item) == {"id", "field", "text", "personal", "forms"}, item
        assert re.fullmatch(r"q\d{3}", item["id"]), item["id"]
        assert item["forms"] == sorted(set(item["forms"])), item["id"]


def test_fourth_set_is_documented_last_as_report_only_and_adds_no_forms() -> None:
    readme = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    before, heading, fourth = readme.partition(FOURTH_HEADING)
    assert heading, "README lacks the fourth-set section"
    assert FINAL_HEADING in before and "\n## " not in fourth
    assert FOURTH_SET in fourth and "never be used to tune" in fourth
    assert _forms_in(fourth) == set()


def test_fourth_set_shares_no_text_with_the_other_sets() -> None:
    others = _texts(FIRST_SET) | _texts(HOLDOUT_SET) | _texts(FINAL_SET)
    fourth = _load(FOURTH_SET)
    assert len({item["text"].strip().casefold() for item in fourth}) == len(fourth)
    assert [item["id"] for item in fourth if item["text"].strip().casefold() in others] == []
