"""The maintenance-schedule repository and the scheduler's key on every implementation:
schedules listed by machine, type and active flag; a schedule's work orders are unique
per (schedule, machine, occurrence), a clash a ``Conflict`` that a savepoint undoes
alone (the insert-if-absent the job relies on); each machine's latest occurrence;
tenant isolation."""

from __future__ import annotations

from typing import Any

import pytest

from fieldedge.domain.maintenance import IntervalUnit, MaintenanceSchedule
from fieldedge.domain.work_orders import WorkOrder
from fieldedge.errors import Conflict
from fieldedge.ports.database import Database
from fieldedge.ports.maintenance import ScheduleQuery

from .test_field_service import _machine, _site, _stamped
from .world import NOW, Tenant, tenant


def _schedule(t: Tenant, **fields: Any) -> MaintenanceSchedule:
    return MaintenanceSchedule(**_stamped(company_id=t.id, name="Service", every=1,
                                          unit=IntervalUnit.WEEKS,
                                          first_due_on=NOW.date(), **fields))  # fmt: skip


def _order(t: Tenant, schedule: MaintenanceSchedule, machine: Any, n: int) -> WorkOrder:
    return WorkOrder(**_stamped(company_id=t.id, site_id=machine.site_id,
                                equipment_id=machine.id, title="Service",
                                schedule_id=schedule.id, occurrence=n,
                                planned_on=NOW.date()))  # fmt: skip


async def test_schedules_are_listed_by_machine_type_and_active(database: Database) -> None:
    t = await tenant(database)
    site = await _site(database, t)
    one = await _machine(database, t, site, "S-1")
    by_machine = _schedule(t, equipment_id=one.id)
    by_type = _schedule(t, equipment_type_id=one.type_id, active=False)
    async with t.uow(database) as uow:
        await uow.maintenance_schedules.add(by_machine)
        await uow.maintenance_schedules.add(by_type)
        await uow.commit()
    rival = await tenant(database, "Rival")

    async def ids(who: Tenant = t, **query: Any) -> set[Any]:
        async with who.uow(database) as uow:
            rows = await uow.maintenance_schedules.list(ScheduleQuery(**{"limit": 10, **query}))
        return {row["id"] for row in rows}

    assert await ids() == {by_machine.id, by_type.id}
    assert await ids(equipment_id=one.id) == {by_machine.id}
    assert await ids(equipment_type_id=one.type_id) == {by_type.id}
    assert await ids(active=True) == {by_machine.id}
    assert await ids(rival) == set()
    async with rival.uow(database) as uow:
        assert await uow.maintenance_schedules.get(by_machine.id) is None


async def test_an_occurrence_is_one_work_order_and_a_clash_is_undone_alone(
    database: Database,
) -> None:
    t = await tenant(database)
    site = await _site(database, t)
    one = await _machine(database, t, site, "O-1")
    two = await _machine(database, t, site, "O-2")
    schedule = _schedule(t, equipment_type_id=one.type_id)
    async with t.uow(database) as uow:
        await uow.maintenance_schedules.add(schedule)
        for machine, n in ((one, 1), (one, 2), (two, 1)):
            await uow.work_orders.add(_order(t, schedule, machine, n))
        await uow.commit()
    async with t.uow(database) as uow:
        with pytest.raises(Conflict):
            async with uow.savepoint():
                await uow.work_orders.add(_order(t, schedule, one, 2))  # made already
        await uow.work_orders.add(_order(t, schedule, two, 2))  # the rest goes on
        await uow.work_orders.add(WorkOrder(**_stamped(company_id=t.id, site_id=site.id,
                                                      title="By hand")))  # fmt: skip
        await uow.commit()
    async with t.uow(database) as uow:
        latest = await uow.work_orders.last_scheduled(schedule.id)
    assert sorted((row["equipment_id"], row["occurrence"]) for row in latest) == sorted(
        [(one.id, 2), (two.id, 2)]
    )
    rival = await tenant(database, "Rival")
    async with rival.uow(database) as uow:
        assert await uow.work_orders.last_scheduled(schedule.id) == []
