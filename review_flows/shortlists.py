"""A case's shortlist of similar published reviews: saved from the Similar cases page, shown on
the Case page. Both services take the signed-in :class:`~core.access.Viewer` and keep to
the cases they may see: a case outside their scope reads as "not found", as in
:mod:`review_flows.workbench`.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from pydantic import ValidationError
from sqlmodel import Session, col, select

from core.access import Viewer
from core.errors import validation_problems
from review_flows.errors import CaseDataInvalid
from review_flows.models import ShortlistItem
from review_flows.workbench import visible_case

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ShortlistEntry:
    """One published review saved to a case, with who saved it and why."""

    review_id: str
    note: str | None
    saved_by: str
    saved_at: dt.datetime


def save_to_shortlist(
    session: Session,
    viewer: Viewer,
    reference: str,
    review_id: str,
    note: str | None = None,
    *,
    partnership: str | None = None,
) -> ShortlistEntry:
    """Save the published review ``review_id`` to the shortlist of case ``reference``.

    The viewer must be able to see the case (:class:`CaseNotFound` "no case ... that you can
    see" otherwise). Saving a review already on the shortlist keeps one entry and replaces its
    note (so it is safe to click twice). ``note`` is free text, checked for personal data;
    a bad ``review_id`` or ``note`` raises :class:`CaseDataInvalid` and writes nothing.
    ``partnership`` names the case's partnership when an admin's reference is ambiguous.
    """
    case = visible_case(session, viewer, reference, partnership)
    fields = {"case_id": case.id, "review_id": review_id.strip(), "note": note}
    try:
        checked = ShortlistItem.model_validate({**fields, "saved_by": viewer.username})
    except ValidationError as invalid:
        raise CaseDataInvalid(validation_problems(invalid, _label)) from None
    if not checked.review_id:
        raise CaseDataInvalid("review_id: name the published review to save")
    query = select(ShortlistItem).where(
        ShortlistItem.case_id == case.id, ShortlistItem.review_id == checked.review_id
    )
    row = session.exec(query).first()
    if row is None:
        row = checked
    else:
        row.note, row.saved_by, row.saved_at = checked.note, checked.saved_by, checked.saved_at
    session.add(row)
    session.commit()
    logger.info("case %s: review %s shortlisted", case.reference, row.review_id)
    return _entry(row)


def shortlist_of(
    session: Session, viewer: Viewer, reference: str, *, partnership: str | None = None
) -> list[ShortlistEntry]:
    """The reviews saved to case ``reference``, oldest first, if the viewer may see the case."""
    case = visible_case(session, viewer, reference, partnership)
    query = (
        select(ShortlistItem)
        .where(ShortlistItem.case_id == case.id)
        .order_by(col(ShortlistItem.saved_at), col(ShortlistItem.id))
    )
    return [_entry(row) for row in session.exec(query)]


def _entry(row: ShortlistItem) -> ShortlistEntry:
    return ShortlistEntry(row.review_id, row.note, row.saved_by, row.saved_at)


def _label(loc: tuple[object, ...]) -> str:
    return ".".join(map(str, loc))
