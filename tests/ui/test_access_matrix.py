"""Access tried from outside: every page of the app, and every download it offers, opened by a
panel member of another partnership, by a reviewer who owns none of the cases and by an
analyst; none of them may see anything of Northshire's cases (their references start ``NSH-``).

The same pages opened by Northshire's own panel member do show those cases: the control that
keeps the refusals from passing vacuously. SECURITY.md's table cites these tests.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from core.access import Viewer
from core.roles import Role
from tests.conftest import REPO_ROOT
from tests.ui.conftest import ANALYST, PANEL, AppFactory

NORTHSHIRE_CASE = "NSH-"
TARGET = "NSH-DEMO-004"
WESTMERE_PANEL = Viewer(
    "wes.panel", Role.PANEL_MEMBER, "Westmere Safeguarding Children Partnership", "Wes Panel"
)
UNASSIGNED_REVIEWER = Viewer("rita.reviewer", Role.REVIEWER, None, "Rita Reviewer")
INTRUDERS = {"other-partnership": WESTMERE_PANEL, "reviewer": UNASSIGNED_REVIEWER,
             "analyst": ANALYST}  # fmt: skip
PAGES = ("deadlines", "case", "similar", "search", "library", "inbox", "themes", "admin")
TEXT_ELEMENTS = ("title", "header", "subheader", "markdown", "caption", "text", "code", "error",
                 "warning", "info", "success", "metric", "json", "table")  # fmt: skip


@pytest.fixture
def swept(db_url: str) -> str:
    """Today's sweep run on the demo store, so the inboxes hold notices about the cases."""
    from core.db import open_session
    from review_flows.notify.channels import InboxChannel
    from review_flows.notify.kinds import Channel
    from review_flows.sweep import run_sweep

    with open_session(db_url) as session:
        report = run_sweep(session, today=dt.date.today(), channels={Channel.INBOX: InboxChannel()})
    assert any((n.case_reference or "").startswith(NORTHSHIRE_CASE) for n in report.delivery.sent)
    return db_url


def _open(app: AppFactory, viewer: Viewer, page: str) -> AppTest:
    """``page`` opened as ``viewer`` asking for Northshire's case. A page that is not in the
    viewer's navigation is opened by its file, as a crafted URL would, and must refuse."""
    at = app(viewer)
    at.session_state["case_ref"] = TARGET
    at.query_params["ref"] = TARGET
    at.run()
    try:
        at.switch_page(f"ui/pages/{page}.py").run()
    except ValueError:  # not one of this role's pages
        at = AppTest.from_file(str(REPO_ROOT / "ui" / "pages" / f"{page}.py"), default_timeout=60)
        at.session_state["viewer"] = viewer
        at.session_state["last_seen"] = dt.datetime.now(dt.UTC)
        at.session_state["case_ref"] = TARGET
        at.query_params["ref"] = TARGET
        at.run()
        assert [e.value for e in at.error] == [f"A {_role(viewer)} cannot open this page."]
    assert not at.exception, [e.value for e in at.exception]
    return at


def _role(viewer: Viewer) -> str:
    return viewer.role.value.replace("_", " ")


def _shown(at: AppTest) -> str:
    """Everything the page put in front of the viewer: texts, tables, options, labels."""
    parts: list[str] = []
    for kind in TEXT_ELEMENTS:
        for element in at.get(kind):
            parts.append(str(getattr(element, "value", "")))
            parts.append(str(getattr(element, "label", "")))
    for frame in at.dataframe:
        parts.append(frame.value.to_csv())
    for kind in ("selectbox", "multiselect", "radio", "expander", "tab", "button"):
        for widget in at.get(kind):
            parts.extend(str(option) for option in getattr(widget, "options", []))
            parts.append(str(getattr(widget, "label", "")))
    return "\n".join(parts)


def _downloads(media: list[MemoryMediaFileStorage]) -> list[str]:
    """The text of every file the page offered for download (a DOCX read as its XML)."""
    texts = []
    for store in media:
        for file in list(store._files_by_id.values()):  # noqa: SLF001 - AppTest keeps them here
            content = file.content
            if content.startswith(b"PK"):
                with zipfile.ZipFile(io.BytesIO(content)) as docx:
                    content = docx.read("word/document.xml")
            texts.append(content.decode("utf-8", errors="replace"))
    return texts


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("intruder", INTRUDERS)
def test_no_page_or_download_shows_another_partnerships_cases(
    app: AppFactory, swept: str, media: list[MemoryMediaFileStorage], page: str, intruder: str
) -> None:
    at = _open(app, INTRUDERS[intruder], page)
    refusal = f"no case {TARGET} that you can see"  # echoes what they asked for, nothing more
    assert NORTHSHIRE_CASE not in _shown(at).replace(refusal, "")
    assert all(NORTHSHIRE_CASE not in text for text in _downloads(media))


@pytest.mark.parametrize("page", ["deadlines", "case", "similar", "inbox"])
def test_the_partnerships_own_panel_member_does_see_them(
    app: AppFactory, swept: str, media: list[MemoryMediaFileStorage], page: str
) -> None:
    at = _open(app, PANEL, page)
    assert NORTHSHIRE_CASE in _shown(at) or any(NORTHSHIRE_CASE in t for t in _downloads(media))


def test_the_controls_downloads_hold_the_cases(
    app: AppFactory, swept: str, media: list[MemoryMediaFileStorage]
) -> None:
    """The Deadlines CSV and calendar and the Case page's DOCX are read by the check above."""
    _open(app, PANEL, "deadlines")
    deadlines = _downloads(media)
    assert len(deadlines) >= 2 and all(TARGET in text for text in deadlines)
    media.clear()
    _open(app, PANEL, "case")
    assert any(TARGET in text for text in _downloads(media))
