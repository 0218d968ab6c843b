"""Steps without a statutory time limit: elapsed working days, the stall threshold,
local targets where guidance sets none, and the devolved nations' decisions.

Holidays used below: 25/26 Dec 2023 and 1 Jan 2024 (Wales); 26/27 Dec 2022 and 2 Jan
2023 (England); 30 Nov 2023, St Andrew's Day (Scotland).
"""

from __future__ import annotations

import logging

import pytest

from review_flows.calendar import Nation, calendar_for
from review_flows.rulebook import Confidence, load_rulebook
from review_flows.timeline import compute_milestones
from tests.review_flows.computed_milestones import D, K, S, _compute, _events, _row

# --- no time limit, local targets -------------------------------------------------------------


def test_panel_decision_has_no_time_limit_and_shows_elapsed_days() -> None:
    events = _events(
        (K.AWARE, D(2022, 12, 5)),
        (K.NOTIFIED, D(2022, 12, 6)),
        (K.RAPID_REVIEW_SUBMITTED, D(2022, 12, 22)),
    )
    panel = _compute("england-cspr-2018", events, D(2023, 1, 5))["panel_decision"]
    # 23, 28, 29, 30 Dec, 3, 4, 5 Jan (26, 27 Dec and 2 Jan closed).
    assert _row(panel) == (None, None, S.NO_TIME_LIMIT, None, 7)
    assert panel.rule == "no statutory time limit (clock from rapid review submitted)"
    assert panel.confidence is Confidence.SECONDARY
    assert "about 10 days is reported" in panel.source


WALES_EVENTS = _events((K.NOTIFIED, D(2023, 12, 15)), (K.DECISION, D(2023, 12, 20)))


def test_a_step_without_a_time_limit_stalls_after_the_threshold() -> None:
    book = load_rulebook("wales-cpr")
    calendar = calendar_for(Nation.WALES)
    args = (WALES_EVENTS, book, calendar, D(2024, 1, 5))
    by_name = {m.milestone: m for m in compute_milestones(*args, stalled_after=9)}
    assert by_name["review_completed"].status is S.STALLED  # 9 working days elapsed
    by_name = {m.milestone: m for m in compute_milestones(*args, stalled_after=10)}
    assert by_name["review_completed"].status is S.NO_TIME_LIMIT


def test_wales_milestones_without_targets_have_no_time_limit() -> None:
    got = _compute("wales-cpr", WALES_EVENTS, D(2024, 1, 5))
    assert _row(got["review_decision"]) == (None, D(2023, 12, 20), S.DONE, None, 3)
    # 21, 22, 27, 28, 29 Dec, 2-5 Jan.
    assert _row(got["review_completed"]) == (None, None, S.NO_TIME_LIMIT, None, 9)
    assert not got["review_completed"].local_target


def test_local_targets_apply_where_guidance_sets_none(caplog: pytest.LogCaptureFixture) -> None:
    targets = {
        "wales-cpr:review_completed": 10,
        "wales-cpr:review_decision": 3,
        "ni-cmr:cmr_completed": 1,
    }
    got = _compute("wales-cpr", WALES_EVENTS, D(2024, 1, 5), local_targets=targets)
    decision, completed = got["review_decision"], got["review_completed"]
    # 18, 19, 20 Dec.
    assert _row(decision) == (D(2023, 12, 20), D(2023, 12, 20), S.DONE_ON_TIME, None, 3)
    # 21, 22, 27, 28, 29 Dec, 2, 3, 4, 5, 8 Jan.
    assert _row(completed) == (D(2024, 1, 8), None, S.DUE_SOON, 1, 9)
    assert completed.local_target and decision.local_target
    assert completed.rule == (
        "no statutory time limit \u00b7 local target 10 working days from decision"
    )
    assert completed.source.startswith("local target; ")
    with caplog.at_level(logging.WARNING, logger="review_flows.timeline"):
        england = _compute(
            "england-cspr-2018",
            _events((K.AWARE, D(2022, 12, 20))),
            D(2022, 12, 21),
            local_targets={"england-cspr-2018:notification": 2},
        )
    assert england["notification"].due == D(2022, 12, 29)
    assert not england["notification"].local_target
    assert "local target for england-cspr-2018:notification ignored" in caplog.text


@pytest.mark.parametrize(
    ("ruleset", "milestone"),
    [("scotland-learning-review", "learning_review_decision"), ("ni-cmr", "cmr_decision")],
)
def test_devolved_decisions_have_no_time_limit(ruleset: str, milestone: str) -> None:
    events = _events((K.AWARE, D(2023, 11, 27)), (K.NOTIFIED, D(2023, 11, 28)))
    got = _compute(ruleset, events, D(2023, 12, 5))
    assert got[milestone].status is S.NO_TIME_LIMIT
    assert got[milestone].due is None


def test_scotland_counts_st_andrews_day() -> None:
    events = _events((K.AWARE, D(2023, 11, 27)), (K.NOTIFIED, D(2023, 11, 28)))
    got = _compute("scotland-learning-review", events, D(2023, 12, 5))
    # 29 Nov, 30 Nov closed (St Andrew's Day), 1, 4, 5 Dec.
    assert got["learning_review_decision"].elapsed_working_days == 4
