"""Test-only mailers (fakes of our ``Mailer`` port: one that records, one that fails on
demand before handing over to a real mailer) and helpers to queue and read events."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from fieldedge.domain.outbox import OutboxEvent
from fieldedge.errors import DependencyUnavailable
from fieldedge.ports.database import Scope
from fieldedge.ports.mail import EmailMessage, Mailer
from fieldedge.services.common import queue_email
from fieldedge.services.deps import Deps
from fieldedge.services.outbox.dispatcher import EVENT_HEADER

WELCOME = {"name": "Asha", "company": "Acme Pharma", "appUrl": "https://app.example.com"}


@dataclass
class RecordingMailer:
    """Keeps every message; yields to the loop mid-send so racing dispatchers interleave."""

    sent: list[EmailMessage] = field(default_factory=list)
    name: str = "recording"

    async def send(self, message: EmailMessage) -> str:
        await asyncio.sleep(0)
        self.sent.append(message)
        return f"rec-{len(self.sent)}"

    @property
    def event_ids(self) -> list[str]:
        return [message.headers[EVENT_HEADER] for message in self.sent]

    async def ping(self) -> None:
        """Always up."""

    async def close(self) -> None:
        """Nothing to release."""


@dataclass
class FlakyMailer:
    """Refuses the first ``failures`` sends (``None``: every send) as a down SES would,
    then delegates to ``inner``."""

    inner: Mailer
    failures: int | None
    attempts: int = 0
    name: str = "flaky"

    async def send(self, message: EmailMessage) -> str:
        self.attempts += 1
        if self.failures is None or self.attempts <= self.failures:
            raise DependencyUnavailable("mail", "SES refused the send.")
        return await self.inner.send(message)

    async def ping(self) -> None:
        await self.inner.ping()

    async def close(self) -> None:
        await self.inner.close()


async def queue(
    deps: Deps,
    template: str = "welcome",
    context: dict[str, Any] | None = None,
    to: list[str] | None = None,
) -> OutboxEvent:
    """Queue one platform email (no tenant) the way a use case does, and commit."""
    async with deps.db.unit_of_work(Scope.system()) as uow:
        event = await queue_email(
            uow,
            deps,
            company_id=None,
            template=template,
            to=to or ["asha@example.com"],
            context=WELCOME if context is None else context,
        )
        await uow.commit()
    return event


async def events(deps: Deps) -> dict[str, OutboxEvent]:
    """Every event as stored now, by id."""
    async with deps.db.unit_of_work(Scope.system()) as uow:
        rows = await uow.outbox.list(status=None, after=None, limit=1000)
    return {str(event.id): event for event in rows}
