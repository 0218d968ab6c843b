"""A notice about to be sent: what the pure planners produce and the channels deliver. Pure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from review_flows.notify.kinds import Channel, NoticeKind


@dataclass(slots=True)
class OutgoingNotice:
    """One message to one recipient on one channel (treat as read-only; not frozen only
    because a frozen dataclass's __init__ was a third of the planning time at 400,000).

    ``key`` identifies it for good: the sweep sends a key once. It names the case, milestone,
    due date, reminder step, recipient and channel, so a due date moved by a correction makes a
    new key (a fresh reminder) and a re-run on the same day makes none.
    """

    key: str
    kind: NoticeKind
    partnership: str
    recipient: str
    channel: Channel
    subject: str
    body: str
    for_date: dt.date
    case_id: int | None = None
    case_reference: str | None = None
    milestone: str | None = None
    due: dt.date | None = None
    # Builds (subject, body) when the notice is about to go: the sweep plans hundreds of
    # thousands of notices, most already sent, and writing their text was most of its time.
    render: Callable[[], tuple[str, str]] | None = None

    def rendered(self) -> OutgoingNotice:
        """This notice with its subject and body written (in place: a notice is sent once)."""
        if self.render is not None:
            self.subject, self.body = self.render()
            self.render = None
        return self
