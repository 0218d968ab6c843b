"""A notice about to be sent: what the pure planners produce and the channels deliver. Pure."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from review_flows.notify.kinds import Channel, NoticeKind


@dataclass(frozen=True)
class OutgoingNotice:
    """One message to one recipient on one channel.

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
