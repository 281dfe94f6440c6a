"""The territory repository on every implementation: lists by parent, root, level and
rep; live children; the contact list's subtree filter at any depth (ending even on a
stored loop); field versions for sync; tenant isolation."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fieldedge.domain.search import parse_search
from fieldedge.domain.territories import Territory
from fieldedge.ports.database import Database
from fieldedge.ports.fieldforce import ContactQuery
from fieldedge.ports.territories import TerritoryQuery

from .world import NOW, Tenant, contact, store, tenant, territory


async def _names(database: Database, t: Tenant, **query: Any) -> list[str]:
    async with t.uow(database) as uow:
        rows = await uow.territories.list(TerritoryQuery(**{"limit": 50, **query}))
    return [str(row["name"]) for row in rows]


async def _in(database: Database, t: Tenant, root: Territory, **query: Any) -> set[UUID]:
    async with t.uow(database) as uow:
        rows = await uow.contacts.list(ContactQuery(territory_id=root.id, limit=50, **query))
    return {row["id"] for row in rows}


async def _tree(database: Database, t: Tenant) -> list[Territory]:
    """West > Pune > Kothrud > Lane 4, and Mumbai under West (rep assigned to Pune)."""
    west = territory(t.id, name="West", kind="region")
    pune = territory(t.id, name="Pune", kind="area", parent_id=west.id, rep_ids=[str(t.rep.id)])
    kothrud = territory(t.id, name="Kothrud", parent_id=pune.id)
    lane = territory(t.id, name="Lane 4", parent_id=kothrud.id)
    mumbai = territory(t.id, name="Mumbai", kind="area", parent_id=west.id)
    await store(database, t.scope, west, pune, kothrud, lane, mumbai)
    return [west, pune, kothrud, lane, mumbai]


async def test_territories_are_listed_by_parent_root_level_and_rep(database: Database) -> None:
    t = await tenant(database)
    west, pune, *_ = await _tree(database, t)
    assert await _names(database, t) == ["West", "Pune", "Kothrud", "Lane 4", "Mumbai"]
    assert await _names(database, t, parent_id=west.id) == ["Pune", "Mumbai"]
    assert await _names(database, t, root=True) == ["West"]
    assert await _names(database, t, root=False) == ["Pune", "Kothrud", "Lane 4", "Mumbai"]
    assert await _names(database, t, kind="area") == ["Pune", "Mumbai"]
    assert await _names(database, t, rep_id=t.rep.id) == ["Pune"]
    assert await _names(database, t, rep_id=t.manager.id) == []
    assert await _names(database, t, after=pune.id, limit=2) == ["Kothrud", "Lane 4"]


async def test_live_children_only(database: Database) -> None:
    t = await tenant(database)
    _, _, kothrud, lane, _ = await _tree(database, t)
    async with t.uow(database) as uow:
        assert await uow.territories.has_children(kothrud.id)
        assert not await uow.territories.has_children(lane.id)
        gone = await uow.territories.get(lane.id, lock=True)
        assert gone is not None
        gone.apply({"deleted_at": NOW})
        await uow.territories.save(gone)
        assert not await uow.territories.has_children(kothrud.id)
        await uow.commit()
    async with t.uow(database) as uow:
        assert await uow.territories.get(lane.id) is None
        assert await uow.territories.get(lane.id, include_deleted=True) is not None
    assert "Lane 4" not in await _names(database, t)


async def test_the_subtree_filter_reaches_every_level_below(database: Database) -> None:
    t = await tenant(database)
    west, pune, kothrud, lane, mumbai = await _tree(database, t)
    at = {
        x.name: contact(t.id, name=f"At {x.name}", territory_id=x.id)
        for x in (west, pune, lane, mumbai)
    }
    await store(database, t.scope, *at.values())
    assert await _in(database, t, west) == {c.id for c in at.values()}
    assert await _in(database, t, pune) == {at["Pune"].id, at["Lane 4"].id}
    assert await _in(database, t, kothrud) == {at["Lane 4"].id}
    assert await _in(database, t, mumbai) == {at["Mumbai"].id}
    # Other filters still apply, in the same statement.
    assert await _in(database, t, west, owner_ids=[t.rep.id]) == set()
    assert await _in(database, t, west, q=parse_search("mumbai")) == {at["Mumbai"].id}


async def test_a_deleted_territory_ends_its_branch(database: Database) -> None:
    t = await tenant(database)
    west, _, kothrud, lane, _ = await _tree(database, t)
    below = contact(t.id, name="Below", territory_id=lane.id)
    await store(database, t.scope, below)
    async with t.uow(database) as uow:
        gone = await uow.territories.get(kothrud.id, lock=True)
        assert gone is not None
        gone.apply({"deleted_at": NOW})
        await uow.territories.save(gone)
        await uow.commit()
    assert await _in(database, t, west) == set()


async def test_the_walk_ends_on_a_loop_stored_behind_the_rules(database: Database) -> None:
    t = await tenant(database)
    a = territory(t.id, name="A")
    b = territory(t.id, name="B", parent_id=a.id)
    await store(database, t.scope, a, b)
    async with t.uow(database) as uow:  # the repository takes it; only the use case refuses
        looped = await uow.territories.get(a.id, lock=True)
        assert looped is not None
        looped.apply({"parent_id": b.id})
        await uow.territories.save(looped)
        await uow.commit()
    inside = contact(t.id, name="Inside", territory_id=b.id)
    await store(database, t.scope, inside)
    assert await _in(database, t, a) == {inside.id}


async def test_another_tenants_tree_is_invisible(database: Database) -> None:
    mine, theirs = await tenant(database), await tenant(database, name="Rival Pharma")
    west, *_ = await _tree(database, theirs)
    their_contact = contact(theirs.id, name="Theirs", territory_id=west.id)
    await store(database, theirs.scope, their_contact)
    assert await _names(database, mine) == []
    assert await _in(database, mine, west) == set()
    async with mine.uow(database) as uow:
        assert await uow.territories.get(west.id) is None
        assert not await uow.territories.has_children(west.id)


async def test_each_field_keeps_the_version_it_last_changed_at(database: Database) -> None:
    t = await tenant(database)
    _, pune, *_ = await _tree(database, t)
    async with t.uow(database) as uow:
        row = await uow.territories.get(pune.id, lock=True)
        assert row is not None
        row.apply({"name": "Pune City"})
        await uow.territories.save(row)
        await uow.commit()
    async with t.uow(database) as uow:
        versions = await uow.sync.field_versions("territories", pune.id)
        stored = await uow.territories.get(pune.id)
    assert stored is not None
    assert versions["name"] == stored.version
    assert versions["rep_ids"] < stored.version
