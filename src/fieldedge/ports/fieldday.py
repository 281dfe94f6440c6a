"""Repositories of the field day (attendance). Tenant-bound like every repository;
``user_ids`` narrows to what the caller may see (``None``: all of the tenant's)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol
from uuid import UUID

from fieldedge.domain.attendance import AttendanceDay
from fieldedge.ports.records import Record


@dataclass(frozen=True, slots=True)
class AttendanceQuery:
    after: UUID | None = None
    limit: int = 20
    user_ids: Collection[UUID] | None = None
    day_from: date | None = None  # day >= day_from
    day_to: date | None = None  # day <= day_to
    open: bool | None = None  # True: not punched out


class AttendanceRepository(Protocol):
    async def get(
        self, day_id: UUID, *, include_deleted: bool = False, lock: bool = False
    ) -> AttendanceDay | None: ...

    async def add(self, day: AttendanceDay) -> None:
        """Raises ``Conflict`` when the rep has a day for that date (at the latest when
        the unit of work writes it)."""
        ...

    async def save(self, day: AttendanceDay) -> None: ...

    async def open_for(self, user_id: UUID, *, lock: bool = False) -> AttendanceDay | None:
        """The rep's day that is not punched out, if any (the latest, should there be two)."""
        ...

    async def on_day(self, user_id: UUID, day: date) -> AttendanceDay | None: ...

    async def list(self, query: AttendanceQuery) -> Sequence[Record]: ...
