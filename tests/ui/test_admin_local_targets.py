"""Local targets on the Admin page and the Case page (AppTest of the real app on the demo
store, issue 26): an admin sets a Welsh board's own target for a step without a statutory
limit, chosen from lists; the Case page then reads "no statutory time limit · local target";
the target is removed; a form sent without its choices says what is missing."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from core.db import open_session
from review_flows.demo_partnerships import CWM_TAWEL
from review_flows.partnership_targets import partnership_targets
from tests.ui.demo_pages import ADMIN, open_page, texts
from tests.ui.demo_pages import db_url as db_url
from tests.ui.demo_pages import demo_store as demo_store

ADMIN_PAGE = "ui/pages/admin.py"
STEP_LABEL = "Review completed, report and action plan in the national repository"
RULE = "no statutory time limit \u00b7 local target 40 working days from decision"


def _choose(at: AppTest, partnership: str, ruleset: str, milestone: str, days: int) -> AppTest:
    at.selectbox(key="target_partnership").set_value(partnership)
    at.selectbox(key="target_ruleset").set_value(ruleset).run()
    at.selectbox(key="target_step").set_value(milestone)
    at.number_input(key="target_days").set_value(days)
    return at


def _rows(db_url: str) -> list[tuple[str, str, str, int, str]]:
    with open_session(db_url) as session:
        return [
            (r.partnership, r.ruleset_id, r.milestone, r.working_days, r.set_by)
            for r in partnership_targets(session)
        ]


def _rules_shown(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith("**Rule:**")]


def test_the_lists_offer_only_steps_without_a_statutory_limit_devolved_nations_first(
    db_url: str,
) -> None:
    at = open_page(ADMIN_PAGE, ADMIN)
    rulebooks = at.selectbox(key="target_ruleset")
    assert rulebooks.options[:2] == [
        "Wales child practice review (2012/2015 regulations) (Wales)",
        "Wales single unified safeguarding review (from October 2024) (Wales)",
    ]
    assert "England SCR (Working Together 2013/2015, LSCBs) (England)" not in rulebooks.options
    rulebooks.set_value("england-cspr-2023").run()
    assert at.selectbox(key="target_step").options == [
        "Decision on a local review (LCSPR, none, or national)",
        "Panel response to the rapid review",
    ]
    assert "No partnership has set its own local targets." in texts(at)


def test_an_admin_sets_a_boards_target_and_the_case_page_shows_it(db_url: str) -> None:
    at = _choose(open_page(ADMIN_PAGE, ADMIN), CWM_TAWEL.name, "wales-susr", "review_completed", 40)
    at.button(key="target_save").click().run()

    assert not at.exception and not at.error
    done = f"{CWM_TAWEL.name}: local target for \u201c{STEP_LABEL}\u201d set to 40 working days."
    assert done in texts(at)
    assert _rows(db_url) == [(CWM_TAWEL.name, "wales-susr", "review_completed", 40, "admin")]
    table = next(t.value for t in at.dataframe if "Working days" in t.value.columns
                 and "Set by" in t.value.columns)  # fmt: skip
    assert table[["Partnership", "Step", "Working days", "Set by"]].values.tolist() == [
        [CWM_TAWEL.name, STEP_LABEL, 40, "admin"]
    ]

    case = open_page("ui/pages/case.py", ADMIN)
    case.session_state["case_ref"] = "CWT-DEMO-003"
    case.run()
    assert not case.exception
    [label] = [e.label for e in case.expander if STEP_LABEL in e.label]
    assert label.startswith(f"\u25b2 Overdue \u00b7 {STEP_LABEL} (local target) \u00b7 ")
    assert [rule for rule in _rules_shown(case) if "local target" in rule] == [
        f"**Rule:** {RULE}  \n**Who:** Safeguarding Board"
    ]

    at = _choose(at, CWM_TAWEL.name, "wales-susr", "review_completed", 40)
    at.button(key="target_clear").click().run()
    assert f"{CWM_TAWEL.name}: its own local target for \u201c{STEP_LABEL}\u201d removed." in (
        texts(at)
    )
    assert _rows(db_url) == []


def test_a_form_sent_without_a_partnership_says_so_and_saves_nothing(db_url: str) -> None:
    at = open_page(ADMIN_PAGE, ADMIN)
    at.selectbox(key="target_ruleset").set_value("ni-cmr").run()
    at.button(key="target_save").click().run()

    assert [e.value for e in at.error] == ["Choose a partnership, a rulebook and a step."]
    assert _rows(db_url) == []
