"""A company is a tenant: every other row belongs to exactly one."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from importlib import resources
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


@lru_cache(maxsize=1)
def _zones_by_country() -> dict[str, str]:
    """Each country's first zone in the IANA ``zone.tab`` (its most populous region's,
    e.g. IN Asia/Kolkata, US America/New_York), from the ``tzdata`` package."""
    text = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text("utf-8")
    zones: dict[str, str] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            code, _, zone = line.split("\t")[:3]
            zones.setdefault(code, zone)
    return zones


def country_timezone(country: str) -> str:
    """The time zone a company in ``country`` gets when it names none (UTC if unknown)."""
    return _zones_by_country().get(country, "UTC")


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
    # What a travel expense line computed from attendance pays, minor units a km.
    travel_rate_per_km: int = Field(default=0, strict=True, ge=0, le=10**9)
    created_at: AwareDatetime
    updated_at: AwareDatetime

    @property
    def active(self) -> bool:
        return self.status is CompanyStatus.ACTIVE


def company_time(company: Company, at: datetime) -> datetime:
    """``at`` in the company's own time zone (its "day" is that local day)."""
    return at.astimezone(ZoneInfo(company.timezone))
