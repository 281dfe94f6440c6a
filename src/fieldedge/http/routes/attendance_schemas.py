"""Wire shapes of ``/api/v1/attendance``."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import ConfigDict, Field

from fieldedge.domain.attendance import AttendanceFlag
from fieldedge.domain.identity import Role
from fieldedge.http.fields import NOT_NULL_ISLAND, AccuracyM, Latitude, Longitude, Time
from fieldedge.http.routes.fieldforce_schemas import CLIENT_ID, PhotoRefOut
from fieldedge.http.schemas import RequestModel, ResponseModel
from fieldedge.services.attendance import Presence


class PunchBody(RequestModel):
    model_config = ConfigDict(json_schema_extra=NOT_NULL_ISLAND)

    latitude: Latitude
    longitude: Longitude
    accuracy_m: AccuracyM
    mock_location: bool = Field(default=False, description="The device reports a mock GPS.")


class PunchInBody(PunchBody):
    id: UUID | None = Field(default=None, description=CLIENT_ID)
    punched_in_at: Time | None = Field(default=None, description="Defaults to now.")


class PunchOutBody(PunchBody):
    punched_out_at: Time | None = Field(default=None, description="Defaults to now.")


class AttendanceOut(ResponseModel):
    id: UUID
    user_id: UUID
    day: date = Field(description="The company's local date of the punch-in.")
    punched_in_at: datetime
    in_latitude: float
    in_longitude: float
    in_accuracy_m: float
    punched_out_at: datetime | None
    out_latitude: float | None
    out_longitude: float | None
    out_accuracy_m: float | None
    flags: list[AttendanceFlag]
    worked_minutes: int | None = Field(description="Set when the day closes.")
    visit_count: int | None = Field(description="Check-ins between punch-in and punch-out.")
    distance_m: float | None = Field(
        description="Along the day's check-ins in time order, punch-in to punch-out."
    )
    last_latitude: float | None
    last_longitude: float | None
    selfie: PhotoRefOut | None = Field(description="The punch-in selfie, once uploaded.")
    version: int
    created_at: datetime
    updated_at: datetime


class RollUserOut(ResponseModel):
    id: UUID
    name: str
    role: Role


class RollOut(ResponseModel):
    user: RollUserOut
    status: Presence
    attendance: AttendanceOut | None
