"""Checklist templates and work orders: create (the checklist copied from a template),
read, list (filters, ``mine``, ``overdue``), edit, assign, move through the status
machine, fill in the checklist, complete, comment.

Who: every role reads every work order (a technician sees a machine's history);
``WORK_ORDER_WRITE`` (MANAGER, ADMIN) creates, edits details, assigns and cancels;
``WORK_ORDER_WORK`` starts, holds, resumes, fills in, completes and comments, on one's
own work: a SALES_REP (the technician) only on work orders assigned to them, a MANAGER on
their team's (or unassigned), an ADMIN on any. Anyone else's is 403, nothing written.

Completing with a required checklist item empty is a 422 naming the items; a number
reading outside its item's min/max is kept, named in ``flaggedItems`` and marks the work
order's equipment DEGRADED (an OPERATIONAL one; a DOWN machine stays DOWN).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from fieldedge.domain.access import Action, Principal, require
from fieldedge.domain.equipment import AttributeKind, Equipment, EquipmentStatus
from fieldedge.domain.identity import Role
from fieldedge.domain.work_orders import (
    ChecklistTemplate,
    Priority,
    WorkOrder,
    WorkOrderKind,
    WorkOrderStatus,
)
from fieldedge.errors import Forbidden, ValidationFailed
from fieldedge.ports.database import Scope, UnitOfWork
from fieldedge.ports.work_orders import WorkOrderQuery
from fieldedge.services.common import audit, commit_new, found, id_taken, new_id
from fieldedge.services.deps import Deps
from fieldedge.services.pagination import Page, after_id, page_by_id
from fieldedge.services.sites import check_site
from fieldedge.services.webhooks.emit import emit

ASSIGNABLE = frozenset({Role.SALES_REP, Role.MANAGER})
DETAILS = frozenset({"title", "description", "priority", "kind", "due_at"})
# Status moves that are dispatching, not work: the staff's (``WORK_ORDER_WRITE``).
STAFF_MOVES = frozenset({WorkOrderStatus.CANCELLED, WorkOrderStatus.ASSIGNED, WorkOrderStatus.OPEN})
NOT_YOURS = "Only the assigned technician, their manager or an ADMIN may work on this."


@dataclass(frozen=True, slots=True)
class CreateTemplate:
    name: str
    id: UUID | None = None
    items: list[dict[str, Any]] | None = None


@dataclass(frozen=True, slots=True)
class CreateWorkOrder:
    title: str
    site_id: UUID | None = None  # None: the equipment's site
    equipment_id: UUID | None = None
    id: UUID | None = None
    kind: WorkOrderKind = WorkOrderKind.CORRECTIVE
    priority: Priority = Priority.MEDIUM
    description: str | None = None
    due_at: datetime | None = None  # with its zone
    assignee_id: UUID | None = None
    template_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class WorkOrderFilter:
    status: WorkOrderStatus | None = None
    priority: Priority | None = None
    kind: WorkOrderKind | None = None
    site_id: UUID | None = None
    equipment_id: UUID | None = None
    assignee_id: UUID | None = None


# --- templates ------------------------------------------------------------------------


async def create_template(
    principal: Principal, cmd: CreateTemplate, deps: Deps
) -> ChecklistTemplate:
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        template = await new_template(uow, principal, cmd, deps)
        await commit_new(uow, cmd.id)
    return template


async def new_template(
    uow: UnitOfWork, principal: Principal, cmd: CreateTemplate, deps: Deps
) -> ChecklistTemplate:
    require(principal, Action.WORK_ORDER_WRITE)
    if cmd.id is not None and await uow.checklist_templates.get(cmd.id, include_deleted=True):
        raise id_taken()
    now = deps.clock.now()
    template = ChecklistTemplate(
        id=new_id(deps, cmd.id), company_id=principal.tenant, name=cmd.name,
        items=list(cmd.items or []), created_at=now, updated_at=now,
    )  # fmt: skip
    await uow.checklist_templates.add(template)
    await audit(
        uow, deps, "checklist_template.created", actor=principal,
        entity="checklist_template", entity_id=template.id,
    )  # fmt: skip
    return template


async def get_template(principal: Principal, template_id: UUID, deps: Deps) -> ChecklistTemplate:
    require(principal, Action.WORK_ORDER_READ)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        return found(await uow.checklist_templates.get(template_id), "checklist template")


async def list_templates(
    principal: Principal, cursor: str | None, limit: int, deps: Deps
) -> Page[Any]:
    require(principal, Action.WORK_ORDER_READ)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        rows = await uow.checklist_templates.list(after_id(cursor), limit + 1)
    return page_by_id(rows, limit)


async def update_template(
    principal: Principal, template_id: UUID, changes: Mapping[str, Any], deps: Deps
) -> ChecklistTemplate:
    """Work orders already made keep the checklist they copied."""
    require(principal, Action.WORK_ORDER_WRITE)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        template = found(
            await uow.checklist_templates.get(template_id, lock=True), "checklist template"
        )
        await update_template_in(uow, principal, template, changes, deps)
        await uow.commit()
    return template


async def update_template_in(
    uow: UnitOfWork,
    principal: Principal,
    template: ChecklistTemplate,
    changes: Mapping[str, Any],
    deps: Deps,
) -> None:
    require(principal, Action.WORK_ORDER_WRITE)
    template.apply(changes)
    if not template.changes():
        return
    template.updated_at = deps.clock.now()
    await uow.checklist_templates.save(template)
    await audit(
        uow, deps, "checklist_template.updated", actor=principal,
        entity="checklist_template", entity_id=template.id, detail={"fields": sorted(changes)},
    )  # fmt: skip


# --- work orders ----------------------------------------------------------------------


def _due(due: datetime | None) -> datetime | None:
    """A due time needs its zone, as every time the API takes (the HTTP edge refuses one
    without; sync and other callers reach the use case too)."""
    if due is not None and due.tzinfo is None:
        raise ValidationFailed(details={"dueAt": ["A time needs its zone (Z or an offset)."]})
    return due


async def _check_assignee(uow: UnitOfWork, assignee_id: UUID) -> None:
    user = await uow.users.get(assignee_id)
    if user is None or not user.active or user.role not in ASSIGNABLE:
        raise ValidationFailed(
            details={"assigneeId": ["Must be an active SALES_REP or MANAGER of this company."]}
        )


async def may_work(uow: UnitOfWork, principal: Principal, work_order: WorkOrder) -> None:
    """The row rule of ``WORK_ORDER_WORK``: one's own, the team's, or any (ADMIN)."""
    require(principal, Action.WORK_ORDER_WORK)
    assignee = work_order.assignee_id
    if principal.role is Role.ADMIN or assignee == principal.user_id:
        return
    if principal.role is Role.MANAGER and (
        assignee is None or assignee in await uow.users.team(principal.user_id)
    ):
        return
    raise Forbidden(NOT_YOURS)


async def visible_work_order(
    uow: UnitOfWork, work_order_id: UUID, *, lock: bool = False
) -> WorkOrder:
    return found(await uow.work_orders.get(work_order_id, lock=lock), "work order")


async def get_work_order(principal: Principal, work_order_id: UUID, deps: Deps) -> WorkOrder:
    require(principal, Action.WORK_ORDER_READ)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        return await visible_work_order(uow, work_order_id)


async def list_work_orders(
    principal: Principal,
    filters: WorkOrderFilter,
    cursor: str | None,
    limit: int,
    deps: Deps,
    *,
    mine: bool = False,
    overdue: bool = False,
) -> Page[Any]:
    """``mine``: assigned to the caller; ``overdue``: due time passed (now, whatever the
    zone it was given in), not COMPLETED nor CANCELLED."""
    require(principal, Action.WORK_ORDER_READ)
    assignee = principal.user_id if mine else filters.assignee_id
    if mine and filters.assignee_id not in (None, principal.user_id):
        return Page(items=[], limit=limit, next_cursor=None)
    query = WorkOrderQuery(
        after=after_id(cursor), limit=limit + 1, status=filters.status,
        priority=filters.priority, kind=filters.kind, site_id=filters.site_id,
        equipment_id=filters.equipment_id, assignee_id=assignee,
        due_before=deps.clock.now() if overdue else None,
    )  # fmt: skip
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        rows = await uow.work_orders.list(query)
    return page_by_id(rows, limit)


async def create_work_order(principal: Principal, cmd: CreateWorkOrder, deps: Deps) -> WorkOrder:
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        work_order = await new_work_order(uow, principal, cmd, deps)
        await commit_new(uow, cmd.id)
    return work_order


async def new_work_order(
    uow: UnitOfWork,
    principal: Principal,
    cmd: CreateWorkOrder,
    deps: Deps,
    *,
    action: Action = Action.WORK_ORDER_WRITE,
) -> WorkOrder:
    """The work order ``cmd`` describes, added to ``uow`` (REST, sync and a shutdown):
    its site (or its equipment's), assignee and template checked, the checklist copied."""
    require(principal, action)
    if cmd.id is not None and await uow.work_orders.get(cmd.id, include_deleted=True):
        raise id_taken()
    site_id = cmd.site_id
    if cmd.equipment_id is not None:
        machine = await uow.equipment.get(cmd.equipment_id, lock=True)
        if machine is None:
            raise ValidationFailed(details={"equipmentId": ["No such equipment in this company."]})
        if site_id is not None and site_id != machine.site_id:
            raise ValidationFailed(details={"siteId": ["The equipment stands at another site."]})
        site_id = machine.site_id
    if site_id is None:
        raise ValidationFailed(details={"siteId": ["Name a site or a piece of equipment."]})
    await check_site(uow, site_id, "siteId")
    checklist: list[dict[str, Any]] = []
    if cmd.template_id is not None:
        template = await uow.checklist_templates.get(cmd.template_id)
        if template is None:
            raise ValidationFailed(details={"templateId": ["No such checklist template."]})
        checklist = [{**item, "value": None} for item in template.items]
    if cmd.assignee_id is not None:
        await _check_assignee(uow, cmd.assignee_id)
    now = deps.clock.now()
    work_order = WorkOrder(
        id=new_id(deps, cmd.id), company_id=principal.tenant, site_id=site_id,
        equipment_id=cmd.equipment_id, kind=cmd.kind, priority=cmd.priority, title=cmd.title,
        description=cmd.description, due_at=_due(cmd.due_at),
        template_id=cmd.template_id, checklist=checklist, created_by=principal.user_id,
        created_at=now, updated_at=now,
    )  # fmt: skip
    if cmd.assignee_id is not None:
        work_order.assign(cmd.assignee_id)
    await uow.work_orders.add(work_order)
    await audit(
        uow, deps, "work_order.created", actor=principal, entity="work_order",
        entity_id=work_order.id,
        detail={"kind": work_order.kind.value, "priority": work_order.priority.value,
                "equipmentId": str(cmd.equipment_id) if cmd.equipment_id else None},
    )  # fmt: skip
    await emit(uow, deps, "work_order.created", work_order)
    return work_order


async def update_work_order(
    principal: Principal, work_order_id: UUID, changes: Mapping[str, Any], deps: Deps
) -> WorkOrder:
    """``changes`` holds the fields the client sent by their domain names, and maybe
    ``answers`` (checklist values by key) and ``reason`` (why ON_HOLD)."""
    require(principal, needed(changes))  # before the read: a refusal says nothing of the row
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        work_order = await visible_work_order(uow, work_order_id, lock=True)
        await change_work_order(uow, principal, work_order, changes, deps)
        await uow.commit()
    return work_order


def needed(changes: Mapping[str, Any]) -> Action:
    """The action an edit needs: details, the assignee, cancelling or (un)assigning are
    ``WORK_ORDER_WRITE``; the rest (answers, start, hold, complete) ``WORK_ORDER_WORK``."""
    status = changes.get("status")
    if set(changes) & (DETAILS | {"assignee_id"}) or status in STAFF_MOVES:
        return Action.WORK_ORDER_WRITE
    return Action.WORK_ORDER_WORK


async def change_work_order(
    uow: UnitOfWork,
    principal: Principal,
    work_order: WorkOrder,
    changes: Mapping[str, Any],
    deps: Deps,
) -> None:
    """Details and the assignee (``WORK_ORDER_WRITE``), then checklist answers, then the
    status move (``WORK_ORDER_WORK`` on one's own work; cancelling is a WRITE): in that
    order, so a technician's offline "fill in and complete" is one change."""
    values = dict(changes)
    answers = values.pop("answers", None)
    reason = values.pop("reason", None)
    status = values.pop("status", None)
    before = work_order.status
    require(principal, needed(changes))
    if work_order.final and values:
        raise ValidationFailed(details={"status": [f"A {before.value} work order is kept as is."]})
    if "due_at" in values:
        values["due_at"] = _due(values["due_at"])
    assignee = values.pop("assignee_id", work_order.assignee_id)
    work_order.apply({k: v for k, v in values.items() if k in DETAILS})
    if assignee != work_order.assignee_id:
        if assignee is not None:
            await _check_assignee(uow, assignee)
        work_order.assign(assignee)
    now = deps.clock.now()
    if answers:
        await may_work(uow, principal, work_order)
        work_order.fill(answers)
    if status is not None and WorkOrderStatus(status) is not work_order.status:
        target = WorkOrderStatus(status)
        if target is WorkOrderStatus.CANCELLED or target in (
            WorkOrderStatus.ASSIGNED,
            WorkOrderStatus.OPEN,
        ):
            require(principal, Action.WORK_ORDER_WRITE)
        else:
            await may_work(uow, principal, work_order)
        work_order.move_to(target, by=principal.user_id, at=now, reason=reason)
    if not work_order.changes():
        return
    work_order.updated_at = now
    await uow.work_orders.save(work_order)
    detail: dict[str, Any] = {"fields": sorted(changes)}
    if work_order.status is not before:
        detail |= {"from": before.value, "to": work_order.status.value}
    await audit(
        uow, deps, "work_order.updated", actor=principal, entity="work_order",
        entity_id=work_order.id, detail=detail,
    )  # fmt: skip
    if work_order.status is not before:
        await emit(uow, deps, "work_order.status_changed", work_order)
    if work_order.status is WorkOrderStatus.COMPLETED and before is not WorkOrderStatus.COMPLETED:
        await _completed(uow, principal, work_order, deps)


async def _completed(
    uow: UnitOfWork, principal: Principal, work_order: WorkOrder, deps: Deps
) -> None:
    """Audit the completion; record meter readings; out-of-range readings mark the
    machine DEGRADED."""
    flagged = work_order.flagged_items
    await audit(
        uow, deps, "work_order.completed", actor=principal, entity="work_order",
        entity_id=work_order.id, detail={"flaggedItems": flagged},
    )  # fmt: skip
    await emit(uow, deps, "work_order.completed", work_order)
    if work_order.equipment_id is None:
        return
    machine = await uow.equipment.get(work_order.equipment_id, lock=True)
    if machine is not None:
        await record_meters(uow, principal, machine, work_order, deps)
    if not flagged or machine is None or machine.status is not EquipmentStatus.OPERATIONAL:
        return
    why = f"Reading out of range on work order {work_order.id}: {', '.join(flagged)}."
    machine.set_status(EquipmentStatus.DEGRADED, why, by=principal.user_id, at=deps.clock.now())
    machine.updated_at = deps.clock.now()
    await uow.equipment.save(machine)
    await audit(
        uow, deps, "equipment.degraded", actor=principal, entity="equipment",
        entity_id=machine.id, detail={"workOrderId": str(work_order.id), "items": flagged},
    )  # fmt: skip


async def record_meters(
    uow: UnitOfWork, principal: Principal, machine: Equipment, work_order: WorkOrder, deps: Deps
) -> None:
    """A completed checklist's NUMBER reading whose key is a meter of the machine (a
    ``number`` attribute its type declares: ``hours_run``) becomes the machine's reading
    of that meter, what METER maintenance schedules count by."""
    kind = await uow.equipment_types.get(machine.type_id)
    meters = {s.name for s in kind.specs if s.kind is AttributeKind.NUMBER} if kind else set()
    readings = {i["key"]: i["value"] for i in work_order.readings() if i["key"] in meters}
    if not readings or all(machine.attributes.get(k) == v for k, v in readings.items()):
        return
    machine.attributes = {**machine.attributes, **readings}
    machine.updated_at = deps.clock.now()
    await uow.equipment.save(machine)
    await audit(
        uow, deps, "equipment.meters_read", actor=principal, entity="equipment",
        entity_id=machine.id, detail={"workOrderId": str(work_order.id), "meters": readings},
    )  # fmt: skip


async def add_comment(
    principal: Principal, work_order_id: UUID, text: str, deps: Deps
) -> WorkOrder:
    """Append a comment (kept for good: there is no edit nor delete of one)."""
    require(principal, Action.WORK_ORDER_READ)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        work_order = await visible_work_order(uow, work_order_id, lock=True)
        await may_work(uow, principal, work_order)
        entry = work_order.comment(deps.ids.new(), principal.user_id, deps.clock.now(), text)
        work_order.updated_at = deps.clock.now()
        await uow.work_orders.save(work_order)
        await audit(
            uow, deps, "work_order.commented", actor=principal, entity="work_order",
            entity_id=work_order.id, detail={"commentId": entry["id"]},
        )  # fmt: skip
        await uow.commit()
    return work_order
