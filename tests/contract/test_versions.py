"""The tenant's change counter: one new value per commit of a tenant that wrote synced
rows, stamped on every such row and entity; commit order is version order; ``save``
writes only the fields that changed, and a save that changed nothing takes no version."""

from __future__ import annotations

import asyncio

from fieldedge.domain.base import Entity
from fieldedge.ports.database import Database, Scope
from fieldedge.ports.fieldforce import ContactQuery

from .world import Tenant, add, company, contact, payment, product, reload, store, tenant, user


async def stored_versions(database: Database, t: Tenant, *entities: Entity) -> list[int]:
    async with t.uow(database) as uow:
        found = [await reload(uow, entity) for entity in entities]
    return [entity.version for entity in found]


async def test_a_new_company_counts_from_zero(database: Database) -> None:
    firm = company()
    await store(database, Scope.tenant(firm.id), firm)
    async with database.unit_of_work(Scope.tenant(firm.id)) as uow:
        assert await uow.companies.change_counter() == 0  # a company is not a synced row
    first = user(firm.id)
    await store(database, Scope.tenant(firm.id), first)
    assert first.version == 1
    async with database.unit_of_work(Scope.tenant(firm.id)) as uow:
        assert await uow.companies.change_counter() == 1


async def test_one_commit_takes_one_new_version_for_every_row_it_wrote(database: Database) -> None:
    t = await tenant(database)
    order = t.order(amount_paid=100)
    rows: list[Entity] = [
        contact(t.id), t.visit(), product(t.id), order, payment(t.id, order.id, t.rep.id),
        user(t.id),
    ]  # fmt: skip
    async with t.uow(database) as uow:
        before = await uow.companies.change_counter()
        rep = await uow.users.get(t.rep.id)
        assert rep is not None
        await add(uow, *rows)
        rep.name = "Ravi Kumar"
        await uow.users.save(rep)
        await uow.commit()
    rows.append(rep)
    assert [getattr(e, "version", None) for e in rows] == [before + 1] * 7
    assert [e.changes() for e in rows] == [{}] * 7  # what commit stamped counts as stored
    async with t.uow(database) as uow:
        assert await uow.companies.change_counter() == before + 1
    assert await stored_versions(database, t, *rows) == [before + 1] * 7


async def test_rows_written_before_the_commit_are_stamped_too(database: Database) -> None:
    t = await tenant(database)
    rows: list[Entity] = [contact(t.id), t.visit(), product(t.id), user(t.id)]
    async with t.uow(database) as uow:
        await add(uow, *rows)
        await uow.contacts.list(ContactQuery())  # sends them: commit stamps them in place
        found = await uow.contacts.get(t.contact.id)
        assert found is not None
        found.notes = "Second visit due"
        await uow.contacts.save(found)
        await uow.contacts.get(found.id)
        await uow.commit()
    rows.append(found)
    assert [getattr(e, "version", None) for e in rows] == [2] * 5
    assert await stored_versions(database, t, *rows) == [2] * 5


async def test_an_order_written_before_a_read_is_stored_with_its_version(
    database: Database,
) -> None:
    t = await tenant(database)
    order = t.order()
    async with t.uow(database) as uow:
        await uow.orders.add(order)
        await uow.orders.get(order.id)  # sends it: the commit stamps a row already written
        await uow.commit()
    async with t.uow(database) as uow:
        stored = await uow.orders.get(order.id)
    assert stored is not None
    assert (stored.number, stored.version) == ("ORD-000001", 2)
    assert (order.number, order.version) == ("ORD-000001", 2)


async def test_a_row_saved_again_after_it_was_written_keeps_both_changes(
    database: Database,
) -> None:
    t = await tenant(database)
    fresh = contact(t.id, name="First name")
    async with t.uow(database) as uow:
        await uow.contacts.add(fresh)
        existing = await uow.contacts.get(t.contact.id)  # sends the insert
        assert existing is not None
        existing.name = "Renamed"
        await uow.contacts.save(existing)
        await uow.contacts.list(ContactQuery())  # sends the update
        fresh.name = "Second name"
        existing.city = "Nashik"
        await uow.contacts.save(fresh)  # queued: sent by commit, with the stamp
        await uow.contacts.save(existing)
        await uow.commit()
    async with t.uow(database) as uow:
        stored = [await uow.contacts.get(fresh.id), await uow.contacts.get(t.contact.id)]
    assert [(c.name, c.city, c.version) for c in stored if c is not None] == [
        ("Second name", None, 2),
        ("Renamed", "Nashik", 2),
    ]


