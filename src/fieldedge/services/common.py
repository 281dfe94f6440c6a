"""Small steps shared by the write use cases: audit, queue mail, load what the caller may see.

Versions are not the use cases' business: the unit of work stamps every row written
when it commits (see ``fieldedge.ports.database``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TypeVar
from uuid import UUID

from fieldedge.domain.access import Principal
from fieldedge.domain.audit import AuditEntry
from fieldedge.domain.outbox import OutboxEvent
from fieldedge.domain.sync import ScopeChange
from fieldedge.errors import Conflict, NotFound, ValidationFailed
from fieldedge.ports.database import UnitOfWork
from fieldedge.services.deps import Deps

T = TypeVar("T")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def found(row: T | None, noun: str, *, visible: bool = True) -> T:
    """``row`` if it exists and the caller may see it; otherwise the same ``NotFound``
    either way (never a hint that it exists in someone else's scope)."""
    if row is None or not visible:
        raise NotFound(f"No such {noun}.")
    return row


def at_or_now(at: datetime | None, now: datetime, field: str) -> datetime:
    """A time a caller gave, in UTC, or ``now``; a time without a zone is that field's
    422 (the HTTP edge refuses one already; sync and imports reach the use case too)."""
    if at is None:
        return now
    if at.tzinfo is None:
        raise ValidationFailed(details={field: ["Must carry a time zone (e.g. Z)."]})
    return at.astimezone(UTC)


def new_id(deps: Deps, given: UUID | None) -> UUID:
    """The id of a new row: the client's own (an offline device makes its ids so rows
    can refer to each other before the server sees them), or a fresh UUIDv7."""
    if given is None:
        return deps.ids.new()
    if given.int == 0:
        raise ValidationFailed(details={"id": [ID_UNUSABLE]})
    return given


ID_UNUSABLE = "This id cannot be used; make a new UUID."


def id_taken() -> Conflict:
    return Conflict("A record with this id already exists.", details={"id": ["Taken."]})


async def commit_new(uow: UnitOfWork, given: UUID | None) -> None:
    """Commit a unit of work that created a row under ``given``, a client-made id that
    this tenant does not hold (checked before): a clash now is another tenant's row,
    told apart from a bad id in no way (no leak of what exists elsewhere)."""
    try:
        await uow.commit()
    except Conflict:
        if given is None:
            raise
        raise ValidationFailed(details={"id": [ID_UNUSABLE]}) from None


async def scope_moved(
    uow: UnitOfWork,
    deps: Deps,
    company_id: UUID,
    kind: str,
    subject_id: UUID,
    lost_by: UUID | None,
    gained_by: UUID | None,
) -> None:
    """Record a row leaving ``lost_by``'s replica and entering ``gained_by``'s (sync's
    scope log, stamped with this write's version)."""
    now = deps.clock.now()
    await uow.sync.log_scope(
        ScopeChange(
            id=deps.ids.new(),
            company_id=company_id,
            kind=kind,
            subject_id=subject_id,
            lost_by=lost_by,
            gained_by=gained_by,
            created_at=now,
            updated_at=now,
        )
    )


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
    company_id: UUID | None = None,
) -> None:
    """Append to the scope's audit chain: the tenant's; in system scope the chain of
    ``company_id`` (the platform's when None). A write made with an API key names the
    key in ``detail.apiKeyId`` (its actor is the ADMIN who made the key)."""
    detail = dict(detail or {})
    if actor is not None and actor.api_key_id is not None:
        detail["apiKeyId"] = str(actor.api_key_id)
    await uow.audit.append(
        AuditEntry(
            id=deps.ids.new(),
            company_id=uow.scope.company_id or company_id,
            at=deps.clock.now(),
            action=action,
            actor_id=actor.user_id if actor else actor_id,
            entity=entity,
            entity_id=entity_id,
            detail=detail,
            ip=(actor.ip if actor else None) or ip,
        )
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
    return await queue_task(
        uow, deps, company_id=company_id, kind="email",
        payload={"template": template, "to": to, "context": context},
    )  # fmt: skip


async def queue_task(
    uow: UnitOfWork, deps: Deps, *, company_id: UUID | None, kind: str, payload: dict[str, Any]
) -> OutboxEvent:
    """Queue work for the dispatcher (an email, an export, a revocation) in this transaction."""
    now = deps.clock.now()
    event = OutboxEvent(
        id=deps.ids.new(),
        company_id=company_id,
        kind=kind,
        payload=payload,
        next_attempt_at=now,
        created_at=now,
    )
    await uow.outbox.add(event)
    return event
