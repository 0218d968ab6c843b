"""The demo's fictional partnerships, and the demo users and role contacts that work for them.

Why five partnerships: a partnership works under one nation's law (its cases carry that
nation's rulebook and bank holidays), so there is at least one fictional body per nation, named
as that nation names them: an English safeguarding children partnership, a Welsh regional
safeguarding board, a Scottish child protection committee, and a Northern Ireland safeguarding
panel of the SBNI. England has most cases, as only its rulebooks set time limits, and two
partnerships (Northshire and Westmere), so that a panel member's scoping can be seen: each
sees their own partnership's cases only.

The demo users (:data:`DEMO_USERS`), one per role: a panel member of Northshire and one of
Westmere, a reviewer, an analyst and an admin. Contacts are linked to them (Northshire's and
Westmere's business managers to their panel member, every analyst and reviewer contact to
``analyst`` and ``reviewer``), so their inboxes show notices. Seeding is in
:mod:`review_flows.demo`.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.roles import Role
from review_flows.calendar import Nation
from review_flows.notify.kinds import ContactRole

CONTACT_DOMAIN = "example.org"  # reserved for examples (RFC 2606): no mail reaches anyone


#: The demo users' names (the contacts and cases below refer to them).
PANEL_NORTHSHIRE, PANEL_WESTMERE = "panel-northshire", "panel-westmere"
REVIEWER, ANALYST, ADMIN = "reviewer", "analyst", "admin"
#: Contact role -> the demo user reading that contact's inbox, in every partnership.
CONTACT_USERS: dict[ContactRole, str] = {
    ContactRole.REVIEWER: REVIEWER,
    ContactRole.ANALYST: ANALYST,
}


@dataclass(frozen=True)
class DemoPartnership:
    """A fictional partnership: its name, its nation, the stem of its contact addresses, and
    the demo user reading its business manager's inbox (if any)."""

    name: str
    nation: Nation
    mailbox: str
    manager_username: str | None = None


@dataclass(frozen=True)
class DemoUser:
    """A demo account: one per role, panel members in a partnership."""

    username: str
    display_name: str
    role: Role
    partnership: str | None = None


NORTHSHIRE = DemoPartnership(
    "Northshire Safeguarding Children Partnership", Nation.ENGLAND, "northshire", PANEL_NORTHSHIRE
)
WESTMERE = DemoPartnership(
    "Westmere Safeguarding Children Partnership", Nation.ENGLAND, "westmere", PANEL_WESTMERE
)
CWM_TAWEL = DemoPartnership("Cwm Tawel Regional Safeguarding Board", Nation.WALES, "cwmtawel")
GLENMOOR = DemoPartnership("Glenmoor Child Protection Committee", Nation.SCOTLAND, "glenmoor")
LOUGHSIDE = DemoPartnership(
    "Loughside Safeguarding Panel (SBNI)", Nation.NORTHERN_IRELAND, "loughside"
)
DEMO_PARTNERSHIPS: tuple[DemoPartnership, ...] = (
    NORTHSHIRE, WESTMERE, CWM_TAWEL, GLENMOOR, LOUGHSIDE,
)  # fmt: skip

DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser(PANEL_NORTHSHIRE, "Northshire panel member", Role.PANEL_MEMBER, NORTHSHIRE.name),
    DemoUser(PANEL_WESTMERE, "Westmere panel member", Role.PANEL_MEMBER, WESTMERE.name),
    DemoUser(REVIEWER, "Demo reviewer", Role.REVIEWER),
    DemoUser(ANALYST, "Demo analyst", Role.ANALYST),
    DemoUser(ADMIN, "Demo admin", Role.ADMIN),
)


def contact_username(partnership: DemoPartnership, role: ContactRole) -> str | None:
    """The demo user who reads this contact's inbox: the partnership's panel member for its
    business manager, ``analyst`` and ``reviewer`` for those roles, nobody for the chair."""
    if role is ContactRole.BUSINESS_MANAGER:
        return partnership.manager_username
    return CONTACT_USERS.get(role)


def contact_email(partnership: DemoPartnership, role: ContactRole) -> str:
    """A role mailbox at the reserved example domain, e.g. northshire.chair@example.org."""
    return f"{partnership.mailbox}.{role.value.replace('_', '-')}@{CONTACT_DOMAIN}"
