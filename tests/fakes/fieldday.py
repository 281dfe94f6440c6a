"""The field-day repositories in memory: the same filters as the SQL statements."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from fieldedge.domain.attendance import AttendanceDay
from fieldedge.ports.fieldday import AttendanceQuery
from fieldedge.ports.records import Record

from .repo import MemoryRepository, equals, one_of, where
from .store import ATTENDANCE, Row


class MemoryAttendanceRepository(MemoryRepository[AttendanceDay]):
    table, model = ATTENDANCE, AttendanceDay

    async def get(
        self, day_id: UUID, *, include_deleted: bool = False, lock: bool = False
    ) -> AttendanceDay | None:
        return await self._get(day_id, include_deleted=include_deleted, lock=lock)

    async def add(self, day: AttendanceDay) -> None:
        self._add(day)

    async def save(self, day: AttendanceDay) -> None:
        self._save(day)

    async def open_for(self, user_id: UUID, *, lock: bool = False) -> AttendanceDay | None:
        rows = await self._rows(
            where(self._live, equals("user_id", user_id), lambda r: r["punched_out_at"] is None)
        )
        latest = max(rows, key=lambda row: row["day"], default=None)
        if latest is None:
            return None
        return await self._get(latest["id"], lock=lock)

    async def on_day(self, user_id: UUID, day: date) -> AttendanceDay | None:
        rows = await self._rows(where(self._live, equals("user_id", user_id), equals("day", day)))
        return self._entity(rows[0]) if rows else None

    async def list(self, query: AttendanceQuery) -> Sequence[Record]:
        def is_open(row: Row) -> bool:
            return query.open is None or (row["punched_out_at"] is None) == query.open

        test = where(
            lambda row: one_of(row["user_id"], query.user_ids),
            lambda row: query.day_from is None or row["day"] >= query.day_from,
            lambda row: query.day_to is None or row["day"] <= query.day_to,
            is_open,
        )
        rows = await self._list(test, after=query.after, limit=query.limit)
        return [self._record(row) for row in rows]
