"""Territory use cases on the memory fake: the tree's rules (no cycle at any depth, a
parent and reps of this company only), deletes, contacts in a territory and the
descendants list, who may write, the audit trail and sync. HTTP lives in tests/http."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import pytest

from fieldedge.domain.identity import Role
from fieldedge.domain.sync import Mutation
from fieldedge.domain.territories import Territory
from fieldedge.errors import Conflict, Forbidden, NotFound, ValidationFailed
from fieldedge.http.sync_entities import registry
from fieldedge.ports.territories import TerritoryQuery
from fieldedge.services import contacts, territories
from fieldedge.services.contact_search import ContactFilter, list_contacts
from fieldedge.services.sync.pull import pull
from fieldedge.services.sync.push import push
from fieldedge.services.territories import CreateTerritory, TerritoryFilter

from .world import World


async def _make(
    world: World, name: str, parent: Territory | None = None, who: str = "admin", **fields: Any
) -> Territory:
    cmd = CreateTerritory(name=name, parent_id=parent.id if parent else None, **fields)
    return await territories.create_territory(world.as_(who), cmd, world.deps)


async def _move(world: World, territory: Territory, parent: Territory | None) -> Territory:
    changes = {"parent_id": parent.id if parent else None}
    return await territories.update_territory(world.as_("admin"), territory.id, changes, world.deps)


async def _chain(world: World, depth: int) -> list[Territory]:
    """Territories nested ``depth`` deep: [root, child, grandchild, ...]."""
    chain = [await _make(world, "Level 0", kind="region")]
    for level in range(1, depth):
        chain.append(await _make(world, f"Level {level}", chain[-1]))
    return chain


async def _contact_ids(world: World, who: str, territory: Territory) -> set[UUID]:
    page = await list_contacts(
        world.as_(who), ContactFilter(territory_id=territory.id), None, 100, world.deps
    )
    return {UUID(str(row["id"])) for row in page.items}


async def test_a_manager_builds_a_tree_with_levels_and_reps(world: World) -> None:
    region = await _make(world, " West ", who="mgr_a", kind=" Region ")
    area = await _make(world, "Pune", region, who="mgr_a", kind="area")
    rep = world.people["rep_a1"].id
    beat = await _make(world, "Kothrud", area, who="mgr_a", rep_ids=[rep, rep])
    stored = await territories.get_territory(world.as_("rep_a2"), beat.id, world.deps)
    assert (stored.name, stored.kind, stored.parent_id, stored.reps) == (
        "Kothrud", "territory", area.id, [rep],
    )  # fmt: skip
    assert (region.name, region.kind) == ("West", "region")
    assert world.actions() == ["territory.created"] * 3


async def test_every_role_reads_the_tree_and_lists_filter_it(world: World) -> None:
    region = await _make(world, "West", kind="region")
    pune = await _make(world, "Pune", region, kind="area", rep_ids=[world.people["rep_a1"].id])
    mumbai = await _make(world, "Mumbai", region, kind="area")
    leaf = await _make(world, "Kothrud", pune)

    async def names(**filters: Any) -> list[str]:
        reader = world.as_("rep_b1")
        page = await territories.list_territories(
            reader, TerritoryFilter(**filters), None, 100, world.deps
        )
        return [str(row["name"]) for row in page.items]

    assert await names() == ["West", "Pune", "Mumbai", "Kothrud"]
    assert await names(parent_id=region.id) == ["Pune", "Mumbai"]
    assert await names(root=True) == ["West"]
    assert await names(root=False) == ["Pune", "Mumbai", "Kothrud"]
    assert await names(kind="AREA") == ["Pune", "Mumbai"]
    assert await names(rep_id=world.people["rep_a1"].id) == ["Pune"]
    assert (mumbai.parent_id, leaf.parent_id) == (region.id, pune.id)


@pytest.mark.parametrize("depth", [1, 2, 3, 6])
async def test_a_move_under_itself_or_any_descendant_is_refused(world: World, depth: int) -> None:
    chain = await _chain(world, depth)
    root, deepest = chain[0], chain[-1]
    before = world.actions()
    with pytest.raises(ValidationFailed) as refused:
        await _move(world, root, deepest)  # depth 1: under itself
    assert "parentId" in refused.value.details
    stored = await territories.get_territory(world.as_("admin"), root.id, world.deps)
    assert stored.parent_id is None
    assert world.actions() == before  # nothing written, nothing audited


async def test_a_move_within_the_tree_that_makes_no_loop_is_applied(world: World) -> None:
    a, b, c = await _chain(world, 3)
    other = await _make(world, "East", kind="region")
    moved = await _move(world, c, other)  # a leaf to another region
    assert moved.parent_id == other.id
    moved = await _move(world, b, None)  # a middle node becomes a root
    assert moved.parent_id is None
    moved = await _move(world, a, b)  # the old root under its old child: b is no longer below a
    assert moved.parent_id == b.id
    assert world.actions()[-3:] == ["territory.moved"] * 3
    [entry] = [e for e in world.audit() if e.entity_id == a.id and e.action == "territory.moved"]
    assert entry.detail["to"] == str(b.id)


async def test_a_parent_of_another_company_or_deleted_or_missing_is_a_422(
    world: World, other: World
) -> None:
    theirs = await _make(other, "Rival region")
    gone = await _make(world, "Gone")
    await territories.delete_territory(world.as_("admin"), gone.id, world.deps)
    mine = await _make(world, "Mine")
    for parent_id in (theirs.id, gone.id, uuid4()):
        with pytest.raises(ValidationFailed) as refused:
            await territories.create_territory(
                world.as_("admin"), CreateTerritory(name="Child", parent_id=parent_id), world.deps
            )
        assert "parentId" in refused.value.details
        with pytest.raises(ValidationFailed) as refused:
            await territories.update_territory(
                world.as_("admin"), mine.id, {"parent_id": parent_id}, world.deps
            )
        assert "parentId" in refused.value.details
    kept = await territories.get_territory(world.as_("admin"), mine.id, world.deps)
    assert kept.parent_id is None


async def test_another_companys_territory_is_not_found(world: World, other: World) -> None:
    theirs = await _make(other, "Rival region")
    with pytest.raises(NotFound):
        await territories.get_territory(world.as_("admin"), theirs.id, world.deps)
    with pytest.raises(NotFound):
        await territories.update_territory(
            world.as_("admin"), theirs.id, {"name": "Taken"}, world.deps
        )
    with pytest.raises(NotFound):
        await territories.delete_territory(world.as_("admin"), theirs.id, world.deps)
    kept = await territories.get_territory(other.as_("admin"), theirs.id, other.deps)
    assert (kept.name, kept.deleted_at) == ("Rival region", None)


async def test_reps_must_be_active_reps_or_managers_of_the_company(
    world: World, other: World
) -> None:
    await world.add_user("gone", Role.SALES_REP, active=False)
    bad = [
        world.people["admin"].id,  # an ADMIN is not assigned to ground
        world.people["gone"].id,
        other.people["rep_a1"].id,
        uuid4(),
    ]
    for index, rep in enumerate(bad):
        ok = world.people["rep_a1"].id
        with pytest.raises(ValidationFailed) as refused:
            await _make(world, "West", rep_ids=[ok, rep])
        assert list(refused.value.details) == ["repIds.1"], index
    region = await _make(world, "West", rep_ids=[world.people["mgr_a"].id])
    changed = await territories.update_territory(
        world.as_("mgr_b"), region.id, {"rep_ids": [world.people["rep_b1"].id]}, world.deps
    )
    assert changed.reps == [world.people["rep_b1"].id]  # the whole list is replaced
    assert world.actions()[-1] == "territory.updated"


async def test_an_edit_that_changes_nothing_writes_nothing(world: World) -> None:
    region = await _make(world, "West", kind="region")
    same = await territories.update_territory(
        world.as_("admin"), region.id, {"name": "West", "kind": "Region"}, world.deps
    )
    assert same.version == region.version
    assert world.actions() == ["territory.created"]


async def test_a_rep_may_not_write_the_tree(world: World) -> None:
    region = await _make(world, "West")
    rep = world.as_("rep_a1")
    with pytest.raises(Forbidden):
        await territories.create_territory(rep, CreateTerritory(name="Mine"), world.deps)
    with pytest.raises(Forbidden):
        await territories.update_territory(rep, region.id, {"name": "Mine"}, world.deps)
    with pytest.raises(Forbidden):
        await territories.delete_territory(rep, region.id, world.deps)
    assert world.actions() == ["territory.created"]


async def test_a_territory_with_children_or_contacts_is_not_deleted(world: World) -> None:
    region, area = await _chain(world, 2)
    with pytest.raises(Conflict):
        await territories.delete_territory(world.as_("admin"), region.id, world.deps)
    contact = await world.contact("rep_a1", territory_id=area.id)
    with pytest.raises(Conflict):
        await territories.delete_territory(world.as_("admin"), area.id, world.deps)
    await contacts.update_contact(
        world.as_("admin"), contact.id, {"territory_id": None}, world.deps
    )
    await territories.delete_territory(world.as_("mgr_a"), area.id, world.deps)
    await territories.delete_territory(world.as_("mgr_a"), region.id, world.deps)
    with pytest.raises(NotFound):
        await territories.get_territory(world.as_("admin"), region.id, world.deps)
    async with world.uow() as uow:
        tomb = await uow.territories.get(region.id, include_deleted=True)
    assert tomb is not None
    assert tomb.deleted_at == world.clock.now()
    assert world.actions()[-2:] == ["territory.deleted"] * 2


async def test_a_contact_belongs_to_one_territory_of_this_company(
    world: World, other: World
) -> None:
    region, area = await _chain(world, 2)
    made = await contacts.create_contact(
        world.as_("rep_a1"), contacts.CreateContact(name="Dr. Rao", territory_id=area.id),
        world.deps,
    )  # fmt: skip
    assert made.territory_id == area.id
    moved = await contacts.update_contact(
        world.as_("rep_a1"), made.id, {"territory_id": region.id}, world.deps
    )
    assert moved.territory_id == region.id
    theirs = await _make(other, "Rival region")
    for bad in (theirs.id, uuid4()):
        with pytest.raises(ValidationFailed) as refused:
            await contacts.create_contact(
                world.as_("admin"), contacts.CreateContact(name="X", territory_id=bad), world.deps
            )
        assert "territoryId" in refused.value.details
        with pytest.raises(ValidationFailed) as refused:
            await contacts.update_contact(
                world.as_("admin"), made.id, {"territory_id": bad}, world.deps
            )
        assert "territoryId" in refused.value.details
    stored = await contacts.get_contact(world.as_("admin"), made.id, world.deps)
    assert stored.territory_id == region.id


async def test_listing_a_territorys_contacts_includes_every_level_below(world: World) -> None:
    region = await _make(world, "West", kind="region")
    pune = await _make(world, "Pune", region, kind="area")
    mumbai = await _make(world, "Mumbai", region, kind="area")
    kothrud = await _make(world, "Kothrud", pune)
    deep = await _make(world, "Kothrud lane 4", kothrud)
    at = {
        t.name: (await world.contact("rep_a1", name=f"At {t.name}", territory_id=t.id)).id
        for t in (region, pune, mumbai, kothrud, deep)
    }
    await world.contact("rep_a1", name="Nowhere")
    assert await _contact_ids(world, "admin", region) == set(at.values())
    assert await _contact_ids(world, "admin", pune) == {
        at["Pune"], at["Kothrud"], at["Kothrud lane 4"],
    }  # fmt: skip
    assert await _contact_ids(world, "admin", deep) == {at["Kothrud lane 4"]}
    # A move carries the subtree's contacts with it.
    await _move(world, kothrud, mumbai)
    assert await _contact_ids(world, "admin", mumbai) == {
        at["Mumbai"], at["Kothrud"], at["Kothrud lane 4"],
    }  # fmt: skip
    # The rep's own scope still applies: rep_a2 owns none of them.
    assert await _contact_ids(world, "rep_a2", region) == set()


async def test_the_territory_filter_of_another_company_finds_nothing(
    world: World, other: World
) -> None:
    theirs = await _make(other, "Rival region")
    await other.contact("rep_a1", territory_id=theirs.id)
    assert await _contact_ids(world, "admin", theirs) == set()


async def test_a_territory_syncs_with_client_ids_and_field_conflicts(world: World) -> None:
    mgr, client = world.as_("mgr_a"), uuid4()
    region_id, area_id = uuid4(), uuid4()
    rep = str(world.people["rep_a1"].id)
    made = [
        Mutation(1, "territory", "create", region_id, None, {"name": "West", "kind": "Region"}),
        Mutation(2, "territory", "create", area_id, None,
                 {"name": "Pune", "parentId": str(region_id), "repIds": [rep]}),
    ]  # fmt: skip
    pushed = await push(mgr, client, made, registry(), world.deps)
    assert [r["status"] for r in pushed.results] == ["applied", "applied"], pushed.results
    pulled = await pull(world.as_("rep_a1"), None, 100, registry(), world.deps)
    rows = {row["id"]: row for row in pulled.changes["territories"]["upserted"]}
    assert rows[area_id]["parentId"] == region_id
    assert [str(r) for r in rows[area_id]["repIds"]] == [rep]
    base = rows[area_id]["version"]
    # The server renames it after the device last pulled.
    await territories.update_territory(
        world.as_("admin"), area_id, {"name": "Pune City"}, world.deps
    )
    edit = Mutation(3, "territory", "update", area_id, base,
                    {"name": "Poona", "repIds": [rep, str(world.people["rep_a2"].id)]})  # fmt: skip
    [result] = (await push(mgr, client, [edit], registry(), world.deps)).results
    assert result["status"] == "conflict"
    assert result["conflicts"] == [
        {"field": "name", "serverValue": "Pune City", "clientValue": "Poona"}
    ]
    stored = await territories.get_territory(mgr, area_id, world.deps)
    assert stored.name == "Pune City"  # the server's newer name stands
    assert len(stored.reps) == 2  # the untouched field is applied
    # A repeated create describing the row is a duplicate, not a second row; one that
    # does not is a conflict; a loop pushed is refused alone.
    replay = Mutation(4, "territory", "create", region_id, None, {"name": "West", "kind": "region"})
    [again] = (await push(mgr, client, [replay], registry(), world.deps)).results
    assert again["status"] == "duplicate"
    clash = Mutation(5, "territory", "create", region_id, None, {"name": "East"})
    [clashed] = (await push(mgr, client, [clash], registry(), world.deps)).results
    assert clashed["status"] == "conflict"
    async with world.uow() as uow:
        assert len(await uow.territories.list(TerritoryQuery(limit=10))) == 2
    region = await territories.get_territory(mgr, region_id, world.deps)
    loop = Mutation(6, "territory", "update", region_id, region.version,
                    {"parentId": str(area_id)})  # fmt: skip
    [refused] = (await push(mgr, client, [loop], registry(), world.deps)).results
    assert refused["status"] == "rejected"
    assert "parentId" in refused["error"]["details"]
    # A rep's push of the tree is refused by role.
    rep_push = Mutation(1, "territory", "create", uuid4(), None, {"name": "Mine"})
    denied_push = await push(world.as_("rep_a1"), uuid4(), [rep_push], registry(), world.deps)
    [denied] = denied_push.results
    assert denied["status"] == "rejected"
    assert denied["error"]["code"] == "FORBIDDEN"
