"""Order numbers: drawn at commit, ``ORD-000001`` on, gap-free and unique per company, in
commit order (several in one commit: in the order they were added); a transaction that
does not commit gives its numbers back.

The boundary ``ORD-999999`` → ``ORD-1000000`` needs the sequence near a million, which
the port cannot set short of a million orders: it belongs to an adapter's own test.
"""

from __future__ import annotations

import asyncio
from uuid import UUID

import pytest

from fieldedge.domain.orders import Order
from fieldedge.errors import Conflict
from fieldedge.ports.database import Database
from fieldedge.ports.fieldforce import OrderQuery

from .world import Tenant, new_id, tenant, user


async def place(database: Database, t: Tenant, count: int = 1) -> list[Order]:
    orders = [t.order() for _ in range(count)]
    async with t.uow(database) as uow:
        for order in orders:
            await uow.orders.add(order)
        await uow.commit()
    return orders


async def stored_numbers(database: Database, t: Tenant) -> dict[UUID, str]:
    async with t.uow(database) as uow:
        return {r["id"]: r["number"] for r in await uow.orders.list(OrderQuery(limit=100))}


async def test_numbers_start_at_one_and_count_up_per_company(database: Database) -> None:
    a = await tenant(database, "A")
    b = await tenant(database, "B")
    first, second = (await place(database, a))[0], (await place(database, a))[0]
    other = (await place(database, b))[0]
    assert (first.number, second.number, other.number) == ("ORD-000001", "ORD-000002", "ORD-000001")
    assert await stored_numbers(database, a) == {first.id: "ORD-000001", second.id: "ORD-000002"}
    async with a.uow(database) as uow:
        found = await uow.orders.get(second.id)
    assert found is not None
    assert found.number == "ORD-000002"


async def test_an_order_has_no_number_before_its_commit(database: Database) -> None:
    t = await tenant(database)
    order = t.order()
    async with t.uow(database) as uow:
        await uow.orders.add(order)
        assert order.number is None
        found = await uow.orders.get(order.id)
        assert found is not None
        assert found.number is None
        await uow.commit()
    assert order.number == "ORD-000001"


async def test_orders_of_one_commit_are_numbered_in_the_order_they_were_added(
    database: Database,
) -> None:
    t = await tenant(database)
    ids = sorted(new_id() for _ in range(4))
    orders = [t.order(id=order_id) for order_id in reversed(ids)]  # added against id order
    async with t.uow(database) as uow:
        await uow.orders.add(orders[0])
        await uow.orders.add(orders[1])
        await uow.orders.list(OrderQuery())  # the first two are sent before the others
        await uow.orders.add(orders[2])
        await uow.orders.add(orders[3])
        await uow.commit()
    expected = ["ORD-000001", "ORD-000002", "ORD-000003", "ORD-000004"]
    assert [o.number for o in orders] == expected
    assert await stored_numbers(database, t) == {
        o.id: n for o, n in zip(orders, expected, strict=True)
    }


async def test_a_transaction_that_does_not_commit_gives_its_number_back(
    database: Database,
) -> None:
    t = await tenant(database)
    await place(database, t)
    async with t.uow(database) as uow:
        await uow.orders.add(t.order())
        await uow.orders.list(OrderQuery())  # written, never committed
    taken = user(t.id, email=t.rep.email)

    async def fail_at_commit() -> None:
        async with t.uow(database) as uow:
            await uow.orders.add(t.order())
            await uow.users.add(taken)  # the email is taken: the commit fails
            await uow.commit()

    with pytest.raises(Conflict):
        await fail_at_commit()
    (after,) = await place(database, t)
    assert after.number == "ORD-000002"
    assert sorted((await stored_numbers(database, t)).values()) == ["ORD-000001", "ORD-000002"]


async def test_concurrent_commits_take_distinct_gap_free_numbers(database: Database) -> None:
    t = await tenant(database)
    placed: list[Order] = []

    async def one(n: int) -> None:
        order = t.order()
        async with t.uow(database) as uow:
            await uow.orders.add(order)
            await asyncio.sleep(0.005 * (n % 4))
            await uow.commit()
        placed.append(order)

    await asyncio.gather(*(one(n) for n in range(10)))
    assert sorted(o.number or "" for o in placed) == [f"ORD-{n:06d}" for n in range(1, 11)]
    # Commit order: a later number never has an earlier version.
    by_number = sorted(placed, key=lambda o: o.number or "")
    assert [o.version for o in by_number] == sorted(o.version for o in placed)
    assert len({o.version for o in placed}) == 10
