"""Idempotency records: written completed, at once, in the write's transaction; a user's
live record holds the key (``record`` answers False, ``find`` replays it), an expired one
is replaced, and a key recorded by a transaction still running waits for its outcome.
Each holds whether the record is written before the commit or with it
(``commit_recording``)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest

from fieldedge.domain.idempotency import IdempotencyRecord
from fieldedge.domain.orders import Order
from fieldedge.ports.database import Database, Scope

from .world import NOW, Tenant, idempotency_record, tenant, user

DAY = timedelta(days=1)


Write = Callable[[Database, Tenant, IdempotencyRecord], Awaitable[bool]]


async def _record_then_commit(database: Database, t: Tenant, made: IdempotencyRecord) -> bool:
    async with t.uow(database) as uow:
        written = await uow.idempotency.record(made)
        await uow.commit()
    return written


async def _commit_recording(database: Database, t: Tenant, made: IdempotencyRecord) -> bool:
    async with t.uow(database) as uow:
        return await uow.commit_recording(made)


@pytest.fixture(params=[_record_then_commit, _commit_recording], ids=["record", "with-commit"])
def record(request: pytest.FixtureRequest) -> Write:
    """Each way a record is written: ``record`` then ``commit``, or ``commit_recording``."""
    return request.param  # type: ignore[no-any-return]


async def test_a_record_is_found_until_it_expires(database: Database, record: Write) -> None:
    t = await tenant(database)
    made = idempotency_record(t.rep, "order-1", response_body=b'{"id":"o-1"}')
    assert await record(database, t, made) is True
    async with t.uow(database) as uow:
        found = await uow.idempotency.find(t.rep.id, "order-1", now=NOW + DAY / 2)
        assert await uow.idempotency.find(t.rep.id, "order-1", now=made.expires_at) is None
        assert await uow.idempotency.find(t.rep.id, "order-2", now=NOW) is None
        assert await uow.idempotency.find(t.manager.id, "order-1", now=NOW) is None
    assert found is not None
    assert found.values() == made.values()


async def test_a_live_record_holds_the_key_for_its_user_only(
    database: Database, record: Write
) -> None:
    t = await tenant(database)
    assert await record(database, t, idempotency_record(t.rep, "k")) is True
    replay = idempotency_record(t.rep, "k", fingerprint="0" * 64, created_at=NOW + DAY / 2)
    assert await record(database, t, replay) is False
    assert await record(database, t, idempotency_record(t.manager, "k")) is True
    assert await record(database, t, idempotency_record(t.rep, "k2")) is True
    async with t.uow(database) as uow:
        kept = await uow.idempotency.find(t.rep.id, "k", now=NOW)
    assert kept is not None
    assert kept.fingerprint == "f" * 64


async def test_an_expired_record_is_replaced(database: Database, record: Write) -> None:
    t = await tenant(database)
    old = idempotency_record(t.rep, "k", expires_at=NOW + DAY)
    assert await record(database, t, old) is True
    new = idempotency_record(
        t.rep, "k", fingerprint="1" * 64, created_at=NOW + DAY, expires_at=NOW + 2 * DAY
    )
    assert await record(database, t, new) is True
    async with t.uow(database) as uow:
        found = await uow.idempotency.find(t.rep.id, "k", now=NOW + DAY)
    assert found is not None
    assert found.values() == new.values()


async def test_a_record_is_kept_only_with_its_transaction(
    database: Database, record: Write
) -> None:
    t = await tenant(database)
    async with t.uow(database) as uow:
        assert await uow.idempotency.record(idempotency_record(t.rep, "k")) is True
        assert await uow.idempotency.find(t.rep.id, "k", now=NOW) is not None
    async with t.uow(database) as uow:
        assert await uow.idempotency.find(t.rep.id, "k", now=NOW) is None
    assert await record(database, t, idempotency_record(t.rep, "k")) is True


async def test_a_key_being_recorded_waits_for_the_first_transaction(
    database: Database, record: Write
) -> None:
    t = await tenant(database)
    outcomes: dict[str, bool] = {}

    async def first(name: str, commit: bool, held: asyncio.Event) -> None:
        async with t.uow(database) as uow:
            outcomes[name] = await uow.idempotency.record(idempotency_record(t.rep, name[0]))
            held.set()
            await asyncio.sleep(0.05)  # the request's work, while the key is held
            if commit:
                await uow.commit()

    async def second(name: str, held: asyncio.Event) -> None:
        await held.wait()  # the first holds the key before the second tries it
        outcomes[name] = await record(database, t, idempotency_record(t.rep, name[0]))

    # a: the first commits, so the second finds its record; b: the first rolls back.
    for one, two, commit in (("a1", "a2", True), ("b1", "b2", False)):
        held = asyncio.Event()
        await asyncio.gather(first(one, commit, held), second(two, held))
    assert outcomes == {"a1": True, "a2": False, "b1": True, "b2": True}


async def test_sweep_deletes_expired_records(database: Database, record: Write) -> None:
    t = await tenant(database)
    other = user(t.id)
    async with t.uow(database) as uow:
        await uow.users.add(other)
        await uow.commit()
    await record(database, t, idempotency_record(t.rep, "old", expires_at=NOW + DAY))
    await record(database, t, idempotency_record(other, "new", expires_at=NOW + 3 * DAY))
    async with database.unit_of_work(Scope.system()) as uow:
        assert await uow.idempotency.sweep(NOW + DAY) == 0  # expired before, not at
        assert await uow.idempotency.sweep(NOW + 2 * DAY) == 1
        await uow.commit()
    async with t.uow(database) as uow:
        assert await uow.idempotency.find(other.id, "new", now=NOW) is not None
        assert await uow.idempotency.find(t.rep.id, "old", now=NOW) is None


async def _order_recorded(
    database: Database, t: Tenant, made: IdempotencyRecord
) -> tuple[Order, bool]:
    """An idempotent request's shape: a joined unit of work writes an order, then the
    request's transaction commits with ``made``; the order, and what that answered."""
    order = t.order()
    async with database.request_transaction(t.scope) as uow:
        async with database.unit_of_work(t.scope) as inner:
            await inner.orders.add(order)
            await inner.commit()
        return order, await uow.commit_recording(made)


