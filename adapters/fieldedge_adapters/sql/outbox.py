"""Outbox events in SQL: written with the transaction that causes them, then leased,
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

import sqlalchemy as sa

from fieldedge.domain.outbox import OutboxEvent, OutboxStatus
from fieldedge_adapters.sql.repo import Repository, limit_param, shape, table_of, tenant_filter
from fieldedge_adapters.sql.statements import any_of
from fieldedge_adapters.sql.tables import OutboxRow

T = table_of(OutboxRow)


def _due(tenant: bool) -> list[Any]:
    return [
        T.c.status == OutboxStatus.PENDING.value,
        T.c.next_attempt_at <= sa.bindparam("now"),
        sa.or_(T.c.lease_until.is_(None), T.c.lease_until < sa.bindparam("now")),
        *tenant_filter(T, tenant),
    ]


@shape
def _pick(tenant: bool) -> Any:
    # Its own statement: as a subquery of the UPDATE, Postgres may rescan the LIMIT per
    # row and lease more than asked for.
    return (
        sa.select(T.c.id)
        .where(*_due(tenant))
        .order_by(T.c.next_attempt_at, T.c.id)
        .limit(limit_param())
        .with_for_update(skip_locked=True)  # rendered as nothing on SQLite
    )


@shape
def _lease(tenant: bool) -> Any:
    return (
        sa.update(T)
        .where(any_of(T.c.id, "ids"), *_due(tenant))
        .values(lease_until=sa.bindparam("lease"))
        .returning(*T.c)
    )


@shape
def _held(mark: str) -> Any:
    """Pending and still under this very lease: the only event a mark may change."""
    where = (
        T.c.id == sa.bindparam("w_id"),
        T.c.status == OutboxStatus.PENDING.value,
        T.c.lease_until == sa.bindparam("lease"),
    )
    if mark == "sent":
        values: dict[str, Any] = {"status": OutboxStatus.SENT.value, "sent_at": sa.bindparam("at")}
    else:
        values = {
            "status": sa.bindparam("v_status"),
            "attempts": sa.bindparam("v_attempts"),
            "next_attempt_at": sa.bindparam("v_next"),
            "last_error": sa.bindparam("v_error"),
        }
    return sa.update(T).where(*where).values(lease_until=None, **values)


@shape
def _list(status: bool, after: bool, tenant: bool) -> Any:
    statement = sa.select(T).where(*tenant_filter(T, tenant))
    if status:
        statement = statement.where(T.c.status == sa.bindparam("status"))
    if after:
        statement = statement.where(T.c.id > sa.bindparam("after"))
    return statement.order_by(T.c.id).limit(limit_param())


@shape
def _revive(one: bool, tenant: bool) -> Any:
    statement = sa.update(T).where(T.c.status == OutboxStatus.DEAD.value, *tenant_filter(T, tenant))
    if one:
        statement = statement.where(T.c.id == sa.bindparam("w_id"))
    return statement.values(
        status=OutboxStatus.PENDING.value,
        attempts=0,
        next_attempt_at=sa.bindparam("now"),
        lease_until=None,
    )


@shape
def _delete_sent(tenant: bool) -> Any:
    return sa.delete(T).where(
        T.c.status == OutboxStatus.SENT.value,
        T.c.sent_at < sa.bindparam("before"),
        *tenant_filter(T, tenant),
    )


class SqlOutboxRepository(Repository[OutboxEvent]):
    table, model, soft_delete = T, OutboxEvent, False

    async def add(self, event: OutboxEvent) -> None:
        self._check_owned(event.company_id)
        self._txn.outbox.append(event)

    async def claim_due(
        self, *, now: datetime, lease_until: datetime, limit: int
    ) -> Sequence[OutboxEvent]:
        picked = await self._rows(_pick(self._tenant), now=now, limit=limit)
        if not picked:
            return []
        ids = [row["id"] for row in picked]
        rows = await self._rows(_lease(self._tenant), ids=ids, now=now, lease=lease_until)
        events = [self._entity(row) for row in rows]
        return sorted(events, key=lambda e: (e.next_attempt_at, e.id))

    async def mark_sent(self, event_id: UUID, *, lease_until: datetime, at: datetime) -> bool:
        return await self._run(_held("sent"), w_id=event_id, lease=lease_until, at=at) == 1

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
        status = OutboxStatus.DEAD if dead else OutboxStatus.PENDING
        changed = await self._run(
            _held("failed"),
            w_id=event_id,
            lease=lease_until,
            v_status=status.value,
            v_attempts=attempts,
            v_next=next_attempt_at,
            v_error=last_error[:500],
        )
        return changed == 1

    async def list(
        self, *, status: OutboxStatus | None, after: UUID | None, limit: int
    ) -> Sequence[OutboxEvent]:
        statement = _list(status is not None, after is not None, self._tenant)
        value = status.value if status is not None else None
        return await self._many(statement, status=value, after=after, limit=limit)

    async def revive_dead(self, *, event_id: UUID | None, now: datetime) -> int:
        return await self._run(_revive(event_id is not None, self._tenant), w_id=event_id, now=now)

    async def delete_sent(self, before: datetime) -> int:
        return await self._run(_delete_sent(self._tenant), before=before)
