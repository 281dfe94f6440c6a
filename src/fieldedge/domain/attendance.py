"""A rep's working day: punch in, punch out, and what the day added up to.

A day belongs to the company's local date of its punch-in (a punch-in at 23:30 in
Asia/Kolkata is that Indian date, whatever UTC says). A rep has at most one day per
local date and at most one open day; a day left open is closed for them at the company's
end of day (flag ``AUTO_CLOSED``). Like a check-in, a punch is always kept and its flags
say what is doubtful about it; only input that is no position or no time is refused.

When a day closes it carries its summary: minutes worked, the last known position, how
many check-ins the rep made, and the distance travelled, measured along the day's
check-ins in time order from the punch-in position to the punch-out position.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, Field, field_validator, model_validator

from fieldedge.domain.base import Entity
from fieldedge.domain.geo import check_accuracy, coordinate_errors, haversine_m
from fieldedge.domain.photos import photo_ref
from fieldedge.domain.visits import MAX_ACCURACY_M, MAX_CLOCK_SKEW
from fieldedge.errors import Conflict, ValidationFailed


class AttendanceFlag(StrEnum):
    LOW_ACCURACY = "LOW_ACCURACY"  # a punch's fix is worse than MAX_ACCURACY_M
    MOCK_LOCATION = "MOCK_LOCATION"  # the device reported a mock-location provider
    CLOCK_SKEW = "CLOCK_SKEW"  # a punch's time is over MAX_CLOCK_SKEW from server time
    AUTO_CLOSED = "AUTO_CLOSED"  # left open: closed at the company's end of day


@dataclass(frozen=True, slots=True)
class Fix:
    """A position a device reported, and when."""

    latitude: float
    longitude: float
    at: datetime


class AttendanceDay(Entity):
    id: UUID
    company_id: UUID
    user_id: UUID
    day: date  # the company's local date of the punch-in
    punched_in_at: AwareDatetime
    in_latitude: float
    in_longitude: float
    in_accuracy_m: float
    punched_out_at: AwareDatetime | None = None
    out_latitude: float | None = None
    out_longitude: float | None = None
    out_accuracy_m: float | None = None
    flags: list[AttendanceFlag] = Field(default_factory=list)
    # The summary, set when the day closes.
    worked_minutes: int | None = Field(default=None, ge=0)
    visit_count: int | None = Field(default=None, ge=0)
    distance_m: float | None = Field(default=None, ge=0)
    last_latitude: float | None = None
    last_longitude: float | None = None
    # The punch-in selfie (``domain.photos.PhotoRef`` values), once uploaded.
    selfie: dict[str, Any] | None = None
    version: int = 0
    created_at: AwareDatetime
    updated_at: AwareDatetime
    deleted_at: AwareDatetime | None = None

    _selfie = field_validator("selfie")(photo_ref)

    @model_validator(mode="after")
    def _consistent(self) -> AttendanceDay:
        details = coordinate_errors(self.in_latitude, self.in_longitude)
        check_accuracy(self.in_accuracy_m)
        out = (self.out_latitude, self.out_longitude, self.out_accuracy_m)
        if any(v is not None for v in out) and any(v is None for v in out):
            details["outLatitude"] = [
                "A punch-out position needs latitude, longitude and accuracy."
            ]
        elif self.out_latitude is not None and self.out_longitude is not None:
            details |= coordinate_errors(
                self.out_latitude, self.out_longitude, lat_field="latitude", lng_field="longitude"
            )
            check_accuracy(self.out_accuracy_m or 0.0)
        if self.punched_out_at is not None and self.punched_out_at < self.punched_in_at:
            details["punchedOutAt"] = ["Cannot be before the punch-in time."]
        if self.punched_out_at is None and AttendanceFlag.AUTO_CLOSED in self.flags:
            details["flags"] = ["Only a closed day is AUTO_CLOSED."]
        if details:
            raise ValidationFailed(details=details)
        return self

    @property
    def is_open(self) -> bool:
        return self.punched_out_at is None

    def close(self, at: datetime, *, out: Fix | None, accuracy_m: float | None,
              flags: Sequence[AttendanceFlag], visits: Sequence[Fix]) -> None:  # fmt: skip
        """Punch out at ``at`` (``out`` where, if the device said), and sum the day up
        from the rep's check-ins (``visits``, any order) between punch-in and ``at``."""
        if not self.is_open:
            raise Conflict("This day is already punched out.")
        if at.tzinfo is None:
            raise ValidationFailed(details={"punchedOutAt": ["Must carry a time zone."]})
        if at < self.punched_in_at:
            raise ValidationFailed(details={"punchedOutAt": ["Cannot be before the punch-in."]})
        summary = summarise(
            Fix(self.in_latitude, self.in_longitude, self.punched_in_at), visits, out, at
        )
        self.apply(
            {
                "punched_out_at": at,
                "out_latitude": out.latitude if out else None,
                "out_longitude": out.longitude if out else None,
                "out_accuracy_m": accuracy_m if out else None,
                "flags": [*self.flags, *(f for f in flags if f not in self.flags)],
                "worked_minutes": summary.worked_minutes,
                "visit_count": summary.visit_count,
                "distance_m": summary.distance_m,
                "last_latitude": summary.last.latitude,
                "last_longitude": summary.last.longitude,
            }
        )


