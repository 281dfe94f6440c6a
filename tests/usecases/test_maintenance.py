"""Maintenance-schedule use cases on the memory fake: the refusals (a zero interval, a
meter the type lacks, ids that name nothing), who writes, the scheduler making each due
occurrence's work order once (twice run, after missed days up to the cap, reported),
the template's checklist copied, completion moving the next due date (plan or
completion basis), meter readings recorded by a completed checklist, edits that never
duplicate a work order, a type schedule over each of its machines, and the
``work_order.*`` webhook events. Postgres under two concurrent runs: tests/http."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from fakes.webhook_sender import ScriptedSender
from fieldedge.domain.equipment import Equipment
from fieldedge.domain.maintenance import DueBasis, IntervalUnit
from fieldedge.domain.work_orders import WorkOrder, WorkOrderKind
from fieldedge.errors import Forbidden, NotFound, ValidationFailed
from fieldedge.ports.work_orders import WorkOrderQuery
from fieldedge.services import equipment, maintenance, sites, work_orders
from fieldedge.services.equipment import CreateEquipment, CreateType
from fieldedge.services.jobs.maintenance import maintenance as maintenance_job
from fieldedge.services.maintenance import CreateSchedule
from fieldedge.services.maintenance_run import due_for, run_company
from fieldedge.services.sites import CreateSite
from fieldedge.services.webhooks import endpoints
from fieldedge.services.webhooks.emit import KIND

from .world import World

ITEMS = [
    {"key": "hours", "label": "Hours run", "kind": "NUMBER", "required": True},
    {"key": "filter", "label": "Filter changed", "kind": "CHECK", "required": True},
]
DAY = 86_400


def today(world: World) -> date:
    return world.clock.now().astimezone(ZoneInfo(world.company.timezone)).date()


async def machines(world: World, count: int = 1) -> tuple[Any, list[Equipment]]:
    admin = world.as_("admin")
    customer = await world.contact()
    site = await sites.create_site(admin, CreateSite(customer.id, "Plant"), world.deps)
    kind = await equipment.create_type(
        admin,
        CreateType(name="Compressor", attributes=[{"name": "hours", "kind": "number"},
                                                  {"name": "colour", "kind": "string"}]),
        world.deps,
    )  # fmt: skip
    made = [
        await equipment.create_equipment(
            admin, CreateEquipment(kind.id, site.id, "Atlas", "GA30", f"C-{i}"), world.deps
        )
        for i in range(count)
    ]
    return kind, made


async def template(world: World) -> Any:
    cmd = work_orders.CreateTemplate("Compressor service", items=ITEMS)
    return await work_orders.create_template(world.as_("mgr_a"), cmd, world.deps)


async def create(world: World, who: str = "mgr_a", **fields: Any) -> Any:
    values: dict[str, Any] = {"name": "Monthly service", "every": 1, "unit": IntervalUnit.MONTHS}
    values |= fields
    return await maintenance.create_schedule(world.as_(who), CreateSchedule(**values), world.deps)


async def run(world: World, cap: int = 5) -> Any:
    return await run_company(world.deps, world.company, cap)


async def made(world: World) -> list[WorkOrder]:
    async with world.uow() as uow:
        rows = await uow.work_orders.list(WorkOrderQuery(limit=1000))
    found = [WorkOrder.load(row) for row in rows]
    return sorted(
        (w for w in found if w.schedule_id is not None),
        key=lambda w: (str(w.equipment_id), w.occurrence),
    )


async def finish(world: World, order: WorkOrder, **answers: Any) -> WorkOrder:
    manager = world.as_("mgr_a")
    assign = {"assignee_id": world.people["rep_a1"].id}
    order = await work_orders.update_work_order(manager, order.id, assign, world.deps)
    for status in ("IN_PROGRESS", "COMPLETED"):
        changes: dict[str, Any] = {"status": status}
        if status == "COMPLETED":
            changes["answers"] = {"hours": 100, "filter": True, **answers}
        order = await work_orders.update_work_order(manager, order.id, changes, world.deps)
    return order


# --- refusals -----------------------------------------------------------------------


@pytest.mark.parametrize("every", [0, -5])
async def test_a_zero_or_negative_interval_is_a_422_on_every(world: World, every: int) -> None:
    _, (machine,) = await machines(world)
    with pytest.raises(ValidationFailed) as refused:
        await create(world, equipment_id=machine.id, every=every, first_due_on=today(world))
    assert "every" in refused.value.details


async def test_a_meter_schedule_on_equipment_without_that_meter_is_a_422(world: World) -> None:
    kind, (machine,) = await machines(world)
    for target in ({"equipment_id": machine.id}, {"equipment_type_id": kind.id}):
        for meter in ("cycles", "colour"):  # undeclared; declared but not a number
            with pytest.raises(ValidationFailed) as refused:
                await create(world, unit=IntervalUnit.METER, every=500, meter=meter, **target)
            assert "meter" in refused.value.details
    made_ = await create(world, unit=IntervalUnit.METER, every=500, meter="hours",
                         equipment_id=machine.id)  # fmt: skip
    assert made_.meter == "hours"
    # Editing it onto a calendar is checked whole: a calendar schedule has no meter.
    with pytest.raises(ValidationFailed) as refused:
        await maintenance.update_schedule(
            world.as_("mgr_a"), made_.id, {"unit": IntervalUnit.DAYS}, world.deps
        )
    assert "meter" in refused.value.details


async def test_ids_that_name_nothing_are_422s_and_another_companys_schedule_404(
    world: World, other: World
) -> None:
    _, (machine,) = await machines(world)
    on = today(world)
    for fields, name in (
        ({"equipment_id": world.deps.ids.new()}, "equipmentId"),
        ({"equipment_type_id": world.deps.ids.new()}, "equipmentTypeId"),
        ({"equipment_id": machine.id, "template_id": world.deps.ids.new()}, "templateId"),
    ):
        with pytest.raises(ValidationFailed) as refused:
            await create(world, first_due_on=on, **fields)
        assert name in refused.value.details
    mine = await create(world, equipment_id=machine.id, first_due_on=on)
    with pytest.raises(ValidationFailed):  # their machine is no machine of theirs
        await create(other, equipment_id=machine.id, first_due_on=on)
    for call in (
        maintenance.get_schedule(other.as_("admin"), mine.id, other.deps),
        maintenance.update_schedule(other.as_("admin"), mine.id, {"name": "X"}, other.deps),
        maintenance.delete_schedule(other.as_("admin"), mine.id, other.deps),
        due_for(other.as_("admin"), mine.id, None, 20, other.deps),
    ):
        with pytest.raises(NotFound):
            await call


async def test_technicians_read_managers_and_admins_write(world: World) -> None:
    _, (machine,) = await machines(world)
    with pytest.raises(Forbidden):
        await create(world, "rep_a1", equipment_id=machine.id, first_due_on=today(world))
    schedule = await create(world, "admin", equipment_id=machine.id, first_due_on=today(world))
    rep = world.as_("rep_a1")
    assert (await maintenance.get_schedule(rep, schedule.id, world.deps)).id == schedule.id
    page = await maintenance.list_schedules(rep, maintenance.ScheduleFilter(), None, 20, world.deps)
    assert [row["id"] for row in page.items] == [schedule.id]
    with pytest.raises(Forbidden):
        await maintenance.update_schedule(rep, schedule.id, {"name": "Mine"}, world.deps)
    deleted = await maintenance.delete_schedule(world.as_("mgr_a"), schedule.id, world.deps)
    assert deleted.deleted_at == world.clock.now()
    assert {"maintenance_schedule.created", "maintenance_schedule.deleted"} <= set(world.actions())


# --- the scheduler --------------------------------------------------------------------


async def test_the_job_makes_the_due_work_order_once_with_the_templates_checklist(
    world: World,
) -> None:
    _, (machine,) = await machines(world)
    checklist = await template(world)
    on = today(world)
    schedule = await create(world, equipment_id=machine.id, first_due_on=on + timedelta(days=3),
                            lead=3, template_id=checklist.id)  # fmt: skip
    first = await run(world)
    assert (first.created, first.existing, first.skipped, first.capped) == (1, 0, 0, [])
    again = await run(world)
    assert (again.created, again.existing) == (0, 0)  # it saw the one made: nothing due
    (order,) = await made(world)
    assert (order.kind, order.title, order.equipment_id) == (
        WorkOrderKind.PREVENTIVE, "Monthly service", machine.id,
    )  # fmt: skip
    assert (order.schedule_id, order.occurrence, order.planned_on) == (
        schedule.id, 1, on + timedelta(days=3),
    )  # fmt: skip
    assert [(i["key"], i["value"]) for i in order.checklist] == [("hours", None), ("filter", None)]
    assert order.due_at is not None
    assert order.due_at.astimezone(ZoneInfo(world.company.timezone)).date() == on + timedelta(
        days=4
    )  # the end of the plan day, in the company's zone
    entry = next(e for e in world.audit() if e.action == "work_order.created")
    assert (entry.actor_id, entry.detail["scheduleId"]) == (None, str(schedule.id))


async def test_after_missed_days_each_occurrence_is_made_up_to_the_cap_and_reported(
    world: World,
) -> None:
    _, (machine,) = await machines(world)
    on = today(world)
    schedule = await create(world, equipment_id=machine.id, unit=IntervalUnit.WEEKS, every=1,
                            first_due_on=on)  # fmt: skip
    assert (await run(world, cap=3)).created == 1
    world.clock.advance(8 * 7 * DAY)  # eight weeks without a run: occurrences 2 to 9
    report = await run(world, cap=3)
    assert (report.created, report.skipped) == (3, 5)
    assert report.capped == [
        {"scheduleId": str(schedule.id), "equipmentId": str(machine.id), "skipped": 5}
    ]
    assert [w.occurrence for w in await made(world)] == [1, 7, 8, 9]
    assert [w.planned_on for w in await made(world)][-1] == on + timedelta(weeks=8)
    assert "maintenance_schedule.capped" in world.actions()
    assert (await run(world, cap=3)).created == 0  # and nothing again
    world.clock.advance(7 * DAY)
    assert (await run(world, cap=3)).created == 1  # the rhythm goes on: occurrence 10


async def test_the_job_reports_the_cap_from_settings(world: World) -> None:
    _, (machine,) = await machines(world)
    await create(world, equipment_id=machine.id, unit=IntervalUnit.DAYS, every=1,
                 first_due_on=today(world))  # fmt: skip
    world.clock.advance(9 * DAY)  # ten daily occurrences due, none made
    world.deps = replace(world.deps, settings=world.deps.settings.model_copy(
        update={"maintenance_catchup_cap": 4}))  # fmt: skip
    report = await maintenance_job(world.deps)
    assert (report["created"], report["skipped"], report["cap"]) == (4, 6, 4)
    assert report["capped"][0]["skipped"] == 6


async def test_completion_basis_moves_the_next_due_date_to_completion_plus_the_interval(
    world: World,
) -> None:
    _, (machine,) = await machines(world)
    checklist = await template(world)
    on = today(world)
    schedule = await create(world, equipment_id=machine.id, unit=IntervalUnit.DAYS, every=30,
                            first_due_on=on, basis=DueBasis.COMPLETION,
                            template_id=checklist.id)  # fmt: skip
    assert (await run(world)).created == 1
    manager = world.as_("mgr_a")
    (view,) = (await due_for(manager, schedule.id, None, 20, world.deps)).items
    assert (view.last_occurrence, view.waiting, view.next_due_on) == (1, True, None)
    world.clock.advance(40 * DAY)  # open for 40 days: nothing more is made meanwhile
    assert (await run(world)).created == 0
    (order,) = await made(world)
    await finish(world, order)
    (view,) = (await due_for(manager, schedule.id, None, 20, world.deps)).items
    assert (view.waiting, view.next_occurrence) == (False, 2)
    assert view.next_due_on == on + timedelta(days=70)  # completed on day 40, plus 30


async def test_plan_basis_keeps_its_rhythm_whenever_one_is_completed(world: World) -> None:
    _, (machine,) = await machines(world)
    checklist = await template(world)
    on = today(world)
    schedule = await create(world, equipment_id=machine.id, unit=IntervalUnit.DAYS, every=30,
                            first_due_on=on, template_id=checklist.id)  # fmt: skip
    await run(world)
    world.clock.advance(10 * DAY)
    (order,) = await made(world)
    await finish(world, order)
    (view,) = (await due_for(world.as_("rep_a1"), schedule.id, None, 20, world.deps)).items
    assert (view.next_occurrence, view.next_due_on) == (2, on + timedelta(days=30))


async def test_editing_a_schedule_never_duplicates_a_work_order_made(world: World) -> None:
    _, (machine,) = await machines(world)
    on = today(world)
    schedule = await create(world, equipment_id=machine.id, unit=IntervalUnit.DAYS, every=7,
                            first_due_on=on)  # fmt: skip
    await run(world)
    manager = world.as_("mgr_a")
    for changes in (
        {"every": 3},
        {"first_due_on": on - timedelta(days=1)},
        {"unit": IntervalUnit.WEEKS, "every": 1},
        {"lead": 7, "name": "Weekly check"},
    ):
        await maintenance.update_schedule(manager, schedule.id, changes, world.deps)
        await run(world)
    orders = await made(world)
    keys = [(w.equipment_id, w.occurrence) for w in orders]
    assert len(keys) == len(set(keys))
    # The lead of 7 days brought occurrence 2 (a week after the first) forward, once.
    assert [(w.occurrence, w.planned_on) for w in orders] == [(1, on), (2, on + timedelta(7))]
    assert orders[1].title == "Weekly check"


async def test_a_type_schedule_covers_each_live_machine_of_the_type(world: World) -> None:
    kind, fleet = await machines(world, count=3)
    retired = fleet[2]
    await equipment.update_equipment(
        world.as_("admin"), retired.id, {"status": "RETIRED"}, world.deps
    )
    schedule = await create(world, equipment_type_id=kind.id, first_due_on=today(world))
    assert (await run(world)).created == 2
    assert {w.equipment_id for w in await made(world)} == {fleet[0].id, fleet[1].id}
    views = (await due_for(world.as_("rep_a1"), schedule.id, None, 20, world.deps)).items
    assert sorted(v.equipment_id for v in views) == sorted([fleet[0].id, fleet[1].id])
    first = await due_for(world.as_("rep_a1"), schedule.id, None, 1, world.deps)
    assert len(first.items) == 1
    assert first.next_cursor is not None
    rest = await due_for(world.as_("rep_a1"), schedule.id, first.next_cursor, 5, world.deps)
    paged = [v.equipment_id for v in (*first.items, *rest.items)]
    assert sorted(paged) == sorted([fleet[0].id, fleet[1].id])
    assert rest.next_cursor is None
    inactive = await maintenance.update_schedule(
        world.as_("mgr_a"), schedule.id, {"active": False}, world.deps
    )
    assert inactive.active is False
    world.clock.advance(62 * DAY)
    assert (await run(world)).created == 0


async def test_a_meter_schedule_is_due_by_the_reading_a_completed_checklist_records(
    world: World,
) -> None:
    _, (machine,) = await machines(world)
    checklist = await template(world)
    schedule = await create(world, equipment_id=machine.id, unit=IntervalUnit.METER, every=500,
                            meter="hours", lead=50, basis=DueBasis.COMPLETION,
                            template_id=checklist.id)  # fmt: skip
    assert (await run(world)).created == 0  # never read: nothing is due
    admin = world.as_("admin")
    await equipment.update_equipment(admin, machine.id, {"attributes": {"hours": 440}}, world.deps)
    assert (await run(world)).created == 0  # 440 + 50 < 500
    await equipment.update_equipment(admin, machine.id, {"attributes": {"hours": 460}}, world.deps)
    assert (await run(world)).created == 1
    (order,) = await made(world)
    assert (order.planned_reading, order.planned_on, order.due_at) == (500, None, None)
    await finish(world, order, hours=530)  # the technician reads the meter
    async with world.uow() as uow:
        read = await uow.equipment.get(machine.id)
    assert read is not None
    assert read.attributes["hours"] == 530
    (view,) = (await due_for(admin, schedule.id, None, 20, world.deps)).items
    assert (view.reading, view.next_due_reading) == (530, 1030)


async def test_work_order_webhook_events_are_raised_with_the_writes(world: World) -> None:
    world.deps = replace(
        world.deps, webhooks=ScriptedSender(dns={"erp.example.com": ["93.184.215.14"]})
    )
    types = ["work_order.created", "work_order.status_changed", "work_order.completed"]
    await endpoints.subscribe(
        world.as_("admin"), endpoints.Subscribe("https://erp.example.com/h", types), world.deps
    )
    _, (machine,) = await machines(world)
    checklist = await template(world)
    await create(world, equipment_id=machine.id, first_due_on=today(world),
                 template_id=checklist.id)  # fmt: skip
    await run(world)
    (order,) = await made(world)
    await finish(world, order)
    sent = [(e.payload["event"]["type"], e.payload["event"]["data"]["status"])
            for e in world.events(KIND)]  # fmt: skip
    assert sent == [
        ("work_order.created", "OPEN"),
        ("work_order.status_changed", "ASSIGNED"),
        ("work_order.status_changed", "IN_PROGRESS"),
        ("work_order.status_changed", "COMPLETED"),
        ("work_order.completed", "COMPLETED"),
    ]
    data = world.events(KIND)[0].payload["event"]["data"]
    assert (data["scheduleId"], data["occurrence"]) == (str(order.schedule_id), 1)


async def test_demo_schedules_cover_any_companys_equipment_once(world: World) -> None:
    from fieldedge.services.demo.schedules import seed_schedules

    assert await seed_schedules(world.deps, world.as_("admin")) == 0  # no equipment yet
    kind, fleet = await machines(world, count=4)
    made = await seed_schedules(world.deps, world.as_("admin"))
    assert made == 2 + 3  # the type's quarterly and meter services, three machines' own
    assert await seed_schedules(world.deps, world.as_("admin")) == 0  # a second seed: none
    page = await maintenance.list_schedules(
        world.as_("admin"), maintenance.ScheduleFilter(equipment_type_id=kind.id), None, 20,
        world.deps,
    )  # fmt: skip
    assert sorted(row["unit"] for row in page.items) == ["METER", "MONTHS"]
    await equipment.update_equipment(
        world.as_("admin"), fleet[0].id, {"attributes": {"hours": 480}}, world.deps
    )
    assert (await run(world)).created == 1  # 480 + 25 ≥ 500: the meter service is due
