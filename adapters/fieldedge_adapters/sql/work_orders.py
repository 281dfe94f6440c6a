"""Checklist templates and work orders in SQL: the filtered, keyset-paged list behind
``GET /work-orders`` (and ``/mine``), and ``/overdue``: the open statuses due before now,
by id, walked on the partial index ``ix_work_orders_open_id`` (migration 0017; its
predicate is this statement's, so both planners use it) up to a page; and the
equipment-health sums (``equipment_health.py``)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from fieldedge.domain.work_orders import ChecklistTemplate, WorkOrder
from fieldedge.ports.records import Record
from fieldedge.ports.work_orders import HealthGroup, WorkOrderQuery
from fieldedge_adapters.sql.equipment_health import OPEN_STATUSES, health_group, health_statement
from fieldedge_adapters.sql.repo import Repository, limit_param, shape, table_of, tenant_filter
from fieldedge_adapters.sql.tables_service import ChecklistTemplateRow, WorkOrderRow

TEMPLATES = table_of(ChecklistTemplateRow)
T = table_of(WorkOrderRow)
_FILTERS = ("status", "priority", "kind", "site_id", "equipment_id", "assignee_id")


@shape
def _templates(after: bool, tenant: bool) -> Any:
    statement = sa.select(TEMPLATES).where(
        *tenant_filter(TEMPLATES, tenant), TEMPLATES.c.deleted_at.is_(None)
    )
    if after:
        statement = statement.where(TEMPLATES.c.id > sa.bindparam("after"))
    return statement.order_by(TEMPLATES.c.id).limit(limit_param())


# A list hands out rows to render (or to read, as a machine's history does), never to
# save: sync's per-field versions stay in the table (decoding them cost a JSON parse
# and a bookkeeping step per row of every page).
_LISTED = [c for c in T.c if c.name != "field_versions"]


@shape
def _list(after: bool, filters: tuple[str, ...], overdue: bool, newest: bool, tenant: bool) -> Any:
    statement = sa.select(*_LISTED).where(*tenant_filter(T, tenant), T.c.deleted_at.is_(None))
    if after:
        statement = statement.where(T.c.id > sa.bindparam("after"))
    for name in filters:
        statement = statement.where(T.c[name] == sa.bindparam(name))
    if overdue:
        statement = statement.where(
            T.c.status.in_(OPEN_STATUSES), T.c.due_at < sa.bindparam("due_before")
        )
    return statement.order_by(T.c.id.desc() if newest else T.c.id).limit(limit_param())


@shape
def _last_scheduled(tenant: bool) -> Any:
    """Each machine's highest occurrence of a schedule, then those rows: both over the
    (schedule_id, equipment_id, occurrence) unique index."""
    latest = (
        sa.select(T.c.equipment_id, sa.func.max(T.c.occurrence).label("occurrence"))
        .where(*tenant_filter(T, tenant), T.c.schedule_id == sa.bindparam("schedule_id"))
        .group_by(T.c.equipment_id)
        .subquery()
    )
    return (
        sa.select(T)
        .join(
            latest,
            sa.and_(
                T.c.equipment_id == latest.c.equipment_id,
                T.c.occurrence == latest.c.occurrence,
            ),
        )
        .where(*tenant_filter(T, tenant), T.c.schedule_id == sa.bindparam("schedule_id"))
        .order_by(T.c.equipment_id)
    )


class SqlChecklistTemplateRepository(Repository[ChecklistTemplate]):
    table, model = TEMPLATES, ChecklistTemplate
    field_versioned = True

    async def get(
        self, template_id: UUID, *, include_deleted: bool = False, lock: bool = False
    ) -> ChecklistTemplate | None:
        return await self._get(template_id, include_deleted=include_deleted, lock=lock)

    async def add(self, template: ChecklistTemplate) -> None:
        self._add(template)

    async def save(self, template: ChecklistTemplate) -> None:
        self._save(template)

    async def list(self, after: UUID | None, limit: int) -> Sequence[Record]:
        statement = _templates(after is not None, self._tenant)
        return await self._rows(statement, after=after, limit=limit)


class SqlWorkOrderRepository(Repository[WorkOrder]):
    table, model = T, WorkOrder
    field_versioned = True

    async def get(
        self, work_order_id: UUID, *, include_deleted: bool = False, lock: bool = False
    ) -> WorkOrder | None:
        return await self._get(work_order_id, include_deleted=include_deleted, lock=lock)

    async def add(self, work_order: WorkOrder) -> None:
        self._add(work_order)

    async def save(self, work_order: WorkOrder) -> None:
        self._save(work_order)

    async def list(self, query: WorkOrderQuery) -> Sequence[Record]:
        values = {name: getattr(query, name) for name in _FILTERS}
        sent = tuple(name for name, value in values.items() if value is not None)
        statement = _list(
            query.after is not None,
            sent,
            query.due_before is not None,
            query.newest_first,
            self._tenant,
        )
        params = {name: getattr(values[name], "value", values[name]) for name in sent}
        return await self._rows(
            statement, after=query.after, due_before=query.due_before, limit=query.limit, **params
        )

    async def last_scheduled(self, schedule_id: UUID) -> Sequence[Record]:
        return await self._rows(_last_scheduled(self._tenant), schedule_id=schedule_id)

    async def health(
        self, now: datetime, assignees: Collection[UUID] | None
    ) -> Sequence[HealthGroup]:
        if assignees is not None and not assignees:
            assignees = [UUID(int=0)]  # a team of nobody: no work order is theirs
        statement = health_statement(assignees is not None, self._tenant)
        params: dict[str, object] = {"now": now}
        if assignees is not None:
            params["team"] = list(assignees)
        rows = await self._txn.rows(statement, self._params(**params))
        return [health_group(row) for row in rows]
