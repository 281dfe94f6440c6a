"""What operators see and do: the company's events for an ADMIN, dead letters revived
from the CLI."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from fieldedge.domain.access import Action, Principal, require
from fieldedge.domain.outbox import OutboxEvent, OutboxStatus
from fieldedge.ports.database import Scope
from fieldedge.services.deps import Deps
from fieldedge.services.pagination import Page, after_id, page_by_id


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """An event as an ADMIN sees it: who it was for and how it went, never its context
    (a password-reset link in there is a credential)."""

    id: UUID
    kind: str
    template: str | None
    to: list[str]
    status: OutboxStatus
    attempts: int
    last_error: str | None
    next_attempt_at: datetime
    created_at: datetime
    sent_at: datetime | None

    @classmethod
    def of(cls, event: OutboxEvent) -> OutboxItem:
        to = event.payload.get("to")
        template = event.payload.get("template")
        return cls(
            id=event.id,
            kind=event.kind,
            template=template if isinstance(template, str) else None,
            to=[str(a) for a in to] if isinstance(to, list) else [],
            status=event.status,
            attempts=event.attempts,
            last_error=event.last_error,
            next_attempt_at=event.next_attempt_at,
            created_at=event.created_at,
            sent_at=event.sent_at,
        )


async def list_outbox(
    principal: Principal, status: OutboxStatus | None, cursor: str | None, limit: int, deps: Deps
) -> Page[OutboxItem]:
    require(principal, Action.OUTBOX_READ)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        rows = await uow.outbox.list(status=status, after=after_id(cursor), limit=limit + 1)
    page = page_by_id(rows, limit)
    return Page([OutboxItem.of(event) for event in page.items], page.limit, page.next_cursor)


async def retry_dead(deps: Deps, *, event_id: UUID | None = None) -> int:
    """Dead -> pending, attempts reset, due now: one event or every dead one (all
    tenants: an operator's command). The count revived."""
    async with deps.db.unit_of_work(Scope.system()) as uow:
        count = await uow.outbox.revive_dead(event_id=event_id, now=deps.clock.now())
        await uow.commit()
    return count
