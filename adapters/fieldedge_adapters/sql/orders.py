"""Orders in SQL, and the per-company order number.

``next_number`` advances ``companies.order_seq`` with one UPDATE … RETURNING: the UPDATE
takes the company row's lock (on SQLite the unit of work holds the write lock already),
so concurrent order-takers queue, each gets the next number, and a transaction that rolls
back takes its increment with it: numbers are gap-free and never repeat.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import col

from fieldedge.domain.orders import Order
from fieldedge.errors import NotFound
from fieldedge.ports.fieldforce import OrderQuery
from fieldedge_adapters.sql.entities import EntityRepository, conflict_as
from fieldedge_adapters.sql.errors import translated
from fieldedge_adapters.sql.tables import CompanyRow
from fieldedge_adapters.sql.tables_fieldforce import OrderRow

# Numbers come from next_number under a lock, so a clash is a bug, never a user's doing.
_NUMBER_TAKEN = "An order with this number already exists."


class SqlOrderRepository(EntityRepository[Order, OrderRow]):
    model, row, noun = Order, OrderRow, "Order"

    async def get(self, order_id: UUID) -> Order | None:
        return await self._get(order_id)

    async def add(self, order: Order) -> Order:
        with conflict_as(_NUMBER_TAKEN):
            return await self._add(order)

    async def save(self, order: Order) -> Order:
        with conflict_as(_NUMBER_TAKEN):
            return await self._save(order)

    async def list(self, query: OrderQuery) -> Sequence[Order]:
        statement = self._page(query.after, query.limit)
        if query.user_ids is not None:
            statement = statement.where(self.c("user_id").in_(list(query.user_ids)))
        if query.contact_id is not None:
            statement = statement.where(self.c("contact_id") == query.contact_id)
        if query.status is not None:
            statement = statement.where(self.c("status") == query.status)
        if query.with_balance is not None:
            owing = self.c("total") > self.c("amount_paid")
            statement = statement.where(owing if query.with_balance else sa.not_(owing))
        return await self._many(statement)

    async def next_number(self) -> int:
        company_id = self._scope.company_id
        if company_id is None:
            raise RuntimeError("order numbers are per tenant; take one in a tenant scope")
        statement = (
            sa.update(CompanyRow)
            .where(col(CompanyRow.id) == company_id)
            .values(order_seq=col(CompanyRow.order_seq) + 1)
            .returning(col(CompanyRow.order_seq))
            .execution_options(synchronize_session=False)
        )
        with translated():
            result = await self._session.exec(statement)
            value = result.scalar_one_or_none()
        if value is None:
            raise NotFound("Company not found.")
        return int(value)
