"""The Admin page's Import and export section (AppTest of the real app on the demo store, issue
26): a tracker uploaded as bytes is checked with nothing saved and its refused rows named; an
import with a refused row saves nothing and says why; skipping them imports the rest with a
message above the tabs; a new partnership is typed on purpose (a near-duplicate refused); a file
that is no tracker, or a broken mapping file, is refused in words; a partnership's cases export
as CSV or Excel to download."""

from __future__ import annotations

import pytest
from sqlmodel import func, select
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from core.db import open_session
from review_flows.models import Case
from review_flows.tracker_export import ExportFormat
from review_flows.tracker_import import ImportMode, ImportReport
from tests.conftest import REPO_ROOT
from tests.ui.conftest import ADMIN, NORTHSHIRE, AppFactory
from ui.admin_forms import NEW_PARTNERSHIP
from ui.tracker_section import export_file_name, outcome_words, refusal_lines

pytestmark = pytest.mark.slow  # the personal-data guard loads its language model

ADMIN_PAGE = "ui/pages/admin.py"
SECTION = "Import and export"
TRACKERS = REPO_ROOT / "corpus" / "trackers"
# The page shows a file's name escaped for Markdown (ui.widgets.plain): "a.xlsx" as "a\\.xlsx".
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: corpus/trackers/README.md: the six bad rows of the Northshire sample, and their columns.
NORTHSHIRE_REFUSED = [
    (5, "Migration note"), (10, "Decision date"), (15, "Outcome"),
    (20, "Date notified to Panel"), (25, "Date LA aware"), (30, "Case ref"),
]  # fmt: skip


def _admin(app: AppFactory) -> AppTest:
    at = app(ADMIN)
    at.session_state["admin_section"] = SECTION  # the admin opens the tab
    at.switch_page(ADMIN_PAGE).run()
    assert not at.exception
    return at


def _send(
    at: AppTest, name: str, partnership: str, *, button: str = "tracker_check",
    skip: bool = False, typed: str = "", content: bytes | None = None,
    mapping: tuple[str, bytes] | None = None,
) -> AppTest:  # fmt: skip
    data = (TRACKERS / name).read_bytes() if content is None else content
    at.file_uploader(key="tracker_file").set_value((name, data, XLSX))
    if mapping is not None:
        at.file_uploader(key="tracker_mapping").set_value((*mapping, "application/toml"))
    at.selectbox(key="tracker_partnership").set_value(partnership)
    at.text_input(key="tracker_new_partnership").input(typed)
    at.checkbox(key="tracker_skip_bad").set_value(skip)
    at = at.button(key=button).click().run()
    assert not at.exception, at.exception
    return at


def _cases(db_url: str, partnership: str) -> int:
    with open_session(db_url) as session:
        query = select(func.count()).select_from(Case).where(Case.partnership == partnership)
        return session.exec(query).one()


def _table(at: AppTest) -> list[dict[str, str]]:
    [frame] = [t.value for t in at.dataframe if "Result" in t.value.columns]
    return frame.to_dict("records")


def _refused_list(at: AppTest) -> list[str]:
    [listed] = [m.value for m in at.markdown if m.value.startswith("- Row ")]
    return listed.split("\n")


def test_the_section_is_a_tab_with_uploads_and_no_field_for_a_path(app: AppFactory) -> None:
    at = _admin(app)
    assert [tab.label for tab in at.tabs][-1] == SECTION
    tracker, mapping = at.file_uploader(key="tracker_file"), at.file_uploader(key="tracker_mapping")
    assert set(tracker.allowed_type) == {".xlsx", ".csv"}
    assert mapping.allowed_type == [".toml"]
    labels = [w.label.lower() for w in at.text_input if w.key and w.key.startswith("tracker")]
    assert labels and not [label for label in labels if "path" in label or "folder" in label]
    assert NORTHSHIRE in at.selectbox(key="tracker_partnership").options


