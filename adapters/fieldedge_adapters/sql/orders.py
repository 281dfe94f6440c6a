"""Orders in SQL. The per-company number is drawn when the order is stored: the unit of
work's stamping step advances ``companies.order_seq`` in the statement that takes the
version, so numbers are gap-free, unique and in commit order, and a transaction that
rolls back takes its numbers with it."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from fieldedge.domain.orders import Order
from fieldedge.ports.fieldforce import OrderQuery
from fieldedge.ports.records import Record
from fieldedge_adapters.sql.repo import Repository, limit_param, shape, table_of, tenant_filter
from fieldedge_adapters.sql.statements import any_of
from fieldedge_adapters.sql.tables_fieldforce import OrderRow

T = table_of(OrderRow)
ONE = 1  # the users shape of one user (0: anyone's, 2: a list)


def _users_shape(user_ids: Collection[UUID] | None) -> int:
    if user_ids is None:
        return 0
    return ONE if len(user_ids) == 1 else 2


@shape
def _list(
    after: bool, users: int, contact: bool, status: bool, balance: bool | None, tenant: bool
) -> Any:
    statement = sa.select(T).where(*tenant_filter(T, tenant), T.c.deleted_at.is_(None))
    if after:
        statement = statement.where(T.c.id > sa.bindparam("after"))
    if users == ONE:  # a rep's own: equality walks (company_id, user_id, id) in order
        statement = statement.where(T.c.user_id == sa.bindparam("user"))
    elif users:
        statement = statement.where(any_of(T.c.user_id, "users"))
    if contact:
        statement = statement.where(T.c.contact_id == sa.bindparam("contact"))
    if status:
        statement = statement.where(T.c.status == sa.bindparam("status"))
    if balance is not None:
        owing = T.c.total > T.c.amount_paid
        statement = statement.where(owing if balance else sa.not_(owing))
    return statement.order_by(T.c.id).limit(limit_param())


class SqlOrderRepository(Repository[Order]):
    table, model = T, Order
    field_versioned = True

    async def get(
        self, order_id: UUID, *, include_deleted: bool = False, lock: bool = False
    ) -> Order | None:
        return await self._get(order_id, include_deleted=include_deleted, lock=lock)

    async def add(self, order: Order) -> None:
        self._add(order)

    async def save(self, order: Order) -> None:
        self._save(order)

    async def list(self, query: OrderQuery) -> Sequence[Record]:
        statement = _list(
            query.after is not None,
            _users_shape(query.user_ids),
            query.contact_id is not None,
            query.status is not None,
            query.with_balance,
            self._tenant,
        )
        return await self._rows(
            statement,
            after=query.after,
            users=list(query.user_ids) if query.user_ids is not None else None,
            user=next(iter(query.user_ids))
            if query.user_ids and len(query.user_ids) == 1
            else None,
            contact=query.contact_id,
            status=query.status.value if query.status is not None else None,
            limit=query.limit,
        )
