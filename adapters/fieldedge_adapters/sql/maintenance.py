"""Maintenance schedules in SQL: a keyset-paged list by machine, type or active flag."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from fieldedge.domain.maintenance import MaintenanceSchedule
from fieldedge.ports.maintenance import ScheduleQuery
from fieldedge.ports.records import Record
from fieldedge_adapters.sql.repo import Repository, limit_param, shape, table_of, tenant_filter
from fieldedge_adapters.sql.tables_service import MaintenanceScheduleRow

T = table_of(MaintenanceScheduleRow)
_FILTERS = ("equipment_id", "equipment_type_id", "active")


@shape
def _list(after: bool, filters: tuple[str, ...], tenant: bool) -> Any:
    statement = sa.select(T).where(*tenant_filter(T, tenant), T.c.deleted_at.is_(None))
    if after:
        statement = statement.where(T.c.id > sa.bindparam("after"))
    for name in filters:
        statement = statement.where(T.c[name] == sa.bindparam(name))
    return statement.order_by(T.c.id).limit(limit_param())


class SqlMaintenanceScheduleRepository(Repository[MaintenanceSchedule]):
    table, model = T, MaintenanceSchedule
    field_versioned = True

    async def get(
        self, schedule_id: UUID, *, include_deleted: bool = False, lock: bool = False
    ) -> MaintenanceSchedule | None:
        return await self._get(schedule_id, include_deleted=include_deleted, lock=lock)

    async def add(self, schedule: MaintenanceSchedule) -> None:
        self._add(schedule)

    async def save(self, schedule: MaintenanceSchedule) -> None:
        self._save(schedule)

    async def list(self, query: ScheduleQuery) -> Sequence[Record]:
        values = {name: getattr(query, name) for name in _FILTERS}
        sent = tuple(name for name, value in values.items() if value is not None)
        statement = _list(query.after is not None, sent, self._tenant)
        params = {name: values[name] for name in sent}
        return await self._rows(statement, after=query.after, limit=query.limit, **params)
