"""Channels behind one interface: each delivers an :class:`OutgoingNotice` or raises
:class:`DeliveryFailed`. The in-app inbox needs no delivery: the stored notice is the inbox
item. Email goes over SMTP (``review_flows.notify.email``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from review_flows.notify.kinds import Channel
from review_flows.notify.notice import OutgoingNotice


class NoticeChannel(Protocol):
    """Delivers notices of one channel."""

    channel: Channel

    def deliver(self, notice: OutgoingNotice) -> None:
        """Deliver ``notice`` or raise :class:`review_flows.errors.DeliveryFailed`."""


class InboxChannel:
    """The app's inbox reads the ``notices`` table: storing the notice delivered it."""

    channel = Channel.INBOX

    def deliver(self, notice: OutgoingNotice) -> None:
        return None


Channels = Mapping[Channel, NoticeChannel]
