"""Punch in, punch out, and the days a caller may see.

A rep punches their own day only; who may read a day is ``work_owners`` (own, team,
company), and a day outside that is ``NotFound``. The day a punch-in opens is the
company's local date of its time. A day still open when its rep punches in on a later
date was forgotten: it is closed at its end of day first (``AUTO_CLOSED``), as the
nightly job would have (``close_overdue``), so a missed punch-out never locks a rep out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from uuid import UUID

from fieldedge.domain.access import Action, Principal, require
from fieldedge.domain.attendance import (
    AttendanceDay,
    AttendanceFlag,
    Fix,
    closing_time,
    local_day,
    punch_flags,
)
from fieldedge.domain.company import Company
from fieldedge.domain.identity import Role, User
from fieldedge.errors import Conflict, NotFound, ValidationFailed
from fieldedge.ports.database import Scope, UnitOfWork
from fieldedge.ports.fieldday import AttendanceQuery
from fieldedge.ports.fieldforce import VisitQuery
from fieldedge.ports.records import Record
from fieldedge.services.common import at_or_now, audit, commit_new, found, id_taken, new_id
from fieldedge.services.deps import Deps
from fieldedge.services.pagination import Page, after_id, page_by_id
from fieldedge.services.visibility import narrowed, work_owners
from fieldedge.services.webhooks.emit import emit

# As for a check-in: a wrong phone clock is kept and flagged, a time this far ahead refused.
MAX_AHEAD = timedelta(days=30)
PAGE = 500


@dataclass(frozen=True, slots=True)
class PunchIn:
    latitude: float
    longitude: float
    accuracy_m: float
    punched_in_at: datetime | None = None
    mock_location: bool = False
    id: UUID | None = None  # a client-made id (offline punch-ins)


@dataclass(frozen=True, slots=True)
class PunchOut:
    latitude: float
    longitude: float
    accuracy_m: float
    punched_out_at: datetime | None = None
    mock_location: bool = False


@dataclass(frozen=True, slots=True)
class DayFilter:
    user_id: UUID | None = None
    day_from: date | None = None
    day_to: date | None = None
    open: bool | None = None


class Presence(StrEnum):
    IN = "IN"  # punched in, not out
    OUT = "OUT"  # punched in and out
    ABSENT = "ABSENT"  # no punch-in that day


@dataclass(frozen=True, slots=True)
class Roll:
    """One person on a day's roll call."""

    user: User
    status: Presence
    attendance: AttendanceDay | None


def _time(at: datetime | None, now: datetime, field: str) -> datetime:
    value = at_or_now(at, now, field)
    if value > now + MAX_AHEAD:
        raise ValidationFailed(details={field: ["Cannot be more than 30 days ahead."]})
    return value


async def _company(uow: UnitOfWork, principal: Principal) -> Company:
    return found(await uow.companies.get(principal.tenant), "company")


async def visible_day(uow: UnitOfWork, principal: Principal, day_id: UUID, *,
                      lock: bool = False) -> AttendanceDay:  # fmt: skip
    day = await uow.attendance.get(day_id, lock=lock)
    if day is None or day.user_id == principal.user_id:
        return found(day, "attendance day")
    owners = await work_owners(uow, principal)
    return found(day, "attendance day", visible=owners is None or day.user_id in owners)


async def get_day(principal: Principal, day_id: UUID, deps: Deps) -> AttendanceDay:
    require(principal, Action.ATTENDANCE_READ)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        return await visible_day(uow, principal, day_id)


async def list_days(
    principal: Principal, filters: DayFilter, cursor: str | None, limit: int, deps: Deps
) -> Page[Record]:
    require(principal, Action.ATTENDANCE_READ)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        owners = narrowed(await work_owners(uow, principal), filters.user_id)
        if owners is not None and not owners:
            return Page(items=[], limit=limit, next_cursor=None)  # a userId out of scope
        rows = await uow.attendance.list(
            AttendanceQuery(
                after=after_id(cursor),
                limit=limit + 1,
                user_ids=owners,
                day_from=filters.day_from,
                day_to=filters.day_to,
                open=filters.open,
            )
        )
    return page_by_id(rows, limit)


