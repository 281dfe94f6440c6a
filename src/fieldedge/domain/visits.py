"""GPS-verified visits: a check-in is always kept; the flags say why it is not verified.

A rep offline in a basement, or with a weak fix, still gets credit for the visit; the
manager sees ``verified`` false and the flags that explain it. Nothing here refuses a
check-in except input that is not a position at all (a 422 from ``geo``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, Field, StringConstraints, model_validator

from fieldedge.domain.base import Entity
from fieldedge.domain.geo import check_accuracy, check_coordinates, haversine_m
from fieldedge.errors import Conflict, ValidationFailed

MAX_ACCURACY_M = 100.0
MAX_SPEED_KMH = 200.0
MAX_CLOCK_SKEW = timedelta(hours=24)
# Two honest fixes of one spot can disagree by a few hundred metres; below this a jump
# is GPS noise, not travel, however little time passed between the check-ins.
TRAVEL_NOISE_M = 500.0


class VisitFlag(StrEnum):
    OUT_OF_RANGE = "OUT_OF_RANGE"  # farther from the contact than the company geofence
    LOW_ACCURACY = "LOW_ACCURACY"  # the fix is worse than MAX_ACCURACY_M
    NO_CONTACT_LOCATION = "NO_CONTACT_LOCATION"  # nothing to measure against
    IMPOSSIBLE_TRAVEL = "IMPOSSIBLE_TRAVEL"  # faster than MAX_SPEED_KMH since the last one
    CLOCK_SKEW = "CLOCK_SKEW"  # checked_in_at over MAX_CLOCK_SKEW from server time
    MOCK_LOCATION = "MOCK_LOCATION"  # the device reports a mock-location provider
    REUSED_PHOTO = "REUSED_PHOTO"  # a photo already seen on another visit


def _text(max_length: int) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, max_length=max_length)


class Visit(Entity):
    id: UUID
    company_id: UUID
    contact_id: UUID
    user_id: UUID  # the rep
    latitude: float
    longitude: float
    accuracy_m: float
    checked_in_at: AwareDatetime
    purpose: Annotated[str, _text(200)] | None = None
    notes: Annotated[str, _text(2000)] | None = None
    distance_m: float | None = Field(default=None, ge=0)  # None when the contact has no location
    verified: bool = False
    flags: list[VisitFlag] = Field(default_factory=list)
    checked_out_at: AwareDatetime | None = None
    outcome: Annotated[str, _text(200)] | None = None
    checkout_notes: Annotated[str, _text(2000)] | None = None
    version: int = 0
    created_at: AwareDatetime
    updated_at: AwareDatetime
    deleted_at: AwareDatetime | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Visit:
        check_coordinates(self.latitude, self.longitude)
        check_accuracy(self.accuracy_m)
        if self.checked_out_at is not None and self.checked_out_at < self.checked_in_at:
            raise ValidationFailed(
                details={"checkedOutAt": ["Cannot be before the check-in time."]}
            )
        if self.verified and self.flags:
            raise ValidationFailed(details={"verified": ["A flagged visit is not verified."]})
        return self

    @property
    def is_checked_out(self) -> bool:
        return self.checked_out_at is not None

    def add_flag(self, flag: VisitFlag) -> None:
        """A flag found after check-in (a reused photo) takes the verification away too."""
        if flag not in self.flags:
            self.apply({"flags": [*self.flags, flag], "verified": False})

    def check_out(self, at: datetime, outcome: str | None = None, notes: str | None = None) -> None:
        if self.checked_out_at is not None:
            raise Conflict("This visit is already checked out.")
        if at.tzinfo is None:
            raise ValidationFailed(details={"checkedOutAt": ["Must carry a time zone."]})
        self.apply({"checked_out_at": at, "outcome": outcome, "checkout_notes": notes})


@dataclass(frozen=True, slots=True)
class PreviousCheckIn:
    """The rep's check-in before this one, the start of the travel-speed check."""

    latitude: float
    longitude: float
    checked_in_at: datetime


@dataclass(frozen=True, slots=True)
class CheckInAssessment:
    distance_m: float | None
    verified: bool
    flags: list[VisitFlag]


def _impossible_travel(
    lat: float, lng: float, at: datetime, previous: PreviousCheckIn | None
) -> bool:
    if previous is None:
        return False
    moved_m = haversine_m(previous.latitude, previous.longitude, lat, lng)
    if moved_m <= TRAVEL_NOISE_M:
        return False
    elapsed_s = (at - previous.checked_in_at).total_seconds()
    if elapsed_s <= 0:
        return True  # kilometres apart at the same instant, or back in time
    return moved_m / elapsed_s * 3.6 > MAX_SPEED_KMH


def assess_check_in(
    *,
    latitude: float,
    longitude: float,
    accuracy_m: float,
    checked_in_at: datetime,
    now: datetime,
    contact_location: tuple[float, float] | None,
    geofence_radius_m: float,
    previous: PreviousCheckIn | None = None,
    mock_location: bool = False,
) -> CheckInAssessment:
    """Distance, verdict and flags for a check-in; raises only on input that is no position.

    ``verified`` holds exactly when no flag is raised: inside the geofence, a fix of at
    most ``MAX_ACCURACY_M``, and nothing suspicious about time, speed or the device.
    """
    check_coordinates(latitude, longitude)
    check_accuracy(accuracy_m)
    if checked_in_at.tzinfo is None:
        raise ValidationFailed(details={"checkedInAt": ["Must carry a time zone."]})
    flags: list[VisitFlag] = []
    distance_m: float | None = None
    if contact_location is None:
        flags.append(VisitFlag.NO_CONTACT_LOCATION)
    else:
        distance_m = haversine_m(*contact_location, latitude, longitude)
        if distance_m > geofence_radius_m:
            flags.append(VisitFlag.OUT_OF_RANGE)
    if accuracy_m > MAX_ACCURACY_M:
        flags.append(VisitFlag.LOW_ACCURACY)
    if _impossible_travel(latitude, longitude, checked_in_at, previous):
        flags.append(VisitFlag.IMPOSSIBLE_TRAVEL)
    if abs(checked_in_at - now) > MAX_CLOCK_SKEW:
        flags.append(VisitFlag.CLOCK_SKEW)
    if mock_location:
        flags.append(VisitFlag.MOCK_LOCATION)
    return CheckInAssessment(distance_m=distance_m, verified=not flags, flags=flags)
