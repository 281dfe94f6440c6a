"""Payments in SQL: recorded once, never edited in amount, listed per order or collector."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from fieldedge.domain.payments import Payment
from fieldedge.ports.fieldforce import PaymentQuery
from fieldedge_adapters.sql.entities import EntityRepository
from fieldedge_adapters.sql.tables_fieldforce import PaymentRow


class SqlPaymentRepository(EntityRepository[Payment, PaymentRow]):
    model, row, noun = Payment, PaymentRow, "Payment"

    async def get(self, payment_id: UUID) -> Payment | None:
        return await self._get(payment_id)

    async def add(self, payment: Payment) -> Payment:
        return await self._add(payment)

    async def list(self, query: PaymentQuery) -> Sequence[Payment]:
        statement = self._page(query.after, query.limit)
        if query.user_ids is not None:
            statement = statement.where(self.c("user_id").in_(list(query.user_ids)))
        if query.order_id is not None:
            statement = statement.where(self.c("order_id") == query.order_id)
        if query.method is not None:
            statement = statement.where(self.c("method") == query.method)
        return await self._many(statement)
