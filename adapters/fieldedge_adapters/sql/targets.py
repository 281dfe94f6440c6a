"""Targets in SQL, and a month's achievement for many reps in one statement.

``achieved`` is one ``UNION ALL`` of four grouped sums (orders, payments, verified
visits, created contacts), each narrowed by tenant, rep and the month's UTC bounds and
served by a (company_id, rep, time) index: one round trip for a team of any size.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from fieldedge.domain.orders import OrderStatus
from fieldedge.domain.targets import Figures, Target
from fieldedge_adapters.sql.repo import Repository, shape, table_of, tenant_filter
from fieldedge_adapters.sql.statements import any_of
from fieldedge_adapters.sql.tables_fieldforce import (
    ContactRow,
    OrderRow,
    PaymentRow,
    TargetRow,
    VisitRow,
)

T = table_of(TargetRow)
ORDERS, PAYMENTS = table_of(OrderRow), table_of(PaymentRow)
VISITS, CONTACTS = table_of(VisitRow), table_of(ContactRow)
# Accepted by a manager and not since called off: the orders a target counts (inline
# text, so the statement keeps one shape and no expanding parameter).
COUNTED: list[Any] = [
    sa.literal_column(f"'{s.value}'")
    for s in (OrderStatus.APPROVED, OrderStatus.DISPATCHED, OrderStatus.DELIVERED)
]


@shape
def _for_month(tenant: bool, lock: bool) -> Any:
    statement = sa.select(T).where(
        *tenant_filter(T, tenant),
        T.c.deleted_at.is_(None),
        T.c.user_id == sa.bindparam("user"),
        T.c.month == sa.bindparam("month"),
    )
    return statement.with_for_update() if lock else statement


@shape
def _in_month(tenant: bool, users: bool) -> Any:
    statement = sa.select(T).where(
        *tenant_filter(T, tenant), T.c.deleted_at.is_(None), T.c.month == sa.bindparam("month")
    )
    if users:
        statement = statement.where(any_of(T.c.user_id, "users"))
    return statement.order_by(T.c.user_id)


def _sum(metric: str, table: sa.Table, who: Any, when: Any, value: Any, tenant: bool,
         *more: Any) -> Any:  # fmt: skip
    return (
        sa.select(
            # Inline text, not a parameter: a constant of the statement's one shape.
            sa.literal_column(f"'{metric}'", sa.String).label("metric"),
            who.label("user_id"),
            sa.cast(value, sa.BigInteger).label("value"),
        )
        .where(
            *tenant_filter(table, tenant),
            table.c.deleted_at.is_(None),
            any_of(who, "users"),
            when >= sa.bindparam("start"),
            when < sa.bindparam("end"),
            *more,
        )
        .group_by(who)
    )


@shape
def _achieved(tenant: bool) -> Any:
    return sa.union_all(
        _sum("order_value", ORDERS, ORDERS.c.user_id, ORDERS.c.created_at,
             sa.func.sum(ORDERS.c.total), tenant, ORDERS.c.status.in_(COUNTED)),
        _sum("collections", PAYMENTS, PAYMENTS.c.user_id, PAYMENTS.c.received_at,
             sa.func.sum(PAYMENTS.c.amount), tenant),
        _sum("visits", VISITS, VISITS.c.user_id, VISITS.c.checked_in_at,
             sa.func.count(), tenant, VISITS.c.verified.is_(True)),
        _sum("new_contacts", CONTACTS, CONTACTS.c.created_by, CONTACTS.c.created_at,
             sa.func.count(), tenant),
    )  # fmt: skip


class SqlTargetRepository(Repository[Target]):
    table, model = T, Target
    field_versioned = True

    async def get(
        self, target_id: UUID, *, include_deleted: bool = False, lock: bool = False
    ) -> Target | None:
        return await self._get(target_id, include_deleted=include_deleted, lock=lock)

    async def for_month(self, user_id: UUID, month: str, *, lock: bool = False) -> Target | None:
        found = await self._one(_for_month(self._tenant, lock), user=user_id, month=month)
        if lock and found is not None:
            self._txn.locked.add((self.table.name, found.id))
        return found

    async def in_month(self, month: str, user_ids: Collection[UUID] | None) -> Sequence[Target]:
        users = list(user_ids) if user_ids is not None else None
        return await self._many(_in_month(self._tenant, users is not None), month=month,
                                users=users)  # fmt: skip

    async def add(self, target: Target) -> None:
        self._add(target)

    async def save(self, target: Target) -> None:
        self._save(target)

    async def achieved(
        self, user_ids: Collection[UUID], start: datetime, end: datetime
    ) -> Mapping[UUID, Figures]:
        if not user_ids:
            return {}
        rows = await self._txn.rows(
            _achieved(self._tenant),
            self._params(users=list(user_ids), start=start, end=end),
        )
        sums: dict[UUID, dict[str, int]] = {}
        for row in rows:
            sums.setdefault(row["user_id"], {})[row["metric"]] = int(row["value"])
        return {user: Figures(**values) for user, values in sums.items()}
