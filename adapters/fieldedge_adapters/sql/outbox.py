"""Outbox events in SQL, written in the transaction that causes them."""

from __future__ import annotations

from fieldedge.domain.outbox import OutboxEvent
from fieldedge_adapters.sql.scoped import ScopedRepository
from fieldedge_adapters.sql.tables import OutboxRow


class SqlOutboxRepository(ScopedRepository):
    async def add(self, event: OutboxEvent) -> OutboxEvent:
        self._check_owned(event.company_id)
        await self._insert(OutboxRow.model_validate(event.model_dump()))
        return event
