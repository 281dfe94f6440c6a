"""Wire shapes of ``/api/v1/targets``: a target as set, and a month against target."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from pydantic import Field, StrictInt, StringConstraints

from fieldedge.domain.identity import Role
from fieldedge.domain.targets import METRICS, MONTH_PATTERN, Measure, Progress
from fieldedge.http.fields import INTEGRAL
from fieldedge.http.schemas import PatchModel, RequestModel, ResponseModel
from fieldedge.http.views import render
from fieldedge.services.targets import RepMonth, TeamMonth

MonthText = Annotated[str, StringConstraints(pattern=MONTH_PATTERN)]
MONTH = "The company's local month, YYYY-MM (e.g. 2026-12)."
# A whole number of at least 0 (money in minor units of the company's currency).
Amount = Annotated[StrictInt, Field(ge=0, le=10**15), INTEGRAL]


class TargetFigures(RequestModel):
    order_value: Amount = Field(description="Approved orders' totals, minor units.")
    collections: Amount = Field(description="Payments received, minor units.")
    visits: Amount = Field(description="Verified visits.")
    new_contacts: Amount = Field(description="Contacts the rep created.")


class SetTargetBody(TargetFigures):
    """The target of (``userId``, ``month``), its natural key: no ``id`` to send (a sync
    create names its row in ``entityId``)."""

    user_id: UUID = Field(description="The rep (a MANAGER: one who reports to them).")
    month: MonthText = Field(description=MONTH)


class ChangeTargetBody(PatchModel):
    """A target's figures, for a sync update (the rep and month never change)."""

    order_value: Amount | None = None
    collections: Amount | None = None
    visits: Amount | None = None
    new_contacts: Amount | None = None


class MonthQuery(RequestModel):
    month: MonthText | None = Field(default=None, description=f"{MONTH} Defaults to now's.")


class TeamQuery(MonthQuery):
    user_id: UUID | None = Field(default=None, description="Only this person of the team.")


class TargetOut(ResponseModel):
    id: UUID
    user_id: UUID
    month: str = Field(description=MONTH)
    order_value: int
    collections: int
    visits: int
    new_contacts: int
    set_by: UUID = Field(description="Who set it last.")
    version: int
    created_at: datetime
    updated_at: datetime


class MeasureOut(ResponseModel):
    target: int | None = Field(description="None: no target set for the month.")
    achieved: int
    percent: float | None = Field(
        description="achieved / target x 100, half-up to one decimal; null for a target of 0."
    )


class PersonOut(ResponseModel):
    id: UUID
    name: str
    role: Role


class RepMonthOut(ResponseModel):
    user: PersonOut
    month: str
    target: TargetOut | None
    order_value: MeasureOut
    collections: MeasureOut
    visits: MeasureOut
    new_contacts: MeasureOut


class TotalOut(ResponseModel):
    order_value: MeasureOut
    collections: MeasureOut
    visits: MeasureOut
    new_contacts: MeasureOut


class TeamMonthOut(ResponseModel):
    month: str
    team: TotalOut = Field(description="Targets and achievements summed over the reps.")
    reps: list[RepMonthOut]


def _number(value: Decimal | None) -> float | None:
    # One decimal place, exact in Decimal: its float prints as those same digits.
    return None if value is None else float(value)


def _measure(measure: Measure) -> dict[str, Any]:
    return {"target": measure.target, "achieved": measure.achieved,
            "percent": _number(measure.percent)}  # fmt: skip


def _measures(progress: Progress) -> dict[str, Any]:
    names = {"order_value": "orderValue", "new_contacts": "newContacts"}
    return {names.get(m, m): _measure(progress.measure(m)) for m in METRICS}


def rep_month(month: RepMonth) -> dict[str, Any]:
    """``RepMonthOut`` of one person's month."""
    person = {"id": month.user.id, "name": month.user.name, "role": month.user.role}
    target = render(TargetOut, month.target) if month.target is not None else None
    return {"user": person, "month": month.month, "target": target,
            **_measures(month.progress)}  # fmt: skip


def team_month(team: TeamMonth) -> dict[str, Any]:
    """``TeamMonthOut`` of a team's month."""
    reps = [rep_month(rep) for rep in team.reps]
    return {"month": team.month, "team": _measures(team.total), "reps": reps}
