"""Who may see and do what: roles, pages and case scope. Pure.

- **Panel member**: the open and closed cases of their partnership, read and write.
- **Reviewer**: the cases they are the owner of (assigned to them), and all of learning.
- **Analyst**: learning and aggregate figures; no case details.
- **Admin**: everything, and the Admin page.

Every service that returns case data takes a :class:`Viewer` and applies :func:`case_scope`;
a page never filters on its own. A case outside the scope reads as "not found", so nobody can
learn that a reference exists elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.roles import Role


@dataclass(frozen=True)
class Viewer:
    """The signed-in user as the services see them."""

    username: str
    role: Role
    partnership: str | None = None
    display_name: str = ""


@dataclass(frozen=True)
class CaseScope:
    """Which cases a viewer may read: all, none, one partnership's, or those they own."""

    everything: bool = False
    partnership: str | None = None
    owner: str | None = None

    @property
    def nothing(self) -> bool:
        return not self.everything and self.partnership is None and self.owner is None

    def admits(self, partnership: str, owner: str | None) -> bool:
        if self.everything:
            return True
        if self.partnership is not None:
            return partnership == self.partnership
        return self.owner is not None and owner == self.owner


def case_scope(viewer: Viewer) -> CaseScope:
    if viewer.role is Role.ADMIN:
        return CaseScope(everything=True)
    if viewer.role is Role.PANEL_MEMBER:
        return CaseScope(partnership=viewer.partnership)
    if viewer.role is Role.REVIEWER:
        return CaseScope(owner=viewer.username)
    return CaseScope()


def may_write_cases(viewer: Viewer) -> bool:
    """Panel members record events on their partnership's cases; admins on any."""
    return viewer.role in (Role.PANEL_MEMBER, Role.ADMIN)


#: Page ids each role may open, first = where they land after signing in.
PAGES: dict[Role, tuple[str, ...]] = {
    Role.PANEL_MEMBER: ("deadlines", "case", "similar", "search", "library", "inbox"),
    Role.REVIEWER: ("search", "similar", "library", "deadlines", "case", "inbox"),
    Role.ANALYST: ("themes", "search", "library", "inbox"),
    Role.ADMIN: (
        "admin", "deadlines", "case", "search", "similar", "themes", "library", "inbox",
    ),
}  # fmt: skip


def pages_for(role: Role) -> tuple[str, ...]:
    return PAGES[Role(role)]


def landing_page(role: Role) -> str:
    return pages_for(role)[0]


def may_open(viewer: Viewer, page: str) -> bool:
    return page in pages_for(viewer.role)
