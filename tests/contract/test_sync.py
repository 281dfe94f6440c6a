"""The sync port on every implementation: client records, stored results with their
push's version, per-field versions across writes, savepoints, and a pull's reads."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fieldedge.domain.sync import ScopeChange, SyncClient
from fieldedge.errors import ValidationFailed
from fieldedge.ports.database import Database, Reach

from .world import NOW, new_id, photo, store, tenant

EVERYONE = Reach(contact_owners=None, work_owners=None)


async def test_a_client_and_its_results_round_trip(database: Database) -> None:
    t = await tenant(database)
    client = SyncClient(id=new_id(), company_id=t.id, user_id=t.rep.id, created_at=NOW,
                        updated_at=NOW)  # fmt: skip
    async with t.uow(database) as uow:
        await uow.sync.add_client(client)
        await uow.sync.add_result(client.id, 1, {"status": "applied", "version": 0}, NOW)
        await uow.sync.add_result(client.id, 2, {"status": "rejected", "version": None}, NOW)
        await uow.commit()
    async with t.uow(database) as uow:
        counter = await uow.companies.change_counter()
        found = await uow.sync.client(client.id, lock=True)
        assert found is not None
        assert (found.user_id, found.last_mutation_id) == (t.rep.id, 0)
        found.last_mutation_id = 2
        await uow.sync.save_client(found)
        # A result written with version 0 reads as the version its push was stamped with.
        assert await uow.sync.result(client.id, 1) == {"status": "applied", "version": counter}
        assert await uow.sync.result(client.id, 2) == {"status": "rejected", "version": None}
        assert await uow.sync.result(client.id, 3) is None
        await uow.commit()
    async with t.uow(database) as uow:
        again = await uow.sync.client(client.id)
        assert again is not None
        assert again.last_mutation_id == 2
    other = await tenant(database, "Rival")
    async with other.uow(database) as uow:
        assert await uow.sync.client(client.id) is None  # another tenant's: not there
        assert await uow.sync.result(client.id, 1) is None


async def test_field_versions_say_when_each_field_last_changed(database: Database) -> None:
    t = await tenant(database)
    async with t.uow(database) as uow:
        before = await uow.sync.field_versions("contacts", t.contact.id)
        created = t.contact.version
        assert before["name"] == before["city"] == created
        contact = await uow.contacts.get(t.contact.id, lock=True)
        assert contact is not None
        contact.city = "Nashik"
        await uow.contacts.save(contact)
        contact.notes = "second write, same transaction"
        await uow.contacts.save(contact)
        await uow.commit()
    edited = contact.version
    async with t.uow(database) as uow:
        after = await uow.sync.field_versions("contacts", t.contact.id)
    assert after["name"] == created
    assert after["city"] == after["notes"] == edited > created


async def test_a_savepoint_undoes_only_its_own_writes(database: Database) -> None:
    t = await tenant(database)
    async with t.uow(database) as uow:
        contact = await uow.contacts.get(t.contact.id, lock=True)
        assert contact is not None
        contact.city = "Kept"
        await uow.contacts.save(contact)

        async def refused() -> None:
            async with uow.savepoint():
                contact.notes = "undone"
                await uow.contacts.save(contact)
                await uow.visits.add(t.visit())
                raise ValidationFailed()

        with pytest.raises(ValidationFailed):
            await refused()
        await uow.commit()
    async with t.uow(database) as uow:
        stored = await uow.contacts.get(t.contact.id)
        assert stored is not None
        assert (stored.city, stored.notes) == ("Kept", None)
        assert await uow.sync.changed("visits", EVERYONE, after=0, until=10**9, key=None,
                                      limit=10) == []  # fmt: skip


async def test_changed_pages_by_version_and_id_with_tombstones(database: Database) -> None:
    t = await tenant(database)
    visits = [t.visit() for _ in range(3)]
    await store(database, t.scope, *visits)
    async with t.uow(database) as uow:
        contact = await uow.contacts.get(t.contact.id, lock=True)
        assert contact is not None
        contact.deleted_at = NOW
        await uow.contacts.save(contact)
        await uow.commit()
    async with t.uow(database) as uow:
        until = await uow.companies.change_counter()
        first = await uow.sync.changed("visits", EVERYONE, after=0, until=until, key=None, limit=2)
        last = first[-1]
        rest = await uow.sync.changed("visits", EVERYONE, after=0, until=until,
                                      key=(last["version"], last["id"]), limit=2)  # fmt: skip
        gone = await uow.sync.changed("contacts", EVERYONE, after=contact.version - 1,
                                      until=until, key=None, limit=10)  # fmt: skip
        snap = await uow.sync.snapshot("contacts", EVERYONE, until=until, after=None, limit=10)
    assert sorted(row["id"] for row in [*first, *rest]) == sorted(v.id for v in visits)
    assert [row["id"] for row in gone] == [t.contact.id]
    assert gone[0]["deleted_at"] is not None
    assert snap == []  # a snapshot holds live rows only


async def test_reach_narrows_each_kind(database: Database) -> None:
    t = await tenant(database)
    mine, theirs = t.visit(), t.visit(user_id=t.manager.id)
    await store(database, t.scope, mine, theirs, photo(t.id, mine.id), photo(t.id, theirs.id))
    rep = Reach(contact_owners=frozenset({t.rep.id}), work_owners=frozenset({t.rep.id}),
                users=frozenset({t.rep.id}))  # fmt: skip
    at_theirs = Reach(contact_owners=frozenset({t.manager.id}),
                      work_owners=frozenset({t.manager.id}), contacts_of=t.rep.id)  # fmt: skip
    async with t.uow(database) as uow:
        until = await uow.companies.change_counter()

        async def ids(kind: str, reach: Reach) -> set[object]:
            rows = await uow.sync.snapshot(kind, reach, until=until, after=None, limit=50)
            return {row["id"] for row in rows}

        assert await ids("visits", rep) == {mine.id}
        assert await ids("visits", at_theirs) == {mine.id, theirs.id}  # at the rep's contact
        assert len(await ids("photos", rep)) == 1
        assert await ids("users", rep) == {t.rep.id}
        assert await ids("contacts", rep) == {t.contact.id}
        assert await ids("contacts", at_theirs) == set()
        belonging = await uow.sync.belonging("visits", EVERYONE, users=[t.manager.id],
                                             skip=(0, 0), after=None, limit=10)  # fmt: skip
        assert [row["id"] for row in belonging] == [theirs.id]
        skipped = await uow.sync.belonging("visits", EVERYONE, users=[t.manager.id],
                                           skip=(0, until), after=None, limit=10)  # fmt: skip
        assert skipped == []


async def test_scope_changes_come_in_version_order_and_sweep(database: Database) -> None:
    t = await tenant(database)
    moves = [
        ScopeChange(id=new_id(), company_id=t.id, kind="contact", subject_id=t.contact.id,
                    lost_by=t.rep.id, gained_by=t.manager.id, created_at=NOW, updated_at=NOW),
        ScopeChange(id=new_id(), company_id=t.id, kind="contact", subject_id=t.contact.id,
                    lost_by=t.manager.id, gained_by=t.rep.id, created_at=NOW, updated_at=NOW),
    ]  # fmt: skip
    for move in moves:
        async with t.uow(database) as uow:
            await uow.sync.log_scope(move)
            await uow.commit()
    async with t.uow(database) as uow:
        until = await uow.companies.change_counter()
        seen = await uow.sync.scope_changes(t.rep.id, after=0, until=until)
        assert [(c.lost_by, c.gained_by) for c in seen] == [
            (t.rep.id, t.manager.id),
            (t.manager.id, t.rep.id),
        ]
        assert seen[0].version < seen[1].version
        assert await uow.sync.scope_changes(t.rep.id, after=seen[1].version, until=until) == []
        assert await uow.sync.sweep(NOW + timedelta(seconds=1)) == 2
        await uow.commit()
