"""Webhook endpoints and deliveries in memory: the same reads as the SQL statements."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from fieldedge.domain.webhooks import WebhookDelivery, WebhookEndpoint

from .repo import MemoryRepository
from .store import WEBHOOK_DELIVERIES, WEBHOOK_ENDPOINTS, clone


class MemoryWebhookRepository(MemoryRepository[WebhookEndpoint]):
    table, model = WEBHOOK_ENDPOINTS, WebhookEndpoint

    async def get(self, endpoint_id: UUID, *, lock: bool = False) -> WebhookEndpoint | None:
        return await self._get(endpoint_id, lock=lock)

    async def add(self, endpoint: WebhookEndpoint) -> None:
        self._add(endpoint)

    async def save(self, endpoint: WebhookEndpoint) -> None:
        self._save(endpoint)

    async def list(self, *, after: UUID | None, limit: int) -> Sequence[WebhookEndpoint]:
        rows = await self._list(lambda row: True, after=after, limit=limit)
        return [self._entity(row) for row in rows]

    async def subscribed(self, event_type: str) -> Sequence[WebhookEndpoint]:
        # Without flushing the write's queued rows first, as the SQL adapter reads them.
        table = self.table
        rows = [r for r in self._txn.every(table) if self._txn.visible(table, r)]
        wanted = [
            r
            for r in rows
            if r["deleted_at"] is None and r["active"] and event_type in r["event_types"]
        ]
        return [self._entity(row) for row in sorted(wanted, key=lambda r: r["id"])]

    async def any_active(self) -> bool:
        table = self.table
        rows = [r for r in self._txn.every(table) if self._txn.visible(table, r)]
        return any(r["deleted_at"] is None and r["active"] for r in rows)

    async def add_delivery(self, delivery: WebhookDelivery) -> None:
        self._check_owned(delivery.company_id)
        self._txn.insert(WEBHOOK_DELIVERIES, delivery.values(), delivery)

    async def delivery(self, delivery_id: UUID) -> WebhookDelivery | None:
        row = await self._txn.row(WEBHOOK_DELIVERIES, delivery_id)
        return WebhookDelivery.load(clone(row)) if row is not None else None

    async def deliveries(
        self, endpoint_id: UUID, *, before: UUID | None, limit: int
    ) -> Sequence[WebhookDelivery]:
        rows = await self._txn.rows(WEBHOOK_DELIVERIES)
        mine = [
            r
            for r in rows
            if r["endpoint_id"] == endpoint_id and (before is None or r["id"] < before)
        ]
        mine.sort(key=lambda r: r["id"], reverse=True)
        return [WebhookDelivery.load(clone(r)) for r in mine[:limit]]
