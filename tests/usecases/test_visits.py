"""Check-in and check-out, their flags and time bounds, who sees which visit, and photos
(``add_photo`` answers (photo, new): a retry of the same photo id replays)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import uuid4

import pytest

from fieldedge.domain.contacts import Contact
from fieldedge.domain.visits import Visit, VisitFlag
from fieldedge.errors import Conflict, Forbidden, NotFound, ValidationFailed
from fieldedge.services.photos import PhotoIds, add_photo, read_photo
from fieldedge.services.visits import (
    CheckIn,
    CheckOut,
    VisitFilter,
    check_in,
    check_out,
    get_visit,
    list_visits,
)
from fixtures.images import JPEG, PNG

from .world import PUNE, World


async def _check_in(
    world: World, who: str = "rep_a1", contact: Contact | None = None, **fields: Any
) -> Visit:
    """``who`` checks in ~33 m from ``contact`` (a new one of theirs when None)."""
    at = contact or await world.contact(who)
    values = {"latitude": PUNE[0] + 0.0003, "longitude": PUNE[1], "accuracy_m": 12.0, **fields}
    return await check_in(world.as_(who), CheckIn(contact_id=at.id, **values), world.deps)


async def test_a_check_in_near_the_contact_is_verified_and_audited(world: World) -> None:
    visit = await _check_in(world)
    assert (visit.verified, visit.flags) == (True, [])
    assert 30 < (visit.distance_m or 0) < 40
    assert visit.checked_in_at == world.clock.now()
    entry = world.audit()[-1]
    assert (entry.action, entry.detail["flags"]) == ("visit.checked_in", [])


@pytest.mark.parametrize(
    ("fields", "flag"),
    [({"latitude": PUNE[0] + 0.01}, VisitFlag.OUT_OF_RANGE),
     ({"accuracy_m": 150.0}, VisitFlag.LOW_ACCURACY),
     ({"mock_location": True}, VisitFlag.MOCK_LOCATION),
     ({"checked_in_at_hours": -30}, VisitFlag.CLOCK_SKEW),
     ({"checked_in_at_hours": 30}, VisitFlag.CLOCK_SKEW)],
)  # fmt: skip
async def test_a_flagged_check_in_is_kept_unverified(
    world: World, fields: dict[str, object], flag: VisitFlag
) -> None:
    hours = fields.pop("checked_in_at_hours", None)
    if hours is not None:
        fields["checked_in_at"] = world.clock.now() + timedelta(hours=float(str(hours)))
    visit = await _check_in(world, **fields)
    assert (visit.verified, visit.flags) == (False, [flag])


async def test_no_contact_location_is_its_own_flag(world: World) -> None:
    nowhere = await world.contact("rep_a1", latitude=None, longitude=None)
    visit = await _check_in(world, contact=nowhere)
    assert (visit.distance_m, visit.flags) == (None, [VisitFlag.NO_CONTACT_LOCATION])


async def test_impossible_travel_since_the_previous_check_in(world: World) -> None:
    await _check_in(world)
    world.clock.advance(600)
    far = await world.contact("rep_a1", latitude=PUNE[0] + 1.0)
    visit = await _check_in(world, contact=far, latitude=PUNE[0] + 1.0)
    assert visit.flags == [VisitFlag.IMPOSSIBLE_TRAVEL]


async def test_a_check_in_more_than_thirty_days_ahead_is_refused(world: World) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await _check_in(world, checked_in_at=world.clock.now() + timedelta(days=31))
    assert set(caught.value.details or {}) == {"checkedInAt"}
    assert "visit.checked_in" not in world.actions()


async def test_a_rep_checks_in_only_at_their_own_contacts(world: World) -> None:
    theirs = await world.contact("rep_a2")
    with pytest.raises(ValidationFailed) as caught:
        await _check_in(world, contact=theirs)
    assert caught.value.details == {"contactId": ["No such contact."]}


async def test_a_client_made_visit_id_is_kept_once(world: World) -> None:
    mine = uuid4()
    contact = await world.contact("rep_a1")
    assert (await _check_in(world, contact=contact, id=mine)).id == mine
    with pytest.raises(Conflict):
        await _check_in(world, contact=contact, id=mine)


async def test_check_out_once_and_only_by_the_visits_rep(world: World) -> None:
    visit = await _check_in(world)
    with pytest.raises(Forbidden):
        await check_out(world.as_("mgr_a"), visit.id, CheckOut(), world.deps)
    with pytest.raises(NotFound):
        await check_out(world.as_("rep_b1"), visit.id, CheckOut(), world.deps)
    world.clock.advance(900)
    done = await check_out(world.as_("rep_a1"), visit.id, CheckOut(outcome="Order taken"),
                           world.deps)  # fmt: skip
    assert (done.checked_out_at, done.outcome) == (world.clock.now(), "Order taken")
    with pytest.raises(Conflict):
        await check_out(world.as_("rep_a1"), visit.id, CheckOut(), world.deps)
    assert world.actions()[-1] == "visit.checked_out"


async def test_a_check_out_before_the_check_in_is_refused(world: World) -> None:
    visit = await _check_in(world)
    before = world.clock.now() - timedelta(minutes=5)
    with pytest.raises(ValidationFailed):
        await check_out(world.as_("rep_a1"), visit.id, CheckOut(before), world.deps)
    with pytest.raises(ValidationFailed):
        await check_out(world.as_("rep_a1"), visit.id, CheckOut(before.replace(tzinfo=None)),
                        world.deps)  # fmt: skip
    (stored, _) = await get_visit(world.as_("rep_a1"), visit.id, world.deps)
    assert stored.checked_out_at is None


async def test_who_sees_which_visit(world: World) -> None:
    a1 = await _check_in(world, "rep_a1")
    b1 = await _check_in(world, "rep_b1")

    async def seen(who: str, **filters: object) -> set[object]:
        page = await list_visits(world.as_(who), VisitFilter(**filters), None, 50, world.deps)  # type: ignore[arg-type]
        return {row["id"] for row in page.items}

    assert await seen("rep_a1") == {a1.id}
    assert await seen("mgr_a") == {a1.id}
    assert await seen("admin") == {a1.id, b1.id}
    assert await seen("mgr_a", user_id=world.people["rep_b1"].id) == set()
    with pytest.raises(NotFound):
        await get_visit(world.as_("mgr_b"), a1.id, world.deps)


async def test_a_rep_sees_visits_at_the_contacts_they_took_over(world: World) -> None:
    contact = await world.contact("rep_a2")
    visit = await _check_in(world, "rep_a2", contact=contact)
    async with world.uow() as uow:
        row = await uow.contacts.get(contact.id)
        assert row is not None
        row.owner_id = world.people["rep_a1"].id
        await uow.contacts.save(row)
        await uow.commit()
    assert (await get_visit(world.as_("rep_a1"), visit.id, world.deps))[0].id == visit.id


# --- photos -----------------------------------------------------------------------------


async def test_a_photo_is_stored_and_a_retry_replays_it(world: World) -> None:
    visit = await _check_in(world)
    ids = PhotoIds(photo_id=uuid4())
    photo, new = await add_photo(world.as_("rep_a1"), visit.id, JPEG, world.deps, ids)
    again, new_again = await add_photo(world.as_("rep_a1"), visit.id, JPEG, world.deps, ids)
    assert (new, new_again, again.id) == (True, False, photo.id)
    (_, photos) = await get_visit(world.as_("mgr_a"), visit.id, world.deps)
    assert [p.id for p in photos] == [photo.id]
    read = await read_photo(world.as_("admin"), visit.id, photo.id, world.deps)
    assert read.stored is not None
    assert read.stored.data == JPEG
    with pytest.raises(Conflict):
        await add_photo(world.as_("rep_a1"), visit.id, PNG, world.deps, ids)  # other bytes


async def test_a_photo_seen_on_another_visit_flags_this_one(world: World) -> None:
    first = await _check_in(world)
    await add_photo(world.as_("rep_a1"), first.id, PNG, world.deps)
    world.clock.advance(3600)
    second = await _check_in(world)
    await add_photo(world.as_("rep_a1"), second.id, PNG, world.deps)
    (visit, _) = await get_visit(world.as_("rep_a1"), second.id, world.deps)
    assert (visit.verified, visit.flags) == (False, [VisitFlag.REUSED_PHOTO])
    assert world.audit()[-1].detail["reused"] is True


async def test_only_the_visits_rep_adds_photos(world: World) -> None:
    visit = await _check_in(world)
    with pytest.raises(Forbidden):
        await add_photo(world.as_("admin"), visit.id, JPEG, world.deps)
    with pytest.raises(NotFound):
        await add_photo(world.as_("rep_b1"), visit.id, JPEG, world.deps)
