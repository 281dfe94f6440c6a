"""A company is a tenant: every other row belongs to exactly one."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from sqlmodel import Field, SQLModel


class CompanyStatus(StrEnum):
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"


class Company(SQLModel):
    id: UUID = Field(primary_key=True)
    name: str = Field(max_length=200)
    status: CompanyStatus = CompanyStatus.ACTIVE
    geofence_radius_m: int = Field(default=200, ge=10, le=10_000)
    timezone: str = Field(default="UTC", max_length=64)
    currency: str = Field(default="INR", min_length=3, max_length=3)
    country: str = Field(default="IN", min_length=2, max_length=2)
    # The tenant's change counter: bumped under a row lock in every write transaction,
    # stamped on each written row as its ``version``; sync cursors are read from it.
    change_counter: int = 0
    created_at: datetime
    updated_at: datetime
