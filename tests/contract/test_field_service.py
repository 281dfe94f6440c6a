"""The field-service repositories on every implementation: sites by contact, parent,
root, text and the near box, live children; the serial number unique among live
equipment (409 up front, free again after a delete); work orders by every filter,
overdue (open statuses due before a time), newest first; tenant isolation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest

from fieldedge.domain.equipment import Equipment, EquipmentType
from fieldedge.domain.geo import bounding_box
from fieldedge.domain.sites import Site
from fieldedge.domain.work_orders import Priority, WorkOrder, WorkOrderStatus
from fieldedge.errors import Conflict
from fieldedge.ports.database import Database
from fieldedge.ports.equipment import EquipmentQuery
from fieldedge.ports.sites import SiteQuery
from fieldedge.ports.work_orders import WorkOrderQuery

from .world import NOW, Tenant, contact, new_id, store, tenant


def _stamped(**fields: Any) -> dict[str, Any]:
    return {"id": new_id(), "created_at": NOW, "updated_at": NOW, **fields}


async def _site(database: Database, t: Tenant, **fields: Any) -> Site:
    customer = contact(t.id)
    await store(database, t.scope, customer)
    site = Site(**_stamped(company_id=t.id, contact_id=customer.id, **{"name": "Plant", **fields}))
    async with t.uow(database) as uow:
        await uow.sites.add(site)
        await uow.commit()
    return site


async def _machine(database: Database, t: Tenant, site: Site, serial: str) -> Equipment:
    kind = EquipmentType(**_stamped(company_id=t.id, name="Boiler"))
    machine = Equipment(**_stamped(company_id=t.id, type_id=kind.id, site_id=site.id,
                                   make="Thermax", model="B", serial=serial))  # fmt: skip
    async with t.uow(database) as uow:
        await uow.equipment_types.add(kind)
        await uow.equipment.add(machine)
        await uow.commit()
    return machine


async def test_sites_are_listed_by_contact_parent_text_and_box(database: Database) -> None:
    t = await tenant(database)
    plant = await _site(database, t, name="Pune plant", address="MIDC Bhosari",
                        latitude=18.52, longitude=73.85)  # fmt: skip
    async with t.uow(database) as uow:
        floor = Site(**_stamped(company_id=t.id, contact_id=plant.contact_id, name="Floor 1",
                                parent_id=plant.id))  # fmt: skip
        await uow.sites.add(floor)
        await uow.commit()
    far = await _site(database, t, name="Depot", latitude=19.07, longitude=72.88)
    rival = await tenant(database, "Rival")
    await _site(database, rival, name="Theirs", latitude=18.52, longitude=73.85)

    async def names(**query: Any) -> list[str]:
        async with t.uow(database) as uow:
            rows = await uow.sites.list(SiteQuery(**{"limit": 50, **query}))
        return sorted(str(row["name"]) for row in rows)

    assert await names() == ["Depot", "Floor 1", "Pune plant"]
    assert await names(contact_id=plant.contact_id) == ["Floor 1", "Pune plant"]
    assert await names(parent_id=plant.id) == ["Floor 1"]
    assert await names(root=True) == ["Depot", "Pune plant"]
    assert await names(q="bhosari") == ["Pune plant"]
    assert await names(box=bounding_box(18.52, 73.85, 5000)) == ["Pune plant"]
    async with t.uow(database) as uow:
        assert await uow.sites.has_children(plant.id)
        assert not await uow.sites.has_children(far.id)


async def test_a_serial_is_unique_among_live_equipment(database: Database) -> None:
    t = await tenant(database)
    site = await _site(database, t)
    first = await _machine(database, t, site, "S-1")
    with pytest.raises(Conflict):
        await _machine(database, t, site, "S-1")
    async with t.uow(database) as uow:
        gone = await uow.equipment.get(first.id, lock=True)
        assert gone is not None
        gone.deleted_at = NOW
        await uow.equipment.save(gone)
        await uow.commit()
    again = await _machine(database, t, site, "S-1")
    rival = await tenant(database, "Rival")
    await _machine(database, rival, await _site(database, rival), "S-1")  # theirs: another
    async with t.uow(database) as uow:
        rows = await uow.equipment.list(EquipmentQuery(serial="S-1"))
    assert [row["id"] for row in rows] == [again.id]


async def test_work_orders_by_filter_overdue_and_newest_first(database: Database) -> None:
    t = await tenant(database)
    site = await _site(database, t)
    machine = await _machine(database, t, site, "S-1")

    def order(**fields: Any) -> WorkOrder:
        return WorkOrder(**_stamped(company_id=t.id, site_id=site.id, title="Job", **fields))

    late = order(due_at=NOW - timedelta(hours=1), priority=Priority.HIGH,
                 equipment_id=machine.id)  # fmt: skip
    soon = order(due_at=NOW + timedelta(hours=1), assignee_id=t.rep.id,
                 status=WorkOrderStatus.ASSIGNED)  # fmt: skip
    done = order(due_at=NOW - timedelta(days=1), status=WorkOrderStatus.COMPLETED,
                 equipment_id=machine.id)  # fmt: skip
    async with t.uow(database) as uow:
        for row in (late, soon, done):
            await uow.work_orders.add(row)
        await uow.commit()

    async def ids(**query: Any) -> list[UUID]:
        async with t.uow(database) as uow:
            rows = await uow.work_orders.list(WorkOrderQuery(**{"limit": 50, **query}))
        return [row["id"] for row in rows]

    assert await ids(due_before=NOW) == [late.id]
    assert await ids(due_before=NOW + timedelta(hours=2)) == [late.id, soon.id]
    assert await ids(priority=Priority.HIGH) == [late.id]
    assert await ids(assignee_id=t.rep.id, status=WorkOrderStatus.ASSIGNED) == [soon.id]
    assert await ids(equipment_id=machine.id, newest_first=True) == [done.id, late.id]
    assert await ids(equipment_id=machine.id, newest_first=True, limit=1) == [done.id]
    rival = await tenant(database, "Rival")
    async with rival.uow(database) as uow:
        assert await uow.work_orders.list(WorkOrderQuery(limit=50)) == []
