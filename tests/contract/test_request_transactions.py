"""One transaction around a request: units of work of its scope opened inside it join it;
their ``commit`` stamps and writes but only the request's commit makes anything durable,
and a joined unit of work that fails leaves nothing of the request."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import pytest

from fieldedge.ports.database import Database, Scope, UnitOfWork
from fieldedge.ports.fieldforce import ContactQuery

from .world import (
    Tenant,
    contact,
    idempotency_record,
    outbox_event,
    product,
    refresh_token,
    tenant,
)


async def visible(database: Database, t: Tenant) -> set[object]:
    async with t.uow(database) as uow:
        return {r["id"] for r in await uow.contacts.list(ContactQuery(limit=100))}


async def failing(
    database: Database, scope: Scope, write: Callable[[UnitOfWork], Awaitable[None]]
) -> None:
    """A unit of work that writes, then fails a rule (and so never commits)."""
    async with database.unit_of_work(scope) as uow:
        await write(uow)
        raise LookupError("a rule failed")


async def test_joined_units_of_work_commit_with_the_request(database: Database) -> None:
    t = await tenant(database)
    fresh, order, key = contact(t.id), t.order(), idempotency_record(t.rep, "req-1")
    joined, committed = asyncio.Event(), False

    async def request() -> None:
        nonlocal committed
        async with database.request_transaction(t.scope) as outer:
            async with database.unit_of_work(t.scope) as uow:
                await uow.contacts.add(fresh)
                await uow.commit()
            assert fresh.version == 2  # a joined commit stamps
            async with database.unit_of_work(t.scope) as uow:
                await uow.orders.add(order)
                await uow.commit()
            assert order.number == "ORD-000001"
            assert await outer.contacts.get(fresh.id) is not None  # one transaction
            assert await outer.idempotency.record(key) is True
            joined.set()
            await asyncio.sleep(0.2)  # let the reader look (SQLite makes it wait instead)
            committed = True
            await outer.commit()

    async def reader() -> tuple[set[object], bool]:
        await joined.wait()
        return await visible(database, t), committed

    _, (seen, was_committed) = await asyncio.gather(request(), reader())
    if not was_committed:
        assert fresh.id not in seen  # a joined commit committed nothing
    assert fresh.id in await visible(database, t)
    async with t.uow(database) as uow:
        stored = await uow.orders.get(order.id)
        assert await uow.idempotency.find(t.rep.id, "req-1", now=key.created_at) is not None
    assert stored is not None
    assert (stored.number, stored.version) == ("ORD-000001", order.version)


async def test_a_request_that_does_not_commit_keeps_nothing(database: Database) -> None:
    t = await tenant(database)
    fresh = contact(t.id)
    async with database.request_transaction(t.scope), database.unit_of_work(t.scope) as uow:
        await uow.contacts.add(fresh)
        await uow.orders.add(t.order())
        await uow.commit()
    assert fresh.id not in await visible(database, t)
    again = t.order()
    async with t.uow(database) as uow:
        await uow.orders.add(again)
        await uow.commit()
    assert again.number == "ORD-000001"  # the request gave its number back


async def test_a_joined_unit_of_work_that_raises_leaves_nothing(database: Database) -> None:
    t = await tenant(database)
    first, second = contact(t.id), product(t.id)
    async with database.request_transaction(t.scope) as outer:
        async with database.unit_of_work(t.scope) as uow:
            await uow.contacts.add(first)
            await uow.commit()
        with pytest.raises(LookupError):
            await failing(database, t.scope, lambda uow: uow.products.add(second))
        with contextlib.suppress(Exception):  # refusing to commit is fine too
            await outer.commit()
    assert first.id not in await visible(database, t)
    async with t.uow(database) as uow:
        assert await uow.products.get(second.id) is None


async def test_a_joined_unit_of_work_that_raises_after_unversioned_writes_leaves_nothing(
    database: Database,
) -> None:
    t = await tenant(database)
    token = refresh_token(t.rep)
    async with database.request_transaction(t.scope) as outer:

        async def write(uow: UnitOfWork) -> None:
            await uow.refresh_tokens.add(token)
            assert await uow.refresh_tokens.by_hash(token.token_hash) is not None
            assert await uow.idempotency.record(idempotency_record(t.rep, "k")) is True

        with pytest.raises(LookupError):
            await failing(database, t.scope, write)
        with contextlib.suppress(Exception):  # refusing to commit is fine too
            await outer.commit()
    async with t.uow(database) as uow:
        assert await uow.refresh_tokens.by_hash(token.token_hash) is None
        assert await uow.idempotency.find(t.rep.id, "k", now=token.issued_at) is None


async def test_a_unit_of_work_of_another_scope_runs_on_its_own(database: Database) -> None:
    """Except on SQLite: one writer at a time, so there it joins (a transaction of its
    own would wait on the request's own write lock)."""
    t = await tenant(database)
    event, fresh = outbox_event(None), contact(t.id)
    async with database.request_transaction(t.scope) as outer:
        await outer.contacts.get(fresh.id)  # the request's transaction has begun
        async with database.unit_of_work(Scope.system()) as uow:
            await uow.outbox.add(event)
            await uow.commit()
        await outer.contacts.add(fresh)
    async with database.unit_of_work(Scope.system()) as uow:
        events = await uow.outbox.list(status=None, after=None, limit=10)
    joined = database.name == "sqlite"
    assert [e.id for e in events] == ([] if joined else [event.id])
    assert fresh.id not in await visible(database, t)
