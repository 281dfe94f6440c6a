"""Work-order use cases on the memory fake: the status machine (every pair), the
checklist copied from a template and filled in, completion refused while a required
item is empty, out-of-range readings flagged (the machine DEGRADED), comments, who may
do what (a technician on another's work order: 403), /mine and /overdue (due times in
the company's timezone), a machine's shutdown and history, and sync offline."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

from fieldedge.domain.equipment import Equipment, EquipmentStatus
from fieldedge.domain.sync import Mutation
from fieldedge.domain.work_orders import TRANSITIONS, Priority, WorkOrder, WorkOrderStatus
from fieldedge.errors import Conflict, Forbidden, InvalidStateTransition, NotFound, ValidationFailed
from fieldedge.http.sync_entities import registry
from fieldedge.ports.work_orders import WorkOrderQuery
from fieldedge.services import equipment, equipment_history, sites, work_orders
from fieldedge.services.equipment import CreateEquipment, CreateType
from fieldedge.services.sites import CreateSite
from fieldedge.services.sync.pull import pull
from fieldedge.services.sync.push import push
from fieldedge.services.work_orders import CreateTemplate, CreateWorkOrder, WorkOrderFilter

from .world import World

S = WorkOrderStatus
ITEMS = [
    {"key": "bar", "label": "Pressure (bar)", "kind": "NUMBER", "required": True,
     "min": 2, "max": 8},
    {"key": "valve", "label": "Safety valve tested", "kind": "CHECK", "required": True},
    {"key": "notes", "label": "Notes", "kind": "TEXT"},
    {"key": "plate", "label": "Photo of the plate", "kind": "PHOTO", "required": True},
]  # fmt: skip
GOOD = {"bar": 5, "valve": True, "plate": "photos/plate-1.jpg"}


async def _machine(world: World, serial: str = "B-1") -> Equipment:
    admin = world.as_("admin")
    customer = await world.contact()
    site = await sites.create_site(admin, CreateSite(customer.id, "Plant"), world.deps)
    kind = await equipment.create_type(admin, CreateType(name="Boiler"), world.deps)
    cmd = CreateEquipment(kind.id, site.id, "Thermax", "B-200", serial)
    return await equipment.create_equipment(admin, cmd, world.deps)


async def _order(
    world: World, machine: Equipment, who: str | None = "rep_a1", **fields: Any
) -> WorkOrder:
    template = await work_orders.create_template(
        world.as_("mgr_a"), CreateTemplate("Boiler service", items=ITEMS), world.deps
    )
    assignee = world.people[who].id if who else None
    cmd = CreateWorkOrder("Service", equipment_id=machine.id, assignee_id=assignee,
                          template_id=template.id, **fields)  # fmt: skip
    return await work_orders.create_work_order(world.as_("mgr_a"), cmd, world.deps)


async def _set(world: World, who: str, order: WorkOrder, **changes: Any) -> WorkOrder:
    return await work_orders.update_work_order(world.as_(who), order.id, changes, world.deps)


def _order_at(status: WorkOrderStatus) -> WorkOrder:
    now = datetime(2026, 3, 2, 9, 30).astimezone()
    order = WorkOrder(id=uuid4(), company_id=uuid4(), site_id=uuid4(), title="T",
                      assignee_id=uuid4(), created_at=now, updated_at=now)  # fmt: skip
    order.__dict__["status"] = status  # placed there directly: the pair is what is tested
    return order


@pytest.mark.parametrize(("start", "target"), list(itertools.product(S, S)))
def test_every_status_pair_moves_exactly_as_the_table_says(
    start: WorkOrderStatus, target: WorkOrderStatus
) -> None:
    order = _order_at(start)
    at = datetime(2026, 3, 2, 10).astimezone()
    allowed = target in TRANSITIONS[start]
    if start is target:
        return  # not a move: nothing to allow or refuse
    if allowed:
        order.move_to(target, by=uuid4(), at=at)
        assert order.status is target
    else:
        with pytest.raises(InvalidStateTransition):
            order.move_to(target, by=uuid4(), at=at)
        assert order.status is start
    # Assigning the status directly obeys the same table.
    direct = _order_at(start)
    if allowed:
        direct.status = target
        assert direct.status is target
    else:
        with pytest.raises(InvalidStateTransition):
            direct.status = target
        assert direct.status is start


def test_the_table_is_the_documented_machine() -> None:
    documented = {
        S.OPEN: {S.ASSIGNED, S.CANCELLED},
        S.ASSIGNED: {S.OPEN, S.IN_PROGRESS, S.CANCELLED},
        S.IN_PROGRESS: {S.ON_HOLD, S.COMPLETED, S.CANCELLED},
        S.ON_HOLD: {S.IN_PROGRESS, S.CANCELLED},
        S.COMPLETED: set(),
        S.CANCELLED: set(),
    }
    assert documented == TRANSITIONS


async def test_a_technician_works_a_work_order_through_to_completion(world: World) -> None:
    machine = await _machine(world)
    order = await _order(world, machine)
    assert (order.status, order.site_id, len(order.checklist)) == (S.ASSIGNED, machine.site_id, 4)
    assert [item["value"] for item in order.checklist] == [None] * 4
    started = await _set(world, "rep_a1", order, status=S.IN_PROGRESS)
    assert started.started_at == world.clock.now()
    held = await _set(world, "rep_a1", order, status=S.ON_HOLD, reason="Waiting for a part")
    assert held.hold_reason == "Waiting for a part"
    await _set(world, "rep_a1", order, status=S.IN_PROGRESS)
    with pytest.raises(ValidationFailed) as refused:
        await _set(world, "rep_a1", order, answers={"bar": 5}, status=S.COMPLETED)
    assert sorted(refused.value.details) == ["checklist.plate", "checklist.valve"]
    kept = await work_orders.get_work_order(world.as_("rep_a1"), order.id, world.deps)
    assert kept.status is S.IN_PROGRESS
    assert kept.checklist[0]["value"] is None  # the refused edit wrote nothing
    done = await _set(world, "rep_a1", order, answers=GOOD, status=S.COMPLETED)
    assert (done.status, done.completed_by, done.flagged_items) == (
        S.COMPLETED, world.people["rep_a1"].id, [],
    )  # fmt: skip
    stored = await equipment.get_equipment(world.as_("admin"), machine.id, world.deps)
    assert stored.status is EquipmentStatus.OPERATIONAL
    with pytest.raises(InvalidStateTransition):
        await _set(world, "admin", order, status=S.IN_PROGRESS)
    assert "work_order.completed" in world.actions()


async def test_a_reading_out_of_range_is_flagged_and_degrades_the_machine(world: World) -> None:
    machine = await _machine(world)
    order = await _order(world, machine)
    await _set(world, "rep_a1", order, status=S.IN_PROGRESS)
    done = await _set(world, "rep_a1", order, answers={**GOOD, "bar": 9.5}, status=S.COMPLETED)
    assert done.flagged_items == ["bar"]
    stored = await equipment.get_equipment(world.as_("admin"), machine.id, world.deps)
    assert stored.status is EquipmentStatus.DEGRADED
    assert "bar" in (stored.status_reason or "")
    assert world.actions()[-2:] == ["work_order.completed", "equipment.degraded"]


@pytest.mark.parametrize(
    ("answers", "named"),
    [
        ({"bar": "high"}, "answers.bar"),  # a number item takes a number
        ({"bar": True}, "answers.bar"),
        ({"valve": "yes"}, "answers.valve"),
        ({"notes": ""}, "answers.notes"),
        ({"plate": 7}, "answers.plate"),
        ({"colour": "red"}, "answers.colour"),
    ],
)
async def test_an_answer_that_does_not_fit_its_item_is_a_422(
    world: World, answers: dict[str, Any], named: str
) -> None:
    order = await _order(world, await _machine(world))
    with pytest.raises(ValidationFailed) as refused:
        await _set(world, "rep_a1", order, answers=answers)
    assert list(refused.value.details) == [named]


async def test_who_may_do_what_to_a_work_order(world: World) -> None:
    machine = await _machine(world)
    order = await _order(world, machine, who="rep_a1")
    for who in ("rep_a2", "rep_b1", "mgr_b"):  # another technician; another team's manager
        with pytest.raises(Forbidden):
            await _set(world, who, order, status=S.IN_PROGRESS)
        with pytest.raises(Forbidden):
            await work_orders.add_comment(world.as_(who), order.id, "Mine now", world.deps)
    with pytest.raises(Forbidden):
        await _set(world, "rep_a1", order, title="Renamed")  # details are the dispatcher's
    with pytest.raises(Forbidden):
        await _set(world, "rep_a1", order, status=S.CANCELLED)
    with pytest.raises(Forbidden):
        await work_orders.create_work_order(
            world.as_("rep_a1"), CreateWorkOrder("Mine", equipment_id=machine.id), world.deps
        )
    await _set(world, "rep_a1", order, status=S.IN_PROGRESS)
    with pytest.raises(Forbidden):  # completing another technician's work order
        await _set(world, "rep_a2", order, answers=GOOD, status=S.COMPLETED)
    done = await _set(world, "mgr_a", order, answers=GOOD, status=S.COMPLETED)  # their rep's
    assert done.completed_by == world.people["mgr_a"].id
    read = await work_orders.get_work_order(world.as_("rep_b1"), order.id, world.deps)
    assert read.status is S.COMPLETED  # every role reads every work order


async def test_assigning_moves_open_and_assigned_and_refuses_strangers(
    world: World, other: World
) -> None:
    order = await _order(world, await _machine(world), who=None)
    assert order.status is S.OPEN
    for bad in (other.people["rep_a1"].id, world.people["admin"].id, uuid4()):
        with pytest.raises(ValidationFailed) as refused:
            await _set(world, "mgr_a", order, assignee_id=bad)
        assert "assigneeId" in refused.value.details
    assigned = await _set(world, "mgr_a", order, assignee_id=world.people["rep_a2"].id)
    assert assigned.status is S.ASSIGNED
    unassigned = await _set(world, "mgr_a", order, assignee_id=None)
    assert (unassigned.status, unassigned.assignee_id) == (S.OPEN, None)
    with pytest.raises(ValidationFailed) as refused:
        await _set(world, "mgr_a", order, status=S.ASSIGNED)  # nobody to assign it to
    assert "assigneeId" in refused.value.details


async def test_comments_are_appended_with_author_and_time(world: World) -> None:
    order = await _order(world, await _machine(world))
    await work_orders.add_comment(world.as_("rep_a1"), order.id, " Reached site ", world.deps)
    world.clock.advance(300)
    after = await work_orders.add_comment(world.as_("mgr_a"), order.id, "Thanks", world.deps)
    assert [(c["text"], c["author_id"]) for c in after.comments] == [
        ("Reached site", str(world.people["rep_a1"].id)),
        ("Thanks", str(world.people["mgr_a"].id)),
    ]
    assert after.comments[1]["at"] == world.clock.now().isoformat()
    with pytest.raises(ValidationFailed):
        await work_orders.add_comment(world.as_("rep_a1"), order.id, "   ", world.deps)


async def test_mine_overdue_and_filters(world: World) -> None:
    machine = await _machine(world)
    now = world.clock.now()
    late = await _order(world, machine, due_at=now - timedelta(hours=1), priority=Priority.HIGH)
    soon = await _order(world, machine, who="rep_a2", due_at=now + timedelta(hours=1))
    done = await _order(world, machine, due_at=now - timedelta(days=1))
    await _set(world, "rep_a1", done, status=S.IN_PROGRESS)
    await _set(world, "rep_a1", done, answers=GOOD, status=S.COMPLETED)
    undated = await _order(world, machine, who=None)

    async def ids(who: str = "rep_a1", **kw: Any) -> list[Any]:
        flags = {k: kw.pop(k) for k in ("mine", "overdue") if k in kw}
        page = await work_orders.list_work_orders(
            world.as_(who), WorkOrderFilter(**kw), None, 50, world.deps, **flags
        )
        return [row["id"] for row in page.items]

    assert await ids(overdue=True) == [late.id]  # a completed one is never overdue
    assert await ids(mine=True) == [late.id, done.id]
    assert await ids("rep_a2", mine=True) == [soon.id]
    assert await ids(priority=Priority.HIGH) == [late.id]
    assert await ids(status=S.OPEN) == [undated.id]
    assert await ids(equipment_id=machine.id, assignee_id=world.people["rep_a2"].id) == [soon.id]
    assert await ids(site_id=uuid4()) == []
    world.clock.advance(7200)
    assert await ids(overdue=True) == [late.id, soon.id]


async def test_a_due_time_without_a_zone_is_refused(world: World) -> None:
    machine = await _machine(world)
    with pytest.raises(ValidationFailed) as refused:
        await _order(world, machine, due_at=datetime(2026, 3, 2, 14, 0))
    assert set(refused.value.details) == {"dueAt"}


async def test_a_shutdown_marks_the_machine_down_and_opens_an_urgent_work_order(
    world: World,
) -> None:
    machine = await _machine(world)
    done = await equipment_history.shutdown(world.as_("rep_a1"), machine.id, "Tripped", world.deps)
    assert (done.equipment.status, done.equipment.status_reason) == (
        EquipmentStatus.DOWN,
        "Tripped",
    )
    order = done.work_order
    assert (order.priority, order.kind.value, order.equipment_id, order.site_id) == (
        Priority.URGENT, "CORRECTIVE", machine.id, machine.site_id,
    )  # fmt: skip
    assert order.due_at == world.clock.now()
    with pytest.raises(Conflict):
        await equipment_history.shutdown(world.as_("admin"), machine.id, "Again", world.deps)
    assert world.actions()[-2:] == ["work_order.created", "equipment.shutdown"]


async def test_another_companys_work_orders_are_not_found(world: World, other: World) -> None:
    theirs = await _order(other, await _machine(other))
    for attempt in (
        work_orders.get_work_order(world.as_("admin"), theirs.id, world.deps),
        work_orders.update_work_order(world.as_("admin"), theirs.id, {"title": "X"}, world.deps),
        work_orders.add_comment(world.as_("admin"), theirs.id, "Hi", world.deps),
        equipment_history.shutdown(
            world.as_("admin"), theirs.equipment_id or uuid4(), "X", world.deps
        ),
        equipment_history.history(
            world.as_("admin"), theirs.equipment_id or uuid4(), 10, world.deps
        ),
    ):
        with pytest.raises(NotFound):
            await attempt
    with pytest.raises(ValidationFailed) as refused:
        await work_orders.create_work_order(
            world.as_("admin"), CreateWorkOrder("X", equipment_id=theirs.equipment_id), world.deps
        )
    assert "equipmentId" in refused.value.details


async def test_the_history_is_newest_first(world: World) -> None:
    machine = await _machine(world)
    order = await _order(world, machine)
    world.clock.advance(3600)
    await _set(world, "rep_a1", order, status=S.IN_PROGRESS)
    world.clock.advance(3600)
    await _set(world, "rep_a1", order, answers={**GOOD, "bar": 1}, status=S.COMPLETED)
    world.clock.advance(3600)
    shut = await equipment_history.shutdown(world.as_("mgr_a"), machine.id, "Leak", world.deps)
    events = await equipment_history.history(world.as_("rep_b1"), machine.id, 50, world.deps)
    assert [(e["type"], e["work_order_id"]) for e in events] == [
        ("WORK_ORDER_OPENED", shut.work_order.id),
        ("STATUS_CHANGED", None),  # DEGRADED > DOWN
        ("WORK_ORDER_COMPLETED", order.id),
        ("READING", order.id),
        ("STATUS_CHANGED", None),  # OPERATIONAL > DEGRADED, by the low reading
        ("WORK_ORDER_OPENED", order.id),
    ]
    assert events[1]["detail"] == {"from": "DEGRADED", "to": "DOWN", "reason": "Leak"}
    assert events[3]["detail"]["value"] == 1
    assert events[3]["detail"]["outOfRange"] is True
    assert [e["at"] for e in events] == sorted((e["at"] for e in events), reverse=True)


async def test_a_technician_completes_a_work_order_offline_through_sync(world: World) -> None:
    machine = await _machine(world)
    order = await _order(world, machine)
    rep, client = world.as_("rep_a1"), uuid4()
    pulled = await pull(rep, None, 100, registry(), world.deps)
    [row] = pulled.changes["work_orders"]["upserted"]
    assert [i["key"] for i in row["checklist"]] == ["bar", "valve", "notes", "plate"]
    base = row["version"]
    queued = [
        Mutation(1, "work_order", "update", order.id, base, {"status": "IN_PROGRESS"}),
        Mutation(2, "work_order", "update", order.id, base,
                 {"answers": {"bar": 5}, "status": "COMPLETED"}),  # refused: items empty
        Mutation(3, "work_order", "update", order.id, base,
                 {"answers": {**GOOD, "notes": "Fine"}, "status": "COMPLETED"}),
    ]  # fmt: skip
    results = (await push(rep, client, queued, registry(), world.deps)).results
    assert [r["status"] for r in results] == ["applied", "rejected", "applied"], results
    assert sorted(results[1]["error"]["details"]) == ["checklist.plate", "checklist.valve"]
    stored = await work_orders.get_work_order(rep, order.id, world.deps)
    assert stored.status is S.COMPLETED
    assert {i["key"]: i["value"] for i in stored.checklist}["notes"] == "Fine"
    late = Mutation(4, "work_order", "update", order.id, base, {"answers": {"notes": "Late"}})
    [locked] = (await push(rep, client, [late], registry(), world.deps)).results
    assert locked["status"] == "conflict"  # a completed work order takes no edit
    fresh = await _order(world, machine)  # rep_a1's: another technician may not start it
    other = Mutation(1, "work_order", "update", fresh.id, fresh.version, {"status": "IN_PROGRESS"})
    [denied] = (await push(world.as_("rep_a2"), uuid4(), [other], registry(), world.deps)).results
    assert denied["status"] == "rejected"
    assert denied["error"]["code"] == "FORBIDDEN"


async def test_a_machines_newest_work_orders_are_read_first(world: World) -> None:
    machine = await _machine(world)
    made = [await _order(world, machine) for _ in range(3)]
    async with world.uow() as uow:
        rows = await uow.work_orders.list(
            WorkOrderQuery(equipment_id=machine.id, limit=2, newest_first=True)
        )
    assert [row["id"] for row in rows] == [made[2].id, made[1].id]
