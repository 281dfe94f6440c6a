"""Maintenance schedules: create, read, list, edit, delete, and what each machine has due.

Who: every role reads (``WORK_ORDER_READ``: a technician sees what is coming);
``WORK_ORDER_WRITE`` (MANAGER, ADMIN) writes, as for the work orders they make.

A schedule names one machine or one equipment type (``domain.maintenance``); a METER
schedule's meter must be a ``number`` attribute its type declares (else 422 on
``meter``). An edit changes the occurrences not made yet, never the work orders made:
the scheduler numbers on from the latest one (``services.maintenance_run``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from fieldedge.domain.access import Action, Principal, require
from fieldedge.domain.equipment import EquipmentType
from fieldedge.domain.maintenance import (
    DueBasis,
    IntervalUnit,
    MaintenanceSchedule,
    check_meter,
)
from fieldedge.domain.work_orders import Priority
from fieldedge.errors import ValidationFailed
from fieldedge.ports.database import Scope, UnitOfWork
from fieldedge.ports.maintenance import ScheduleQuery
from fieldedge.services.common import audit, commit_new, found, id_taken, new_id
from fieldedge.services.deps import Deps
from fieldedge.services.pagination import Page, after_id, page_by_id

NOUN = "maintenance schedule"
# Fields whose change is checked against the machine or type again.
TARGETING = frozenset({"equipment_id", "equipment_type_id", "unit", "meter", "template_id"})


@dataclass(frozen=True, slots=True)
class CreateSchedule:
    name: str
    every: int
    unit: IntervalUnit
    equipment_id: UUID | None = None
    equipment_type_id: UUID | None = None
    id: UUID | None = None
    meter: str | None = None
    lead: int = 0
    basis: DueBasis = DueBasis.PLAN
    first_due_on: date | None = None
    first_due_reading: float | None = None
    template_id: UUID | None = None
    priority: Priority = Priority.MEDIUM
    active: bool = True


@dataclass(frozen=True, slots=True)
class ScheduleFilter:
    equipment_id: UUID | None = None
    equipment_type_id: UUID | None = None
    active: bool | None = None


async def target_type(uow: UnitOfWork, schedule: MaintenanceSchedule) -> EquipmentType:
    """The type whose machines the schedule covers (its machine's, or its own), checked:
    each id names a live row of the company (422 naming the field)."""
    type_id = schedule.equipment_type_id
    field = "equipmentTypeId"
    if schedule.equipment_id is not None:
        machine = await uow.equipment.get(schedule.equipment_id)
        if machine is None:
            raise ValidationFailed(details={"equipmentId": ["No such equipment in this company."]})
        type_id, field = machine.type_id, "equipmentId"
    assert type_id is not None
    kind = await uow.equipment_types.get(type_id)
    if kind is None:
        raise ValidationFailed(details={field: ["No such equipment type in this company."]})
    return kind


async def _check(uow: UnitOfWork, schedule: MaintenanceSchedule) -> None:
    check_meter(schedule, await target_type(uow, schedule))
    if schedule.template_id is not None and not await uow.checklist_templates.get(
        schedule.template_id
    ):
        raise ValidationFailed(details={"templateId": ["No such checklist template."]})


async def create_schedule(
    principal: Principal, cmd: CreateSchedule, deps: Deps
) -> MaintenanceSchedule:
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        schedule = await new_schedule(uow, principal, cmd, deps)
        await commit_new(uow, cmd.id)
    return schedule


async def new_schedule(
    uow: UnitOfWork, principal: Principal, cmd: CreateSchedule, deps: Deps
) -> MaintenanceSchedule:
    require(principal, Action.WORK_ORDER_WRITE)
    if cmd.id is not None and await uow.maintenance_schedules.get(cmd.id, include_deleted=True):
        raise id_taken()
    now = deps.clock.now()
    values = {name: getattr(cmd, name) for name in CreateSchedule.__dataclass_fields__}
    values |= {"id": new_id(deps, cmd.id), "company_id": principal.tenant}
    schedule = MaintenanceSchedule(**values, created_at=now, updated_at=now)
    await _check(uow, schedule)
    await uow.maintenance_schedules.add(schedule)
    await audit(
        uow, deps, "maintenance_schedule.created", actor=principal,
        entity="maintenance_schedule", entity_id=schedule.id,
    )  # fmt: skip
    return schedule


async def get_schedule(principal: Principal, schedule_id: UUID, deps: Deps) -> MaintenanceSchedule:
    require(principal, Action.WORK_ORDER_READ)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        return found(await uow.maintenance_schedules.get(schedule_id), NOUN)


async def list_schedules(
    principal: Principal, filters: ScheduleFilter, cursor: str | None, limit: int, deps: Deps
) -> Page[Any]:
    require(principal, Action.WORK_ORDER_READ)
    query = ScheduleQuery(
        after=after_id(cursor), limit=limit + 1, equipment_id=filters.equipment_id,
        equipment_type_id=filters.equipment_type_id, active=filters.active,
    )  # fmt: skip
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        rows = await uow.maintenance_schedules.list(query)
    return page_by_id(rows, limit)


async def update_schedule(
    principal: Principal, schedule_id: UUID, changes: Mapping[str, Any], deps: Deps
) -> MaintenanceSchedule:
    require(principal, Action.WORK_ORDER_WRITE)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        schedule = found(await uow.maintenance_schedules.get(schedule_id, lock=True), NOUN)
        await change_schedule(uow, principal, schedule, changes, deps)
        await uow.commit()
    return schedule


async def change_schedule(
    uow: UnitOfWork,
    principal: Principal,
    schedule: MaintenanceSchedule,
    changes: Mapping[str, Any],
    deps: Deps,
) -> None:
    """Work orders already made stay as they are; the next occurrence follows the edit."""
    require(principal, Action.WORK_ORDER_WRITE)
    schedule.apply(changes)
    if not schedule.changes():
        return
    if set(schedule.changes()) & TARGETING:
        await _check(uow, schedule)
    schedule.updated_at = deps.clock.now()
    await uow.maintenance_schedules.save(schedule)
    await audit(
        uow, deps, "maintenance_schedule.updated", actor=principal,
        entity="maintenance_schedule", entity_id=schedule.id, detail={"fields": sorted(changes)},
    )  # fmt: skip


async def delete_schedule(
    principal: Principal, schedule_id: UUID, deps: Deps
) -> MaintenanceSchedule:
    require(principal, Action.WORK_ORDER_WRITE)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        schedule = found(await uow.maintenance_schedules.get(schedule_id, lock=True), NOUN)
        await remove_schedule(uow, principal, schedule, deps)
        await uow.commit()
    return schedule


async def remove_schedule(
    uow: UnitOfWork, principal: Principal, schedule: MaintenanceSchedule, deps: Deps
) -> None:
    """A tombstone: the scheduler makes nothing more of it; its work orders stay."""
    require(principal, Action.WORK_ORDER_WRITE)
    now = deps.clock.now()
    schedule.apply({"deleted_at": now, "updated_at": now})
    await uow.maintenance_schedules.save(schedule)
    await audit(
        uow, deps, "maintenance_schedule.deleted", actor=principal,
        entity="maintenance_schedule", entity_id=schedule.id,
    )  # fmt: skip