@dataclass(frozen=True, slots=True)
class DaySummary:
    worked_minutes: int
    visit_count: int
    distance_m: float
    last: Fix


def summarise(start: Fix, visits: Sequence[Fix], end: Fix | None, end_at: datetime) -> DaySummary:
    """Minutes from ``start`` to ``end_at`` (whole minutes, rounded down), the check-ins
    within them, and the haversine length of the path start → check-ins in time order →
    ``end`` (when the punch-out has a position)."""
    within = sorted((v for v in visits if start.at <= v.at <= end_at), key=lambda v: v.at)
    path = [start, *within, *([end] if end else [])]
    distance = sum(
        haversine_m(a.latitude, a.longitude, b.latitude, b.longitude)
        for a, b in itertools.pairwise(path)
    )
    minutes = int((end_at - start.at).total_seconds() // 60)
    return DaySummary(minutes, len(within), round(distance, 1), path[-1])


def punch_flags(accuracy_m: float, at: datetime, now: datetime, *, mock_location: bool
                ) -> list[AttendanceFlag]:  # fmt: skip
    """What is doubtful about a punch (the check-in's rules for accuracy, clock, mocks)."""
    flags: list[AttendanceFlag] = []
    if accuracy_m > MAX_ACCURACY_M:
        flags.append(AttendanceFlag.LOW_ACCURACY)
    if mock_location:
        flags.append(AttendanceFlag.MOCK_LOCATION)
    if abs(at - now) > MAX_CLOCK_SKEW:
        flags.append(AttendanceFlag.CLOCK_SKEW)
    return flags


def local_day(at: datetime, zone: str) -> date:
    return at.astimezone(ZoneInfo(zone)).date()


# The days whose local bounds exist in every zone: the calendar's first and last day
# cannot be turned into UTC instants everywhere (year 0 and year 10000 do not exist).
FIRST_DAY, LAST_DAY = date.min + timedelta(days=1), date.max - timedelta(days=1)
OUT_OF_CALENDAR = f"Must be from {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}."


def check_day(day: date, field: str) -> date:
    """``day``, if the API can work with it; else the 422 naming ``field``."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValidationFailed(details={field: [OUT_OF_CALENDAR]})
    return day


def day_bounds(day: date, zone: str) -> tuple[datetime, datetime]:
    """The UTC instants where local ``day`` starts and where the next one starts."""
    tz = ZoneInfo(zone)
    start = datetime.combine(day, time(0), tzinfo=tz)
    after = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    return start.astimezone(UTC), after.astimezone(UTC)


def closing_time(day: AttendanceDay, zone: str, day_ends_at: str) -> datetime:
    """When a day left open is closed for the rep: the company's end of day on its local
    date, or, for a punch-in after that hour, the last minute of that local date."""
    hour, minute = (int(part) for part in day_ends_at.split(":"))
    tz = ZoneInfo(zone)
    end = datetime.combine(day.day, time(hour, minute), tzinfo=tz).astimezone(UTC)
    if end < day.punched_in_at:
        end = day_bounds(day.day, zone)[1] - timedelta(minutes=1)
    return max(end, day.punched_in_at)
