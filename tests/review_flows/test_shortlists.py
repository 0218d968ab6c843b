"""The shortlist of similar published reviews saved to a case, scoped to the viewer."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from core.access import Viewer
from core.roles import Role
from review_flows.errors import CaseDataInvalid, CaseNotFound
from review_flows.models import ShortlistItem
from review_flows.shortlists import save_to_shortlist, shortlist_of

PANEL = Viewer("pat", Role.PANEL_MEMBER, partnership="Northshire")
OTHER_PANEL = Viewer("owen", Role.PANEL_MEMBER, partnership="Cwm Tawel")
REVIEWER = Viewer("rita", Role.REVIEWER)
ANALYST = Viewer("ana", Role.ANALYST)
ADMIN = Viewer("ada", Role.ADMIN)


@pytest.fixture
def case_ref(case_factory) -> str:  # type: ignore[no-untyped-def]
    return case_factory(reference="NSH-2026-001", owner="rita").case.reference


def test_saved_review_is_listed_with_who_and_why(session: Session, case_ref: str) -> None:
    save_to_shortlist(session, PANEL, case_ref, "csprp-2022-07", "same pattern of missed visits")

    [entry] = shortlist_of(session, PANEL, case_ref)

    assert (entry.review_id, entry.note, entry.saved_by) == (
        "csprp-2022-07",
        "same pattern of missed visits",
        "pat",
    )
    assert entry.saved_at.tzinfo is not None


def test_saving_twice_keeps_one_entry_with_the_new_note(session: Session, case_ref: str) -> None:
    save_to_shortlist(session, PANEL, case_ref, "csprp-2022-07", "first")
    save_to_shortlist(session, REVIEWER, case_ref, "csprp-2022-07", "second")
    save_to_shortlist(session, PANEL, case_ref, "csprp-2021-02")

    entries = shortlist_of(session, ADMIN, case_ref)

    assert [(e.review_id, e.note, e.saved_by) for e in entries] == [
        ("csprp-2022-07", "second", "rita"),
        ("csprp-2021-02", None, "pat"),
    ]


@pytest.mark.parametrize("viewer", [OTHER_PANEL, ANALYST, Viewer("rob", Role.REVIEWER)])
def test_a_case_out_of_scope_reads_as_missing(
    session: Session, case_ref: str, viewer: Viewer
) -> None:
    with pytest.raises(CaseNotFound, match="no case NSH-2026-001 that you can see"):
        save_to_shortlist(session, viewer, case_ref, "csprp-2022-07")
    with pytest.raises(CaseNotFound, match="that you can see"):
        shortlist_of(session, viewer, case_ref)
    assert session.exec(select(ShortlistItem)).all() == []


@pytest.mark.parametrize(
    ("review_id", "note", "message"),
    [
        ("", None, "review_id: name the published review"),
        ("x" * 121, None, "review_id"),
        ("csprp-2022-07", "spoke to Jane Smith on 01/02/2015", "note"),
        ("csprp-2022-07", "n" * 5000, "note: String should have at most 2000"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(
    session: Session, case_ref: str, review_id: str, note: str | None, message: str
) -> None:
    with pytest.raises(CaseDataInvalid, match=message):
        save_to_shortlist(session, PANEL, case_ref, review_id, note)
    assert shortlist_of(session, PANEL, case_ref) == []


def test_unknown_case_reads_as_missing(session: Session) -> None:
    with pytest.raises(CaseNotFound, match="no case NSH-2099-999 that you can see"):
        shortlist_of(session, ADMIN, "NSH-2099-999")
