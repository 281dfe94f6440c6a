"""The beat-plan tables: beats, their stops, plans, and a rep's chosen route for a day.

``beats.contact_ids`` is the beat as the entity and sync hold it; ``beat_stops`` holds
the same list a row per contact, written with the beat by its repository, so reports
join plans to contacts in SQL (with a foreign key to each contact) on SQLite and
Postgres alike. Migration 0009 creates exactly these.
"""

from __future__ import annotations

import datetime as dt
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from fieldedge_adapters.sql.tables import tenant
from fieldedge_adapters.sql.tables_fieldforce import field_versions, ix, ref


class BeatRow(SQLModel, table=True):
    __tablename__ = "beats"
    __table_args__ = (
        ix("beats", "company_id", "id"),
        ix("beats", "company_id", "version"),  # sync pulls
        ix("beats", "company_id", "user_id", "id"),
    )

    id: UUID = Field(primary_key=True)
    company_id: UUID = tenant(nullable=False)
    user_id: UUID = ref("users.id")
    name: str = Field(max_length=120)
    contact_ids: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    version: int = 0
    field_versions: dict[str, int] = field_versions()
    created_at: dt.datetime
    updated_at: dt.datetime
    deleted_at: dt.datetime | None = None


class BeatStopRow(SQLModel, table=True):
    __tablename__ = "beat_stops"
    __table_args__ = (ix("beat_stops", "company_id", "beat_id"),)

    # Made from (beat, position) by the repository: a beat's stops are rewritten whole.
    id: UUID = Field(primary_key=True)
    beat_id: UUID = ref("beats.id")
    position: int
    company_id: UUID = tenant(nullable=False)
    contact_id: UUID = ref("contacts.id")


class PlanRow(SQLModel, table=True):
    __tablename__ = "plans"
    __table_args__ = (
        ix("plans", "company_id", "id"),
        ix("plans", "company_id", "version"),  # sync pulls
        ix("plans", "company_id", "user_id", "id"),  # a rep's plans: today, compliance
        ix("plans", "company_id", "beat_id"),
    )

    id: UUID = Field(primary_key=True)
    company_id: UUID = tenant(nullable=False)
    user_id: UUID = ref("users.id")
    beat_id: UUID = ref("beats.id")
    date: dt.date | None = None
    weekdays: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    version: int = 0
    field_versions: dict[str, int] = field_versions()
    created_at: dt.datetime
    updated_at: dt.datetime
    deleted_at: dt.datetime | None = None


class RouteDayRow(SQLModel, table=True):
    __tablename__ = "route_days"
    __table_args__ = (
        # One chosen order per rep per local day: two reorders racing, one wins.
        sa.UniqueConstraint(
            "company_id", "user_id", "day", name="uq_route_days_company_id_user_id_day"
        ),
        ix("route_days", "company_id", "id"),
        ix("route_days", "company_id", "version"),  # sync pulls (migration 0015)
    )

    id: UUID = Field(primary_key=True)
    company_id: UUID = tenant(nullable=False)
    user_id: UUID = ref("users.id")
    day: dt.date
    contact_ids: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    version: int = 0
    field_versions: dict[str, int] = field_versions()
    created_at: dt.datetime
    updated_at: dt.datetime
