"""Outbound email."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True, slots=True)
class EmailMessage:
    to: tuple[str, ...]
    subject: str
    text: str
    html: str | None = None
    reply_to: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


class Mailer(Protocol):
    @property
    def name(self) -> str: ...

    async def send(self, message: EmailMessage) -> str:
        """Send one message and return the provider's message id."""
        ...

    async def ping(self) -> None: ...

    async def close(self) -> None: ...
