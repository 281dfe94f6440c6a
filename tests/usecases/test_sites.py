"""Site use cases on the memory fake: a tree under one contact (no cycle at any depth, a
parent of the same contact only), the near search, deletes that would orphan, another
company's ids, who may write, the audit trail and sync. HTTP lives in tests/http."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest

from fieldedge.domain.contacts import Contact
from fieldedge.domain.sites import Site
from fieldedge.domain.sync import Mutation
from fieldedge.errors import Conflict, Forbidden, NotFound, ValidationFailed
from fieldedge.http.sync_entities import registry
from fieldedge.services import contacts, equipment, sites
from fieldedge.services.equipment import CreateEquipment, CreateType
from fieldedge.services.sites import CreateSite, SiteFilter
from fieldedge.services.sync.pull import pull
from fieldedge.services.sync.push import push

from .world import PUNE, World


async def _site(
    world: World, contact: Contact, name: str, parent: Site | None = None, **fields: Any
) -> Site:
    cmd = CreateSite(
        contact_id=contact.id, name=name, parent_id=parent.id if parent else None, **fields
    )
    return await sites.create_site(world.as_(fields.pop("who", "admin")), cmd, world.deps)


async def _chain(world: World, contact: Contact, depth: int) -> list[Site]:
    chain = [await _site(world, contact, "Plant")]
    for level in range(1, depth):
        chain.append(await _site(world, contact, f"Level {level}", chain[-1]))
    return chain


async def _move(world: World, site: Site, parent: Site | None) -> Site:
    changes = {"parent_id": parent.id if parent else None}
    return await sites.update_site(world.as_("mgr_a"), site.id, changes, world.deps)


async def test_a_manager_builds_a_contacts_sites_and_every_role_reads_them(world: World) -> None:
    customer = await world.contact()
    plant = await _site(world, customer, " Pune plant ", address="MIDC, Bhosari", latitude=PUNE[0],
                        longitude=PUNE[1])  # fmt: skip
    floor = await _site(world, customer, "Floor 2", plant)
    room = await _site(world, customer, "Boiler room", floor)
    other = await world.contact(name="Another customer")
    await _site(world, other, "Depot")
    read = await sites.get_site(world.as_("rep_b1"), room.id, world.deps)
    assert (read.name, read.parent_id, read.contact_id) == ("Boiler room", floor.id, customer.id)
    assert plant.name == "Pune plant"

    async def names(**filters: Any) -> list[str]:
        page = await sites.list_sites(
            world.as_("rep_a2"), SiteFilter(**filters), None, 100, world.deps
        )
        return sorted(str(row["name"]) for row in page.items)

    assert await names(contact_id=customer.id) == ["Boiler room", "Floor 2", "Pune plant"]
    assert await names(parent_id=plant.id) == ["Floor 2"]
    assert await names(root=True) == ["Depot", "Pune plant"]
    assert await names(q="bhosari") == ["Pune plant"]
    assert world.actions() == ["site.created"] * 4


@pytest.mark.parametrize("depth", [1, 2, 3, 6])
async def test_a_move_under_itself_or_any_descendant_is_422(world: World, depth: int) -> None:
    chain = await _chain(world, await world.contact(), depth)
    before = world.actions()
    with pytest.raises(ValidationFailed) as refused:
        await _move(world, chain[0], chain[-1])  # depth 1: under itself
    assert "parentId" in refused.value.details
    stored = await sites.get_site(world.as_("admin"), chain[0].id, world.deps)
    assert stored.parent_id is None
    assert world.actions() == before  # nothing written, nothing audited


async def test_a_move_that_makes_no_loop_is_applied_and_audited(world: World) -> None:
    customer = await world.contact()
    a, b, c = await _chain(world, customer, 3)
    assert (await _move(world, c, a)).parent_id == a.id  # a grandchild up to a child
    assert (await _move(world, b, None)).parent_id is None
    assert (await _move(world, a, b)).parent_id == b.id  # b is no longer below a
    assert world.actions()[-3:] == ["site.moved"] * 3
    [entry] = [e for e in world.audit() if e.entity_id == a.id and e.action == "site.moved"]
    assert entry.detail == {"fields": ["parent_id"], "from": None, "to": str(b.id)}


async def test_a_parent_must_be_a_live_site_of_the_same_contact(world: World, other: World) -> None:
    customer, stranger = await world.contact(), await world.contact(name="Stranger")
    theirs = await _site(other, await other.contact(), "Rival plant")
    elsewhere = await _site(world, stranger, "Stranger's plant")
    gone = await _site(world, customer, "Gone")
    await sites.delete_site(world.as_("admin"), gone.id, world.deps)
    mine = await _site(world, customer, "Mine")
    for parent in (theirs, elsewhere, gone):
        with pytest.raises(ValidationFailed) as refused:
            await _site(world, customer, "Child", parent)
        assert "parentId" in refused.value.details
        with pytest.raises(ValidationFailed) as refused:
            await _move(world, mine, parent)
        assert "parentId" in refused.value.details
    with pytest.raises(ValidationFailed) as refused:
        await sites.create_site(
            world.as_("admin"), CreateSite(contact_id=uuid4(), name="Nowhere"), world.deps
        )
    assert "contactId" in refused.value.details
    with pytest.raises(ValidationFailed) as refused:
        await _site(world, customer, "Half a fix", latitude=PUNE[0])
    assert "longitude" in refused.value.details


async def test_another_companys_site_is_not_found(world: World, other: World) -> None:
    theirs = await _site(other, await other.contact(), "Rival plant")
    for attempt in (
        sites.get_site(world.as_("admin"), theirs.id, world.deps),
        sites.update_site(world.as_("admin"), theirs.id, {"name": "Taken"}, world.deps),
        sites.delete_site(world.as_("admin"), theirs.id, world.deps),
    ):
        with pytest.raises(NotFound):
            await attempt
    kept = await sites.get_site(other.as_("admin"), theirs.id, other.deps)
    assert (kept.name, kept.deleted_at) == ("Rival plant", None)


async def test_a_rep_reads_but_may_not_write_sites(world: World) -> None:
    customer = await world.contact()
    plant = await _site(world, customer, "Plant")
    with pytest.raises(Forbidden):
        await sites.create_site(
            world.as_("rep_a1"), CreateSite(contact_id=customer.id, name="Mine"), world.deps
        )
    with pytest.raises(Forbidden):
        await sites.update_site(world.as_("rep_a1"), plant.id, {"name": "X"}, world.deps)
    with pytest.raises(Forbidden):
        await sites.delete_site(world.as_("rep_a1"), plant.id, world.deps)


async def test_a_site_with_children_or_equipment_is_not_deleted(world: World) -> None:
    customer = await world.contact()
    plant, floor = await _chain(world, customer, 2)
    with pytest.raises(Conflict):
        await sites.delete_site(world.as_("admin"), plant.id, world.deps)
    kind = await equipment.create_type(world.as_("admin"), CreateType(name="Pump"), world.deps)
    pump = await equipment.create_equipment(
        world.as_("admin"),
        CreateEquipment(
            type_id=kind.id, site_id=floor.id, make="Grundfos", model="CR", serial="S1"
        ),
        world.deps,
    )
    with pytest.raises(Conflict):
        await sites.delete_site(world.as_("admin"), floor.id, world.deps)
    await equipment.delete_equipment(world.as_("admin"), pump.id, world.deps)
    gone = await sites.delete_site(world.as_("admin"), floor.id, world.deps)
    assert gone.deleted_at == world.clock.now()
    await sites.delete_site(world.as_("admin"), plant.id, world.deps)  # no child left
    assert world.actions()[-2:] == ["site.deleted"] * 2
    with pytest.raises(NotFound):
        await sites.get_site(world.as_("admin"), plant.id, world.deps)


async def test_near_lists_sites_closest_first_with_their_distance(world: World) -> None:
    customer = await world.contact()
    at = {"Centre": (18.5204, 73.8567), "Near": (18.53, 73.86), "Far": (18.60, 73.95)}
    for name, (lat, lng) in at.items():
        await _site(world, customer, name, latitude=lat, longitude=lng)
    await _site(world, customer, "No fix")
    page = await sites.near_sites(
        world.as_("rep_a1"), SiteFilter(), "18.5204,73.8567", 5, None, 1, world.deps
    )
    assert [(row["name"], row["distance_m"]) for row in page.items] == [("Centre", 0.0)]
    assert page.next_cursor is not None
    rest = await sites.near_sites(
        world.as_("rep_a1"), SiteFilter(), "18.5204,73.8567", 5, page.next_cursor, 10, world.deps
    )
    [(name, distance)] = [(row["name"], row["distance_m"]) for row in rest.items]
    assert name == "Near"
    assert 1000 < distance < 1300
    assert rest.next_cursor is None


async def test_a_site_syncs_with_client_ids_and_field_conflicts(world: World) -> None:
    mgr, client = world.as_("mgr_a"), uuid4()
    customer = await world.contact()
    plant_id, floor_id = uuid4(), uuid4()
    made = [
        Mutation(1, "site", "create", plant_id, None,
                 {"contactId": str(customer.id), "name": "Plant"}),
        Mutation(2, "site", "create", floor_id, None,
                 {"contactId": str(customer.id), "name": "Floor 1", "parentId": str(plant_id)}),
    ]  # fmt: skip
    pushed = await push(mgr, client, made, registry(), world.deps)
    assert [r["status"] for r in pushed.results] == ["applied", "applied"], pushed.results
    pulled = await pull(world.as_("rep_b1"), None, 100, registry(), world.deps)  # any role
    rows = {row["id"]: row for row in pulled.changes["sites"]["upserted"]}
    assert rows[floor_id]["parentId"] == plant_id
    base = rows[floor_id]["version"]
    await sites.update_site(world.as_("admin"), floor_id, {"name": "First floor"}, world.deps)
    edit = Mutation(3, "site", "update", floor_id, base, {"name": "Floor one", "address": "Wing B"})
    [result] = (await push(mgr, client, [edit], registry(), world.deps)).results
    assert result["status"] == "conflict"
    assert result["conflicts"] == [
        {"field": "name", "serverValue": "First floor", "clientValue": "Floor one"}
    ]
    stored = await sites.get_site(mgr, floor_id, world.deps)
    assert (stored.name, stored.address) == ("First floor", "Wing B")
    loop = Mutation(4, "site", "update", plant_id, rows[plant_id]["version"],
                    {"parentId": str(floor_id)})  # fmt: skip
    [refused] = (await push(mgr, client, [loop], registry(), world.deps)).results
    assert refused["status"] == "rejected"
    assert "parentId" in refused["error"]["details"]
    mine = Mutation(1, "site", "create", uuid4(), None,
                    {"contactId": str(customer.id), "name": "Rep's"})  # fmt: skip
    [denied] = (await push(world.as_("rep_a1"), uuid4(), [mine], registry(), world.deps)).results
    assert denied["status"] == "rejected"
    assert denied["error"]["code"] == "FORBIDDEN"


async def test_a_contact_with_live_sites_is_not_deleted(world: World) -> None:
    customer = await world.contact()
    plant = await _site(world, customer, "Plant")
    with pytest.raises(Conflict):
        await contacts.delete_contact(world.as_("admin"), customer.id, world.deps)
    await sites.delete_site(world.as_("admin"), plant.id, world.deps)
    gone = await contacts.delete_contact(world.as_("admin"), customer.id, world.deps)
    assert gone.deleted_at == world.clock.now()
