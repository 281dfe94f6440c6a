"""Preventive maintenance schedules: when a machine's next preventive work order is due.

A schedule covers one machine (``equipment_id``) or every live machine of a type
(``equipment_type_id``), exactly one of the two. It repeats every ``every`` DAYS, WEEKS
or MONTHS (calendar), or every ``every`` units of a meter (METER: the type's declared
``number`` attribute named by ``meter``; the machine's reading is that attribute's
value). ``lead`` is how early a work order is made: days before the plan date, or units
before the due reading. ``basis`` says where the next occurrence counts from: the plan
date of the one before (PLAN: a fixed rhythm; missed occurrences are caught up) or its
completion (COMPLETION: one open at a time; the next counts from the day, or the meter
reading, it was completed).

Nothing about a machine's progress is stored on the schedule: the next occurrence is
derived from the latest work order the schedule made for the machine (``Last``), so
completing one moves the next due date by itself, and editing a schedule changes only
occurrences not made yet (numbering goes on from the last one made).

``plan`` is the whole rule: which occurrences are due now (oldest first), how many
missed ones were skipped past the catch-up cap, and which one comes next.
"""

from __future__ import annotations

import calendar
import math
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, Field, StringConstraints, model_validator

from fieldedge.domain.base import Entity
from fieldedge.domain.equipment import AttributeKind, EquipmentType
from fieldedge.domain.work_orders import Priority, WorkOrderStatus
from fieldedge.errors import ValidationFailed

MAX_EVERY = 1_000_000
MAX_LEAD = 1_000_000
MAX_READING = 1e15


class IntervalUnit(StrEnum):
    DAYS = "DAYS"
    WEEKS = "WEEKS"
    MONTHS = "MONTHS"
    METER = "METER"


class DueBasis(StrEnum):
    PLAN = "PLAN"  # the next counts from the previous occurrence's plan date / reading
    COMPLETION = "COMPLETION"  # from the day (reading) the previous one was completed


Meter = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_]{0,59}$")]


class MaintenanceSchedule(Entity):
    id: UUID
    company_id: UUID
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    equipment_id: UUID | None = None
    equipment_type_id: UUID | None = None
    every: int
    unit: IntervalUnit
    meter: Meter | None = None
    lead: int = Field(default=0, ge=0, le=MAX_LEAD)
    basis: DueBasis = DueBasis.PLAN
    first_due_on: date | None = None  # calendar: the first plan date
    first_due_reading: float | None = Field(default=None, ge=0, le=MAX_READING)
    template_id: UUID | None = None
    priority: Priority = Priority.MEDIUM
    active: bool = True
    version: int = 0
    created_at: AwareDatetime
    updated_at: AwareDatetime
    deleted_at: AwareDatetime | None = None

    @model_validator(mode="after")
    def _rules(self) -> MaintenanceSchedule:
        details: dict[str, list[str]] = {}
        if (self.equipment_id is None) == (self.equipment_type_id is None):
            details["equipmentId"] = ["Name one of equipmentId or equipmentTypeId."]
        if not 0 < self.every <= MAX_EVERY:
            details["every"] = [f"A whole number from 1 to {MAX_EVERY}."]
        if self.unit is IntervalUnit.METER:
            if self.meter is None:
                details["meter"] = ["A METER schedule names its meter."]
            if self.first_due_on is not None:
                details["firstDueOn"] = ["For calendar schedules (METER: firstDueReading)."]
        else:
            if self.meter is not None:
                details["meter"] = ["For METER schedules only."]
            if self.first_due_on is None:
                details["firstDueOn"] = ["A calendar schedule needs its first plan date."]
            if self.first_due_reading is not None:
                details["firstDueReading"] = ["For METER schedules only."]
        if details:
            raise ValidationFailed(details=details)
        return self

    @property
    def metered(self) -> bool:
        return self.unit is IntervalUnit.METER


def check_meter(schedule: MaintenanceSchedule, kind: EquipmentType) -> None:
    """A METER schedule's meter must be a ``number`` attribute its type declares."""
    if not schedule.metered:
        return
    if not any(
        spec.name == schedule.meter and spec.kind is AttributeKind.NUMBER for spec in kind.specs
    ):
        raise ValidationFailed(
            details={"meter": [f"The equipment type {kind.name!r} declares no number "
                               f"attribute {schedule.meter!r} (a meter)."]}
        )  # fmt: skip


# --- the rule ---------------------------------------------------------------------------


