"""Target use cases on the memory fake: who may set a target and for whom, the figures'
rules, a month against target (percentages half-up, none for a zero target), the team's
roll-up, the company's local month, the audit trail and sync. The sums themselves are
the repository's (tests/contract/test_targets.py, every backend); HTTP in tests/http."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import pytest
from contract.world import order, visit

from fieldedge.domain.orders import OrderStatus
from fieldedge.domain.sync import Mutation
from fieldedge.domain.targets import percent
from fieldedge.domain.visits import VisitFlag
from fieldedge.errors import Forbidden, ValidationFailed
from fieldedge.http.sync_entities import registry
from fieldedge.services import contacts
from fieldedge.services.sync.pull import pull
from fieldedge.services.sync.push import push
from fieldedge.services.targets import SetTarget, my_month, set_target, team_month

from .world import World

MONTH = "2026-03"  # the world's clock: 2 Mar 2026, 15:00 in Kolkata


def aim(world: World, who: str = "rep_a1", month: str = MONTH, **figures: int) -> SetTarget:
    values = {"order_value": 10_000, "collections": 8_000, "visits": 3, "new_contacts": 2}
    return SetTarget(world.people[who].id, month, **{**values, **figures})


async def in_kolkata(world: World) -> None:
    async with world.uow() as uow:
        firm = await uow.companies.get(world.id)
        assert firm is not None
        firm.timezone = "Asia/Kolkata"
        await uow.companies.save(firm)
        await uow.commit()


@pytest.mark.parametrize(
    ("achieved", "target", "expected"),
    [
        (1_749, 2_000, Decimal("87.5")),  # 87.45: half-up, not to even (87.4)
        (2, 3, Decimal("66.7")),
        (1, 3, Decimal("33.3")),
        (1, 8, Decimal("12.5")),
        (3, 2, Decimal("150.0")),
        (0, 5, Decimal("0.0")),
        (5, 0, None),  # no percentage of nothing
        (0, 0, None),
        (10**15 - 1, 10**15, Decimal("100.0")),  # exact where a float would not be
    ],
)
def test_percentages_are_half_up_to_one_decimal(
    achieved: int, target: int, expected: Decimal | None
) -> None:
    assert percent(achieved, target) == expected


async def test_a_manager_sets_and_replaces_their_reps_target(world: World) -> None:
    mgr = world.as_("mgr_a")
    made, created = await set_target(mgr, aim(world), world.deps)
    assert created
    assert (made.user_id, made.month, made.set_by) == (
        world.people["rep_a1"].id,
        MONTH,
        mgr.user_id,
    )
    world.clock.at += timedelta(hours=1)
    again, created = await set_target(world.as_("admin"), aim(world, visits=9), world.deps)
    assert not created
    assert again.id == made.id
    assert (again.visits, again.order_value, again.set_by) == (9, 10_000, world.people["admin"].id)
    assert again.version > made.version
    assert again.created_at == made.created_at < again.updated_at
    entries = [e for e in world.audit() if e.entity == "target"]
    assert [e.action for e in entries] == ["target.created", "target.updated"]
    assert entries[1].detail == {"month": MONTH, "visits": 9}  # what changed, no more


@pytest.mark.parametrize("who", ["rep_b1", "mgr_a", "mgr_b", "admin"])
async def test_a_manager_sets_targets_only_for_their_own_reps(world: World, who: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        await set_target(world.as_("mgr_a"), aim(world, who), world.deps)
    assert list(refused.value.details) == ["userId"]
    assert [e for e in world.audit() if e.entity == "target"] == []


async def test_an_admin_sets_any_reps_or_managers_target(world: World) -> None:
    admin = world.as_("admin")
    for who in ("rep_b1", "mgr_b"):
        _, created = await set_target(admin, aim(world, who), world.deps)
        assert created
    for nobody in (world.people["admin"].id, uuid4()):
        with pytest.raises(ValidationFailed) as refused:
            await set_target(admin, SetTarget(nobody, MONTH, 1, 1, 1, 1), world.deps)
        assert list(refused.value.details) == ["userId"]


async def test_another_companys_rep_is_no_ones_to_target(world: World, other: World) -> None:
    with pytest.raises(ValidationFailed) as refused:
        await set_target(world.as_("admin"), aim(other, "rep_a1"), world.deps)
    assert list(refused.value.details) == ["userId"]
    assert [e for e in world.audit() + other.audit() if e.entity == "target"] == []


async def test_an_inactive_rep_gets_no_target(world: World) -> None:
    async with world.uow() as uow:
        rep = await uow.users.get(world.people["rep_a2"].id)
        assert rep is not None
        rep.active = False
        await uow.users.save(rep)
        await uow.commit()
    with pytest.raises(ValidationFailed) as refused:
        await set_target(world.as_("mgr_a"), aim(world, "rep_a2"), world.deps)
    assert list(refused.value.details) == ["userId"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"month": "2026-13"}, "month"),
        ({"month": "2026-00"}, "month"),
        ({"month": "2026-3"}, "month"),
        ({"month": "26-03"}, "month"),
        ({"order_value": -1}, "orderValue"),
        ({"collections": 1.5}, "collections"),
        ({"visits": -3}, "visits"),
        ({"new_contacts": True}, "newContacts"),
        ({"visits": "7"}, "visits"),
    ],
)
async def test_what_is_no_target_is_refused_naming_the_field(
    world: World, change: dict[str, object], field: str
) -> None:
    values = {"order_value": 1, "collections": 1, "visits": 1, "new_contacts": 1,
              "month": MONTH, **change}  # fmt: skip
    cmd = SetTarget(world.people["rep_a1"].id, **values)  # type: ignore[arg-type]
    with pytest.raises(ValidationFailed) as refused:
        await set_target(world.as_("mgr_a"), cmd, world.deps)
    assert field in refused.value.details
    assert [e for e in world.audit() if e.entity == "target"] == []


async def test_a_rep_reads_their_own_month_only(world: World) -> None:
    await set_target(world.as_("mgr_a"), aim(world), world.deps)
    mine = await my_month(world.as_("rep_a1"), MONTH, world.deps)
    assert mine.user.id == world.people["rep_a1"].id
    assert mine.target is not None
    assert mine.target.order_value == 10_000
    theirs = await my_month(world.as_("rep_a2"), MONTH, world.deps)
    assert theirs.target is None  # rep_a1's target is not rep_a2's
    with pytest.raises(Forbidden):
        await team_month(world.as_("rep_a1"), MONTH, None, world.deps)
    with pytest.raises(Forbidden):
        await set_target(world.as_("rep_a1"), aim(world), world.deps)


async def _work(world: World, who: str) -> None:
    """In March (Kolkata): an approved order of 7 500, a pending one, a verified and a
    flagged visit, and a contact the rep made."""
    rep = world.people[who]
    shop = await world.contact(who)
    at = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
    done = order(world.id, shop.id, rep.id, subtotal=7_500, tax=0, total=7_500,
                 status=OrderStatus.APPROVED, created_at=at)  # fmt: skip
    waiting = order(world.id, shop.id, rep.id, status=OrderStatus.PENDING, created_at=at)
    good = visit(world.id, shop.id, rep.id, checked_in_at=at, verified=True)
    flagged = visit(world.id, shop.id, rep.id, checked_in_at=at, flags=[VisitFlag.LOW_ACCURACY])
    async with world.uow() as uow:
        for row in (done, waiting):
            await uow.orders.add(row)
        for row in (good, flagged):
            await uow.visits.add(row)
        await uow.commit()
    await contacts.create_contact(world.as_(who), contacts.CreateContact(name="New shop"),
                                  world.deps)  # fmt: skip


async def test_a_month_against_target(world: World) -> None:
    await in_kolkata(world)
    await set_target(world.as_("mgr_a"), aim(world, new_contacts=0), world.deps)
    await _work(world, "rep_a1")
    month = await my_month(world.as_("rep_a1"), None, world.deps)
    assert month.month == MONTH
    ordered = month.progress.measure("order_value")
    assert (ordered.target, ordered.achieved, ordered.percent) == (10_000, 7_500, Decimal("75.0"))
    seen = month.progress.measure("visits")
    assert (seen.target, seen.achieved, seen.percent) == (3, 1, Decimal("33.3"))
    met = month.progress.measure("new_contacts")
    assert (met.target, met.achieved, met.percent) == (0, 1, None)
    paid = month.progress.measure("collections")
    assert (paid.achieved, paid.percent) == (0, Decimal("0.0"))


async def test_the_default_month_is_the_companys_local_month(world: World) -> None:
    await in_kolkata(world)
    world.clock.at = datetime(2026, 3, 31, 19, 0, tzinfo=UTC)  # 1 Apr 00:30 in Kolkata
    assert (await my_month(world.as_("rep_a1"), None, world.deps)).month == "2026-04"
    world.clock.at = datetime(2026, 3, 31, 18, 29, tzinfo=UTC)  # 31 Mar 23:59 in Kolkata
    assert (await my_month(world.as_("rep_a1"), None, world.deps)).month == "2026-03"


async def test_the_teams_roll_up_sums_targets_and_achievements(world: World) -> None:
    await in_kolkata(world)
    mgr = world.as_("mgr_a")
    await set_target(mgr, aim(world, "rep_a1", visits=3), world.deps)
    await set_target(world.as_("admin"), aim(world, "rep_b1"), world.deps)  # another team
    await _work(world, "rep_a1")
    await _work(world, "rep_a2")  # no target: achieved counts, target adds nothing
    team = await team_month(mgr, MONTH, None, world.deps)
    assert [r.user.id for r in team.reps] == sorted(
        [world.people["rep_a1"].id, world.people["rep_a2"].id]
    )
    no_target = next(r for r in team.reps if r.user.id == world.people["rep_a2"].id)
    assert no_target.target is None
    assert no_target.progress.measure("visits").percent is None
    total = team.total.measure("order_value")
    assert (total.target, total.achieved, total.percent) == (10_000, 15_000, Decimal("150.0"))
    visits = team.total.measure("visits")
    assert (visits.target, visits.achieved, visits.percent) == (3, 2, Decimal("66.7"))
    one = await team_month(mgr, MONTH, world.people["rep_a2"].id, world.deps)
    assert [r.user.id for r in one.reps] == [world.people["rep_a2"].id]
    outside = await team_month(mgr, MONTH, world.people["rep_b1"].id, world.deps)
    assert outside.reps == []


async def test_an_admin_sees_every_rep_and_manager(world: World) -> None:
    team = await team_month(world.as_("admin"), MONTH, None, world.deps)
    names = {"rep_a1", "rep_a2", "rep_b1", "mgr_a", "mgr_b"}
    assert {r.user.id for r in team.reps} == {world.people[n].id for n in names}
    assert team.total.measure("visits").target == 0


def _create(n: int, target_id: UUID, rep: UUID, **data: object) -> Mutation:
    body = {"userId": str(rep), "month": MONTH, "orderValue": 500, "collections": 400,
            "visits": 5, "newContacts": 1, **data}  # fmt: skip
    return Mutation(n, "target", "create", target_id, None, body)


async def test_targets_sync_both_ways_with_field_level_conflicts(world: World) -> None:
    mgr, rep = world.as_("mgr_a"), world.as_("rep_a1")
    target_id, client = uuid4(), uuid4()
    pushed = await push(mgr, client, [_create(1, target_id, rep.user_id)], registry(), world.deps)
    [result] = pushed.results
    assert result["status"] == "applied", result
    assert result["record"]["visits"] == 5
    pulled = await pull(rep, None, 100, registry(), world.deps)
    [row] = pulled.changes["targets"]["upserted"]
    assert (row["id"], row["userId"], row["month"]) == (target_id, rep.user_id, MONTH)
    base = row["version"]
    await set_target(world.as_("admin"), aim(world, order_value=500, collections=400, visits=7,
                                             new_contacts=1), world.deps)  # fmt: skip
    edit = Mutation(2, "target", "update", target_id, base, {"visits": 6, "collections": 900})
    [result] = (await push(mgr, client, [edit], registry(), world.deps)).results
    assert result["status"] == "conflict"
    assert result["conflicts"] == [{"field": "visits", "serverValue": 7, "clientValue": 6}]
    assert (result["record"]["visits"], result["record"]["collections"]) == (7, 900)
    latest = result["version"]  # what the device now holds
    again = _create(3, uuid4(), rep.user_id)  # a second target for the rep's month
    [result] = (await push(mgr, client, [again], registry(), world.deps)).results
    assert result["status"] == "rejected"
    assert "month" in result["error"]["details"]
    mine = _create(1, uuid4(), rep.user_id, month="2026-04")
    [result] = (await push(rep, uuid4(), [mine], registry(), world.deps)).results
    assert (result["status"], result["error"]["code"]) == ("rejected", "FORBIDDEN")
    moved = Mutation(4, "target", "update", target_id, latest, {"month": "2026-05"})
    [result] = (await push(mgr, client, [moved], registry(), world.deps)).results
    assert result["status"] == "rejected"
    assert "month" in result["error"]["details"]
