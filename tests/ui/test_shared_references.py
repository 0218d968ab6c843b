"""The Case page and a reference two partnerships both use (issue 22, finding 5), opened by deep
link (``/case?ref=...``) as the attacker did: each viewer reaches their own copy, one who sees
neither reads exactly what a reference nobody uses reads, and only an admin is asked which
partnership."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from core.access import Viewer
from core.db import open_session
from core.roles import Role
from review_flows.cases import create_case, parse_input
from review_flows.models import CaseCreate
from tests.ui.conftest import ADMIN, NORTHSHIRE, PANEL, AppFactory

CASE = "ui/pages/case.py"
SHARED = "REF-2026-001"
NOBODYS = "REF-2099-999"
WESTMERE = "Westmere Safeguarding Children Partnership"
WEST_REVIEWER = Viewer("wendy.reviewer", Role.REVIEWER, None, "Wendy Reviewer")
INTRUDERS = {
    "reviewer-of-neither": Viewer("rita.reviewer", Role.REVIEWER, None, "Rita Reviewer"),
    "other-partnership": Viewer(
        "cam.panel", Role.PANEL_MEMBER, "Cwm Tawel Regional Safeguarding Board", "Cam Panel"
    ),
}


@pytest.fixture
def shared(db_url: str) -> None:
    """REF-2026-001 in Northshire (no owner) and in Westmere (owned by Wendy)."""
    today = dt.date.today()
    with open_session(db_url) as session:
        for partnership, owner in ((NORTHSHIRE, None), (WESTMERE, WEST_REVIEWER.username)):
            data = {
                "reference": SHARED, "partnership": partnership, "nation": "england",
                "incident_date": today - dt.timedelta(days=20), "outcome": "serious_harm",
                "aware_on": today - dt.timedelta(days=19), "age_group": "1_4", "owner": owner,
            }  # fmt: skip
            create_case(session, parse_input(CaseCreate, data), recorded_by="admin", today=today)


def _open(app: AppFactory, viewer: Viewer, reference: str, **params: str) -> AppTest:
    at = app(viewer)
    at.run()
    at.query_params["ref"] = reference
    for name, value in params.items():
        at.query_params[name] = value
    at.switch_page(CASE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _shown(at: AppTest) -> str:
    parts = [str(e.value) for kind in ("title", "header", "markdown", "caption", "error", "info",
             "warning", "success") for e in at.get(kind)]  # fmt: skip
    parts += [str(option) for box in at.selectbox for option in box.options]
    parts += [box.label for box in at.selectbox]
    parts += [frame.value.to_csv() for frame in at.dataframe]
    return "\n".join(parts)


def _facts(at: AppTest) -> str:
    return "\n".join(str(e.value) for e in at.markdown)


def test_the_reviewer_owning_the_westmere_copy_opens_it(app: AppFactory, shared: None) -> None:
    at = _open(app, WEST_REVIEWER, SHARED)
    assert [e.value for e in at.error] == []
    assert f"Case {SHARED}" in [h.value for h in at.header]
    assert WESTMERE in _facts(at) and NORTHSHIRE not in _shown(at)
    assert not [box for box in at.selectbox if box.label == "Partnership"]


def test_the_northshire_panel_member_sees_only_theirs(app: AppFactory, shared: None) -> None:
    at = _open(app, PANEL, SHARED)
    assert f"Case {SHARED}" in [h.value for h in at.header]
    assert NORTHSHIRE in _facts(at)
    assert "Westmere" not in _shown(at)
    assert not [box for box in at.selectbox if box.label == "Partnership"]
    asked_for_westmere = _open(app, PANEL, SHARED, partnership=WESTMERE)  # a crafted link
    assert "Westmere" not in _shown(asked_for_westmere)
    assert [e.value for e in asked_for_westmere.error] == [
        f"no case {SHARED} that you can see. Choose one of your cases above."
    ]


@pytest.mark.parametrize("intruder", INTRUDERS)
@pytest.mark.parametrize("params", [{}, {"partnership": NORTHSHIRE}], ids=["ref", "ref+partner"])
def test_who_sees_neither_reads_exactly_a_missing_case(
    app: AppFactory, shared: None, intruder: str, params: dict[str, Any]
) -> None:
    viewer = INTRUDERS[intruder]
    pages = [_open(app, viewer, reference, **params) for reference in (SHARED, NOBODYS)]
    shown = [
        _shown(at).replace(ref, "REF") for at, ref in zip(pages, (SHARED, NOBODYS), strict=True)
    ]
    assert shown[0] == shown[1]  # byte for byte, everything on the page
    assert [e.value for e in pages[0].error] == [
        f"no case {SHARED} that you can see. Choose one of your cases above."
    ]
    assert "Westmere" not in shown[0] and "several" not in shown[0]


def test_an_admin_is_asked_which_partnership(app: AppFactory, shared: None) -> None:
    at = _open(app, ADMIN, SHARED)
    [choice] = [box for box in at.selectbox if box.label == "Partnership"]
    assert choice.options == [NORTHSHIRE, WESTMERE] and choice.value is None
    assert [i.value for i in at.info] == [
        f"{SHARED} is a case of several partnerships: choose which above."
    ]
    assert not [h for h in at.header if h.value.startswith("Case ")]
    choice.select(WESTMERE).run()
    assert f"Case {SHARED}" in [h.value for h in at.header]
    assert WESTMERE in _facts(at) and at.query_params["partnership"] == WESTMERE
    linked = _open(app, ADMIN, SHARED, partnership=NORTHSHIRE)  # the link says which
    assert NORTHSHIRE in _facts(linked) and WESTMERE not in _facts(linked)


def test_an_admin_charts_each_partnerships_copy_on_the_deadlines_page(
    app: AppFactory, shared: None
) -> None:
    at = app(ADMIN)
    at.run()
    at.switch_page("ui/pages/deadlines.py").run()
    [chart] = [box for box in at.selectbox if box.label == "Case to chart"]
    copies = [f"{SHARED} · {NORTHSHIRE}", f"{SHARED} · {WESTMERE}"]
    assert set(copies) <= set(chart.options)
    for copy in copies:
        chart.select(copy).run()
        assert not at.exception and not at.error, [e.value for e in at.error]
        [chart] = [box for box in at.selectbox if box.label == "Case to chart"]
    assert any(SHARED in c.value for c in at.caption)
