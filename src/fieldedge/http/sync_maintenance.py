"""The maintenance schedule's sync registration, joined to ``sync_entities.registry``.

Every replica of the company holds every schedule (every role reads them:
``EVERYONES``); a push runs the REST use case, so only a MANAGER's or ADMIN's replica
writes one (``WORK_ORDER_WRITE``), a technician's gets the 403 in its mutation's
result. The work orders a schedule makes are the server's (the ``maintenance`` job)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic.alias_generators import to_camel

from fieldedge.domain.access import Principal
from fieldedge.domain.maintenance import MaintenanceSchedule
from fieldedge.http.body import validate
from fieldedge.http.routes.maintenance_schemas import (
    CreateScheduleBody,
    ScheduleOut,
    UpdateScheduleBody,
)
from fieldedge.http.sync_entities import _never, _render, _same_as, _set
from fieldedge.ports.database import UnitOfWork
from fieldedge.services import maintenance
from fieldedge.services.deps import Deps
from fieldedge.services.sync.entities import Create, Synced, SyncEntity


async def _load(uow: UnitOfWork, _: Principal, row_id: UUID) -> MaintenanceSchedule | None:
    return await uow.maintenance_schedules.get(row_id, include_deleted=True, lock=True)


async def _create(uow: UnitOfWork, principal: Principal, c: Create, deps: Deps) -> Synced:
    body = validate(CreateScheduleBody, c.data)
    cmd = maintenance.CreateSchedule(**{**body.model_dump(), "id": c.entity_id})
    return await maintenance.new_schedule(uow, principal, cmd, deps)


async def _update(
    uow: UnitOfWork, principal: Principal, row: Synced, values: dict[str, Any], deps: Deps
) -> None:
    assert isinstance(row, MaintenanceSchedule)
    await maintenance.change_schedule(uow, principal, row, values, deps)


async def _delete(uow: UnitOfWork, principal: Principal, row: Synced, deps: Deps) -> None:
    assert isinstance(row, MaintenanceSchedule)
    await maintenance.remove_schedule(uow, principal, row, deps)


def maintenance_entities() -> tuple[SyncEntity, ...]:
    return (
        SyncEntity(
            name="maintenance_schedule",
            kind="maintenance_schedules",
            render=_render(ScheduleOut),
            wire=to_camel,
            load=_load,
            create=_create,
            same=_same_as(CreateScheduleBody),
            locked=_never,
            ops=("create", "update", "delete"),
            changes=lambda data: _set(UpdateScheduleBody, data),
            current=lambda row: row.values(),
            update=_update,
            delete=_delete,
        ),
    )
