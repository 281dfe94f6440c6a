"""Expense claims in SQL: one by id, a page of them by id (whose, which status)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from fieldedge.domain.expenses import ExpenseClaim
from fieldedge.ports.expenses import ExpenseQuery
from fieldedge.ports.records import Record
from fieldedge_adapters.sql.repo import Repository, limit_param, shape, table_of, tenant_filter
from fieldedge_adapters.sql.statements import any_of
from fieldedge_adapters.sql.tables_expenses import ExpenseClaimRow

T = table_of(ExpenseClaimRow)


@shape
def _list(after: bool, users: bool, status: bool, tenant: bool) -> Any:
    statement = sa.select(T).where(*tenant_filter(T, tenant), T.c.deleted_at.is_(None))
    if after:
        statement = statement.where(T.c.id > sa.bindparam("after"))
    if users:
        statement = statement.where(any_of(T.c.user_id, "users"))
    if status:
        statement = statement.where(T.c.status == sa.bindparam("status"))
    return statement.order_by(T.c.id).limit(limit_param())


class SqlExpenseRepository(Repository[ExpenseClaim]):
    table, model = T, ExpenseClaim
    field_versioned = True

    async def get(
        self, claim_id: UUID, *, include_deleted: bool = False, lock: bool = False
    ) -> ExpenseClaim | None:
        return await self._get(claim_id, include_deleted=include_deleted, lock=lock)

    async def add(self, claim: ExpenseClaim) -> None:
        self._add(claim)

    async def save(self, claim: ExpenseClaim) -> None:
        self._save(claim)

    async def list(self, query: ExpenseQuery) -> Sequence[Record]:
        statement = _list(
            query.after is not None,
            query.user_ids is not None,
            query.status is not None,
            self._tenant,
        )
        return await self._rows(
            statement,
            after=query.after,
            users=list(query.user_ids) if query.user_ids is not None else None,
            status=query.status.value if query.status is not None else None,
            limit=query.limit,
        )
