"""A machine's shutdown and its history.

``shutdown`` (``EQUIPMENT_SHUTDOWN``: any role, a technician finds it down) marks the
equipment DOWN with the reason and opens an URGENT CORRECTIVE work order for it, due
now, in the same transaction; a machine already DOWN or RETIRED is a 409.

``history``: the machine's status changes (its status log), its work orders (opened,
completed, cancelled) and the readings taken on them (each NUMBER checklist item of a
completed work order), newest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from fieldedge.domain.access import Action, Principal, require
from fieldedge.domain.equipment import Equipment, EquipmentStatus
from fieldedge.domain.work_orders import Priority, WorkOrder, WorkOrderKind, out_of_range
from fieldedge.errors import Conflict
from fieldedge.ports.database import Scope
from fieldedge.ports.work_orders import WorkOrderQuery
from fieldedge.services.common import audit
from fieldedge.services.deps import Deps
from fieldedge.services.equipment import visible_equipment
from fieldedge.services.work_orders import CreateWorkOrder, new_work_order

MAX_WORK_ORDERS = 500  # a history reads the machine's newest work orders, this many


@dataclass(frozen=True, slots=True)
class Shutdown:
    equipment: Equipment
    work_order: WorkOrder


async def shutdown(principal: Principal, equipment_id: UUID, reason: str, deps: Deps) -> Shutdown:
    require(principal, Action.EQUIPMENT_SHUTDOWN)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        machine = await visible_equipment(uow, equipment_id, lock=True)
        if machine.status in (EquipmentStatus.DOWN, EquipmentStatus.RETIRED):
            raise Conflict(f"This equipment is already {machine.status.value}.")
        now = deps.clock.now()
        machine.set_status(EquipmentStatus.DOWN, reason, by=principal.user_id, at=now)
        machine.updated_at = now
        await uow.equipment.save(machine)
        title = f"Shutdown: {reason}"[:200]
        cmd = CreateWorkOrder(
            title=title, equipment_id=machine.id, kind=WorkOrderKind.CORRECTIVE,
            priority=Priority.URGENT, description=reason, due_at=now,
        )  # fmt: skip
        work_order = await new_work_order(
            uow, principal, cmd, deps, action=Action.EQUIPMENT_SHUTDOWN
        )
        await audit(
            uow, deps, "equipment.shutdown", actor=principal, entity="equipment",
            entity_id=machine.id, detail={"reason": reason, "workOrderId": str(work_order.id)},
        )  # fmt: skip
        await uow.commit()
    return Shutdown(machine, work_order)


def _events(work_order: WorkOrder) -> list[dict[str, Any]]:
    wo = {"work_order_id": work_order.id, "title": work_order.title}
    events: list[dict[str, Any]] = [
        {"at": work_order.created_at, "type": "WORK_ORDER_OPENED", **wo,
         "detail": {"kind": work_order.kind.value, "priority": work_order.priority.value}},
    ]  # fmt: skip
    if work_order.completed_at is not None:
        events.append({"at": work_order.completed_at, "type": "WORK_ORDER_COMPLETED", **wo,
                       "detail": {"flaggedItems": work_order.flagged_items}})  # fmt: skip
        for item in work_order.readings():
            events.append({"at": work_order.completed_at, "type": "READING", **wo,
                           "detail": {"key": item["key"], "label": item["label"],
                                      "value": item["value"], "min": item.get("min"),
                                      "max": item.get("max"),
                                      "outOfRange": out_of_range(item)}})  # fmt: skip
    if work_order.cancelled_at is not None:
        events.append({"at": work_order.cancelled_at, "type": "WORK_ORDER_CANCELLED", **wo,
                       "detail": {}})  # fmt: skip
    return events


async def history(
    principal: Principal, equipment_id: UUID, limit: int, deps: Deps
) -> list[dict[str, Any]]:
    """At most ``limit`` events, newest first (ties: status changes, then by work order)."""
    require(principal, Action.EQUIPMENT_READ)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        machine = await visible_equipment(uow, equipment_id)
        rows = await uow.work_orders.list(
            WorkOrderQuery(equipment_id=machine.id, limit=MAX_WORK_ORDERS, newest_first=True)
        )
    events: list[dict[str, Any]] = [
        {"at": datetime.fromisoformat(entry["at"]), "type": "STATUS_CHANGED",
         "work_order_id": None, "title": None,
         "detail": {"from": entry["from"], "to": entry["to"], "reason": entry["reason"]}}
        for entry in machine.status_log
    ]  # fmt: skip
    for row in rows:
        events += _events(WorkOrder.load(row))
    order = {"STATUS_CHANGED": 0, "WORK_ORDER_OPENED": 1, "READING": 2,
             "WORK_ORDER_COMPLETED": 3, "WORK_ORDER_CANCELLED": 3}  # fmt: skip
    events.sort(key=lambda e: (e["at"], order[e["type"]], str(e["work_order_id"])), reverse=True)
    return events[:limit]
