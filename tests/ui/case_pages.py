"""Reading and driving the Deadlines and Case pages under AppTest: one widget by its
label, a table's rows, texts, the Case page opened on a reference, and an event
recorded straight into the store."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from streamlit.testing.v1 import AppTest

from core.access import Viewer
from core.db import open_session
from review_flows.events import EventKind
from tests.ui.conftest import AppFactory

DEADLINES = "ui/pages/deadlines.py"
CASE = "ui/pages/case.py"


def _one(widgets: Sequence[Any], label: str) -> Any:
    [widget] = [w for w in widgets if w.label == label]
    return widget


def _table(at: AppTest, index: int = 0) -> list[dict[str, Any]]:
    return at.dataframe[index].value.to_dict("records")


def _open_case(app: AppFactory, viewer: Viewer, reference: str) -> AppTest:
    at = app(viewer)
    at.session_state["case_ref"] = reference
    return at.switch_page(CASE).run()


def _texts(elements: Any) -> list[str]:
    return [element.value for element in elements]


def _record(db_url: str, reference: str, kind: EventKind, **fields: Any) -> int:
    from review_flows.cases import record_event
    from review_flows.models import CaseEventCreate

    data = CaseEventCreate(kind=kind, **fields)
    with open_session(db_url) as session:
        event = record_event(session, reference, data, recorded_by="tester", today=dt.date.today())
    return event.id
