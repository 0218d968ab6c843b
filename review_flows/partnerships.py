"""A partnership's own edition of the rules, for its new cases.

Working Together 2023 applies to incidents from 1 January 2024, but a partnership may keep the
2018 arrangements while it moves over. Its choice is kept here and pinned on each new case whose
incident the edition can govern (``check_pinned_edition``: in force then, or the previous edition
within a year of its end); other cases take the edition in force. Existing cases keep theirs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlmodel import Session, select

from core.columns import utc_now
from review_flows.calendar import Nation
from review_flows.errors import CaseDataInvalid, PartnershipNearDuplicate, RulebookNotFound
from review_flows.models import Case, check_partnership
from review_flows.partnership_models import Contact, PartnershipRulebook, User
from review_flows.partnership_names import near_duplicate
from review_flows.rulebook import check_pinned_edition, load_rulebook


def set_partnership_rulebook(
    session: Session, partnership: str, ruleset_id: str, *, by: str
) -> PartnershipRulebook:
    """Choose the edition a partnership's new cases take where it can govern them."""
    name = check_partnership(partnership)
    load_rulebook(ruleset_id)  # RulebookNotFound names the known ones
    row = session.get(PartnershipRulebook, name)
    if row is None:
        row = PartnershipRulebook(partnership=name, ruleset_id=ruleset_id, set_by=by)
    row.ruleset_id, row.set_by, row.set_at = ruleset_id, by, utc_now()
    session.add(row)
    session.commit()
    return row


def clear_partnership_rulebook(session: Session, partnership: str) -> bool:
    """Back to the edition in force; False if the partnership had no choice set."""
    row = session.get(PartnershipRulebook, partnership.strip())
    if row is None:
        return False
    session.delete(row)
    session.commit()
    return True


def partnership_rulebooks(session: Session) -> list[PartnershipRulebook]:
    query = select(PartnershipRulebook).order_by(PartnershipRulebook.partnership)
    return list(session.exec(query))


def default_ruleset(
    session: Session, partnership: str, nation: Nation, incident_date: dt.date
) -> str | None:
    """The partnership's edition for a new case, if it is of the case's nation and can govern
    the incident; else None (the edition in force applies)."""
    row = session.get(PartnershipRulebook, partnership)
    if row is None:
        return None
    book = load_rulebook(row.ruleset_id)
    if book.nation is not Nation(nation):
        return None
    try:
        check_pinned_edition(book, incident_date)
    except RulebookNotFound:
        return None
    return book.id


def known_partnerships(session: Session) -> list[str]:
    """Every partnership the workbench knows, sorted: those named on a case, a user, a contact
    or a chosen rulebook (a partnership is only a name; Admin offers these to choose from)."""
    names: set[str] = set()
    for column in (Case.partnership, User.partnership, Contact.partnership):
        names.update(name for name in session.exec(select(column).distinct()) if name)
    names.update(row.partnership for row in partnership_rulebooks(session))
    return sorted(names, key=str.casefold)


def check_new_partnership(name: str, known: Iterable[str]) -> str:
    """``name`` cleaned, if it may start a new partnership: a valid name
    (:func:`~review_flows.models.check_partnership`, else :class:`CaseDataInvalid`) like none
    of ``known`` (else :class:`PartnershipNearDuplicate`, naming the one it is too like)."""
    try:
        cleaned = check_partnership(name)
    except ValueError as invalid:
        raise CaseDataInvalid(str(invalid)) from None
    existing = near_duplicate(cleaned, known)
    if existing is not None:
        raise PartnershipNearDuplicate(
            f"\u201c{cleaned}\u201d is too like the existing partnership \u201c{existing}\u201d "
            "to be a new one; choose that partnership from the list, or give the new "
            "partnership's full name",
            existing=existing,
        )
    return cleaned
