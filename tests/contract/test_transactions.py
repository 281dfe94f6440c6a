"""A unit of work is one transaction: it reads what it wrote, nobody else sees it before
``commit``, and leaving it without ``commit`` (or on an error) keeps nothing."""

from __future__ import annotations

import asyncio

import pytest

from fieldedge.domain.contacts import Contact
from fieldedge.domain.orders import Order
from fieldedge.domain.search import parse_search
from fieldedge.errors import Conflict
from fieldedge.ports.database import Database, Scope
from fieldedge.ports.fieldforce import ContactQuery, OrderQuery

from .world import (
    add,
    contact,
    idempotency_record,
    outbox_event,
    photo,
    refresh_token,
    tenant,
)


async def test_a_unit_of_work_reads_what_it_added_and_saved(database: Database) -> None:
    t = await tenant(database)
    fresh = contact(t.id, name="Kulkarni Medicals")
    async with t.uow(database) as uow:
        await uow.contacts.add(fresh)
        found = await uow.contacts.get(fresh.id)
        assert found is not None
        assert found.name == "Kulkarni Medicals"
        found.name = "Kulkarni Medical Stores"
        await uow.contacts.save(found)
        again = await uow.contacts.get(fresh.id)
        assert again is not None
        assert again.name == "Kulkarni Medical Stores"
        listed = await uow.contacts.list(ContactQuery(q=parse_search("medical stores")))
        assert [record["id"] for record in listed] == [fresh.id]
        order = t.order()
        await uow.orders.add(order)
        assert [r["id"] for r in await uow.orders.list(OrderQuery())] == [order.id]
        await uow.commit()


async def test_reads_see_every_kind_of_write_of_the_same_unit_of_work(database: Database) -> None:
    t = await tenant(database)
    v = t.visit()
    token = refresh_token(t.rep)
    record = idempotency_record(t.rep, "k-1")
    async with t.uow(database) as uow:
        await add(uow, v)
        pic = photo(t.id, v.id)
        await add(uow, pic, token)
        assert await uow.refresh_tokens.by_hash(token.token_hash) is not None
        assert [p.id for p in await uow.photos.for_visit(v.id)] == [pic.id]
        assert await uow.idempotency.record(record) is True
        assert await uow.idempotency.find(t.rep.id, "k-1", now=record.created_at) is not None
        assert await uow.users.team(t.manager.id) == {t.manager.id, t.rep.id}


async def test_an_outbox_event_is_written_by_the_commit_only(database: Database) -> None:
    kept, dropped = outbox_event(None), outbox_event(None)
    async with database.unit_of_work(Scope.system()) as uow:
        await uow.outbox.add(dropped)  # left without commit: never written
    async with database.unit_of_work(Scope.system()) as uow:
        await uow.outbox.add(kept)
        await uow.commit()
    async with database.unit_of_work(Scope.system()) as uow:
        listed = await uow.outbox.list(status=None, after=None, limit=10)
    assert [e.id for e in listed] == [kept.id]


async def test_leaving_without_commit_keeps_nothing(database: Database) -> None:
    t = await tenant(database)
    fresh = contact(t.id)
    async with t.uow(database) as uow:
        await uow.contacts.add(fresh)
        assert await uow.contacts.get(fresh.id) is not None  # written, not committed
        changed = await uow.contacts.get(t.contact.id)
        assert changed is not None
        changed.name = "Renamed"
        await uow.contacts.save(changed)
    async with t.uow(database) as uow:
        assert await uow.contacts.get(fresh.id) is None
        kept = await uow.contacts.get(t.contact.id)
    assert kept is not None
    assert kept.name == t.contact.name


async def test_an_error_inside_rolls_back_and_propagates(database: Database) -> None:
    t = await tenant(database)
    fresh = contact(t.id)

    async def fail_after_writing() -> None:
        async with t.uow(database) as uow:
            await uow.contacts.add(fresh)
            await uow.contacts.get(fresh.id)
            raise LookupError("a rule failed after the write")

    with pytest.raises(LookupError):
        await fail_after_writing()
    async with t.uow(database) as uow:
        assert await uow.contacts.get(fresh.id) is None


async def test_nothing_is_seen_by_another_unit_of_work_before_commit(database: Database) -> None:
    t = await tenant(database)
    fresh = contact(t.id, name="Not yet")
    written, committed = asyncio.Event(), False

    async def writer() -> None:
        nonlocal committed
        async with t.uow(database) as uow:
            await uow.contacts.add(fresh)
            await uow.contacts.get(fresh.id)  # sent to the store, inside the transaction
            written.set()
            await asyncio.sleep(0.2)  # let the reader look (SQLite makes it wait instead)
            committed = True
            await uow.commit()

    async def reader() -> tuple[Contact | None, list[object], bool]:
        await written.wait()
        async with t.uow(database) as uow:
            found = await uow.contacts.get(fresh.id)
            listed = [r["id"] for r in await uow.contacts.list(ContactQuery())]
            return found, listed, committed

    _, (found, listed, was_committed) = await asyncio.gather(writer(), reader())
    if not was_committed:
        assert found is None
        assert fresh.id not in listed
    async with t.uow(database) as uow:
        assert await uow.contacts.get(fresh.id) is not None


async def test_a_failed_commit_keeps_nothing_of_the_unit_of_work(database: Database) -> None:
    t = await tenant(database)
    fresh = contact(t.id)
    taken = t.order()
    async with t.uow(database) as uow:
        await uow.orders.add(taken)
        await uow.commit()
    twin = Order.load({**taken.values(), "number": None})  # the same id again

    async def write_both() -> None:
        async with t.uow(database) as uow:
            await uow.contacts.add(fresh)
            await uow.orders.add(twin)
            await uow.commit()

    with pytest.raises(Conflict):
        await write_both()
    async with t.uow(database) as uow:
        assert await uow.contacts.get(fresh.id) is None
        assert [r["id"] for r in await uow.orders.list(OrderQuery())] == [taken.id]
