"""Attendance days in SQL: a rep's open day and day by date, a team's days by date."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from fieldedge.domain.attendance import AttendanceDay
from fieldedge.ports.fieldday import AttendanceQuery
from fieldedge.ports.records import Record
from fieldedge_adapters.sql.repo import Repository, limit_param, shape, table_of, tenant_filter
from fieldedge_adapters.sql.statements import any_of
from fieldedge_adapters.sql.tables_fieldforce import AttendanceRow

T = table_of(AttendanceRow)


@shape
def _list(after: bool, users: bool, day_from: bool, day_to: bool, open_: bool | None,
          tenant: bool) -> Any:  # fmt: skip
    statement = sa.select(T).where(*tenant_filter(T, tenant), T.c.deleted_at.is_(None))
    if after:
        statement = statement.where(T.c.id > sa.bindparam("after"))
    if users:
        statement = statement.where(any_of(T.c.user_id, "users"))
    if day_from:
        statement = statement.where(T.c.day >= sa.bindparam("day_from"))
    if day_to:
        statement = statement.where(T.c.day <= sa.bindparam("day_to"))
    if open_ is not None:
        out = T.c.punched_out_at
        statement = statement.where(out.is_(None) if open_ else out.is_not(None))
    return statement.order_by(T.c.id).limit(limit_param())


@shape
def _open(tenant: bool, lock: bool) -> Any:
    statement = (
        sa.select(T)
        .where(
            *tenant_filter(T, tenant),
            T.c.deleted_at.is_(None),
            T.c.user_id == sa.bindparam("user"),
            T.c.punched_out_at.is_(None),
        )
        .order_by(T.c.day.desc())
        .limit(1)
    )
    return statement.with_for_update() if lock else statement


@shape
def _on_day(tenant: bool) -> Any:
    return sa.select(T).where(
        *tenant_filter(T, tenant),
        T.c.deleted_at.is_(None),
        T.c.user_id == sa.bindparam("user"),
        T.c.day == sa.bindparam("day"),
    )


class SqlAttendanceRepository(Repository[AttendanceDay]):
    table, model = T, AttendanceDay
    field_versioned = True

    async def get(
        self, day_id: UUID, *, include_deleted: bool = False, lock: bool = False
    ) -> AttendanceDay | None:
        return await self._get(day_id, include_deleted=include_deleted, lock=lock)

    async def add(self, day: AttendanceDay) -> None:
        self._add(day)

    async def save(self, day: AttendanceDay) -> None:
        self._save(day)

    async def open_for(self, user_id: UUID, *, lock: bool = False) -> AttendanceDay | None:
        found = await self._one(_open(self._tenant, lock), user=user_id)
        if lock and found is not None:
            self._txn.locked.add((self.table.name, found.id))
        return found

    async def on_day(self, user_id: UUID, day: date) -> AttendanceDay | None:
        return await self._one(_on_day(self._tenant), user=user_id, day=day)

    async def list(self, query: AttendanceQuery) -> Sequence[Record]:
        statement = _list(
            query.after is not None,
            query.user_ids is not None,
            query.day_from is not None,
            query.day_to is not None,
            query.open,
            self._tenant,
        )
        return await self._rows(
            statement,
            after=query.after,
            users=list(query.user_ids) if query.user_ids is not None else None,
            day_from=query.day_from,
            day_to=query.day_to,
            limit=query.limit,
        )
