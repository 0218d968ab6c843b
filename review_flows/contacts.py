"""Partnership contacts: who a partnership's reminders, escalations and digests go to.

A contact is a member of staff in a role (business manager, chair, independent reviewer,
analyst) with an email address and the channels they want. Never a child or family member.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from core.columns import read_as
from review_flows.errors import CaseDataInvalid, ContactNotFound
from review_flows.notify.kinds import ContactRole
from review_flows.partnership_models import Contact, ContactCreate, ContactPublic


def add_contact(session: Session, data: ContactCreate) -> ContactPublic:
    """Add a contact; the same role and address twice in a partnership is refused."""
    contact = Contact.model_validate(data.model_dump())
    session.add(contact)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise CaseDataInvalid(
            f"{data.email} is already a {data.role.value} of {data.partnership}"
        ) from None
    return read_as(ContactPublic, contact)


def list_contacts(
    session: Session, *, partnership: str | None = None, role: ContactRole | None = None
) -> list[ContactPublic]:
    """Contacts ordered by partnership, role and address."""
    query = select(Contact).order_by(Contact.partnership, Contact.role, Contact.email)
    if partnership is not None:
        query = query.where(Contact.partnership == partnership)
    if role is not None:
        query = query.where(Contact.role == role)
    return [read_as(ContactPublic, row) for row in session.exec(query)]


def remove_contact(session: Session, contact_id: int) -> ContactPublic:
    """Remove a contact (notices already sent to it stay in the record)."""
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise ContactNotFound(f"no contact #{contact_id}; `cspr contacts list` shows them")
    public = read_as(ContactPublic, contact)
    session.delete(contact)
    session.commit()
    return public


def set_digest_opt_in(session: Session, contact_id: int, wanted: bool) -> ContactPublic:
    """Opt a contact in to the monthly digest of new learning by email, or out of it."""
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise ContactNotFound(f"no contact #{contact_id} (it may have been removed)")
    contact.digest = wanted
    session.add(contact)
    session.commit()
    return read_as(ContactPublic, contact)