async def punch_in(principal: Principal, cmd: PunchIn, deps: Deps) -> AttendanceDay:
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        day = await start_day(uow, principal, cmd, deps)
        await commit_new(uow, cmd.id)
    return day


async def start_day(
    uow: UnitOfWork,
    principal: Principal,
    cmd: PunchIn,
    deps: Deps,
    *,
    device_now: datetime | None = None,
) -> AttendanceDay:
    """The day ``cmd`` opens, added to ``uow`` (REST and sync alike); ``device_now`` is
    the device's clock when it sent an offline punch (see ``visits.new_visit``)."""
    require(principal, Action.ATTENDANCE_WRITE)
    now = deps.clock.now()
    at = _time(cmd.punched_in_at, now, "punchedInAt")
    skew_now = now if device_now is None else at + (now - device_now.astimezone(UTC))
    day_id = new_id(deps, cmd.id)
    if cmd.id is not None and await uow.attendance.get(cmd.id, include_deleted=True):
        raise id_taken()
    company = await _company(uow, principal)
    today = local_day(at, company.timezone)
    still_open = await uow.attendance.open_for(principal.user_id, lock=True)
    if still_open is not None:
        if still_open.day >= today:
            raise Conflict("Already punched in; punch out first.")
        await close_at_day_end(uow, still_open, company, deps)
    if await uow.attendance.on_day(principal.user_id, today) is not None:
        raise Conflict("This day is already punched in and out.")
    day = AttendanceDay(
        id=day_id,
        company_id=company.id,
        user_id=principal.user_id,
        day=today,
        punched_in_at=at,
        in_latitude=cmd.latitude,
        in_longitude=cmd.longitude,
        in_accuracy_m=cmd.accuracy_m,
        flags=punch_flags(cmd.accuracy_m, at, skew_now, mock_location=cmd.mock_location),
        created_at=now,
        updated_at=now,
    )
    await uow.attendance.add(day)
    await audit(
        uow,
        deps,
        "attendance.punched_in",
        actor=principal,
        entity="attendance",
        entity_id=day.id,
        detail={"day": today.isoformat(), "flags": [f.value for f in day.flags]},
    )
    await emit(uow, deps, "attendance.punched_in", day)
    return day


async def punch_out(principal: Principal, cmd: PunchOut, deps: Deps) -> AttendanceDay:
    require(principal, Action.ATTENDANCE_WRITE)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        day = await uow.attendance.open_for(principal.user_id, lock=True)
        if day is None:
            raise Conflict("Not punched in.")
        await end_day(uow, principal, day, cmd, deps)
        await uow.commit()
    return day


async def end_day(
    uow: UnitOfWork,
    principal: Principal,
    day: AttendanceDay,
    cmd: PunchOut,
    deps: Deps,
    *,
    device_now: datetime | None = None,
) -> None:
    """Punch ``day`` (the caller's own, read with its lock) out."""
    require(principal, Action.ATTENDANCE_WRITE)
    if day.user_id != principal.user_id:
        raise NotFound("No such attendance day.")
    now = deps.clock.now()
    at = _time(cmd.punched_out_at, now, "punchedOutAt")
    skew_now = now if device_now is None else at + (now - device_now.astimezone(UTC))
    day.close(
        at,
        out=Fix(cmd.latitude, cmd.longitude, at),
        accuracy_m=cmd.accuracy_m,
        flags=punch_flags(cmd.accuracy_m, at, skew_now, mock_location=cmd.mock_location),
        visits=await _check_ins(uow, day, at),
    )
    day.updated_at = now
    await uow.attendance.save(day)
    await audit(
        uow,
        deps,
        "attendance.punched_out",
        actor=principal,
        entity="attendance",
        entity_id=day.id,
        detail={"workedMinutes": day.worked_minutes, "distanceM": day.distance_m},
    )
    await emit(uow, deps, "attendance.punched_out", day)


