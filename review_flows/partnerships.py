"""A partnership's own edition of the rules, for its new cases.

Working Together 2023 applies to incidents from 1 January 2024, but a partnership may keep the
2018 arrangements while it moves over. Its choice is kept here and pinned on each new case whose
incident the edition can govern (``check_pinned_edition``: in force then, or the previous edition
within a year of its end); other cases take the edition in force. Existing cases keep theirs.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from review_flows.calendar import Nation
from review_flows.errors import RulebookNotFound
from review_flows.models import PartnershipRulebook, check_partnership, utc_now
from review_flows.rulebook import check_pinned_edition, load_rulebook


def set_partnership_rulebook(
    session: Session, partnership: str, ruleset_id: str, *, by: str
) -> PartnershipRulebook:
    """Choose the edition a partnership's new cases take where it can govern them."""
    name = check_partnership(partnership)
    load_rulebook(ruleset_id)  # RulebookNotFound names the known ones
    row = session.get(PartnershipRulebook, name) or PartnershipRulebook(partnership=name)
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
