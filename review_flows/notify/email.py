"""Email notices over SMTP (``CSPR_SMTP_*``): STARTTLS and login when configured.

One connection per batch of notices (a sweep may send hundreds). A failure raises
:class:`DeliveryFailed` with the reason; the password never appears in it or in a log.
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from core.settings import Settings
from review_flows.errors import DeliveryFailed
from review_flows.notify.kinds import Channel
from review_flows.notify.notice import OutgoingNotice


def build_message(notice: OutgoingNotice, sender: str) -> EmailMessage:
    """The email of ``notice``: plain text, with the notice key as a header for tracing."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = notice.recipient
    message["Subject"] = notice.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    message["X-CSPR-Notice"] = notice.key
    message.set_content(notice.body)
    return message


class EmailChannel:
    """Sends notices through the configured SMTP server."""

    channel = Channel.EMAIL

    def __init__(self, settings: Settings) -> None:
        if not settings.smtp_host:
            raise DeliveryFailed("email is not configured: set CSPR_SMTP_HOST")
        self._settings = settings
        self._connection: smtplib.SMTP | None = None

    def deliver(self, notice: OutgoingNotice) -> None:
        try:
            self._connect().send_message(build_message(notice, self._settings.smtp_from))
        except (OSError, smtplib.SMTPException) as failed:
            self.close()
            raise DeliveryFailed(f"email to {notice.recipient} failed: {_reason(failed)}") from None

    def close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self._connection.quit()
            self._connection = None

    def _connect(self) -> smtplib.SMTP:
        if self._connection is not None:
            return self._connection
        s = self._settings
        assert s.smtp_host is not None
        connection = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds)
        if s.smtp_starttls:
            connection.starttls(context=ssl.create_default_context())
        if s.smtp_username:
            password = s.smtp_password.get_secret_value() if s.smtp_password else ""
            connection.login(s.smtp_username, password)
        self._connection = connection
        return connection


def _reason(failed: Exception) -> str:
    text = str(failed).splitlines()[0] if str(failed) else type(failed).__name__
    return text[:200]
