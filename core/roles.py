"""The workbench's roles. Pure (the users table and the access rules import it)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    PANEL_MEMBER = "panel_member"
    REVIEWER = "reviewer"
    ANALYST = "analyst"
    ADMIN = "admin"