async def test_each_commit_takes_the_next_value(database: Database) -> None:
    t = await tenant(database)
    seen = []
    for name in ("One", "Two", "Three"):
        fresh = contact(t.id, name=name)
        async with t.uow(database) as uow:
            await uow.contacts.add(fresh)
            await uow.commit()
        seen.append(fresh.version)
    assert seen == [2, 3, 4]
    async with t.uow(database) as uow:
        found = await uow.contacts.get(t.contact.id)
        assert found is not None
        found.notes = "Called back"
        await uow.contacts.save(found)
        await uow.commit()
    assert found.version == 5
    assert await stored_versions(database, t, found) == [5]


async def test_a_save_without_changes_writes_nothing_and_takes_no_version(
    database: Database,
) -> None:
    t = await tenant(database)
    async with t.uow(database) as uow:
        found = await uow.contacts.get(t.contact.id)
        assert found is not None
        found.name = found.name  # the same value: no change
        await uow.contacts.save(found)
        await uow.commit()
    assert found.version == 1
    async with t.uow(database) as uow:
        assert await uow.companies.change_counter() == 1
    assert await stored_versions(database, t, found) == [1]


async def test_a_rolled_back_unit_of_work_takes_no_version(database: Database) -> None:
    t = await tenant(database)
    async with t.uow(database) as uow:
        await uow.contacts.add(contact(t.id))
        await uow.contacts.list(ContactQuery())
    fresh = contact(t.id)
    async with t.uow(database) as uow:
        await uow.contacts.add(fresh)
        await uow.commit()
    assert fresh.version == 2


async def test_tenants_count_apart(database: Database) -> None:
    a = await tenant(database, "A")
    b = await tenant(database, "B")
    for _ in range(3):
        async with a.uow(database) as uow:
            await uow.contacts.add(contact(a.id))
            await uow.commit()
    fresh = contact(b.id)
    async with b.uow(database) as uow:
        await uow.contacts.add(fresh)
        await uow.commit()
    assert fresh.version == 2


async def test_save_writes_only_the_fields_it_changed(database: Database) -> None:
    t = await tenant(database)
    async with t.uow(database) as uow:
        first = await uow.contacts.get(t.contact.id)
    async with t.uow(database) as uow:
        second = await uow.contacts.get(t.contact.id)
    assert first is not None
    assert second is not None
    first.name = "Mehta Clinic"
    second.apply({"city": "Nashik", "tags": ["key account"]})
    for changed in (first, second):
        async with t.uow(database) as uow:
            await uow.contacts.save(changed)
            await uow.commit()
    async with t.uow(database) as uow:
        stored = await uow.contacts.get(t.contact.id)
    assert stored is not None
    assert (stored.name, stored.city, stored.tags) == ("Mehta Clinic", "Nashik", ["key account"])
    assert stored.phone == t.contact.phone
    assert stored.version == 3


async def test_commit_order_is_version_order(database: Database) -> None:
    """What sync relies on: once a reader sees the counter at ``c``, every row stamped at
    or below ``c`` is committed and visible."""
    t = await tenant(database)
    writers, done = 8, asyncio.Event()

    async def write(n: int) -> None:
        async with t.uow(database) as uow:
            await uow.contacts.add(contact(t.id, name=f"Writer {n}"))
            await asyncio.sleep(0.01 * (n % 3))
            await uow.commit()

    async def read() -> list[tuple[int, set[int]]]:
        seen = []
        while not done.is_set():
            async with t.uow(database) as uow:
                counter = await uow.companies.change_counter()
                rows = await uow.contacts.list(ContactQuery(limit=100))
            seen.append((counter, {r["version"] for r in rows if r["version"] <= counter}))
            await asyncio.sleep(0.005)
        return seen

    async def all_writers() -> None:
        await asyncio.gather(*(write(n) for n in range(writers)))
        done.set()

    _, seen = await asyncio.gather(all_writers(), read())
    for counter, versions in seen:
        assert versions == set(range(1, counter + 1))
    async with t.uow(database) as uow:
        rows = await uow.contacts.list(ContactQuery(limit=100))
    assert sorted(r["version"] for r in rows) == [1, *range(2, writers + 2)]
