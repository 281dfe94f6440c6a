"""A company is a tenant: every other row belongs to exactly one."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from typing import Annotated
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, AwareDatetime, Field, StringConstraints

from fieldedge.domain.base import Entity

DEFAULT_GEOFENCE_M = 200


class CompanyStatus(StrEnum):
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"


@lru_cache(maxsize=512)
def _known_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def check_timezone(name: str) -> str:
    if not _known_zone(name):
        raise ValueError("Not an IANA time zone (e.g. Asia/Kolkata).")
    return name


Timezone = Annotated[str, StringConstraints(max_length=64), AfterValidator(check_timezone)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]  # ISO 4217
Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]  # ISO 3166-1 alpha-2
# The local hour a working day left open is closed at (attendance), "HH:MM".
DayEnd = Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]


class Company(Entity):
    id: UUID
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    status: CompanyStatus = CompanyStatus.ACTIVE
    geofence_radius_m: int = Field(default=DEFAULT_GEOFENCE_M, ge=10, le=10_000)
    timezone: Timezone = "UTC"
    currency: Currency = "INR"
    country: Country = "IN"
    day_ends_at: DayEnd = "23:59"
    created_at: AwareDatetime
    updated_at: AwareDatetime

    @property
    def active(self) -> bool:
        return self.status is CompanyStatus.ACTIVE


def company_time(company: Company, at: datetime) -> datetime:
    """``at`` in the company's own time zone (its "day" is that local day)."""
    return at.astimezone(ZoneInfo(company.timezone))
