"""Outbox events in SQL: written in the transaction that causes them, then leased,
sent and marked by the dispatcher.

The lease is the ``lease_until`` value a claim stamps. Every later mark repeats it in
its ``WHERE`` (with ``status = 'pending'``), so a dispatcher that stalled past its lease
and lost the event to another marks nothing, and a sent event can never be claimed or
marked again. On Postgres the claim picks rows ``FOR UPDATE SKIP LOCKED``, so parallel
dispatchers take disjoint batches without waiting on each other; SQLite has one writer
at a time, and the conditional ``UPDATE`` alone is the guard there.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import delete, or_, update
from sqlmodel import col, select

from fieldedge.domain.outbox import OutboxEvent, OutboxStatus
from fieldedge_adapters.sql.errors import translated
from fieldedge_adapters.sql.scoped import ScopedRepository, detached
from fieldedge_adapters.sql.tables import OutboxRow

_PENDING = col(OutboxRow.status) == OutboxStatus.PENDING


class SqlOutboxRepository(ScopedRepository):
    async def add(self, event: OutboxEvent) -> OutboxEvent:
        self._check_owned(event.company_id)
        await self._insert(OutboxRow.model_validate(event.model_dump()))
        return event

    async def claim_due(
        self, *, now: datetime, lease_until: datetime, limit: int
    ) -> Sequence[OutboxEvent]:
        due = (
            _PENDING,
            col(OutboxRow.next_attempt_at) <= now,
            or_(col(OutboxRow.lease_until).is_(None), col(OutboxRow.lease_until) < now),
            *self._tenant(OutboxRow.company_id),
        )
        pick = (
            select(OutboxRow.id)
            .where(*due)
            .order_by(col(OutboxRow.next_attempt_at), col(OutboxRow.id))
            .limit(limit)
            .with_for_update(skip_locked=True)  # rendered as nothing on SQLite
        )
        with translated():
            ids = list((await self._session.exec(pick)).all())
        if not ids:
            return []
        await self._update(col(OutboxRow.id).in_(ids), *due, lease_until=lease_until)
        rows = await self._all(
            select(OutboxRow)
            .where(col(OutboxRow.id).in_(ids), col(OutboxRow.lease_until) == lease_until)
            .order_by(col(OutboxRow.next_attempt_at), col(OutboxRow.id))
        )
        return [detached(OutboxEvent, row) for row in rows]

    async def mark_sent(self, event_id: UUID, *, lease_until: datetime, at: datetime) -> bool:
        changed = await self._update(
            *self._held(event_id, lease_until),
            status=OutboxStatus.SENT,
            sent_at=at,
            lease_until=None,
        )
        return changed == 1

    async def mark_failed(
        self,
        event_id: UUID,
        *,
        lease_until: datetime,
        attempts: int,
        next_attempt_at: datetime,
        last_error: str,
        dead: bool,
    ) -> bool:
        changed = await self._update(
            *self._held(event_id, lease_until),
            status=OutboxStatus.DEAD if dead else OutboxStatus.PENDING,
            attempts=attempts,
            next_attempt_at=next_attempt_at,
            last_error=last_error[:500],
            lease_until=None,
        )
        return changed == 1

    async def list(
        self, *, status: OutboxStatus | None, after: UUID | None, limit: int
    ) -> Sequence[OutboxEvent]:
        statement = select(OutboxRow).where(*self._tenant(OutboxRow.company_id))
        if status is not None:
            statement = statement.where(col(OutboxRow.status) == status)
        if after is not None:
            statement = statement.where(col(OutboxRow.id) > after)
        statement = statement.order_by(col(OutboxRow.id)).limit(limit)
        return [detached(OutboxEvent, row) for row in await self._all(statement)]

    async def revive_dead(self, *, event_id: UUID | None, now: datetime) -> int:
        where = [col(OutboxRow.status) == OutboxStatus.DEAD]
        if event_id is not None:
            where.append(col(OutboxRow.id) == event_id)
        return await self._update(
            *where,
            status=OutboxStatus.PENDING,
            attempts=0,
            next_attempt_at=now,
            lease_until=None,
        )

    async def delete_sent(self, before: datetime) -> int:
        statement = delete(OutboxRow).where(
            col(OutboxRow.status) == OutboxStatus.SENT,
            col(OutboxRow.sent_at) < before,
            *self._tenant(OutboxRow.company_id),
        )
        with translated():
            result = await self._session.exec(statement)
        return int(result.rowcount)

    def _held(self, event_id: UUID, lease_until: datetime) -> tuple[Any, ...]:
        """The event, still pending and still under this very lease."""
        return (
            col(OutboxRow.id) == event_id,
            _PENDING,
            col(OutboxRow.lease_until) == lease_until,
        )

    async def _update(self, *where: Any, **values: Any) -> int:
        statement = (
            update(OutboxRow)
            .where(*where, *self._tenant(OutboxRow.company_id))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        with translated():
            result = await self._session.exec(statement)
        return int(result.rowcount)
