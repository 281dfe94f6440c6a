"""``lock=True`` holds a row against concurrent writers until the unit of work ends, so
read-lock-modify-save never loses an update, and the next holder reads the row as the
previous one committed it."""

from __future__ import annotations

import asyncio

from fieldedge.domain.payments import apply_payment
from fieldedge.ports.database import Database
from fieldedge.ports.fieldforce import PaymentQuery

from .world import payment, tenant


async def test_concurrent_locked_updates_of_one_balance_never_lose_one(database: Database) -> None:
    t = await tenant(database)
    order = t.order(subtotal=10_000, tax=0, total=10_000)
    async with t.uow(database) as uow:
        await uow.orders.add(order)
        await uow.commit()

    async def collect(amount: int) -> None:
        async with t.uow(database) as uow:
            locked = await uow.orders.get(order.id, lock=True)
            assert locked is not None
            await asyncio.sleep(0.02)  # another collector would slip in here without the lock
            apply_payment(locked, amount)
            await uow.orders.save(locked)
            await uow.payments.add(payment(t.id, order.id, t.rep.id, amount=amount))
            await uow.commit()

    amounts = [100, 200, 300, 400, 500]
    await asyncio.gather(*(collect(amount) for amount in amounts))
    async with t.uow(database) as uow:
        stored = await uow.orders.get(order.id)
        payments = await uow.payments.list(PaymentQuery(order_id=order.id))
    assert stored is not None
    assert stored.amount_paid == sum(amounts)
    assert sorted(p["amount"] for p in payments) == amounts


async def test_a_locked_read_sees_what_the_previous_holder_committed(database: Database) -> None:
    t = await tenant(database)
    order = t.order()
    async with t.uow(database) as uow:
        await uow.orders.add(order)
        await uow.commit()
    holding, seen = asyncio.Event(), []

    async def first() -> None:
        async with t.uow(database) as uow:
            locked = await uow.orders.get(order.id, lock=True)
            assert locked is not None
            holding.set()
            await asyncio.sleep(0.05)
            locked.notes = "first"
            await uow.orders.save(locked)
            await uow.commit()

    async def second() -> None:
        await holding.wait()
        async with t.uow(database) as uow:
            locked = await uow.orders.get(order.id, lock=True)
            assert locked is not None
            seen.append(locked.notes)
            locked.notes = f"{locked.notes} then second"
            await uow.orders.save(locked)
            await uow.commit()

    await asyncio.gather(first(), second())
    assert seen == ["first"]
    async with t.uow(database) as uow:
        stored = await uow.orders.get(order.id)
    assert stored is not None
    assert stored.notes == "first then second"


async def test_a_locked_read_of_a_missing_or_foreign_row_is_none(database: Database) -> None:
    a = await tenant(database, "A")
    b = await tenant(database, "B")
    order = a.order()
    async with a.uow(database) as uow:
        await uow.orders.add(order)
        await uow.commit()
    async with b.uow(database) as uow:
        assert await uow.orders.get(order.id, lock=True) is None
        assert await uow.contacts.get(a.contact.id, lock=True) is None
        assert await uow.visits.get(order.id, lock=True) is None