def add_months(day: date, months: int, anchor_day: int) -> date:
    """``months`` later, on ``anchor_day`` or the month's last day if it is shorter (the
    31st of every month falls on Feb 28/29, then the 31st again in March)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(anchor_day, calendar.monthrange(year, month)[1]))


def nth_date(schedule: MaintenanceSchedule, start: date, n: int, anchor_day: int) -> date:
    """The ``n``-th step after ``start`` (``n`` = 0 is ``start``)."""
    if schedule.unit is IntervalUnit.MONTHS:
        return add_months(start, n * schedule.every, anchor_day)
    span = schedule.every * (7 if schedule.unit is IntervalUnit.WEEKS else 1)
    return start + timedelta(days=n * span)


def _dates_through(schedule: MaintenanceSchedule, start: date, limit: date, anchor: int) -> int:
    """How many steps from ``start`` fall on or before ``limit``."""
    if start > limit:
        return 0
    if schedule.unit is not IntervalUnit.MONTHS:
        span = schedule.every * (7 if schedule.unit is IntervalUnit.WEEKS else 1)
        return (limit - start).days // span + 1
    months = (limit.year - start.year) * 12 + limit.month - start.month
    count = months // schedule.every + 1
    while count > 0 and nth_date(schedule, start, count - 1, anchor) > limit:
        count -= 1
    return count


@dataclass(frozen=True, slots=True)
class Last:
    """The latest work order a schedule made for a machine."""

    occurrence: int
    status: WorkOrderStatus
    planned_on: date | None = None
    planned_reading: float | None = None
    completed_on: date | None = None  # in the company's timezone
    completed_reading: float | None = None  # the meter's checklist item, when filled in


@dataclass(frozen=True, slots=True)
class Occurrence:
    number: int  # 1, 2, …: the work order's key with the schedule and machine
    planned_on: date | None = None
    planned_reading: float | None = None


@dataclass(frozen=True, slots=True)
class Due:
    occurrences: list[Occurrence]  # to make now, oldest first
    skipped: int = 0  # missed occurrences past the cap: not made, reported
    next: Occurrence | None = None  # the first not due yet (None: waiting on completion)


def _start(schedule: MaintenanceSchedule, last: Last | None) -> tuple[Occurrence, int] | None:
    """The next occurrence after ``last`` (and the day of the month months keep), or None
    while a COMPLETION schedule's last work order is still open."""
    number = last.occurrence + 1 if last else 1
    if schedule.metered:
        first = schedule.first_due_reading
        first = float(schedule.every) if first is None else first
        base = last.planned_reading if last else None
        if last is not None and schedule.basis is DueBasis.COMPLETION:
            if last.status is WorkOrderStatus.COMPLETED:
                base = last.completed_reading if last.completed_reading is not None else base
            elif last.status is not WorkOrderStatus.CANCELLED:
                return None
        reading = first if base is None else base + schedule.every
        return Occurrence(number, planned_reading=reading), 0
    assert schedule.first_due_on is not None
    anchor = schedule.first_due_on.day
    if last is None or last.planned_on is None:
        return Occurrence(number, planned_on=schedule.first_due_on), anchor
    base_day = last.planned_on
    if schedule.basis is DueBasis.COMPLETION:
        if last.status is WorkOrderStatus.COMPLETED and last.completed_on is not None:
            base_day, anchor = last.completed_on, last.completed_on.day
        elif last.status is not WorkOrderStatus.CANCELLED:
            return None
    return Occurrence(number, planned_on=nth_date(schedule, base_day, 1, anchor)), anchor


def plan(
    schedule: MaintenanceSchedule,
    last: Last | None,
    *,
    today: date,
    reading: float | None,
    since: date | None,
    cap: int,
) -> Due:
    """What is due for one machine now.

    ``today`` is the company's date; ``reading`` the machine's meter value (None: never
    read, so nothing of a METER schedule is due yet); ``since`` the day the machine came
    into the company's records: a machine's first occurrences planned before it are not
    missed, they were never its own. PLAN schedules catch up every missed occurrence,
    the newest ``cap`` of them (the rest are ``skipped``); COMPLETION ones make one and
    wait for it to be completed or cancelled."""
    start = _start(schedule, last)
    if start is None:
        return Due([], 0, None)
    first, anchor = start
    if schedule.metered:
        assert first.planned_reading is not None
        if reading is None or reading + schedule.lead < first.planned_reading:
            return Due([], 0, first)
        due = math.floor((reading + schedule.lead - first.planned_reading) / schedule.every) + 1
        passed = 0
    else:
        assert first.planned_on is not None
        limit = today + timedelta(days=schedule.lead)
        due = _dates_through(schedule, first.planned_on, limit, anchor)
        passed = 0
        if last is None and since is not None:
            before = since - timedelta(days=1)
            passed = min(due, _dates_through(schedule, first.planned_on, before, anchor))
    if schedule.basis is DueBasis.COMPLETION:
        due = min(due, passed + 1)
    wanted = due - passed
    skipped = max(0, wanted - cap)
    made = [_occurrence(schedule, first, i, anchor) for i in range(passed + skipped, due)]
    if made and schedule.basis is DueBasis.COMPLETION:
        return Due(made, skipped, None)  # the next waits for this one's completion
    return Due(made, skipped, _occurrence(schedule, first, due, anchor))


def _occurrence(
    schedule: MaintenanceSchedule, first: Occurrence, i: int, anchor: int
) -> Occurrence:
    number = first.number + i
    if schedule.metered:
        assert first.planned_reading is not None
        return Occurrence(number, planned_reading=first.planned_reading + i * schedule.every)
    assert first.planned_on is not None
    return Occurrence(number, planned_on=nth_date(schedule, first.planned_on, i, anchor))