async def test_commit_recording_commits_the_record_with_the_write(database: Database) -> None:
    t = await tenant(database)
    made = idempotency_record(t.rep, "order-9", response_body=b'{"id":"o-9"}')
    order, written = await _order_recorded(database, t, made)
    assert written is True
    async with t.uow(database) as uow:
        found = await uow.idempotency.find(t.rep.id, "order-9", now=NOW)
        assert await uow.orders.get(order.id) is not None
    assert found is not None
    assert found.values() == made.values()


async def test_commit_recording_a_held_key_commits_nothing(
    database: Database, record: Write
) -> None:
    t = await tenant(database)
    assert await record(database, t, idempotency_record(t.rep, "k")) is True
    order, written = await _order_recorded(database, t, idempotency_record(t.rep, "k"))
    assert written is False
    async with t.uow(database) as uow:
        assert await uow.orders.get(order.id) is None  # rolled back with the refusal
        kept = await uow.idempotency.find(t.rep.id, "k", now=NOW)
    assert kept is not None
    assert kept.fingerprint == "f" * 64


async def test_any_key_headers_and_body_are_kept_exactly(database: Database, record: Write) -> None:
    t = await tenant(database)
    key = "it's a \\key\"; DROP TABLE orders; --$$ ✓"
    made = idempotency_record(
        t.rep,
        key,
        response_headers={"location": "/api/v1/orders/x?a='b'&c=\"d\"", "x-request-id": "r;'"},
        response_body=bytes(range(256)) + "é'\"\\".encode(),
    )
    assert await record(database, t, made) is True
    async with t.uow(database) as uow:
        found = await uow.idempotency.find(t.rep.id, key, now=NOW)
    assert found is not None
    assert found.values() == made.values()
