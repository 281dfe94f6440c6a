"""Mail for development: the whole message goes to the log instead of the wire.

A developer reading the dev server's output can click the password-reset or invite
link straight from it, so nothing about a local setup needs a mail server.
"""

from __future__ import annotations

import uuid

import structlog

from fieldedge.ports.mail import EmailMessage

log = structlog.get_logger("fieldedge.mail")


class ConsoleMailer:
    def __init__(self, *, sender: str) -> None:
        self._sender = sender

    @property
    def name(self) -> str:
        return "console"

    async def send(self, message: EmailMessage) -> str:
        message_id = f"console-{uuid.uuid4().hex}"
        log.info(
            "mail.console",
            message_id=message_id,
            sender=self._sender,
            to=list(message.to),
            subject=message.subject,
            text=message.text,
            html=message.html,
            reply_to=message.reply_to,
        )
        return message_id

    async def ping(self) -> None:
        """Always up: the log is the outbox."""

    async def close(self) -> None:
        """Nothing to release."""
