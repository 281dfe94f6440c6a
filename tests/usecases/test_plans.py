"""Beat-plan use cases on the memory fake: who may plan for whom, which contacts a beat
may hold, the plan's two forms, the day's route and its statuses, reordering, the
compliance report against a hand-built month, and sync. HTTP and SQL: tests/http."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from contract.world import order, store, visit

from fakes import FixedClock
from fieldedge.domain.beats import StopStatus, Weekday, percent, planned_order, routed
from fieldedge.domain.sync import Mutation
from fieldedge.errors import Conflict, Forbidden, NotFound, ValidationFailed
from fieldedge.http.sync_entities import registry
from fieldedge.ports.database import Scope
from fieldedge.services import beats, plan_day
from fieldedge.services.beats import CreateBeat, CreatePlan
from fieldedge.services.company.settings import UpdateCompany, update_company
from fieldedge.services.sync.pull import pull
from fieldedge.services.sync.push import push
from fixtures.plan_month import FIRST, LAST, ZONE, build_month

from .world import World

# 10:00 on Wed 2 Dec 2026 in Asia/Kolkata.
NOON = datetime(2026, 12, 2, 4, 30, tzinfo=UTC)
TODAY = date(2026, 12, 2)


@pytest.fixture
async def day(world: World, clock: FixedClock) -> World:
    await update_company(world.as_("admin"), UpdateCompany(timezone=ZONE), world.deps)
    clock.at = NOON
    return world


def fields(exc: pytest.ExceptionInfo[ValidationFailed]) -> set[str]:
    return set(exc.value.details)


async def make_beat(world: World, who: str, *contacts: UUID, **extra: object) -> beats.Beat:
    cmd = CreateBeat(name="East", contact_ids=list(contacts), **extra)  # type: ignore[arg-type]
    return await beats.create_beat(world.as_(who), cmd, world.deps)


async def test_a_rep_plans_only_contacts_they_may_visit(world: World) -> None:
    mine, theirs = await world.contact("rep_a1"), await world.contact("rep_a2")
    unowned = await world.contact(None)
    made = await make_beat(world, "rep_a1", mine.id)
    assert made.user_id == world.people["rep_a1"].id
    for bad in (theirs.id, unowned.id, uuid4()):
        with pytest.raises(ValidationFailed) as refused:
            await make_beat(world, "rep_a1", mine.id, bad)
        assert fields(refused) == {"contactIds"}
        assert str(bad) in refused.value.details["contactIds"][0]
    with pytest.raises(ValidationFailed) as twice:
        await make_beat(world, "rep_a1", mine.id, mine.id)
    assert fields(twice) == {"contactIds"}
    async with world.uow() as uow:
        assert len(await uow.beats.list(beats.BeatQuery(limit=10))) == 1


async def test_a_manager_plans_their_team_and_an_admin_anyone(world: World) -> None:
    a1, b1 = await world.contact("rep_a1"), await world.contact("rep_b1")
    rep_a1, rep_b1 = world.people["rep_a1"].id, world.people["rep_b1"].id
    assert (await make_beat(world, "mgr_a", a1.id, user_id=rep_a1)).user_id == rep_a1
    with pytest.raises(ValidationFailed) as other_team:
        await make_beat(world, "mgr_a", b1.id, user_id=rep_b1)
    assert fields(other_team) == {"userId"}
    with pytest.raises(ValidationFailed) as someone_else:
        await make_beat(world, "rep_a1", a1.id, user_id=world.people["rep_a2"].id)
    assert fields(someone_else) == {"userId"}
    # The rep's own contacts only, whoever plans: a manager sees all, the beat's rep not.
    with pytest.raises(ValidationFailed) as not_theirs:
        await make_beat(world, "mgr_a", b1.id, user_id=rep_a1)
    assert fields(not_theirs) == {"contactIds"}
    made = await make_beat(world, "admin", b1.id, user_id=rep_b1)
    with pytest.raises(NotFound):
        await beats.get_beat(world.as_("mgr_a"), made.id, world.deps)
    assert (await beats.get_beat(world.as_("mgr_b"), made.id, world.deps)).id == made.id


async def test_an_edit_is_checked_like_a_create(world: World) -> None:
    mine, theirs = await world.contact("rep_a1"), await world.contact("rep_a2")
    made = await make_beat(world, "rep_a1", mine.id)
    with pytest.raises(ValidationFailed) as refused:
        await beats.update_beat(world.as_("rep_a1"), made.id, {"contact_ids": [theirs.id]},
                                world.deps)  # fmt: skip
    assert fields(refused) == {"contactIds"}
    with pytest.raises(ValidationFailed) as blank:
        await beats.update_beat(world.as_("rep_a1"), made.id, {"name": "  "}, world.deps)
    assert fields(blank) == {"name"}
    with pytest.raises(NotFound):
        await beats.update_beat(world.as_("rep_a2"), made.id, {"name": "Mine now"}, world.deps)
    stored = await beats.get_beat(world.as_("rep_a1"), made.id, world.deps)
    assert (stored.name, stored.contact_ids) == ("East", [mine.id])


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"weekdays": [Weekday.MON], "start_date": date(2026, 12, 9),
          "end_date": date(2026, 12, 1)}, "endDate"),
        ({"weekdays": [Weekday.MON], "start_date": date(2026, 1, 1),
          "end_date": date(2028, 1, 1)}, "endDate"),
        ({"weekdays": [Weekday.MON, Weekday.MON], "start_date": date(2026, 12, 1),
          "end_date": date(2026, 12, 9)}, "weekdays"),
        ({"weekdays": [], "start_date": date(2026, 12, 1), "end_date": date(2026, 12, 9)},
         "weekdays"),
        ({"date": date(2026, 12, 1), "start_date": date(2026, 12, 1)}, "date"),
        ({}, "weekdays"),
    ],
)  # fmt: skip
async def test_a_plan_is_one_off_or_weekly_with_its_end_after_its_start(
    world: World, form: dict[str, object], field: str
) -> None:
    made = await make_beat(world, "rep_a1", (await world.contact("rep_a1")).id)
    cmd = CreatePlan(beat_id=made.id, **form)  # type: ignore[arg-type]
    with pytest.raises(ValidationFailed) as refused:
        await beats.create_plan(world.as_("rep_a1"), cmd, world.deps)
    assert field in fields(refused)
    async with world.uow() as uow:
        assert await uow.plans.list(beats.PlanQuery()) == []


async def test_a_plan_needs_a_beat_in_reach_and_holds_its_beat(world: World) -> None:
    made = await make_beat(world, "rep_a1", (await world.contact("rep_a1")).id)
    with pytest.raises(ValidationFailed) as refused:
        await beats.create_plan(world.as_("rep_b1"), CreatePlan(made.id, date=TODAY), world.deps)
    assert fields(refused) == {"beatId"}
    plan = await beats.create_plan(world.as_("mgr_a"), CreatePlan(made.id, date=TODAY), world.deps)
    assert plan.user_id == world.people["rep_a1"].id  # a plan follows its beat
    with pytest.raises(Conflict):
        await beats.delete_beat(world.as_("rep_a1"), made.id, world.deps)
    await beats.delete_plan(world.as_("rep_a1"), plan.id, world.deps)
    await beats.delete_beat(world.as_("rep_a1"), made.id, world.deps)
    assert world.actions()[-4:] == ["beat.created", "plan.created", "plan.deleted", "beat.deleted"]


async def test_another_reps_beat_is_no_plans_new_beat(world: World) -> None:
    mine = await make_beat(world, "rep_a1", (await world.contact("rep_a1")).id)
    theirs = await make_beat(world, "rep_a2", (await world.contact("rep_a2")).id)
    plan = await beats.create_plan(world.as_("mgr_a"), CreatePlan(mine.id, date=TODAY), world.deps)
    with pytest.raises(ValidationFailed) as refused:
        await beats.update_plan(world.as_("mgr_a"), plan.id, {"beat_id": theirs.id}, world.deps)
    assert fields(refused) == {"beatId"}


def test_the_days_order_is_plan_then_beat_each_contact_once() -> None:
    a, b, c, d = uuid4(), uuid4(), uuid4(), uuid4()
    assert routed([a, b, c], [c, a, b]) == [c, a, b]
    assert routed([a, b, c, d], [c, a, b]) == [c, a, b, d]  # planned since: at the end
    assert routed([a, c], [c, b, a]) == [c, a]  # no longer planned: dropped
    assert routed([a, b], None) == [a, b]
    assert planned_order([], {}, TODAY) == []


@pytest.mark.parametrize(
    ("part", "whole", "shown"),
    [(1, 3, 33.3), (2, 3, 66.7), (1, 16, 6.3), (3, 16, 18.8), (1, 40, 2.5), (0, 4, 0.0),
     (4, 4, 100.0), (1, 0, None)],
)  # fmt: skip
def test_percentages_round_half_up_to_one_decimal(part: int, whole: int, shown: float) -> None:
    assert percent(part, whole) == shown


async def test_todays_route_gives_each_outlet_its_status(day: World) -> None:
    world = day
    rep = world.people["rep_a1"]
    c1, c2, c3, c9 = [await world.contact("rep_a1", name=f"Shop {i}") for i in (1, 2, 3, 9)]
    made = await make_beat(world, "rep_a1", c1.id, c2.id, c3.id)
    weekly = CreatePlan(made.id, weekdays=[Weekday.TUE, Weekday.WED], start_date=date(2026, 12, 1),
                        end_date=date(2026, 12, 31))  # fmt: skip
    await beats.create_plan(world.as_("mgr_a"), weekly, world.deps)
    early = datetime(2026, 12, 1, 18, 40, tzinfo=UTC)  # 00:10 on 2 Dec in Kolkata
    for shop, when in ((c2, early), (c3, NOON), (c9, NOON)):
        await store(world.deps.db, Scope.tenant(world.id),
                    visit(world.id, shop.id, rep.id, checked_in_at=when))  # fmt: skip
    await store(world.deps.db, Scope.tenant(world.id),
                order(world.id, c3.id, rep.id, created_at=NOON, updated_at=NOON))  # fmt: skip
    route = await plan_day.day_route(world.as_("rep_a1"), None, None, world.deps)
    assert route.day == TODAY
    assert [(s.contact.id, s.status) for s in route.stops] == [
        (c1.id, StopStatus.PENDING), (c2.id, StopStatus.VISITED), (c3.id, StopStatus.PRODUCTIVE),
    ]  # fmt: skip
    assert [u.contact.id for u in route.unplanned if u.contact] == [c9.id]
    assert (route.planned, route.visited, route.productive) == (3, 2, 1)
    yesterday = await plan_day.day_route(world.as_("rep_a1"), date(2026, 12, 1), None, world.deps)
    assert [s.status for s in yesterday.stops] == [StopStatus.MISSED] * 3  # 00:10 is the 2nd
    thursday = await plan_day.day_route(world.as_("rep_a1"), date(2026, 12, 3), None, world.deps)
    assert thursday.stops == []


async def test_a_rep_reorders_today_with_todays_planned_contacts_only(day: World) -> None:
    world = day
    c1, c2 = await world.contact("rep_a1"), await world.contact("rep_a1")
    unplanned, theirs = await world.contact("rep_a1"), await world.contact("rep_a2")
    made = await make_beat(world, "rep_a1", c1.id, c2.id)
    await beats.create_plan(world.as_("rep_a1"), CreatePlan(made.id, date=TODAY), world.deps)
    route = await plan_day.reorder_today(world.as_("rep_a1"), [c2.id, c1.id], world.deps)
    assert route.reordered
    assert [s.contact.id for s in route.stops] == [c2.id, c1.id]
    for bad in ([c2.id, c1.id, theirs.id], [c2.id, c1.id, unplanned.id], [c2.id], []):
        with pytest.raises(ValidationFailed) as refused:
            await plan_day.reorder_today(world.as_("rep_a1"), bad, world.deps)
        assert fields(refused) == {"contactIds"}
    again = await plan_day.day_route(world.as_("rep_a1"), None, None, world.deps)
    assert [s.contact.id for s in again.stops] == [c2.id, c1.id]
    other = await plan_day.day_route(world.as_("rep_a2"), None, None, world.deps)
    assert other.stops == []
    assert world.actions()[-1] == "plan.route_reordered"


async def test_compliance_matches_the_hand_built_month(day: World) -> None:
    world = day
    people = world.people
    month = await build_month(world.deps.db, world.id, people["rep_a1"].id,
                              people["rep_a2"].id, people["rep_b1"].id)  # fmt: skip
    rows = await plan_day.compliance(world.as_("mgr_a"), FIRST, LAST, None, world.deps)
    got = {(r.user_id, r.day): (r.planned, r.visited, r.productive, r.compliance, r.strike_rate)
           for r in rows}  # fmt: skip
    team = {k: v for k, v in month.expected.items() if k[0] != month.rep3}
    assert got == team
    everyone = await plan_day.compliance(world.as_("admin"), FIRST, LAST, None, world.deps)
    assert {(r.user_id, r.day) for r in everyone} == set(month.expected)
    one = await plan_day.compliance(world.as_("mgr_a"), FIRST, LAST, month.rep2, world.deps)
    assert {r.user_id for r in one} == {month.rep2}
    none = await plan_day.compliance(world.as_("mgr_a"), FIRST, LAST, month.rep3, world.deps)
    assert none == []
    week = await plan_day.compliance(world.as_("mgr_a"), date(2026, 12, 7), date(2026, 12, 8),
                                     None, world.deps)  # fmt: skip
    assert [(r.day, r.planned, r.visited) for r in week] == [
        (date(2026, 12, 7), 4, 3), (date(2026, 12, 8), 3, 2),
    ]  # fmt: skip


async def test_compliance_is_for_managers_over_a_bounded_range(world: World) -> None:
    with pytest.raises(Forbidden):
        await plan_day.compliance(world.as_("rep_a1"), FIRST, LAST, None, world.deps)
    with pytest.raises(ValidationFailed) as backwards:
        await plan_day.compliance(world.as_("mgr_a"), LAST, FIRST, None, world.deps)
    assert fields(backwards) == {"to"}
    with pytest.raises(ValidationFailed) as long:
        await plan_day.compliance(world.as_("mgr_a"), FIRST, FIRST + timedelta(days=92), None,
                                  world.deps)  # fmt: skip
    assert fields(long) == {"to"}


@pytest.mark.parametrize("edge", [date.min, date.max])
async def test_a_day_the_calendar_cannot_bound_is_a_422_not_an_overflow(
    day: World, edge: date
) -> None:
    """The first and last day of the calendar have no UTC bounds in every zone (the
    fuzzer's ``OverflowError``, a 500, before this check)."""
    world = day
    with pytest.raises(ValidationFailed) as compliance:
        await plan_day.compliance(world.as_("mgr_a"), edge, edge, None, world.deps)
    assert fields(compliance) == {"from", "to"}
    with pytest.raises(ValidationFailed) as route:
        await plan_day.day_route(world.as_("rep_a1"), edge, None, world.deps)
    assert fields(route) == {"date"}


async def test_beats_and_plans_sync_both_ways(world: World) -> None:
    rep, client = world.as_("rep_a1"), uuid4()
    shop, other = await world.contact("rep_a1"), await world.contact("rep_a1")
    beat_id, plan_id = uuid4(), uuid4()
    made = [
        Mutation(1, "beat", "create", beat_id, None,
                 {"name": "Offline", "contactIds": [str(shop.id)]}, NOON),
        Mutation(2, "plan", "create", plan_id, None,
                 {"beatId": str(beat_id), "weekdays": ["MON"], "startDate": "2026-12-01",
                  "endDate": "2026-12-31"}, NOON),
    ]  # fmt: skip
    pushed = await push(rep, client, made, registry(), world.deps)
    assert [r["status"] for r in pushed.results] == ["applied", "applied"], pushed.results
    pulled = await pull(rep, None, 100, registry(), world.deps)
    [beat_row] = pulled.changes["beats"]["upserted"]
    [plan_row] = pulled.changes["plans"]["upserted"]
    assert beat_row["contactIds"] == [shop.id]
    assert (plan_row["beatId"], plan_row["weekdays"]) == (beat_id, ["MON"])
    edits = [
        Mutation(3, "beat", "update", beat_id, beat_row["version"],
                 {"contactIds": [str(other.id), str(shop.id)]}, NOON),
        Mutation(4, "plan", "update", plan_id, plan_row["version"], {"endDate": "2026-11-01"},
                 NOON),
    ]  # fmt: skip
    pushed = await push(rep, client, edits, registry(), world.deps)
    assert pushed.results[0]["status"] == "applied", pushed.results
    assert pushed.results[1]["status"] == "rejected", pushed.results
    assert "endDate" in str(pushed.results[1])
    stored = await beats.get_beat(rep, beat_id, world.deps)
    assert stored.contact_ids == [other.id, shop.id]
    gone = Mutation(5, "plan", "delete", plan_id, plan_row["version"], {}, NOON)
    assert (await push(rep, client, [gone], registry(), world.deps)).results[0][
        "status"
    ] == "applied"
    after = await pull(rep, pulled.cursor, 100, registry(), world.deps)
    assert [str(d) for d in after.changes["plans"]["deleted"]] == [str(plan_id)]
    theirs = await pull(world.as_("rep_a2"), None, 100, registry(), world.deps)
    assert theirs.changes["beats"]["upserted"] == []


async def test_a_reps_route_for_a_day_syncs_both_ways(day: World) -> None:
    world, rep, client = day, day.as_("rep_a1"), uuid4()
    c1, c2, c3 = [await world.contact("rep_a1") for _ in range(3)]
    made = await make_beat(world, "rep_a1", c1.id, c2.id, c3.id)
    await beats.create_plan(rep, CreatePlan(made.id, date=TODAY), world.deps)
    route_id = uuid4()
    order_ = [str(c) for c in (c3.id, c1.id, c2.id)]
    chosen = Mutation(1, "route", "create", route_id, None,
                      {"day": TODAY.isoformat(), "contactIds": order_}, NOON)  # fmt: skip
    [result] = (await push(rep, client, [chosen], registry(), world.deps)).results
    assert result["status"] == "applied", result
    today = await plan_day.day_route(rep, None, None, world.deps)
    assert [s.contact.id for s in today.stops] == [c3.id, c1.id, c2.id]
    seen = await pull(world.as_("mgr_a"), None, 100, registry(), world.deps)
    [row] = seen.changes["routes"]["upserted"]
    assert (row["id"], row["day"], row["contactIds"]) == (route_id, TODAY, [c3.id, c1.id, c2.id])
    assert (await pull(world.as_("rep_a2"), None, 100, registry(), world.deps)).changes["routes"][
        "upserted"
    ] == []
    # A second route for the day, one that is no reordering, a past day: each rejected.
    twice = Mutation(2, "route", "create", uuid4(), None,
                     {"day": TODAY.isoformat(), "contactIds": order_}, NOON)  # fmt: skip
    short = Mutation(3, "route", "create", uuid4(), None,
                     {"day": (TODAY + timedelta(days=1)).isoformat(),
                      "contactIds": [str(c1.id)]}, NOON)  # fmt: skip
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    past = Mutation(4, "route", "create", uuid4(), None,
                    {"day": yesterday, "contactIds": []}, NOON)  # fmt: skip
    refused = (await push(rep, client, [twice, short, past], registry(), world.deps)).results
    assert [r["status"] for r in refused] == ["rejected"] * 3, refused
    assert [set(r["error"]["details"]) for r in refused] == [{"day"}, {"contactIds"}, {"day"}]
    assert str(route_id) in str(refused[0]["error"]["details"]["day"])
    # The rep reorders it again; the manager may read it but not reorder it.
    again = Mutation(5, "route", "update", route_id, row["version"],
                     {"contactIds": [str(c) for c in (c2.id, c3.id, c1.id)]}, NOON)  # fmt: skip
    [edited] = (await push(rep, client, [again], registry(), world.deps)).results
    assert edited["status"] == "applied", edited
    theirs = Mutation(1, "route", "update", route_id, edited["version"],
                      {"contactIds": order_}, NOON)  # fmt: skip
    [forbidden] = (await push(world.as_("mgr_a"), uuid4(), [theirs], registry(),
                              world.deps)).results  # fmt: skip
    assert (forbidden["status"], forbidden["error"]["code"]) == ("rejected", "FORBIDDEN")
    final = await plan_day.day_route(rep, None, None, world.deps)
    assert [s.contact.id for s in final.stops] == [c2.id, c3.id, c1.id]
