"""Attendance use cases on the memory fake: the day's rules, its summary, who sees it,
the nightly close and sync. HTTP status mapping and Postgres live in tests/http."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from contract.world import company, user

from fakes import FixedClock, MemoryDatabase
from fieldedge.domain.access import Principal
from fieldedge.domain.attendance import AttendanceDay, AttendanceFlag
from fieldedge.domain.identity import Role
from fieldedge.domain.sync import Mutation
from fieldedge.errors import Conflict, Forbidden, NotFound, ValidationFailed
from fieldedge.http.sync_entities import registry
from fieldedge.ports.database import Scope
from fieldedge.services import attendance, contacts, visits
from fieldedge.services.attendance import DayFilter, Presence, PunchIn, PunchOut
from fieldedge.services.company.settings import UpdateCompany, update_company
from fieldedge.services.deps import Deps
from fieldedge.services.jobs.attendance_close import attendance_close
from fieldedge.services.sync.pull import pull
from fieldedge.services.sync.push import push
from fixtures.app import make_deps

# 09:00 in Asia/Kolkata (UTC+05:30) on 3 Jan 2026.
MORNING = datetime(2026, 1, 3, 3, 30, tzinfo=UTC)
LNG = 73.85
# Points on one meridian: 0.01 degree of latitude is R * pi / 180 * 0.01 metres.
DEG = 6_371_008.8 * 3.141592653589793 / 180


@dataclass
class World:
    deps: Deps
    clock: FixedClock
    company_id: UUID
    people: dict[str, Principal]

    def at(self, when: datetime) -> None:
        self.clock.at = when


@pytest.fixture
async def world(tmp_path: Path) -> World:
    db = MemoryDatabase()
    clock = FixedClock(at=MORNING)
    deps = make_deps(tmp_path, db, clock=clock)
    firm = company(timezone="Asia/Kolkata", day_ends_at="18:00")
    mgr = user(firm.id, role=Role.MANAGER)
    other_mgr = user(firm.id, role=Role.MANAGER)
    users = {
        "admin": user(firm.id, role=Role.ADMIN),
        "mgr": mgr,
        "other_mgr": other_mgr,
        "rep": user(firm.id, manager_id=mgr.id),
        "rep2": user(firm.id, manager_id=mgr.id),
        "far_rep": user(firm.id, manager_id=other_mgr.id),
    }
    async with db.unit_of_work(Scope.tenant(firm.id)) as uow:
        await uow.companies.add(firm)
        for person in users.values():
            await uow.users.add(person)
        await uow.commit()
    people = {k: Principal(u.id, firm.id, u.role) for k, u in users.items()}
    return World(deps, clock, firm.id, people)


def punch(lat: float = 18.50, **more: object) -> PunchIn:
    return PunchIn(latitude=lat, longitude=LNG, accuracy_m=10, **more)  # type: ignore[arg-type]


def out(lat: float = 18.52, **more: object) -> PunchOut:
    return PunchOut(latitude=lat, longitude=LNG, accuracy_m=10, **more)  # type: ignore[arg-type]


async def check_in_at(w: World, who: str, lat: float, when: datetime) -> None:
    me = w.people[who]
    contact = await contacts.create_contact(
        me, contacts.CreateContact(name="Outlet", latitude=lat, longitude=LNG), w.deps
    )
    cmd = visits.CheckIn(contact.id, lat, LNG, 10, checked_in_at=when)
    await visits.check_in(me, cmd, w.deps)


async def test_a_day_is_the_companys_local_date(world: World) -> None:
    late = datetime(2026, 1, 3, 18, 0, tzinfo=UTC)  # 23:30 in Kolkata, still the 3rd
    world.at(late)
    day = await attendance.punch_in(world.people["rep"], punch(), world.deps)
    assert day.day == date(2026, 1, 3)
    world.at(late + timedelta(minutes=31))  # 00:01 on the 4th in Kolkata
    await attendance.punch_out(world.people["rep"], out(), world.deps)
    next_day = await attendance.punch_in(world.people["rep"], punch(), world.deps)
    assert next_day.day == date(2026, 1, 4)


async def test_one_open_day_and_one_day_per_date(world: World) -> None:
    rep = world.people["rep"]
    with pytest.raises(Conflict, match="Not punched in"):
        await attendance.punch_out(rep, out(), world.deps)
    await attendance.punch_in(rep, punch(), world.deps)
    with pytest.raises(Conflict, match="Already punched in"):
        await attendance.punch_in(rep, punch(), world.deps)
    await attendance.punch_out(rep, out(), world.deps)
    with pytest.raises(Conflict, match="already punched in and out"):
        await attendance.punch_in(rep, punch(), world.deps)
    with pytest.raises(Conflict, match="Not punched in"):
        await attendance.punch_out(rep, out(), world.deps)


async def test_closing_sums_the_day_along_its_check_ins(world: World) -> None:
    rep = world.people["rep"]
    await check_in_at(world, "rep", 18.90, MORNING - timedelta(minutes=5))  # before: left out
    await attendance.punch_in(rep, punch(18.50), world.deps)
    await check_in_at(world, "rep", 18.53, MORNING + timedelta(hours=3))  # out of order on purpose
    await check_in_at(world, "rep", 18.51, MORNING + timedelta(hours=1))
    await check_in_at(world, "rep2", 19.50, MORNING + timedelta(hours=2))  # someone else's
    world.at(MORNING + timedelta(hours=8, minutes=30, seconds=59))
    day = await attendance.punch_out(rep, out(18.52), world.deps)
    # 18.50 -> 18.51 -> 18.53 -> 18.52: 0.04 degree of one meridian.
    assert day.distance_m == pytest.approx(0.04 * DEG, abs=0.1)
    assert (day.worked_minutes, day.visit_count) == (510, 2)
    assert (day.last_latitude, day.last_longitude) == (18.52, LNG)
    assert day.flags == []


async def test_doubtful_punches_are_kept_with_flags(world: World) -> None:
    rep = world.people["rep"]
    skewed = MORNING - timedelta(hours=30)  # the phone's clock, not an offline punch
    day = await attendance.punch_in(
        rep,
        PunchIn(18.5, LNG, 150, punched_in_at=skewed, mock_location=True),
        world.deps,
    )
    assert day.flags == [
        AttendanceFlag.LOW_ACCURACY,
        AttendanceFlag.MOCK_LOCATION,
        AttendanceFlag.CLOCK_SKEW,
    ]


@pytest.mark.parametrize(
    ("cmd", "field"),
    [
        (PunchIn(91, LNG, 10), "latitude"),
        (PunchIn(18.5, 181, 10), "longitude"),
        (PunchIn(18.5, LNG, -1), "accuracyM"),
        (PunchIn(18.5, LNG, 10, punched_in_at=MORNING + timedelta(days=31)), "punchedInAt"),
        (PunchIn(18.5, LNG, 10, punched_in_at=datetime(2026, 1, 3, 9)), "punchedInAt"),
    ],
)
async def test_what_is_no_punch_is_refused(world: World, cmd: PunchIn, field: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        await attendance.punch_in(world.people["rep"], cmd, world.deps)
    assert field in refused.value.details
    page = await attendance.list_days(world.people["admin"], DayFilter(), None, 20, world.deps)
    assert page.items == []


async def test_a_punch_out_before_the_punch_in_is_refused(world: World) -> None:
    rep = world.people["rep"]
    await attendance.punch_in(rep, punch(), world.deps)
    with pytest.raises(ValidationFailed) as refused:
        await attendance.punch_out(
            rep, out(punched_out_at=MORNING - timedelta(minutes=1)), world.deps
        )
    assert "punchedOutAt" in refused.value.details
    async with world.deps.db.unit_of_work(Scope.tenant(world.company_id)) as uow:
        still = await uow.attendance.open_for(rep.user_id)
    assert still is not None
    assert still.is_open


async def test_a_forgotten_day_closes_at_its_end_when_the_next_begins(world: World) -> None:
    rep = world.people["rep"]
    first = await attendance.punch_in(rep, punch(), world.deps)
    world.at(MORNING + timedelta(days=1))
    await attendance.punch_in(rep, punch(), world.deps)
    closed = await attendance.get_day(rep, first.id, world.deps)
    assert closed.flags == [AttendanceFlag.AUTO_CLOSED]
    assert closed.punched_out_at == datetime(2026, 1, 3, 12, 30, tzinfo=UTC)  # 18:00 IST
    assert closed.worked_minutes == 9 * 60
    assert closed.out_latitude is None
    assert closed.last_latitude == 18.50


async def test_the_nightly_job_closes_days_past_their_end_only(world: World) -> None:
    await attendance.punch_in(world.people["rep"], punch(), world.deps)
    late_punch = datetime(2026, 1, 3, 13, 0, tzinfo=UTC)  # 18:30 IST, after the day's end
    world.at(late_punch)
    late = await attendance.punch_in(world.people["rep2"], punch(), world.deps)
    world.at(datetime(2026, 1, 3, 13, 30, tzinfo=UTC))
    report = await attendance_close(world.deps)
    assert report == {"companies": 1, "closed": 1}
    world.at(datetime(2026, 1, 3, 18, 30, tzinfo=UTC))  # 00:00 IST on the 4th
    assert await attendance_close(world.deps) == {"companies": 1, "closed": 1}
    assert await attendance_close(world.deps) == {"companies": 1, "closed": 0}
    day = await attendance.get_day(world.people["rep2"], late.id, world.deps)
    # Punched in after the end of day: closed at the last minute of its date.
    assert day.punched_out_at == datetime(2026, 1, 3, 18, 29, tzinfo=UTC)
    assert AttendanceFlag.AUTO_CLOSED in day.flags


async def test_who_sees_whose_days(world: World) -> None:
    days = {
        who: await attendance.punch_in(world.people[who], punch(), world.deps)
        for who in ("rep", "rep2", "far_rep")
    }

    async def seen(who: str, user_id: UUID | None = None) -> set[UUID]:
        page = await attendance.list_days(
            world.people[who], DayFilter(user_id=user_id), None, 20, world.deps
        )
        return {row["user_id"] for row in page.items}

    p = world.people
    assert await seen("rep") == {p["rep"].user_id}
    assert await seen("mgr") == {p["rep"].user_id, p["rep2"].user_id}
    assert await seen("admin") == {p[k].user_id for k in days}
    assert await seen("mgr", p["far_rep"].user_id) == set()
    with pytest.raises(NotFound):
        await attendance.get_day(p["rep"], days["rep2"].id, world.deps)
    with pytest.raises(NotFound):
        await attendance.get_day(p["mgr"], days["far_rep"].id, world.deps)
    assert (await attendance.get_day(p["mgr"], days["rep2"].id, world.deps)).id == days["rep2"].id


async def test_the_roll_call_says_in_out_or_absent(world: World) -> None:
    await attendance.punch_in(world.people["rep"], punch(), world.deps)
    await attendance.punch_in(world.people["rep2"], punch(), world.deps)
    await attendance.punch_out(world.people["rep2"], out(), world.deps)
    today, page = await attendance.roll_call(world.people["mgr"], None, None, 20, world.deps)
    assert today == date(2026, 1, 3)
    status = {roll.user.id: roll.status for roll in page.items}
    p = world.people
    assert status == {
        p["rep"].user_id: Presence.IN,
        p["rep2"].user_id: Presence.OUT,
        p["mgr"].user_id: Presence.ABSENT,
    }
    _, mine = await attendance.roll_call(p["far_rep"], None, None, 20, world.deps)
    assert [(r.user.id, r.status) for r in mine.items] == [(p["far_rep"].user_id, Presence.ABSENT)]
    _, yesterday = await attendance.roll_call(p["mgr"], date(2026, 1, 2), None, 20, world.deps)
    assert {roll.status for roll in yesterday.items} == {Presence.ABSENT}


async def test_the_roll_call_pages_by_person(world: World) -> None:
    seen: list[UUID] = []
    cursor = None
    for _ in range(10):
        _, page = await attendance.roll_call(world.people["admin"], None, cursor, 2, world.deps)
        seen.extend(roll.user.id for roll in page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert sorted(seen) == sorted(p.user_id for p in world.people.values())


async def test_a_platform_admin_has_no_day(world: World) -> None:
    root = Principal(uuid4(), None, Role.SUPER_ADMIN)
    with pytest.raises(Forbidden):
        await attendance.punch_in(root, punch(), world.deps)


@pytest.mark.parametrize("value", ["24:00", "7:30", "18:60", "noon"])
async def test_the_end_of_day_is_a_local_hh_mm(world: World, value: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        await update_company(world.people["admin"], UpdateCompany(day_ends_at=value), world.deps)
    assert "dayEndsAt" in refused.value.details


async def test_a_day_syncs_punch_in_then_punch_out(world: World) -> None:
    rep, client, day_id = world.people["rep"], uuid4(), uuid4()
    punch_in = Mutation(
        1, "attendance", "create", day_id, None,
        {"latitude": 18.5, "longitude": LNG, "accuracyM": 8}, MORNING,
    )  # fmt: skip
    pushed = await push(rep, client, [punch_in], registry(), world.deps)
    assert pushed.results[0]["status"] == "applied", pushed.results
    pulled = await pull(rep, None, 100, registry(), world.deps)
    [row] = pulled.changes["attendance"]["upserted"]
    assert row["id"] == day_id
    assert row["punchedOutAt"] is None
    world.at(MORNING + timedelta(hours=8))
    punch_out = Mutation(
        2, "attendance", "update", day_id, row["version"],
        {"latitude": 18.52, "longitude": LNG, "accuracyM": 8}, MORNING + timedelta(hours=8),
    )  # fmt: skip
    pushed = await push(rep, client, [punch_out], registry(), world.deps)
    assert pushed.results[0]["status"] == "applied", pushed.results
    day = await attendance.get_day(rep, day_id, world.deps)
    assert day.worked_minutes == 480
    assert day.out_latitude == 18.52
    again = Mutation(
        3, "attendance", "update", day_id, row["version"],
        {"latitude": 18.6, "longitude": LNG, "accuracyM": 8}, MORNING + timedelta(hours=9),
    )  # fmt: skip
    pushed = await push(rep, client, [again], registry(), world.deps)
    assert pushed.results[0]["status"] == "conflict"  # a closed day takes no edit
    assert (await attendance.get_day(rep, day_id, world.deps)).out_latitude == 18.52


async def test_the_days_writes_are_audited(world: World) -> None:
    rep = world.people["rep"]
    await attendance.punch_in(rep, punch(), world.deps)
    await attendance.punch_out(rep, out(), world.deps)
    async with world.deps.db.unit_of_work(Scope.tenant(world.company_id)) as uow:
        await uow.audit.link(limit=100)
        await uow.commit()
    async with world.deps.db.unit_of_work(Scope.tenant(world.company_id)) as uow:
        entries = await uow.audit.list(before_seq=None, limit=50, entity="attendance")
    actions = [entry.action for entry in reversed(entries)]
    assert actions == ["attendance.punched_in", "attendance.punched_out"]


def test_an_open_day_is_not_auto_closed() -> None:
    with pytest.raises(ValidationFailed) as refused:
        AttendanceDay(
            id=uuid4(), company_id=uuid4(), user_id=uuid4(), day=date(2026, 1, 3),
            punched_in_at=MORNING, in_latitude=18.5, in_longitude=LNG, in_accuracy_m=5,
            flags=[AttendanceFlag.AUTO_CLOSED], created_at=MORNING, updated_at=MORNING,
        )  # fmt: skip
    assert "flags" in refused.value.details
