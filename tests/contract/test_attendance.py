"""The attendance repository on every implementation: a rep's open day and day by date,
list filters, one day per rep per date, versions, and tenant isolation."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fieldedge.errors import Conflict
from fieldedge.ports.database import Database
from fieldedge.ports.fieldday import AttendanceQuery

from .world import NOW, attendance_day, store, tenant, user


async def test_a_reps_open_day_and_day_by_date(database: Database) -> None:
    t = await tenant(database)
    yesterday = attendance_day(
        t.id, t.rep.id, day=NOW.date() - timedelta(days=1), punched_in_at=NOW - timedelta(days=1)
    )
    yesterday.close(NOW - timedelta(hours=16), out=None, accuracy_m=None, flags=[], visits=[])
    today = attendance_day(t.id, t.rep.id)
    await store(database, t.scope, yesterday, today)
    async with t.uow(database) as uow:
        open_day = await uow.attendance.open_for(t.rep.id, lock=True)
        assert open_day is not None
        assert open_day.id == today.id
        assert await uow.attendance.open_for(t.manager.id) is None
        found = await uow.attendance.on_day(t.rep.id, yesterday.day)
        assert found is not None
        assert found.worked_minutes == 8 * 60
        assert await uow.attendance.on_day(t.manager.id, yesterday.day) is None


async def test_days_are_listed_by_person_date_and_openness(database: Database) -> None:
    t = await tenant(database)
    other = user(t.id, manager_id=t.manager.id)
    await store(database, t.scope, other)
    days = [
        attendance_day(t.id, who, day=NOW.date() - timedelta(days=n))
        for who in (t.rep.id, other.id)
        for n in range(3)
    ]
    days[0].close(NOW + timedelta(hours=1), out=None, accuracy_m=None, flags=[], visits=[])
    await store(database, t.scope, *days)

    async def ids(**query: object) -> list[object]:
        async with t.uow(database) as uow:
            rows = await uow.attendance.list(AttendanceQuery(**{"limit": 50, **query}))  # type: ignore[arg-type]
        return [row["id"] for row in rows]

    assert await ids() == sorted(d.id for d in days)
    assert await ids(user_ids=[other.id]) == sorted(d.id for d in days[3:])
    assert await ids(user_ids=[]) == []
    assert await ids(day_from=NOW.date()) == sorted([days[0].id, days[3].id])
    assert await ids(day_to=NOW.date() - timedelta(days=2)) == sorted([days[2].id, days[5].id])
    assert await ids(open=False) == [days[0].id]
    assert len(await ids(open=True)) == 5
    first_two = await ids(limit=2)
    assert await ids(after=first_two[-1], limit=50) == sorted(d.id for d in days)[2:]


async def test_one_day_per_rep_per_date(database: Database) -> None:
    t = await tenant(database)
    await store(database, t.scope, attendance_day(t.id, t.rep.id))
    with pytest.raises(Conflict):
        await store(database, t.scope, attendance_day(t.id, t.rep.id))
    await store(database, t.scope, attendance_day(t.id, t.manager.id))  # someone else: fine


async def test_a_closed_day_takes_a_new_version(database: Database) -> None:
    t = await tenant(database)
    day = attendance_day(t.id, t.rep.id)
    await store(database, t.scope, day)
    first = day.version
    async with t.uow(database) as uow:
        stored = await uow.attendance.get(day.id, lock=True)
        assert stored is not None
        stored.close(NOW + timedelta(hours=2), out=None, accuracy_m=None, flags=[], visits=[])
        await uow.attendance.save(stored)
        await uow.commit()
    async with t.uow(database) as uow:
        again = await uow.attendance.get(day.id)
    assert again is not None
    assert again.version > first
    assert again.punched_out_at == NOW + timedelta(hours=2)


async def test_another_tenants_days_are_out_of_reach(database: Database) -> None:
    a = await tenant(database, "A")
    b = await tenant(database, "B")
    day = attendance_day(a.id, a.rep.id)
    await store(database, a.scope, day)
    async with b.uow(database) as uow:
        assert await uow.attendance.get(day.id, include_deleted=True) is None
        assert await uow.attendance.open_for(a.rep.id, lock=True) is None
        assert await uow.attendance.on_day(a.rep.id, day.day) is None
        assert await uow.attendance.list(AttendanceQuery()) == []
