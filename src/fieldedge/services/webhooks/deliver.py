"""Deliver one webhook event to one endpoint: the outbox task behind kind ``webhook``.

The dispatcher's lease means one dispatcher at a time holds an event, so each event id
reaches each endpoint once per attempt; an attempt that fails is retried on the
Standard Webhooks schedule (``outbox.backoff.webhook_delay_s``) up to
``MAX_ATTEMPTS``, then the event is dead. Every attempt is a row of the endpoint's
delivery log (status, response code, latency, attempt). An endpoint whose delivery
died with no success since is disabled and the company's ADMINs are told by email.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

import orjson

from fieldedge.domain.identity import Role
from fieldedge.domain.outbox import OutboxEvent
from fieldedge.domain.webhooks import (
    MAX_ATTEMPTS,
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
)
from fieldedge.errors import ValidationFailed
from fieldedge.ports.database import Scope, UnitOfWork
from fieldedge.ports.webhooks import WebhookFailed
from fieldedge.services.common import audit, queue_email
from fieldedge.services.deps import Deps
from fieldedge.services.outbox.templates import TemplateError
from fieldedge.services.webhooks import signing
from fieldedge.services.webhooks.destination import checked_address


class NotDelivered(Exception):
    """The receiver did not take the event (retried by the dispatcher)."""


@dataclass(frozen=True, slots=True)
class Result:
    delivered: bool
    response_status: int | None
    latency_ms: int
    error: str | None


async def attempt(endpoint: WebhookEndpoint, event: dict[str, Any], deps: Deps) -> Result:
    """One signed POST of ``event``; any 2xx is delivered, everything else is not."""
    body = orjson.dumps(event)
    try:
        address = await checked_address(endpoint.url, deps)
    except ValidationFailed as exc:
        reason = (exc.details or {}).get("url", ["refused"])[0]
        return Result(False, None, 0, f"refused: {reason}"[:300])
    now = deps.clock.now()
    headers = signing.headers(endpoint.secrets(now), event["id"], int(now.timestamp()), body)
    try:
        sent = await deps.webhooks.post(endpoint.url, address=address, headers=headers, body=body)
    except WebhookFailed as exc:
        return Result(False, None, exc.latency_ms, exc.reason[:300])
    if 200 <= sent.status < 300:
        return Result(True, sent.status, sent.latency_ms, None)
    return Result(False, sent.status, sent.latency_ms, f"HTTP {sent.status}")


def log_row(
    deps: Deps, endpoint: WebhookEndpoint, event: dict[str, Any], number: int, result: Result
) -> WebhookDelivery:
    if result.delivered:
        status = DeliveryStatus.DELIVERED
    else:
        status = DeliveryStatus.DEAD if number >= MAX_ATTEMPTS else DeliveryStatus.FAILED
    return WebhookDelivery(
        id=deps.ids.new(),
        company_id=endpoint.company_id,
        endpoint_id=endpoint.id,
        event_id=event["id"],
        event_type=event["type"],
        event=event,
        attempt=number,
        status=status,
        response_status=result.response_status,
        latency_ms=result.latency_ms,
        error=result.error,
        created_at=deps.clock.now(),
    )


async def _tell_admins(uow: UnitOfWork, deps: Deps, endpoint: WebhookEndpoint) -> None:
    admins = await uow.users.list(after=None, limit=100, role=Role.ADMIN, active=True)
    link = f"{deps.settings.app_base_url.rstrip('/')}/settings/webhooks/{endpoint.id}"
    for admin in admins:
        await queue_email(
            uow, deps, company_id=endpoint.company_id, template="webhook_disabled",
            to=[admin.email],
            context={"name": admin.name, "url": endpoint.url,
                     "reason": endpoint.disabled_reason or "", "link": link},
        )  # fmt: skip
    await audit(
        uow, deps, "webhook.disabled", entity="webhook", entity_id=endpoint.id,
        detail={"url": endpoint.url},
    )  # fmt: skip


async def with_order_number(uow: UnitOfWork, body: dict[str, Any]) -> dict[str, Any]:
    """An order event with its order's number. A new order is numbered at commit, in the
    very statement that stores the event (gap-free, in commit order), so ``order.created``
    is queued before its number exists; by the time it is sent the order is committed
    and numbered, and the number never changes, so every attempt sends the same body."""
    data = body.get("data")
    if not str(body.get("type", "")).startswith("order.") or not isinstance(data, dict):
        return body
    if data.get("number") is not None or "id" not in data:
        return body
    try:
        order = await uow.orders.get(UUID(str(data["id"])), include_deleted=True)
    except ValueError:
        return body
    if order is None or order.number is None:
        return body
    return {**body, "data": {**data, "number": order.number}}


async def run_webhook_event(event: OutboxEvent, deps: Deps) -> None:
    """The dispatcher's task; raises ``NotDelivered`` to be retried, ``TemplateError``
    when retrying cannot help (the endpoint is gone or disabled)."""
    if event.company_id is None:
        raise TemplateError("a webhook event belongs to a company")
    scope = Scope.tenant(event.company_id)
    endpoint_id = UUID(str(event.payload["endpoint_id"]))
    body: dict[str, Any] = event.payload["event"]
    async with deps.db.unit_of_work(scope) as uow:
        endpoint = await uow.webhooks.get(endpoint_id)
        body = await with_order_number(uow, body)
    if endpoint is None or not endpoint.active:
        raise TemplateError("the endpoint was deleted or disabled")
    result = await attempt(endpoint, body, deps)
    number = event.attempts + 1
    async with deps.db.unit_of_work(scope) as uow:
        current = await uow.webhooks.get(endpoint_id, lock=True)
        if current is not None:
            await uow.webhooks.add_delivery(log_row(deps, current, body, number, result))
            now = deps.clock.now()
            if result.delivered:
                current.delivered(now)
            elif current.failed(now, dead=number >= MAX_ATTEMPTS):
                await _tell_admins(uow, deps, current)
            await uow.webhooks.save(current)
            await uow.commit()
    if not result.delivered:
        raise NotDelivered(result.error or "not delivered")
