"""Raise a webhook event inside the write's transaction.

The write's unit of work reads the company's active endpoints that want the event (one
statement) and queues one outbox event per endpoint, so the deliveries commit or roll
back with the write itself: never an event for a write that did not happen, never a
write whose event is lost. A company with no active endpoint reads nothing: the KV
says so (``presence``), and only a write that finds no flag there reads once.
"""

from __future__ import annotations

from typing import Any

from pydantic.alias_generators import to_camel

from fieldedge.domain.base import Entity
from fieldedge.ports.database import UnitOfWork
from fieldedge.services.common import queue_task
from fieldedge.services.deps import Deps
from fieldedge.services.webhooks import presence

KIND = "webhook"
_PRIVATE = frozenset({"company_id", "field_versions", "password_hash"})


def data_of(entity: Entity) -> dict[str, Any]:
    """The row as JSON, camelCase, without what is the server's own."""
    values = entity.model_dump(mode="json")
    return {to_camel(k): v for k, v in values.items() if k not in _PRIVATE}


def event_body(deps: Deps, event_type: str, data: dict[str, Any]) -> dict[str, Any]:
    """The JSON a receiver gets: its id is ``webhook-id`` on every attempt."""
    now = deps.clock.now()
    return {
        "id": f"msg_{deps.ids.new().hex}",
        "type": event_type,
        "timestamp": now.isoformat().replace("+00:00", "Z"),
        "data": data,
    }


async def emit(uow: UnitOfWork, deps: Deps, event_type: str, entity: Entity) -> None:
    company_id = uow.scope.company_id
    if company_id is None:
        return  # webhooks are a company's
    if not await presence.worth_reading(uow, deps, company_id):
        return
    endpoints = await uow.webhooks.subscribed(event_type)
    data = data_of(entity) if endpoints else {}
    wanting = [endpoint for endpoint in endpoints if endpoint.wants(event_type, data)]
    if not wanting:
        return
    body = event_body(deps, event_type, data)
    for endpoint in wanting:
        await queue_task(
            uow, deps, company_id=company_id, kind=KIND,
            payload={"endpoint_id": str(endpoint.id), "event": body},
        )  # fmt: skip
