"""Webhook endpoints: an ADMIN subscribes, changes, rotates, pings, redelivers, reads
the delivery log and deletes. Every change is audited; the secret is in the answers to
subscribe and rotate only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

from fieldedge.domain.access import Action, Principal, require
from fieldedge.domain.webhooks import PING, WebhookDelivery, WebhookEndpoint
from fieldedge.ports.database import Scope, UnitOfWork
from fieldedge.services.common import audit, found, queue_task
from fieldedge.services.deps import Deps
from fieldedge.services.pagination import Page, after_id, page_by_id
from fieldedge.services.webhooks import presence, signing
from fieldedge.services.webhooks.deliver import attempt, log_row
from fieldedge.services.webhooks.destination import checked_address
from fieldedge.services.webhooks.emit import KIND, event_body

NOUN = "webhook endpoint"


@dataclass(frozen=True, slots=True)
class Subscribe:
    url: str
    event_types: Sequence[str]
    statuses: Sequence[str] | None = None
    description: str | None = None


def _uow(principal: Principal, deps: Deps) -> UnitOfWork:
    require(principal, Action.WEBHOOK_MANAGE)
    return deps.db.unit_of_work(Scope.tenant(principal.tenant))


async def subscribe(principal: Principal, cmd: Subscribe, deps: Deps) -> WebhookEndpoint:
    require(principal, Action.WEBHOOK_MANAGE)
    await checked_address(cmd.url, deps)  # 422 before anything is written
    now = deps.clock.now()
    endpoint = WebhookEndpoint(
        id=deps.ids.new(),
        company_id=principal.tenant,
        url=cmd.url,
        description=cmd.description,
        event_types=list(cmd.event_types),
        statuses=list(cmd.statuses) if cmd.statuses is not None else None,
        secret=signing.new_secret(),
        created_by=principal.user_id,
        created_at=now,
        updated_at=now,
    )
    async with _uow(principal, deps) as uow:
        await uow.webhooks.add(endpoint)
        await audit(
            uow, deps, "webhook.created", actor=principal, entity="webhook",
            entity_id=endpoint.id, detail={"url": endpoint.url, "events": endpoint.event_types},
        )  # fmt: skip
        await uow.commit()
    await presence.changed(deps, principal.tenant, active=True)
    return endpoint


async def list_endpoints(
    principal: Principal, cursor: str | None, limit: int, deps: Deps
) -> Page[WebhookEndpoint]:
    async with _uow(principal, deps) as uow:
        rows = await uow.webhooks.list(after=after_id(cursor), limit=limit + 1)
    return page_by_id(rows, limit)


async def get_endpoint(principal: Principal, endpoint_id: UUID, deps: Deps) -> WebhookEndpoint:
    async with _uow(principal, deps) as uow:
        return found(await uow.webhooks.get(endpoint_id), NOUN)


async def update_endpoint(
    principal: Principal, endpoint_id: UUID, changes: dict[str, Any], deps: Deps
) -> WebhookEndpoint:
    """Change the URL (checked again), events, statuses, description or ``active``;
    turning an endpoint back on clears its failures."""
    if "url" in changes:
        require(principal, Action.WEBHOOK_MANAGE)
        await checked_address(changes["url"], deps)
    now = deps.clock.now()
    async with _uow(principal, deps) as uow:
        endpoint = found(await uow.webhooks.get(endpoint_id, lock=True), NOUN)
        if changes.get("active") and not endpoint.active:
            changes |= {"consecutive_failures": 0, "disabled_reason": None}
        endpoint.apply({**changes, "updated_at": now})
        await uow.webhooks.save(endpoint)
        await audit(
            uow, deps, "webhook.updated", actor=principal, entity="webhook",
            entity_id=endpoint.id, detail={"fields": sorted(changes)},
        )  # fmt: skip
        await uow.commit()
    await presence.changed(deps, principal.tenant, active=endpoint.active)
    return endpoint


async def delete_endpoint(principal: Principal, endpoint_id: UUID, deps: Deps) -> WebhookEndpoint:
    """A tombstone: nothing more is sent (queued deliveries end dead); the log stays."""
    async with _uow(principal, deps) as uow:
        endpoint = found(await uow.webhooks.get(endpoint_id, lock=True), NOUN)
        now = deps.clock.now()
        endpoint.apply({"deleted_at": now, "active": False, "updated_at": now})
        await uow.webhooks.save(endpoint)
        await audit(
            uow, deps, "webhook.deleted", actor=principal, entity="webhook", entity_id=endpoint.id
        )
        await uow.commit()
    await presence.changed(deps, principal.tenant, active=False)
    return endpoint


async def rotate_secret(
    principal: Principal, endpoint_id: UUID, overlap: timedelta, deps: Deps
) -> WebhookEndpoint:
    """A new secret; the old one signs too for ``overlap`` (at most seven days)."""
    async with _uow(principal, deps) as uow:
        endpoint = found(await uow.webhooks.get(endpoint_id, lock=True), NOUN)
        endpoint.rotate(signing.new_secret(), overlap, deps.clock.now())
        await uow.webhooks.save(endpoint)
        await audit(
            uow, deps, "webhook.secret_rotated", actor=principal, entity="webhook",
            entity_id=endpoint.id, detail={"overlapSeconds": int(overlap.total_seconds())},
        )  # fmt: skip
        await uow.commit()
    return endpoint


async def ping(principal: Principal, endpoint_id: UUID, deps: Deps) -> WebhookDelivery:
    """Send a ``webhook.ping`` now (signed like any event) and log it; the answer says
    how the receiver took it. Not retried: it is a test."""
    endpoint = await get_endpoint(principal, endpoint_id, deps)
    event = event_body(deps, PING, {"endpointId": str(endpoint.id)})
    result = await attempt(endpoint, event, deps)
    row = log_row(deps, endpoint, event, 1, result)
    async with _uow(principal, deps) as uow:
        await uow.webhooks.add_delivery(row)
        await uow.commit()
    return row


async def deliveries(
    principal: Principal, endpoint_id: UUID, cursor: str | None, limit: int, deps: Deps
) -> Page[WebhookDelivery]:
    """The endpoint's delivery log, newest first."""
    async with _uow(principal, deps) as uow:
        found(await uow.webhooks.get(endpoint_id), NOUN)
        rows = await uow.webhooks.deliveries(endpoint_id, before=after_id(cursor), limit=limit + 1)
    return page_by_id(rows, limit)


async def redeliver(
    principal: Principal, endpoint_id: UUID, delivery_id: UUID, deps: Deps
) -> dict[str, Any]:
    """Send a logged event again (same ``webhook-id``: a receiver that already has it
    can tell), as a new delivery with its own retries."""
    async with _uow(principal, deps) as uow:
        endpoint = found(await uow.webhooks.get(endpoint_id), NOUN)
        logged = await uow.webhooks.delivery(delivery_id)
        logged = found(
            logged, "delivery", visible=logged is not None and logged.endpoint_id == endpoint.id
        )
        await queue_task(
            uow, deps, company_id=endpoint.company_id, kind=KIND,
            payload={"endpoint_id": str(endpoint.id), "event": logged.event},
        )  # fmt: skip
        await audit(
            uow, deps, "webhook.redelivered", actor=principal, entity="webhook",
            entity_id=endpoint.id, detail={"eventId": logged.event_id},
        )  # fmt: skip
        await uow.commit()
    return logged.event
