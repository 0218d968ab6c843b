"""Who notices go to, on which channel, of what kind. Pure (the tables import these)."""

from __future__ import annotations

from enum import StrEnum


class ContactRole(StrEnum):
    """Who a partnership's notices go to."""

    BUSINESS_MANAGER = "business_manager"  # reminders of every milestone, the weekly digest
    CHAIR = "chair"  # escalation of what is overdue, the weekly digest
    REVIEWER = "reviewer"  # reminders of the review's own milestones
    ANALYST = "analyst"  # a published review has joined the learning index


class Channel(StrEnum):
    """How a notice reaches its recipient (calendar feeds are read, not sent: `cspr feed`)."""

    INBOX = "inbox"
    EMAIL = "email"


class NoticeKind(StrEnum):
    REMINDER = "reminder"
    ESCALATION = "escalation"
    DIGEST = "digest"
    EVENT = "event"  # what recording an event set going (the next clocks)
    PUBLICATION = "publication"  # a published review is in the learning index
