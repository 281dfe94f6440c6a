"""Wire shapes of ``/api/v1/reports``: the queries, and each report's JSON. The figures
are defined in ``docs/api.md`` (reports); money is minor units of ``currency``."""

from __future__ import annotations

import datetime as dt
from typing import Literal
from uuid import UUID

from pydantic import Field

from fieldedge.domain.reports import GroupBy, Presence
from fieldedge.http.schemas import RequestModel, ResponseModel

Format = Literal["json", "csv", "png"]
FORMAT = "json (default), csv (also `Accept: text/csv`), png (a chart)."


class DailyQuery(RequestModel):
    date: dt.date | None = Field(
        default=None, description="The company's local day; default today."
    )
    format: Format | None = Field(default=None, description=FORMAT)


class OrdersQuery(RequestModel):
    day_from: dt.date = Field(alias="from", description="First local day, included.")
    day_to: dt.date = Field(alias="to", description="Last local day, included (≤ 366 days).")
    group_by: GroupBy = Field(
        default=GroupBy.DAY, description="day, week, rep, product, territory."
    )
    format: Format | None = Field(default=None, description=FORMAT)


class CollectionsQuery(RequestModel):
    format: Literal["json", "csv"] | None = Field(default=None, description="json or csv.")


class DayFiguresOut(ResponseModel):
    worked_minutes: int = Field(description="Worked minutes of punched-out days.")
    visits: int = Field(description="Check-ins in the day.")
    verified_visits: int
    verified_percent: float | None = Field(description="verifiedVisits / visits, %, 1 dp.")
    orders: int = Field(description="Orders taken (not REJECTED or CANCELLED).")
    order_value: int = Field(description="Their totals, minor units.")
    payments: int = Field(description="Payments received in the day.")
    collections: int = Field(description="Their amounts, minor units.")
    new_contacts: int = Field(description="Contacts created in the day.")


class DailyRepOut(DayFiguresOut):
    user_id: UUID
    name: str
    attendance: Presence = Field(description="in (punched in, not out), out, absent.")


class DailyTeamOut(DayFiguresOut):
    reps: int = Field(description="People listed.")
    attendance_in: int
    attendance_out: int
    attendance_absent: int


class DailyOut(ResponseModel):
    date: dt.date
    timezone: str
    currency: str
    reps: list[DailyRepOut]
    team: DailyTeamOut


class OrdersGroupOut(ResponseModel):
    key: str | None = Field(
        description="The day or week's Monday (YYYY-MM-DD), or the rep's, product's or "
        "territory's id (null: orders whose contact has no territory)."
    )
    label: str | None = Field(description="The rep's, product's or territory's name.")
    orders: int
    value: int = Field(description="Order totals (product: its lines' totals), minor units.")
    quantity: int | None = Field(description="Units ordered (product only).")


class OrdersOut(ResponseModel):
    day_from: dt.date = Field(serialization_alias="from")
    day_to: dt.date = Field(serialization_alias="to")
    group_by: GroupBy
    timezone: str
    currency: str
    orders: int | None = Field(description="Orders in the range (null by product).")
    value: int
    groups: list[OrdersGroupOut]


class AgeOut(ResponseModel):
    bucket: str = Field(description="0-30, 31-60, 61-90 or 90+ days since approval.")
    orders: int
    balance: int = Field(description="Outstanding balance, minor units.")


class CollectionsRepOut(ResponseModel):
    user_id: UUID
    name: str
    outstanding: int
    ages: list[AgeOut]


class CollectionsOut(ResponseModel):
    as_of: dt.date
    timezone: str
    currency: str
    outstanding: int
    ages: list[AgeOut]
    reps: list[CollectionsRepOut]
