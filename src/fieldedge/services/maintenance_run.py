"""The scheduler's work for one company: every active schedule, every machine it covers,
the occurrences due now made into PREVENTIVE work orders, each exactly once.

Exactly once comes from the database, not from timing: each work order carries its
(schedule, machine, occurrence) key, unique in the schema, and is inserted in a
savepoint that a clash undoes (insert-if-absent). A second run, at once on another
machine or an hour later, computes the same occurrences from the same latest work
orders and finds each one made: on Postgres the second insert waits for the first
transaction and then clashes; nothing is made twice. One unit of work per schedule.

The same derivation answers ``GET /maintenance-schedules/{id}/due`` (``due_for``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from fieldedge.domain.access import Action, Principal, require
from fieldedge.domain.company import Company
from fieldedge.domain.equipment import Equipment, EquipmentStatus
from fieldedge.domain.maintenance import Due, Last, MaintenanceSchedule, Occurrence, plan
from fieldedge.domain.work_orders import WorkOrder, WorkOrderKind, WorkOrderStatus
from fieldedge.errors import Conflict
from fieldedge.ports.database import Scope, UnitOfWork
from fieldedge.ports.equipment import EquipmentQuery
from fieldedge.ports.maintenance import ScheduleQuery
from fieldedge.ports.records import Record
from fieldedge.services.common import audit, found
from fieldedge.services.deps import Deps
from fieldedge.services.maintenance import NOUN
from fieldedge.services.pagination import Page, after_id, encode_cursor
from fieldedge.services.webhooks.emit import emit

PAGE = 200


@dataclass
class RunReport:
    schedules: int = 0
    created: int = 0
    existing: int = 0  # due, but already made (by another run at once)
    skipped: int = 0  # missed occurrences past the catch-up cap
    capped: list[dict[str, Any]] = field(default_factory=list)

    def add(self, other: RunReport) -> None:
        self.schedules += other.schedules
        self.created += other.created
        self.existing += other.existing
        self.skipped += other.skipped
        self.capped += other.capped


def _number(value: Any) -> float | None:
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    return float(value) if ok else None


def reading_of(schedule: MaintenanceSchedule, machine: Equipment) -> float | None:
    return _number(machine.attributes.get(schedule.meter or "")) if schedule.metered else None


def last_of(schedule: MaintenanceSchedule, row: Record, zone: ZoneInfo) -> Last:
    completed = row["completed_at"]
    meter_item = next((i for i in row["checklist"] if i["key"] == schedule.meter), None)
    return Last(
        occurrence=int(row["occurrence"]),
        status=WorkOrderStatus(row["status"]),
        planned_on=row["planned_on"],
        planned_reading=row["planned_reading"],
        completed_on=completed.astimezone(zone).date() if completed else None,
        completed_reading=_number(meter_item["value"]) if meter_item else None,
    )


async def machines_of(
    uow: UnitOfWork, schedule: MaintenanceSchedule, *, after: UUID | None = None, most: int = 0
) -> tuple[list[Equipment], UUID | None]:
    """The live, not RETIRED machines the schedule covers, by id after ``after``: all of
    them (``most`` 0), or a page of ``most`` and the id the next page starts after."""
    if schedule.equipment_id is not None:
        machine = await uow.equipment.get(schedule.equipment_id)
        if machine is None or machine.status is EquipmentStatus.RETIRED:
            return [], None
        return ([machine] if after is None or machine.id > after else []), None
    found_: list[Equipment] = []
    limit = most + 1 if most else PAGE
    while True:
        query = EquipmentQuery(after=after, limit=limit, type_id=schedule.equipment_type_id)
        rows = list(await uow.equipment.list(query))
        if most and len(rows) > most:
            page = [Equipment.load(row) for row in rows[:most]]
            live = [m for m in page if m.status is not EquipmentStatus.RETIRED]
            return found_ + live, page[-1].id
        found_ += [m for m in map(Equipment.load, rows) if m.status is not EquipmentStatus.RETIRED]
        if most or len(rows) < PAGE:
            return found_, None
        after = rows[-1]["id"]


def _due_at(occurrence: Occurrence, zone: ZoneInfo) -> datetime | None:
    """The end of the plan day in the company's zone (a METER occurrence has no day)."""
    if occurrence.planned_on is None:
        return None
    end = datetime.combine(occurrence.planned_on + timedelta(days=1), time(0), zone)
    return end.astimezone(UTC)


async def _make(
    uow: UnitOfWork,
    deps: Deps,
    schedule: MaintenanceSchedule,
    machine: Equipment,
    occurrence: Occurrence,
    checklist: list[dict[str, Any]],
    zone: ZoneInfo,
) -> bool:
    """Insert the occurrence's work order unless it exists: True when this run made it."""
    now = deps.clock.now()
    planned = (
        f"due {occurrence.planned_on.isoformat()}"
        if occurrence.planned_on is not None
        else f"due at {occurrence.planned_reading:g} {schedule.meter}"
    )
    work_order = WorkOrder(
        id=deps.ids.new(), company_id=schedule.company_id, site_id=machine.site_id,
        equipment_id=machine.id, kind=WorkOrderKind.PREVENTIVE, priority=schedule.priority,
        title=schedule.name,
        description=f"Preventive maintenance, occurrence {occurrence.number} ({planned}).",
        due_at=_due_at(occurrence, zone), template_id=schedule.template_id if checklist else None,
        checklist=[dict(item) for item in checklist], schedule_id=schedule.id,
        occurrence=occurrence.number, planned_on=occurrence.planned_on,
        planned_reading=occurrence.planned_reading, created_at=now, updated_at=now,
    )  # fmt: skip
    try:
        async with uow.savepoint():  # its end writes the row: a clash is caught here
            await uow.work_orders.add(work_order)
            await audit(
                uow, deps, "work_order.created", entity="work_order", entity_id=work_order.id,
                detail={"kind": WorkOrderKind.PREVENTIVE.value, "scheduleId": str(schedule.id),
                        "occurrence": occurrence.number, "equipmentId": str(machine.id)},
            )  # fmt: skip
            await emit(uow, deps, "work_order.created", work_order)
    except Conflict:
        return False
    return True


