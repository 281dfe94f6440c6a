"""The outbox's lease protocol and the idempotency records, in memory, as in SQL.

Outbox: an event is written with the transaction that adds it (at its next read or
commit, like every insert; the SQL adapter writes it only at commit). A claim
leases due events, skipping rows another transaction holds (``SKIP LOCKED``); every mark
repeats the lease (``lease_until``) and the pending status in its condition, so a
dispatcher whose lease was taken over marks nothing.

Idempotency: ``record`` writes the completed record at once. A user's key is held while
the transaction that recorded it runs: a second ``record`` of the key waits for it (at
most the lock bound, then ``IdempotencyInProgress``) and then finds it committed (False)
or gone (it goes ahead). A live record wins; an expired one is replaced.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from fieldedge.domain.idempotency import IdempotencyRecord
from fieldedge.domain.outbox import OutboxEvent, OutboxStatus
from fieldedge.errors import DependencyUnavailable, IdempotencyInProgress

from .repo import MemoryRepository, equals, page, where
from .store import IDEMPOTENCY, OUTBOX, Row, clone
from .txn import OUTBOX_COLUMNS, written


def _order(event: OutboxEvent) -> tuple[datetime, UUID]:
    return event.next_attempt_at, event.id


class MemoryOutboxRepository(MemoryRepository[OutboxEvent]):
    table, model, soft_delete = OUTBOX, OutboxEvent, False

    async def add(self, event: OutboxEvent) -> None:
        self._check_owned(event.company_id)
        # Queued like any insert (the port promises only that the commit writes it).
        self._txn.insert(self.table, written(event, OUTBOX_COLUMNS), None)

    async def claim_due(
        self, *, now: datetime, lease_until: datetime, limit: int
    ) -> Sequence[OutboxEvent]:
        def due(row: Row) -> bool:
            lease = row["lease_until"]
            return (
                row["status"] == OutboxStatus.PENDING
                and row["next_attempt_at"] <= now
                and (lease is None or lease < now)
            )

        candidates = sorted(await self._rows(due), key=lambda r: (r["next_attempt_at"], r["id"]))
        claimed: list[OutboxEvent] = []
        for row in candidates:
            if len(claimed) >= limit:
                break
            key = (self.table, row["id"])
            ours = self._txn.store.locks.holder(key) is self._txn
            if not self._txn.try_lock(key):
                continue  # another dispatcher holds it
            latest = self._txn.current(self.table, row["id"])
            if latest is None or not due(latest):
                if not ours:
                    self._txn.unlock(key)
                continue
            leased = await self._txn.change(self.table, row["id"], {"lease_until": lease_until})
            if leased is not None:
                claimed.append(self._entity(leased))
        return sorted(claimed, key=_order)

    async def _mark(self, event_id: UUID, lease_until: datetime, values: dict[str, object]) -> bool:
        held = where(
            equals("id", event_id),
            equals("status", OutboxStatus.PENDING),
            equals("lease_until", lease_until),
        )
        return len(await self._set_where(held, {**values, "lease_until": None})) == 1

    async def mark_sent(self, event_id: UUID, *, lease_until: datetime, at: datetime) -> bool:
        return await self._mark(event_id, lease_until, {"status": OutboxStatus.SENT, "sent_at": at})

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
        values: dict[str, object] = {
            "status": OutboxStatus.DEAD if dead else OutboxStatus.PENDING,
            "attempts": attempts,
            "next_attempt_at": next_attempt_at,
            "last_error": last_error[:500],
        }
        return await self._mark(event_id, lease_until, values)

    async def list(
        self, *, status: OutboxStatus | None, after: UUID | None, limit: int
    ) -> Sequence[OutboxEvent]:
        rows = await self._rows(lambda row: status is None or row["status"] == status)
        return [self._entity(row) for row in page(rows, after=after, limit=limit)]

    async def revive_dead(self, *, event_id: UUID | None, now: datetime) -> int:
        dead = where(
            equals("status", OutboxStatus.DEAD),
            lambda row: event_id is None or row["id"] == event_id,
        )
        values = {"status": OutboxStatus.PENDING, "attempts": 0, "next_attempt_at": now}
        return len(await self._set_where(dead, {**values, "lease_until": None}))

    async def delete_sent(self, before: datetime) -> int:
        return await self._delete_where(
            lambda row: row["status"] == OutboxStatus.SENT and row["sent_at"] < before
        )


class MemoryIdempotencyRepository(MemoryRepository[IdempotencyRecord]):
    table, model, soft_delete = IDEMPOTENCY, IdempotencyRecord, False

    async def find(self, user_id: UUID, key: str, *, now: datetime) -> IdempotencyRecord | None:
        rows = await self._rows(
            where(equals("user_id", user_id), equals("key", key), lambda r: r["expires_at"] > now)
        )
        return self._entity(rows[0]) if rows else None

    async def record(self, record: IdempotencyRecord) -> bool:
        self._check_owned(record.company_id)
        await self._txn.flush()
        key = (self.table, "key", record.user_id, record.key)
        ours = self._txn.store.locks.holder(key) is self._txn
        try:
            await self._txn.lock(key)  # a transaction still running with the key: wait
        except DependencyUnavailable:
            raise IdempotencyInProgress() from None
        existing = next(
            (
                row
                for row in self._txn.every(self.table)
                if row["user_id"] == record.user_id and row["key"] == record.key
            ),
            None,
        )
        if existing is not None and existing["expires_at"] > record.created_at:
            if not ours:
                self._txn.unlock(key)
            return False  # a live record holds the key: replay it
        if existing is not None:
            await self._txn.remove(self.table, existing["id"])  # expired: replaced
        self._txn.put(self.table, clone(record.values()), insert=True)
        return True

    async def sweep(self, before: datetime) -> int:
        return await self._delete_where(lambda row: row["expires_at"] < before)