async def close_at_day_end(
    uow: UnitOfWork, day: AttendanceDay, company: Company, deps: Deps
) -> None:
    """Close a forgotten day (read with its lock) at its end of day, ``AUTO_CLOSED``."""
    at = closing_time(day, company.timezone, company.day_ends_at)
    day.close(
        at,
        out=None,
        accuracy_m=None,
        flags=[AttendanceFlag.AUTO_CLOSED],
        visits=await _check_ins(uow, day, at),
    )
    day.updated_at = deps.clock.now()
    await uow.attendance.save(day)
    await audit(
        uow,
        deps,
        "attendance.auto_closed",
        entity="attendance",
        entity_id=day.id,
        detail={"userId": str(day.user_id), "day": day.day.isoformat(), "at": at.isoformat()},
    )


async def _check_ins(uow: UnitOfWork, day: AttendanceDay, until: datetime) -> list[Fix]:
    """The rep's check-ins from the punch-in to ``until``, both included."""
    fixes: list[Fix] = []
    after: UUID | None = None
    while True:
        query = VisitQuery(
            after=after,
            limit=PAGE,
            user_ids=frozenset({day.user_id}),
            since=day.punched_in_at,
            until=until + timedelta(microseconds=1),
        )
        page = await uow.visits.list(query)
        fixes.extend(Fix(row["latitude"], row["longitude"], row["checked_in_at"]) for row in page)
        if len(page) < PAGE:
            return fixes
        after = page[-1]["id"]


async def roll_call(
    principal: Principal, on: date | None, cursor: str | None, limit: int, deps: Deps
) -> tuple[date, Page[Roll]]:
    """Who is in, out or absent on ``on`` (the company's today by default): the caller
    alone for a rep, a manager's team (the manager too), every active user for an ADMIN;
    a page of people by id."""
    require(principal, Action.ATTENDANCE_READ)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        company = await _company(uow, principal)
        day = on or local_day(deps.clock.now(), company.timezone)
        after = after_id(cursor)
        people = await _people(uow, principal, after, limit + 1)
        page = page_by_id(people, limit)
        ids = frozenset(user.id for user in page.items)
        rows = await uow.attendance.list(
            AttendanceQuery(user_ids=ids, day_from=day, day_to=day, limit=len(ids) + 1)
        )
    days = {row["user_id"]: AttendanceDay.load(row) for row in rows}
    roll = [_roll(user, days.get(user.id)) for user in page.items]
    return day, Page(items=roll, limit=limit, next_cursor=page.next_cursor)


def _roll(user: User, day: AttendanceDay | None) -> Roll:
    if day is None:
        return Roll(user, Presence.ABSENT, None)
    return Roll(user, Presence.IN if day.is_open else Presence.OUT, day)


async def _people(
    uow: UnitOfWork, principal: Principal, after: UUID | None, limit: int
) -> list[User]:
    if principal.role is Role.SALES_REP:
        me = await uow.users.get(principal.user_id)
        return [me] if me is not None and (after is None or me.id > after) else []
    if principal.role is Role.ADMIN:
        return list(await uow.users.list(after=after, limit=limit, active=True))
    team = list(await uow.users.list(after=after, limit=limit, manager_id=principal.user_id,
                                     active=True))  # fmt: skip
    me = await uow.users.get(principal.user_id)
    if me is not None and (after is None or me.id > after):
        team.append(me)
    return sorted(team, key=lambda user: user.id)[:limit]


async def close_overdue(deps: Deps, company: Company) -> int:
    """Close every day of ``company`` left open past its end of day (the nightly job)."""
    now = deps.clock.now()
    closed = 0
    async with deps.db.unit_of_work(Scope.tenant(company.id)) as uow:
        after: UUID | None = None
        while True:
            rows = await uow.attendance.list(AttendanceQuery(after=after, limit=PAGE, open=True))
            for row in rows:
                candidate = AttendanceDay.load(row)
                if closing_time(candidate, company.timezone, company.day_ends_at) > now:
                    continue
                day = await uow.attendance.get(candidate.id, lock=True)
                if day is not None and day.is_open:
                    await close_at_day_end(uow, day, company, deps)
                    closed += 1
            if len(rows) < PAGE:
                break
            after = rows[-1]["id"]
        await uow.commit()
    return closed
