"""Webhook endpoints and their delivery log in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from fieldedge.domain.webhooks import WebhookDelivery, WebhookEndpoint
from fieldedge_adapters.sql.repo import Repository, limit_param, shape, table_of, tenant_filter
from fieldedge_adapters.sql.tables_integrations import WebhookDeliveryRow, WebhookEndpointRow

E = table_of(WebhookEndpointRow)
D = table_of(WebhookDeliveryRow)


@shape
def _list(after: bool, tenant: bool) -> Any:
    statement = sa.select(E).where(*tenant_filter(E, tenant), E.c.deleted_at.is_(None))
    if after:
        statement = statement.where(E.c.id > sa.bindparam("after"))
    return statement.order_by(E.c.id).limit(limit_param())


@shape
def _active(tenant: bool) -> Any:
    # The event-type test is made on the rows: a company has a handful of endpoints, and
    # JSON containment is spelled differently on every database.
    return (
        sa.select(E)
        .where(*tenant_filter(E, tenant), E.c.deleted_at.is_(None), E.c.active.is_(True))
        .order_by(E.c.id)
    )


@shape
def _delivery(tenant: bool) -> Any:
    return sa.select(D).where(D.c.id == sa.bindparam("id"), *tenant_filter(D, tenant))


@shape
def _deliveries(before: bool, tenant: bool) -> Any:
    statement = sa.select(D).where(*tenant_filter(D, tenant), D.c.endpoint_id == sa.bindparam("e"))
    if before:
        statement = statement.where(D.c.id < sa.bindparam("before"))
    return statement.order_by(D.c.id.desc()).limit(limit_param())


class SqlWebhookRepository(Repository[WebhookEndpoint]):
    table, model = E, WebhookEndpoint
    # The active endpoints, read once per unit of work: a sync push of fifty creates
    # asks fifty times and the database hears it once.
    _active_endpoints: list[WebhookEndpoint] | None = None

    async def get(self, endpoint_id: UUID, *, lock: bool = False) -> WebhookEndpoint | None:
        return await self._get(endpoint_id, lock=lock)

    async def add(self, endpoint: WebhookEndpoint) -> None:
        self._add(endpoint)

    async def save(self, endpoint: WebhookEndpoint) -> None:
        self._save(endpoint)

    async def list(self, *, after: UUID | None, limit: int) -> Sequence[WebhookEndpoint]:
        return await self._many(_list(after is not None, self._tenant), after=after, limit=limit)

    async def _active(self) -> Sequence[WebhookEndpoint]:
        if self._active_endpoints is None:
            # Straight to the connection, not through ``Txn.rows``: that would first send
            # the write's queued rows, which belong in its one stamping statement at commit
            # (and whose clash ``commit`` reports). This transaction never writes endpoints.
            rows = await self._txn.tx.rows(_active(self._tenant), self._params())
            self._active_endpoints = [self._entity(row) for row in rows]
        return self._active_endpoints

    async def subscribed(self, event_type: str) -> Sequence[WebhookEndpoint]:
        return [e for e in await self._active() if event_type in e.event_types]

    async def any_active(self) -> bool:
        return bool(await self._active())

    async def add_delivery(self, delivery: WebhookDelivery) -> None:
        self._check_owned(delivery.company_id)
        self._txn.insert(D, delivery.values(), delivery)

    async def delivery(self, delivery_id: UUID) -> WebhookDelivery | None:
        rows = await self._rows(_delivery(self._tenant), id=delivery_id)
        return WebhookDelivery.load(rows[0]) if rows else None

    async def deliveries(
        self, endpoint_id: UUID, *, before: UUID | None, limit: int
    ) -> Sequence[WebhookDelivery]:
        statement = _deliveries(before is not None, self._tenant)
        rows = await self._rows(statement, e=endpoint_id, before=before, limit=limit)
        return [WebhookDelivery.load(row) for row in rows]
