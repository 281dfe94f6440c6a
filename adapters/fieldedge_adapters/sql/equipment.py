"""Equipment types and equipment in SQL: lists by site, type, status or serial number,
and the serial check (live equipment only) made up front, so a clash is the caller's
409 now rather than a failed commit (the partial unique index still backs it)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from fieldedge.domain.equipment import SERIAL_TAKEN, Equipment, EquipmentType
from fieldedge.errors import Conflict
from fieldedge.ports.equipment import EquipmentQuery
from fieldedge.ports.records import Record
from fieldedge_adapters.sql.repo import Repository, limit_param, shape, table_of, tenant_filter
from fieldedge_adapters.sql.tables_service import EquipmentRow, EquipmentTypeRow

TYPES = table_of(EquipmentTypeRow)
T = table_of(EquipmentRow)


@shape
def _types(after: bool, tenant: bool) -> Any:
    statement = sa.select(TYPES).where(*tenant_filter(TYPES, tenant), TYPES.c.deleted_at.is_(None))
    if after:
        statement = statement.where(TYPES.c.id > sa.bindparam("after"))
    return statement.order_by(TYPES.c.id).limit(limit_param())


@shape
def _list(after: bool, site: bool, kind: bool, status: bool, serial: bool, tenant: bool) -> Any:
    statement = sa.select(T).where(*tenant_filter(T, tenant), T.c.deleted_at.is_(None))
    if after:
        statement = statement.where(T.c.id > sa.bindparam("after"))
    if site:
        statement = statement.where(T.c.site_id == sa.bindparam("site"))
    if kind:
        statement = statement.where(T.c.type_id == sa.bindparam("type"))
    if status:
        statement = statement.where(T.c.status == sa.bindparam("status"))
    if serial:
        statement = statement.where(T.c.serial == sa.bindparam("serial"))
    return statement.order_by(T.c.id).limit(limit_param())


@shape
def _serial_taken(tenant: bool) -> Any:
    return (
        sa.select(T.c.id)
        .where(
            *tenant_filter(T, tenant),
            T.c.deleted_at.is_(None),
            T.c.serial == sa.bindparam("serial"),
            T.c.id != sa.bindparam("id"),
        )
        .limit(1)
    )


class SqlEquipmentTypeRepository(Repository[EquipmentType]):
    table, model = TYPES, EquipmentType
    field_versioned = True

    async def get(
        self, type_id: UUID, *, include_deleted: bool = False, lock: bool = False
    ) -> EquipmentType | None:
        return await self._get(type_id, include_deleted=include_deleted, lock=lock)

    async def add(self, kind: EquipmentType) -> None:
        self._add(kind)

    async def save(self, kind: EquipmentType) -> None:
        self._save(kind)

    async def list(self, after: UUID | None, limit: int) -> Sequence[Record]:
        return await self._rows(_types(after is not None, self._tenant), after=after, limit=limit)


class SqlEquipmentRepository(Repository[Equipment]):
    table, model = T, Equipment
    field_versioned = True

    async def get(
        self, equipment_id: UUID, *, include_deleted: bool = False, lock: bool = False
    ) -> Equipment | None:
        return await self._get(equipment_id, include_deleted=include_deleted, lock=lock)

    async def _check_serial(self, equipment: Equipment) -> None:
        taken = await self._rows(
            _serial_taken(self._tenant), serial=equipment.serial, id=equipment.id
        )
        if taken and equipment.deleted_at is None:
            raise Conflict(SERIAL_TAKEN)

    async def add(self, equipment: Equipment) -> None:
        await self._check_serial(equipment)
        self._add(equipment)

    async def save(self, equipment: Equipment) -> None:
        if "serial" in equipment.changes():
            await self._check_serial(equipment)
        self._save(equipment)

    async def list(self, query: EquipmentQuery) -> Sequence[Record]:
        statement = _list(
            query.after is not None,
            query.site_id is not None,
            query.type_id is not None,
            query.status is not None,
            query.serial is not None,
            self._tenant,
        )
        return await self._rows(
            statement,
            after=query.after,
            site=query.site_id,
            type=query.type_id,
            status=query.status.value if query.status is not None else None,
            serial=query.serial,
            limit=query.limit,
        )
