"""Order numbers are gap-free and never repeat, whoever takes them at once: thirty
transactions racing on one company (Postgres direct and through PgBouncer, and SQLite)
end with exactly 1..30, and a transaction that rolls back gives its number back."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from uuid import UUID

import uuid_utils

from fieldedge.domain.contacts import Contact
from fieldedge.domain.orders import Order, order_number
from fieldedge.ports.database import Database, Scope
from fieldedge.ports.fieldforce import OrderQuery
from fixtures.database import add_company, add_user

WRITERS = 30


def new_id() -> UUID:
    return UUID(bytes=uuid_utils.uuid7().bytes)


class Abandoned(Exception):
    """Raised inside a unit of work to leave it without committing."""


async def setup(db: Database) -> tuple[UUID, UUID, UUID]:
    company = await add_company(db)
    rep = await add_user(db, company.id, "rep@acme.example")
    now = datetime.now(UTC)
    contact = Contact(id=new_id(), company_id=company.id, name="C", created_at=now, updated_at=now)
    async with db.unit_of_work(Scope.tenant(company.id)) as uow:
        await uow.contacts.add(contact)
        await uow.commit()
    return company.id, rep.id, contact.id


async def take_order(db: Database, company: UUID, rep: UUID, contact: UUID, *, keep: bool) -> int:
    now = datetime.now(UTC)
    try:
        async with db.unit_of_work(Scope.tenant(company)) as uow:
            n = await uow.orders.next_number()
            await uow.orders.add(
                Order(
                    id=new_id(),
                    company_id=company,
                    number=order_number(n),
                    user_id=rep,
                    contact_id=contact,
                    currency="INR",
                    created_at=now,
                    updated_at=now,
                )
            )
            if not keep:
                raise Abandoned
            await uow.commit()
    except Abandoned:
        pass
    return n


async def stored_numbers(db: Database, company: UUID) -> list[str]:
    async with db.unit_of_work(Scope.tenant(company)) as uow:
        return sorted(o.number for o in await uow.orders.list(OrderQuery(limit=100)))


async def test_numbers_count_from_one_per_company_and_a_rollback_gives_one_back(
    db: Database,
) -> None:
    a, rep_a, contact_a = await setup(db)
    assert await take_order(db, a, rep_a, contact_a, keep=True) == 1
    assert await take_order(db, a, rep_a, contact_a, keep=False) == 2  # rolled back
    assert await take_order(db, a, rep_a, contact_a, keep=True) == 2  # so 2 again
    other = await add_company(db, "Other")
    async with db.unit_of_work(Scope.tenant(other.id)) as uow:
        assert await uow.orders.next_number() == 1  # each company counts on its own
    assert await stored_numbers(db, a) == [order_number(1), order_number(2)]


async def test_thirty_concurrent_order_takers_get_one_to_thirty(db: Database) -> None:
    company, rep, contact = await setup(db)
    # Every sixth writer abandons its transaction after taking a number, while the others
    # queue behind its lock: the number goes back, and nobody skips past it.
    keeps = [i % 6 != 5 for i in range(WRITERS + WRITERS // 5)]
    assert keeps.count(True) == WRITERS
    taken = await asyncio.gather(
        *(take_order(db, company, rep, contact, keep=keep) for keep in keeps)
    )
    kept = sorted(n for n, keep in zip(taken, keeps, strict=True) if keep)
    assert kept == list(range(1, WRITERS + 1))
    assert await stored_numbers(db, company) == [order_number(n) for n in range(1, WRITERS + 1)]
    async with db.unit_of_work(Scope.tenant(company)) as uow:
        assert await uow.orders.next_number() == WRITERS + 1
