"""A reference two partnerships both use (issue 22, finding 5): each viewer reaches the copy in
their own scope; one who can see neither copy reads exactly what a reference nobody uses reads
(the message, byte for byte, and the error's type), in every case service; only a viewer who can
see both copies (an admin, a reviewer owning both) is asked which partnership, and is told only
the partnerships they can see."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import Session, select

from core.access import Viewer
from core.roles import Role
from review_flows.case_details import case_details, visible_partnerships
from review_flows.errors import CaseNotFound, CaseReferenceAmbiguous
from review_flows.models import Case, CaseEventCreate
from review_flows.shortlists import save_to_shortlist, shortlist_of
from review_flows.workbench import next_event_kinds, record_event_as, visible_timeline

SHARED = "REF-2026-001"
NOBODYS = "REF-2099-999"  # no partnership has a case with it
NORTH = Viewer("panel-north", Role.PANEL_MEMBER, "Northshire")
WEST = Viewer("panel-west", Role.PANEL_MEMBER, "Westmere")
EAST = Viewer("panel-east", Role.PANEL_MEMBER, "Eastshire")
WEST_REVIEWER = Viewer("rev-west", Role.REVIEWER)  # owns the Westmere copy only
OTHER_REVIEWER = Viewer("rev-other", Role.REVIEWER)  # owns neither
ADMIN = Viewer("root", Role.ADMIN)


@pytest.fixture
def shared(session: Session, case_factory: Any) -> None:
    case_factory(SHARED, partnership="Northshire", owner="rev-both")
    case_factory(SHARED, partnership="Westmere", owner="rev-west")


def _lookups(today: dt.date) -> dict[str, Callable[[Session, Viewer, str, str | None], Any]]:
    """Every case service that takes a reference, as (session, viewer, reference, partnership)."""
    notified = CaseEventCreate(kind="notified", on=dt.date(2026, 1, 8))
    return {
        "timeline": lambda s, v, r, p: visible_timeline(s, v, r, today=today, partnership=p),
        "details": lambda s, v, r, p: case_details(s, v, r, today=today, partnership=p),
        "next kinds": lambda s, v, r, p: next_event_kinds(s, v, r, partnership=p),
        "shortlist": lambda s, v, r, p: shortlist_of(s, v, r, partnership=p),
        "save": lambda s, v, r, p: save_to_shortlist(s, v, r, "csprp-2021-07", partnership=p),
        "record": lambda s, v, r, p: record_event_as(s, v, r, notified, today=today, partnership=p),
    }


def test_a_reviewer_owning_the_westmere_copy_opens_it(
    session: Session, shared: None, today: dt.date
) -> None:
    timeline = visible_timeline(session, WEST_REVIEWER, SHARED, today=today)
    assert (timeline.case.partnership, timeline.case.owner) == ("Westmere", "rev-west")
    details = case_details(session, WEST_REVIEWER, SHARED, today=today)
    assert details.timeline.case.partnership == "Westmere"
    saved = save_to_shortlist(session, WEST_REVIEWER, SHARED, "csprp-2021-07")
    assert shortlist_of(session, WEST_REVIEWER, SHARED) == [saved]
    assert shortlist_of(session, ADMIN, SHARED, partnership="Northshire") == []
    assert visible_partnerships(session, WEST_REVIEWER, today=today) == {SHARED: ("Westmere",)}


@pytest.mark.parametrize(("viewer", "own"), [(NORTH, "Northshire"), (WEST, "Westmere")])
def test_each_panel_member_opening_the_reference_reaches_only_their_copy(
    session: Session, shared: None, today: dt.date, viewer: Viewer, own: str
) -> None:
    for lookup in _lookups(today).values():
        lookup(session, viewer, SHARED, None)  # none refuses, none is ambiguous
    timeline = visible_timeline(session, viewer, SHARED, today=today)
    assert timeline.case.partnership == own
    assert timeline.events[-1].recorded_by == viewer.username  # "record" wrote to their copy
    other = "Westmere" if own == "Northshire" else "Northshire"
    with pytest.raises(CaseNotFound) as asked_for_the_other:
        visible_timeline(session, viewer, SHARED, today=today, partnership=other)
    assert str(asked_for_the_other.value) == f"no case {SHARED} that you can see"


@pytest.mark.parametrize("viewer", [EAST, OTHER_REVIEWER, Viewer("ana", Role.ANALYST)],
                         ids=["other-partnership", "reviewer-of-neither", "analyst"])  # fmt: skip
@pytest.mark.parametrize("partnership", [None, "Northshire", "Westmere"])
def test_who_sees_neither_copy_reads_exactly_a_missing_case(
    session: Session, shared: None, today: dt.date, viewer: Viewer, partnership: str | None
) -> None:
    for name, lookup in _lookups(today).items():
        refusals = []
        for reference in (SHARED, NOBODYS):
            with pytest.raises(Exception) as refused:  # noqa: PT011 - the type is compared below
                lookup(session, viewer, reference, partnership)
            refusals.append((type(refused.value), str(refused.value).replace(reference, "REF")))
        assert refusals[0] == refusals[1], name
        assert "Northshire" not in refusals[0][1] and "Westmere" not in refusals[0][1], name
    with pytest.raises(CaseNotFound) as missing:
        visible_timeline(session, viewer, SHARED, today=today, partnership=partnership)
    assert str(missing.value) == f"no case {SHARED} that you can see"


@pytest.mark.parametrize("viewer", [ADMIN, Viewer("rev-both", Role.REVIEWER)],
                         ids=["admin", "reviewer-of-both"])  # fmt: skip
def test_a_viewer_who_sees_both_copies_is_asked_which(
    session: Session, shared: None, today: dt.date, viewer: Viewer
) -> None:
    if viewer.role is Role.REVIEWER:  # make them the owner of the Westmere copy too
        west = session.exec(
            select(Case).where(Case.reference == SHARED, Case.partnership == "Westmere")
        ).one()
        west.owner = "rev-both"
        session.add(west)
        session.commit()
    with pytest.raises(CaseReferenceAmbiguous) as several:
        visible_timeline(session, viewer, SHARED, today=today)
    assert several.value.partnerships == ("Northshire", "Westmere")
    assert str(several.value) == (
        f"{SHARED} is a case of several partnerships (Northshire, Westmere); "
        "name one with --partnership"
    )
    for own in ("Northshire", "Westmere"):
        chosen = case_details(session, viewer, SHARED, today=today, partnership=own)
        assert chosen.timeline.case.partnership == own
    assert visible_partnerships(session, viewer, today=today)[SHARED] == ("Northshire", "Westmere")
