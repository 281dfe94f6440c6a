"""Expense claims in memory: the same filters as the SQL statement."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from fieldedge.domain.expenses import ExpenseClaim
from fieldedge.ports.expenses import ExpenseQuery
from fieldedge.ports.records import Record

from .repo import MemoryRepository, one_of, where
from .store import EXPENSES


class MemoryExpenseRepository(MemoryRepository[ExpenseClaim]):
    table, model = EXPENSES, ExpenseClaim

    async def get(
        self, claim_id: UUID, *, include_deleted: bool = False, lock: bool = False
    ) -> ExpenseClaim | None:
        return await self._get(claim_id, include_deleted=include_deleted, lock=lock)

    async def add(self, claim: ExpenseClaim) -> None:
        self._add(claim)

    async def save(self, claim: ExpenseClaim) -> None:
        self._save(claim)

    async def list(self, query: ExpenseQuery) -> Sequence[Record]:
        test = where(
            lambda row: one_of(row["user_id"], query.user_ids),
            lambda row: query.status is None or row["status"] == query.status,
        )
        rows = await self._list(test, after=query.after, limit=query.limit)
        return [self._record(row) for row in rows]