def test_checking_the_northshire_tracker_names_its_refused_rows_and_saves_nothing(
    app: AppFactory, db_url: str
) -> None:
    before = _cases(db_url, NORTHSHIRE)
    at = _send(_admin(app), "northshire-tracker.xlsx", NORTHSHIRE)

    assert [i.value for i in at.info] == [
        "Checked northshire-tracker\\.xlsx: 40 cases, 34 can be imported and 6 refused. Nothing "
        "was saved. Imported as it is, the file would save nothing: correct the refused rows, "
        "or tick \u201cSkip rows that are refused (import the rest)\u201d."
    ]
    listed = _refused_list(at)
    assert [line.split(":", 1)[0] for line in listed] == [
        f"- Row {row} ({ref}), column \u201c{column}\u201d"
        for (row, column), ref in zip(NORTHSHIRE_REFUSED, _references(), strict=True)
    ]
    assert "in the future" in listed[1] and "empty: every case needs its outcome" in listed[2]
    rows = _table(at)
    assert len(rows) == 40 and sum(r["Result"] == "Refused" for r in rows) == 6
    assert {r["Result"] for r in rows} == {"Refused", "Would be created"}
    assert [(int(r["Row"]), r["Column"]) for r in rows[:6]] == NORTHSHIRE_REFUSED
    assert f"Read as: per-case layout. Partnership: {NORTHSHIRE}. Columns not read: RAG." in [
        c.value for c in at.caption
    ]
    assert _cases(db_url, NORTHSHIRE) == before
    assert not at.success  # no message that anything was done


def _references() -> list[str]:
    """The case reference in column A of each bad row, read from the workbook itself."""
    from openpyxl import load_workbook

    sheet = load_workbook(TRACKERS / "northshire-tracker.xlsx", read_only=True).active
    assert sheet is not None
    return [str(sheet.cell(row, 1).value) for row, _ in NORTHSHIRE_REFUSED]


def test_an_import_with_a_refused_row_imports_nothing_and_says_why(
    app: AppFactory, db_url: str
) -> None:
    before = _cases(db_url, NORTHSHIRE)
    at = _send(_admin(app), "northshire-tracker.xlsx", NORTHSHIRE, button="tracker_import_now")

    [error] = at.error
    assert error.value.startswith(
        "Nothing was imported from northshire-tracker\\.xlsx: 6 of 40 cases refused (listed "
        "below), and a file is imported whole unless some rows may be skipped."
    )
    assert "to import the other 34." in error.value
    assert len(_refused_list(at)) == 6
    assert {r["Result"] for r in _table(at)} == {
        "Refused", "Not written (another row was refused)"
    }  # fmt: skip
    assert _cases(db_url, NORTHSHIRE) == before and not at.success


def test_skipping_the_refused_rows_imports_the_rest_with_a_message_above_the_tabs(
    app: AppFactory, db_url: str
) -> None:
    before = _cases(db_url, NORTHSHIRE)
    at = _send(
        _admin(app), "northshire-tracker.xlsx", NORTHSHIRE, button="tracker_import_now", skip=True
    )

    said = (
        f"Imported 34 cases from northshire-tracker\\.xlsx into {NORTHSHIRE}. 6 cases refused "
        "and not imported (listed below)."
    )
    assert [s.value for s in at.success] == [said, said]  # above the tabs, and in the section
    assert _cases(db_url, NORTHSHIRE) == before + 34
    assert sum(r["Result"] == "Created" for r in _table(at)) == 34
    assert at.session_state["admin_section"] == SECTION  # the tab stays open after the rerun


def test_a_new_partnership_is_typed_on_purpose_and_a_near_duplicate_refused(
    app: AppFactory, db_url: str
) -> None:
    at = _send(
        _admin(app), "cymru-tracker.csv", NEW_PARTNERSHIP, typed="Northshire", skip=True,
        button="tracker_import_now",
    )  # fmt: skip
    [error] = at.error
    assert error.value.startswith("Partnership not accepted: \u201cNorthshire\u201d is too like")
    assert _cases(db_url, "Northshire") == 0

    at = _send(
        at, "cymru-tracker.csv", NEW_PARTNERSHIP, typed="Dyfnant Regional Safeguarding Board",
        skip=True, button="tracker_import_now",
    )  # fmt: skip
    assert not at.error
    assert _cases(db_url, "Dyfnant Regional Safeguarding Board") == 35
    assert "Dyfnant Regional Safeguarding Board" in at.selectbox(key="tracker_partnership").options


