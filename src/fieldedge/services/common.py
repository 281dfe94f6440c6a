"""Small steps shared by the write use cases: stamp the tenant's version, audit, queue mail."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from fieldedge.domain.access import Principal
from fieldedge.domain.outbox import OutboxEvent
from fieldedge.ports.database import UnitOfWork
from fieldedge.services.deps import Deps


def normalise_email(email: str) -> str:
    return email.strip().lower()


async def next_version(uow: UnitOfWork, company_id: UUID) -> int:
    """Bump the tenant's change counter (row-locked) and return it to stamp written rows."""
    return await uow.companies.bump_change_counter(company_id)


class Versioned(Protocol):
    version: int
    updated_at: datetime


async def stamp(uow: UnitOfWork, company_id: UUID, row: Versioned, now: datetime) -> None:
    """Mark ``row`` as written in this transaction: the tenant's new version, and now."""
    row.version = await next_version(uow, company_id)
    row.updated_at = now


async def audit(
    uow: UnitOfWork,
    deps: Deps,
    action: str,
    *,
    actor: Principal | None = None,
    actor_id: UUID | None = None,
    entity: str | None = None,
    entity_id: UUID | None = None,
    detail: dict[str, Any] | None = None,
    ip: str | None = None,
) -> None:
    """Append to the tenant's audit chain (a no-op in system scope: no tenant to chain)."""
    if uow.scope.is_system:
        return
    await uow.audit.append(
        at=deps.clock.now(),
        action=action,
        actor_id=actor.user_id if actor else actor_id,
        entity=entity,
        entity_id=entity_id,
        detail=detail or {},
        ip=(actor.ip if actor else None) or ip,
    )


async def queue_email(
    uow: UnitOfWork,
    deps: Deps,
    *,
    company_id: UUID | None,
    template: str,
    to: list[str],
    context: dict[str, Any],
) -> OutboxEvent:
    """Queue a templated email in this transaction; the dispatcher renders and sends it."""
    now = deps.clock.now()
    return await uow.outbox.add(
        OutboxEvent(
            id=deps.ids.new(),
            company_id=company_id,
            kind="email",
            payload={"template": template, "to": to, "context": context},
            next_attempt_at=now,
            created_at=now,
        )
    )
