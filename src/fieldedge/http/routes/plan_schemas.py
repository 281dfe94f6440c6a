"""Wire shapes of ``/api/v1/beats`` and ``/api/v1/plans``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from uuid import UUID

from pydantic import Field, StringConstraints

from fieldedge.domain.beats import MAX_STOPS, StopStatus, Weekday
from fieldedge.http.routes.fieldforce_schemas import CLIENT_ID
from fieldedge.http.schemas import PatchModel, RequestModel, ResponseModel

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
Stops = Annotated[list[UUID], Field(min_length=1, max_length=MAX_STOPS)]
Days = Annotated[list[Weekday], Field(min_length=1, max_length=7)]


class CreateBeatBody(RequestModel):
    id: UUID | None = Field(default=None, description=CLIENT_ID)
    name: Name
    contact_ids: Stops = Field(description="The route, in order; each contact once.")
    user_id: UUID | None = Field(
        default=None, description="Whose beat (a MANAGER: their team; ADMIN: anyone). "
        "Defaults to the caller.",
    )  # fmt: skip


class UpdateBeatBody(PatchModel):
    name: Name | None = None
    contact_ids: Stops | None = None


class BeatOut(ResponseModel):
    id: UUID
    user_id: UUID
    name: str
    contact_ids: list[UUID]
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class CreatePlanBody(RequestModel):
    id: UUID | None = Field(default=None, description=CLIENT_ID)
    beat_id: UUID
    date: dt.date | None = Field(default=None, description="A one-off plan's day.")
    weekdays: Days | None = Field(default=None, description="A weekly plan's days.")
    start_date: dt.date | None = Field(default=None, description="A weekly plan's first day.")
    end_date: dt.date | None = Field(default=None, description="A weekly plan's last day.")


class UpdatePlanBody(PatchModel):
    beat_id: UUID | None = None
    date: dt.date | None = None
    weekdays: list[Weekday] | None = Field(default=None, max_length=7)
    start_date: dt.date | None = None
    end_date: dt.date | None = None


def plan_changes(body: UpdatePlanBody) -> dict[str, Any]:
    """A plan edit's fields by domain name; ``weekdays: null`` clears them (one-off)."""
    changes = body.model_dump(include=body.model_fields_set)
    if "weekdays" in changes and changes["weekdays"] is None:
        changes["weekdays"] = []
    return changes


class PlanOut(ResponseModel):
    id: UUID
    user_id: UUID
    beat_id: UUID
    date: dt.date | None = Field(description="Set for a one-off plan.")
    weekdays: list[Weekday] = Field(description="Set for a weekly plan (with its dates).")
    start_date: dt.date | None
    end_date: dt.date | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class ReorderBody(RequestModel):
    contact_ids: Annotated[list[UUID], Field(max_length=MAX_STOPS * 7)] = Field(
        description="Today's planned contacts, every one, in the order to walk them."
    )


Route = Annotated[list[UUID], Field(max_length=MAX_STOPS * 7)]


class CreateRouteBody(RequestModel):
    """A sync ``route`` create: the rep's order for a day (REST: ``PUT /plans/today/order``)."""

    day: dt.date = Field(description="The company's local day: today or later.")
    contact_ids: Route = Field(description="The day's planned contacts, every one, in order.")


class UpdateRouteBody(PatchModel):
    contact_ids: Route | None = None


class RouteOut(ResponseModel):
    """A rep's chosen order for one local day, as sync pulls it."""

    id: UUID
    user_id: UUID
    day: dt.date
    contact_ids: list[UUID]
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class OutletOut(ResponseModel):
    id: UUID
    name: str
    city: str | None
    latitude: float | None
    longitude: float | None


class CheckInOut(ResponseModel):
    visit_id: UUID
    checked_in_at: dt.datetime
    productive: bool = Field(description="An order for this contact that day too.")


class StopOut(ResponseModel):
    position: int
    contact: OutletOut
    status: StopStatus = Field(
        description="PRODUCTIVE (visited, with an order that day), VISITED, MISSED (the "
        "day is over), PENDING (today, not visited yet)."
    )
    visits: list[CheckInOut]


class UnplannedOut(ResponseModel):
    contact: OutletOut | None
    visit: CheckInOut


class DayRouteOut(ResponseModel):
    user_id: UUID
    day: dt.date = Field(description="The company's local date.")
    reordered: bool = Field(description="The rep chose this order.")
    planned: int
    visited: int
    productive: int
    stops: list[StopOut]
    unplanned: list[UnplannedOut] = Field(description="Check-ins at contacts not planned.")


class ComplianceDayOut(ResponseModel):
    user_id: UUID
    day: dt.date
    planned: int
    visited: int
    productive: int
    compliance: float | None = Field(description="visited / planned, %, half-up, 1 decimal.")
    strike_rate: float | None = Field(description="productive / visited, % (None: 0 visited).")


class ComplianceRepOut(ResponseModel):
    user_id: UUID
    planned: int
    visited: int
    productive: int
    compliance: float | None
    strike_rate: float | None


class ComplianceOut(ResponseModel):
    day_from: dt.date
    day_to: dt.date
    reps: list[ComplianceRepOut] = Field(description="Each rep's totals over the range.")
    days: list[ComplianceDayOut] = Field(description="Per rep and day with a plan.")
