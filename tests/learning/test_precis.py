"""A case précis from a case's coded facts: review words, one fact a sentence, never a name."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from types import SimpleNamespace

import pytest

from core.case_facts import CaseFacts
from learning.precis import case_precis
from learning.query import split_sentences
from review_flows.case_facts import facts_of


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (
            CaseFacts("death", "under_1"),
            "A baby under one year old died after a serious safeguarding incident.",
        ),
        (
            CaseFacts("serious_harm", "15_17", looked_after=True, stage="rapid_review"),
            "A teenager aged between fifteen and seventeen was seriously harmed after a serious "
            "safeguarding incident. The child was looked after by the local authority, in care. "
            "For this case, a rapid review is under way.",
        ),
        (
            CaseFacts("serious_harm", "1_4", child_protection_plan=True, stage="reviewing"),
            "A young child aged between one and four was seriously harmed after a serious "
            "safeguarding incident. The child was subject to a child protection plan at the "
            "time. For this case, the practice review is under way.",
        ),
        # a value the précis does not know is left general, never shown raw
        (
            CaseFacts("near_miss", "mixed", stage="somewhere_new"),
            "A child was harmed after a serious safeguarding incident.",
        ),
    ],
)
def test_precis_says_each_fact_in_review_words(facts: CaseFacts, expected: str) -> None:
    assert case_precis(facts) == expected


def test_every_fact_is_a_sentence_the_engine_searches_on_its_own() -> None:
    facts = CaseFacts("death", "5_9", True, True, "local_review")
    assert len(split_sentences(case_precis(facts))) == 4


def _overview(**case: object) -> SimpleNamespace:
    fields = {
        "reference": "NSH-2026-004", "partnership": "Northshire Safeguarding Children Partnership",
        "outcome": "death", "age_group": "10_14", "looked_after": True,
        "child_protection_plan": False, "owner": "rita", "incident_date": dt.date(2026, 1, 5),
    }  # fmt: skip
    return SimpleNamespace(case=SimpleNamespace(**{**fields, **case}), stage="notified")


def test_facts_of_a_case_are_its_coded_facts_only() -> None:
    assert facts_of(_overview()) == CaseFacts(  # type: ignore[arg-type]
        "death", "10_14", looked_after=True, child_protection_plan=False, stage="notified"
    )


def test_precis_of_a_case_carries_no_reference_partnership_or_owner() -> None:
    precis = case_precis(facts_of(_overview()))  # type: ignore[arg-type]
    for identifying in ("NSH", "2026", "Northshire", "rita"):
        assert identifying not in precis


def test_precis_module_imports_nothing_heavy() -> None:
    code = (
        "import sys, learning.precis; "
        "print(sorted({'sqlmodel', 'sqlalchemy', 'streamlit', 'faiss', 'torch'} "
        "& {name.split('.')[0] for name in sys.modules}))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert loaded.stdout.strip() == "[]"