@pytest.mark.parametrize(
    ("name", "content", "mapping", "said"),
    [
        ("cases.csv", b"What,When\n*Child A*,today\n", None,
         "Not checked: no known tracker layout fits the header row 'What', 'When'"),
        ("cases.xlsx", b"\xd0\xcf\x11\xe0", None,
         "Not checked: cases\\.xlsx is not an \\.xlsx workbook"),
        ("northshire-tracker.xlsx", None, ("ours.toml", b"name = [broken"),
         "Not checked: ours\\.toml: not a TOML mapping file"),
        ("northshire-tracker.xlsx", None, ("ours.toml", b"\xff\xfe"),
         "Not checked: ours\\.toml is not a text file in UTF-8"),
    ],
)  # fmt: skip
def test_a_file_that_is_no_tracker_or_a_broken_mapping_is_refused_in_words(
    app: AppFactory, name: str, content: bytes | None, mapping: tuple[str, bytes] | None,
    said: str,
) -> None:  # fmt: skip
    at = _send(_admin(app), name, NORTHSHIRE, content=content, mapping=mapping)

    [error] = at.error
    assert error.value.startswith(said), error.value
    assert "*Child A*" not in error.value  # text from the file is escaped, never Markdown
    assert not at.info and not [t for t in at.dataframe if "Result" in t.value.columns]


def test_an_upload_is_required_and_so_is_a_partnership(app: AppFactory) -> None:
    at = _admin(app).button(key="tracker_check").click().run()
    assert [e.value for e in at.error] == ["Choose the tracker file to check or import."]
    at.file_uploader(key="tracker_file").set_value(("t.csv", b"a,b\n", "text/csv"))
    at = at.button(key="tracker_check").click().run()
    assert [e.value for e in at.error] == ["Choose the partnership the cases belong to."]


@pytest.mark.parametrize(("fmt", "start"), [(ExportFormat.CSV, b"\xef\xbb\xbfCase reference,"),
                                            (ExportFormat.XLSX, b"PK")])  # fmt: skip
def test_a_partnerships_cases_export_to_download(
    app: AppFactory, media: list[MemoryMediaFileStorage], fmt: ExportFormat, start: bytes
) -> None:
    at = _admin(app)
    assert not [b for b in at.get("download_button") if b.proto.label.startswith("Download the")]
    at.selectbox(key="tracker_export_partnership").set_value(NORTHSHIRE)
    at.radio(key="tracker_export_format").set_value(fmt)
    at = at.button(key="tracker_export_prepare").click().run()

    assert not at.exception and not at.error
    [button] = [b for b in at.get("download_button") if b.proto.label.startswith("Download the")]
    content = media[-1].get_file(button.proto.url.rsplit("/", 1)[-1]).content
    assert content.startswith(start)
    if fmt is ExportFormat.CSV:
        text = content.decode("utf-8-sig")
        assert "NSH-DEMO-001" in text and "WSM-DEMO" not in text  # Northshire's cases only
    assert any(c.value.endswith(f"of {NORTHSHIRE}, ready to download.") for c in at.caption)
    at.radio(key="tracker_export_layout").set_value("per-event").run()
    assert not [b for b in at.get("download_button") if b.proto.label.startswith("Download the")]


def test_the_words_name_the_file_as_written_and_the_download_its_partnership() -> None:
    report = ImportReport("a_b*.csv", "P", "per-case", ImportMode.ROW_BY_ROW, True, False, ())
    assert outcome_words(report) == (
        "Checked a\\_b\\*\\.csv: 0 cases, 0 can be imported and 0 refused. Nothing was saved."
    )
    assert refusal_lines(report) == []
    assert export_file_name("Cwm Tawel (Board)", "per-event", ExportFormat.XLSX) == (
        "cwm-tawel-board-cases-per-event.xlsx"
    )
