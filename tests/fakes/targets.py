"""Targets in memory, and a month's achievement summed over the stored rows the way the
SQL statement sums them (see ``adapters/fieldedge_adapters/sql/targets.py``)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from uuid import UUID

from fieldedge.domain.orders import OrderStatus
from fieldedge.domain.targets import Figures, Target

from .repo import MemoryRepository, equals, one_of, where
from .store import CONTACTS, ORDERS, PAYMENTS, TARGETS, VISITS, Row

COUNTED = frozenset({OrderStatus.APPROVED, OrderStatus.DISPATCHED, OrderStatus.DELIVERED})


class MemoryTargetRepository(MemoryRepository[Target]):
    table, model = TARGETS, Target

    async def get(
        self, target_id: UUID, *, include_deleted: bool = False, lock: bool = False
    ) -> Target | None:
        return await self._get(target_id, include_deleted=include_deleted, lock=lock)

    async def for_month(self, user_id: UUID, month: str, *, lock: bool = False) -> Target | None:
        rows = await self._rows(where(self._live, equals("user_id", user_id),
                                      equals("month", month)))  # fmt: skip
        return await self._get(rows[0]["id"], lock=lock) if rows else None

    async def in_month(self, month: str, user_ids: Collection[UUID] | None) -> Sequence[Target]:
        rows = await self._rows(
            where(self._live, equals("month", month), lambda r: one_of(r["user_id"], user_ids))
        )
        return [self._entity(row) for row in sorted(rows, key=lambda r: r["user_id"])]

    async def add(self, target: Target) -> None:
        self._add(target)

    async def save(self, target: Target) -> None:
        self._save(target)

    async def achieved(
        self, user_ids: Collection[UUID], start: datetime, end: datetime
    ) -> Mapping[UUID, Figures]:
        users = set(user_ids)
        sums: dict[UUID, dict[str, int]] = {}

        async def add(metric: str, table: str, who: str, when: str, value: str | None,
                      keep: object = None) -> None:  # fmt: skip
            for row in await self._txn.rows(table):
                if row["deleted_at"] is not None or row[who] not in users:
                    continue
                if not start <= row[when] < end or (callable(keep) and not keep(row)):
                    continue
                got = sums.setdefault(row[who], {})
                got[metric] = got.get(metric, 0) + (row[value] if value else 1)

        def counted(row: Row) -> bool:
            return OrderStatus(row["status"]) in COUNTED

        await add("order_value", ORDERS, "user_id", "created_at", "total", counted)
        await add("collections", PAYMENTS, "user_id", "received_at", "amount")
        await add("visits", VISITS, "user_id", "checked_in_at", None, lambda r: r["verified"])
        await add("new_contacts", CONTACTS, "created_by", "created_at", None)
        return {user: Figures(**values) for user, values in sums.items()}
