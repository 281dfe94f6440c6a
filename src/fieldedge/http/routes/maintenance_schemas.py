"""Wire shapes of ``/api/v1/maintenance-schedules``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from pydantic import Field

from fieldedge.domain.maintenance import MAX_EVERY, MAX_LEAD, DueBasis, IntervalUnit, Meter
from fieldedge.domain.work_orders import Priority, WorkOrderStatus
from fieldedge.http.routes.fieldforce_schemas import CLIENT_ID, Title
from fieldedge.http.schemas import PatchModel, RequestModel, ResponseModel

Every = Annotated[int, Field(ge=1, le=MAX_EVERY, description="The interval: 1 or more units.")]
Lead = Annotated[
    int,
    Field(
        ge=0,
        le=MAX_LEAD,
        description="How early the work order is made: days before the plan date (DAYS, "
        "WEEKS, MONTHS) or meter units before the due reading (METER).",
    ),
]
Reading = Annotated[float, Field(ge=0, le=1e15, allow_inf_nan=False)]

TARGET = "Exactly one of equipmentId (one machine) and equipmentTypeId (every live machine of it)."
METER = (
    "METER schedules: a number attribute the equipment type declares (the machine's "
    "reading; a completed checklist's NUMBER item with this key records it)."
)
BASIS = (
    "Where the next occurrence counts from: PLAN, the previous plan date (or due reading), "
    "a fixed rhythm with missed occurrences caught up; COMPLETION, the day (or reading) the "
    "previous work order was completed, one open at a time."
)
FIRST_ON = "Calendar schedules: the first plan date (months keep its day of the month)."
FIRST_READING = "METER schedules: the first due reading (default: every)."


class CreateScheduleBody(RequestModel):
    id: UUID | None = Field(default=None, description=CLIENT_ID)
    name: Title = Field(description="The work orders' title.")
    equipment_id: UUID | None = Field(default=None, description=TARGET)
    equipment_type_id: UUID | None = None
    every: Every
    unit: IntervalUnit
    meter: Meter | None = Field(default=None, description=METER)
    lead: Lead = 0
    basis: DueBasis = Field(default=DueBasis.PLAN, description=BASIS)
    first_due_on: date | None = Field(default=None, description=FIRST_ON)
    first_due_reading: Reading | None = Field(default=None, description=FIRST_READING)
    template_id: UUID | None = Field(default=None, description="Copied into each work order.")
    priority: Priority = Priority.MEDIUM
    active: bool = Field(default=True, description="An inactive schedule makes nothing.")


class UpdateScheduleBody(PatchModel):
    name: Title | None = None
    equipment_id: UUID | None = Field(default=None, description=TARGET)
    equipment_type_id: UUID | None = None
    every: Every | None = None
    unit: IntervalUnit | None = None
    meter: Meter | None = Field(default=None, description=METER)
    lead: Lead | None = None
    basis: DueBasis | None = Field(default=None, description=BASIS)
    first_due_on: date | None = Field(default=None, description=FIRST_ON)
    first_due_reading: Reading | None = Field(default=None, description=FIRST_READING)
    template_id: UUID | None = None
    priority: Priority | None = None
    active: bool | None = None


class ScheduleOut(ResponseModel):
    id: UUID
    name: str
    equipment_id: UUID | None
    equipment_type_id: UUID | None
    every: int
    unit: IntervalUnit
    meter: str | None
    lead: int
    basis: DueBasis
    first_due_on: date | None
    first_due_reading: float | None
    template_id: UUID | None
    priority: Priority
    active: bool
    version: int
    created_at: datetime
    updated_at: datetime


class MachineDueOut(ResponseModel):
    equipment_id: UUID
    last_occurrence: int | None = Field(description="The latest work order made for it.")
    last_status: WorkOrderStatus | None
    waiting: bool = Field(description="COMPLETION: the last work order is not finished yet.")
    due_now: int = Field(description="Occurrences due and not made: the next job run makes them.")
    next_occurrence: int | None = Field(description="The first occurrence not due yet.")
    next_due_on: date | None
    next_due_reading: float | None
    reading: float | None = Field(description="METER: the machine's current reading.")