async def _checklist(uow: UnitOfWork, schedule: MaintenanceSchedule) -> list[dict[str, Any]]:
    if schedule.template_id is None:
        return []
    template = await uow.checklist_templates.get(schedule.template_id)
    return [{**item, "value": None} for item in template.items] if template else []


async def run_schedule(
    deps: Deps, company: Company, schedule_id: UUID, today: date, cap: int
) -> RunReport:
    zone = ZoneInfo(company.timezone)
    report = RunReport(schedules=1)
    async with deps.db.unit_of_work(Scope.tenant(company.id)) as uow:
        schedule = await uow.maintenance_schedules.get(schedule_id)
        if schedule is None or not schedule.active:
            return RunReport()
        lasts = {r["equipment_id"]: r for r in await uow.work_orders.last_scheduled(schedule.id)}
        checklist = await _checklist(uow, schedule)
        fleet, _ = await machines_of(uow, schedule)
        for machine in fleet:
            row = lasts.get(machine.id)
            due = plan(
                schedule, last_of(schedule, row, zone) if row else None, today=today,
                reading=reading_of(schedule, machine),
                since=machine.created_at.astimezone(zone).date(), cap=cap,
            )  # fmt: skip
            for occurrence in due.occurrences:
                made = await _make(uow, deps, schedule, machine, occurrence, checklist, zone)
                report.created += made
                report.existing += not made
            if due.skipped:
                report.skipped += due.skipped
                capped = {"scheduleId": str(schedule.id), "equipmentId": str(machine.id),
                          "skipped": due.skipped}  # fmt: skip
                report.capped.append(capped)
                await audit(
                    uow, deps, "maintenance_schedule.capped", entity="maintenance_schedule",
                    entity_id=schedule.id, detail={**capped, "cap": cap},
                )  # fmt: skip
        await uow.commit()
    return report


async def run_company(deps: Deps, company: Company, cap: int) -> RunReport:
    """Every active schedule of ``company``, each in its own unit of work."""
    today = deps.clock.now().astimezone(ZoneInfo(company.timezone)).date()
    report = RunReport()
    after: UUID | None = None
    while True:
        async with deps.db.unit_of_work(Scope.tenant(company.id)) as uow:
            rows = await uow.maintenance_schedules.list(
                ScheduleQuery(after=after, limit=PAGE, active=True)
            )
        for row in rows:
            report.add(await run_schedule(deps, company, row["id"], today, cap))
        if len(rows) < PAGE:
            return report
        after = rows[-1]["id"]


@dataclass(frozen=True, slots=True)
class MachineDue:
    equipment_id: UUID
    last_occurrence: int | None
    last_status: WorkOrderStatus | None
    waiting: bool  # a COMPLETION schedule's last work order is still open
    due_now: int  # due and not made yet: the next run makes them (up to the cap)
    next_occurrence: int | None
    next_due_on: date | None
    next_due_reading: float | None
    reading: float | None


async def due_for(
    principal: Principal, schedule_id: UUID, cursor: str | None, limit: int, deps: Deps
) -> Page[MachineDue]:
    """A page of the machines it covers, by id: for each, the occurrence that comes next."""
    require(principal, Action.WORK_ORDER_READ)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        schedule = found(await uow.maintenance_schedules.get(schedule_id), NOUN)
        company = found(await uow.companies.get(principal.tenant), "company")
        zone = ZoneInfo(company.timezone)
        lasts = {r["equipment_id"]: r for r in await uow.work_orders.last_scheduled(schedule.id)}
        machines, last_id = await machines_of(uow, schedule, after=after_id(cursor), most=limit)
    today = deps.clock.now().astimezone(zone).date()
    answer = []
    for machine in machines:
        row = lasts.get(machine.id)
        last = last_of(schedule, row, zone) if row else None
        reading = reading_of(schedule, machine)
        since = machine.created_at.astimezone(zone).date()
        due: Due = plan(schedule, last, today=today, reading=reading, since=since, cap=1)
        upcoming = due.next
        answer.append(
            MachineDue(
                equipment_id=machine.id,
                last_occurrence=last.occurrence if last else None,
                last_status=last.status if last else None,
                waiting=not due.occurrences and upcoming is None,
                due_now=len(due.occurrences) + due.skipped,
                next_occurrence=upcoming.number if upcoming else None,
                next_due_on=upcoming.planned_on if upcoming else None,
                next_due_reading=upcoming.planned_reading if upcoming else None,
                reading=reading,
            )
        )
    following = encode_cursor({"id": str(last_id)}) if last_id else None
    return Page(items=answer, limit=limit, next_cursor=following)
