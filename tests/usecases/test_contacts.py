"""Contacts under the owner scope: create, edit, reassign, delete, and the lists (filters,
pages, near search) as each role sees them."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest
from contract.world import contact, store

from fieldedge.domain.contacts import ContactType
from fieldedge.domain.identity import Role
from fieldedge.errors import Conflict, Forbidden, NotFound, ValidationFailed
from fieldedge.ports.database import Scope
from fieldedge.services.contact_search import (
    ContactFilter,
    list_contacts,
    near_contacts,
)
from fieldedge.services.contacts import (
    CreateContact,
    create_contact,
    delete_contact,
    get_contact,
    update_contact,
)
from fieldedge.services.pagination import encode_cursor

from .world import PUNE, World


async def _create(world: World, who: str, **fields: object) -> object:
    return await create_contact(
        world.as_(who), CreateContact(**{"name": "Dr. Mehta Clinic", **fields}), world.deps
    )


async def _ids(world: World, who: str, **filters: object) -> set[UUID]:
    page = await list_contacts(world.as_(who), ContactFilter(**filters), None, 100, world.deps)
    return {UUID(str(row["id"])) for row in page.items}


async def test_a_rep_creates_their_own_contact_normalised_and_audited(world: World) -> None:
    made = await create_contact(
        world.as_("rep_a1"),
        CreateContact(
            name="  Dr. Mehta Clinic ",
            type=ContactType.DOCTOR,
            phone="098200 12345",
            tags=["Cardio", " cardio ", "VIP"],
            latitude=PUNE[0],
            longitude=PUNE[1],
        ),
        world.deps,
    )
    stored = await get_contact(world.as_("admin"), made.id, world.deps)
    assert (stored.name, stored.phone, stored.owner_id) == (
        "Dr. Mehta Clinic",
        "+919820012345",
        world.people["rep_a1"].id,
    )
    assert stored.tags == ["cardio", "vip"]
    entry = world.audit()[-1]
    assert (entry.action, entry.entity_id) == ("contact.created", made.id)
    assert entry.detail == {"ownerId": str(world.people["rep_a1"].id)}


async def test_a_rep_may_not_create_a_contact_for_someone_else(world: World) -> None:
    with pytest.raises(Forbidden):
        await _create(world, "rep_a1", owner_id=world.people["rep_a2"].id)
    assert "contact.created" not in world.actions()


async def test_a_rep_naming_themselves_as_owner_is_fine(world: World) -> None:
    made = await _create(world, "rep_a1", owner_id=world.people["rep_a1"].id)
    assert made.owner_id == world.people["rep_a1"].id  # type: ignore[attr-defined]


async def test_a_manager_creates_for_a_rep_or_for_nobody(world: World) -> None:
    assigned = await _create(world, "mgr_a", owner_id=world.people["rep_b1"].id)
    unassigned = await _create(world, "mgr_a")
    assert assigned.owner_id == world.people["rep_b1"].id  # type: ignore[attr-defined]
    assert unassigned.owner_id is None  # type: ignore[attr-defined]


@pytest.mark.parametrize("owner", ["admin", "inactive", "elsewhere", "nobody"])
async def test_an_owner_must_be_an_active_rep_or_manager_here(
    world: World, other: World, owner: str
) -> None:
    if owner == "inactive":
        owner_id = (await world.add_user("gone", Role.SALES_REP, active=False)).id
    elif owner == "elsewhere":
        owner_id = other.people["rep_a1"].id
    elif owner == "nobody":
        owner_id = uuid4()
    else:
        owner_id = world.people[owner].id
    with pytest.raises(ValidationFailed) as caught:
        await _create(world, "admin", owner_id=owner_id)
    assert set(caught.value.details or {}) == {"ownerId"}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"phone": "12"}, "phone"),
        ({"latitude": 18.5}, "longitude"),
        ({"latitude": 91.0, "longitude": 73.0}, "latitude"),
        ({"name": ""}, "name"),
        ({"id": UUID(int=0)}, "id"),
    ],
)
async def test_bad_contact_input_is_refused_and_nothing_written(
    world: World, fields: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await _create(world, "rep_a1", **fields)
    assert field in (caught.value.details or {})
    assert await _ids(world, "admin") == set()


async def test_a_client_made_id_is_kept_and_cannot_be_reused(world: World) -> None:
    mine = uuid4()
    made = await _create(world, "rep_a1", id=mine)
    assert made.id == mine  # type: ignore[attr-defined]
    await delete_contact(world.as_("admin"), mine, world.deps)
    with pytest.raises(Conflict):
        await _create(world, "rep_a1", id=mine)  # a tombstone holds the id too


async def test_another_tenants_id_is_unusable_and_says_nothing(world: World, other: World) -> None:
    theirs = await other.contact("rep_a1")
    with pytest.raises(ValidationFailed) as caught:
        await _create(world, "rep_a1", id=theirs.id)
    assert caught.value.details == {"id": ["This id cannot be used; make a new UUID."]}


async def test_who_sees_which_contact(world: World) -> None:
    a1 = await world.contact("rep_a1")
    b1 = await world.contact("rep_b1")
    free = await world.contact(None)
    assert await _ids(world, "rep_a1") == {a1.id}
    assert await _ids(world, "rep_b1") == {b1.id}
    assert await _ids(world, "mgr_a") == await _ids(world, "admin") == {a1.id, b1.id, free.id}
    with pytest.raises(NotFound):
        await get_contact(world.as_("rep_a1"), b1.id, world.deps)
    assert (await get_contact(world.as_("mgr_b"), a1.id, world.deps)).id == a1.id


async def test_a_rep_filtering_by_another_owner_sees_nothing(world: World) -> None:
    await world.contact("rep_a2")
    assert await _ids(world, "rep_a1", owner_id=world.people["rep_a2"].id) == set()


async def test_filters_combine(world: World) -> None:
    hit = await world.contact("rep_a1", type="DOCTOR", city="Pune", tags=["vip"], name="Dr. Rao")
    await world.contact("rep_a1", type="RETAILER", city="Pune", tags=["vip"], name="Rao Stores")
    await world.contact("rep_a1", type="DOCTOR", city="Mumbai", tags=["vip"], name="Dr. Rao M")
    await world.contact("rep_a1", type="DOCTOR", city="pune", tags=[], name="Dr. Rao N")
    found = await _ids(world, "admin", type=ContactType.DOCTOR, city="PUNE", tag=" VIP ", q="rao")
    assert found == {hit.id}


async def test_lists_page_by_id(world: World) -> None:
    made = {(await world.contact("rep_a1")).id for _ in range(5)}
    admin = world.as_("admin")
    first = await list_contacts(admin, ContactFilter(), None, 3, world.deps)
    rest = await list_contacts(admin, ContactFilter(), first.next_cursor, 3, world.deps)
    seen = [UUID(str(r["id"])) for r in [*first.items, *rest.items]]
    assert seen == sorted(made)
    assert rest.next_cursor is None


async def test_a_forged_cursor_is_refused(world: World) -> None:
    with pytest.raises(ValidationFailed):
        await list_contacts(world.as_("admin"), ContactFilter(), "%%%", 10, world.deps)


async def test_an_edit_keeps_what_was_not_sent_and_is_audited(world: World) -> None:
    contact = await world.contact("rep_a1", city="Pune", notes="old")
    changed = await update_contact(world.as_("rep_a1"), contact.id, {"notes": "new", "phone":
                                   "9820012345"}, world.deps)  # fmt: skip
    assert (changed.notes, changed.city, changed.phone) == ("new", "Pune", "+919820012345")
    entry = world.audit()[-1]
    assert (entry.action, entry.detail) == ("contact.updated", {"fields": ["notes", "phone"]})


async def test_a_rep_cannot_edit_or_reassign_what_is_not_theirs(world: World) -> None:
    theirs = await world.contact("rep_a2")
    mine = await world.contact("rep_a1")
    with pytest.raises(NotFound):
        await update_contact(world.as_("rep_a1"), theirs.id, {"notes": "x"}, world.deps)
    with pytest.raises(Forbidden):
        await update_contact(world.as_("rep_a1"), mine.id, {"owner_id": None}, world.deps)
    assert "contact.updated" not in world.actions()


async def test_a_manager_reassigns_and_the_replicas_follow(world: World) -> None:
    contact = await world.contact("rep_a1")
    a1, b1 = world.people["rep_a1"].id, world.people["rep_b1"].id
    await update_contact(world.as_("mgr_a"), contact.id, {"owner_id": b1}, world.deps)
    assert world.actions()[-1] == "contact.reassigned"
    assert world.scope_log() == [("contact", contact.id, a1, b1)]
    assert await _ids(world, "rep_a1") == set()
    assert await _ids(world, "rep_b1") == {contact.id}


async def test_reassigning_to_an_unfit_owner_is_refused(world: World) -> None:
    contact = await world.contact("rep_a1")
    with pytest.raises(ValidationFailed):
        await update_contact(world.as_("admin"), contact.id, {"owner_id": world.people["admin"].id},
                             world.deps)  # fmt: skip
    assert (await get_contact(world.as_("admin"), contact.id, world.deps)).owner_id == world.people[
        "rep_a1"
    ].id


async def test_an_invalid_edit_changes_nothing(world: World) -> None:
    contact = await world.contact("rep_a1")
    with pytest.raises(ValidationFailed):
        await update_contact(world.as_("rep_a1"), contact.id, {"latitude": None}, world.deps)
    assert (await get_contact(world.as_("rep_a1"), contact.id, world.deps)).latitude == PUNE[0]


async def test_delete_leaves_a_tombstone_that_reads_as_not_found(world: World) -> None:
    contact = await world.contact("rep_a1")
    await delete_contact(world.as_("mgr_b"), contact.id, world.deps)
    with pytest.raises(NotFound):
        await get_contact(world.as_("admin"), contact.id, world.deps)
    with pytest.raises(NotFound):
        await delete_contact(world.as_("admin"), contact.id, world.deps)
    assert await _ids(world, "admin") == set()
    await world.assert_tombstone("contact", contact.id)


async def test_another_tenants_contact_is_not_found(world: World, other: World) -> None:
    theirs = await other.contact("rep_a1")
    with pytest.raises(NotFound):
        await get_contact(world.as_("admin"), theirs.id, world.deps)
    with pytest.raises(NotFound):
        await update_contact(world.as_("admin"), theirs.id, {"notes": "x"}, world.deps)


# --- near search ------------------------------------------------------------------------

NORTH = 0.009  # degrees of latitude: about 1 km


async def _ring(world: World) -> dict[str, UUID]:
    spots = {"here": 0.0, "1km": NORTH, "3km": 3 * NORTH, "9km": 9 * NORTH}
    made = {}
    for name, dlat in spots.items():
        made[name] = (await world.contact("rep_a1", latitude=PUNE[0] + dlat, name=name)).id
    made["nowhere"] = (await world.contact("rep_a1", latitude=None, longitude=None)).id
    return made


async def test_near_sorts_by_distance_within_the_radius(world: World) -> None:
    spots = await _ring(world)
    page = await near_contacts(world.as_("rep_a1"), ContactFilter(), f"{PUNE[0]},{PUNE[1]}", 5,
                               None, 10, world.deps)  # fmt: skip
    assert [near.id for near in page.items] == [spots["here"], spots["1km"], spots["3km"]]
    assert [round(near.distance_m, -2) for near in page.items] == [0, 1000, 3000]


async def test_near_pages_by_distance(world: World) -> None:
    spots = await _ring(world)
    rep, centre = world.as_("rep_a1"), f"{PUNE[0]},{PUNE[1]}"
    first = await near_contacts(rep, ContactFilter(), centre, 50, None, 2, world.deps)
    rest = await near_contacts(rep, ContactFilter(), centre, 50, first.next_cursor, 2, world.deps)
    order = [near.id for near in [*first.items, *rest.items]]
    assert order == [spots["here"], spots["1km"], spots["3km"], spots["9km"]]
    assert rest.next_cursor is None


async def test_near_keeps_to_the_callers_scope(world: World) -> None:
    await world.contact("rep_b1")
    page = await near_contacts(world.as_("rep_a1"), ContactFilter(), f"{PUNE[0]},{PUNE[1]}", 5,
                               None, 10, world.deps)  # fmt: skip
    assert page.items == []


@pytest.mark.parametrize(
    ("near", "radius", "field"),
    [("18.5", 5, "near"), ("91,73", 5, "near"), ("18.5,73.8", 0, "radiusKm"),
     ("18.5,73.8", 100_000, "radiusKm"), ("a,b", 5, "near")],
)  # fmt: skip
async def test_a_bad_near_is_refused(world: World, near: str, radius: float, field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await near_contacts(world.as_("admin"), ContactFilter(), near, radius, None, 10, world.deps)
    assert field in (caught.value.details or {})


async def test_a_forged_near_cursor_is_refused(world: World) -> None:
    with pytest.raises(ValidationFailed):
        await near_contacts(world.as_("admin"), ContactFilter(), "18.5,73.8", 5,
                            encode_cursor({"d": "far"}), 10, world.deps)  # fmt: skip


async def test_a_crowded_area_is_paged_not_refused(world: World) -> None:
    # More contacts at one spot than the old 2,000-candidate cap: every one comes back.
    crowd = [contact(world.id, latitude=PUNE[0], longitude=PUNE[1]) for _ in range(2100)]
    farther = contact(world.id, latitude=PUNE[0] + 0.001, longitude=PUNE[1])
    await store(world.deps.db, Scope.tenant(world.id), *crowd, farther)
    seen, cursor, centre = [], None, f"{PUNE[0]},{PUNE[1]}"
    while True:
        page = await near_contacts(world.as_("admin"), ContactFilter(), centre, 1, cursor, 100,
                                   world.deps)  # fmt: skip
        seen += [near.id for near in page.items]
        if (cursor := page.next_cursor) is None:
            break
    assert seen == [*sorted(c.id for c in crowd), farther.id]


async def test_a_near_cursor_belongs_to_its_query(world: World) -> None:
    await _ring(world)
    admin, centre = world.as_("admin"), f"{PUNE[0]},{PUNE[1]}"
    first = await near_contacts(admin, ContactFilter(), centre, 50, None, 1, world.deps)
    for other in [(centre, 40, ContactFilter()), ("18.6,73.8", 50, ContactFilter()),
                  (centre, 50, ContactFilter(city="Pune"))]:  # fmt: skip
        with pytest.raises(ValidationFailed) as caught:
            await near_contacts(admin, other[2], other[0], other[1], first.next_cursor, 1,
                                world.deps)  # fmt: skip
        assert set(caught.value.details or {}) == {"cursor"}
    with pytest.raises(ValidationFailed):  # nor does a near cursor page the plain list
        await list_contacts(admin, ContactFilter(), first.next_cursor, 1, world.deps)


@pytest.mark.parametrize("q", ["a", "ab", "%", "%%%", "___", " a_ ", "\\\\\\"])
async def test_a_search_term_too_short_for_an_index_is_refused(world: World, q: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await list_contacts(world.as_("admin"), ContactFilter(q=q), None, 10, world.deps)
    assert set(caught.value.details or {}) == {"q"}
