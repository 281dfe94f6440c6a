"""Payments in SQL: recorded once, never edited in amount, listed per order or collector."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from fieldedge.domain.payments import Payment
from fieldedge.ports.fieldforce import PaymentQuery
from fieldedge.ports.records import Record
from fieldedge_adapters.sql.repo import Repository, limit_param, shape, table_of, tenant_filter
from fieldedge_adapters.sql.statements import any_of
from fieldedge_adapters.sql.tables_fieldforce import PaymentRow

T = table_of(PaymentRow)


@shape
def _list(after: bool, users: bool, order: bool, method: bool, tenant: bool) -> Any:
    statement = sa.select(T).where(*tenant_filter(T, tenant), T.c.deleted_at.is_(None))
    if after:
        statement = statement.where(T.c.id > sa.bindparam("after"))
    if users:
        statement = statement.where(any_of(T.c.user_id, "users"))
    if order:
        statement = statement.where(T.c.order_id == sa.bindparam("order"))
    if method:
        statement = statement.where(T.c.method == sa.bindparam("method"))
    return statement.order_by(T.c.id).limit(limit_param())


class SqlPaymentRepository(Repository[Payment]):
    table, model = T, Payment

    async def get(self, payment_id: UUID, *, include_deleted: bool = False) -> Payment | None:
        return await self._get(payment_id, include_deleted=include_deleted)

    async def add(self, payment: Payment) -> None:
        self._add(payment)

    async def list(self, query: PaymentQuery) -> Sequence[Record]:
        statement = _list(
            query.after is not None,
            query.user_ids is not None,
            query.order_id is not None,
            query.method is not None,
            self._tenant,
        )
        return await self._rows(
            statement,
            after=query.after,
            users=list(query.user_ids) if query.user_ids is not None else None,
            order=query.order_id,
            method=query.method.value if query.method is not None else None,
            limit=query.limit,
        )
