"""The schema's unique keys, refused as ``Conflict`` when the write reaches the store (at
the next read or at commit), with nothing of the failed unit of work kept: an email in
the whole database, a SKU among a company's live products, a token hash, an id."""

from __future__ import annotations

import asyncio

import pytest

from fieldedge.domain.base import Entity
from fieldedge.errors import Conflict
from fieldedge.ports.database import Database, Scope
from fieldedge.ports.fieldforce import ContactQuery, ProductQuery

from .world import (
    NOW,
    Tenant,
    add,
    contact,
    product,
    refresh_token,
    reset_token,
    store,
    tenant,
    user,
)


async def refused(database: Database, t: Tenant, *entities: Entity) -> None:
    """Adding ``entities`` with a contact in one unit of work is a Conflict, and keeps
    nothing (not the contact either)."""
    bystander = contact(t.id, name="Bystander")

    async def write() -> None:
        async with t.uow(database) as uow:
            await add(uow, bystander, *entities)
            await uow.commit()

    with pytest.raises(Conflict):
        await write()
    async with t.uow(database) as uow:
        assert await uow.contacts.get(bystander.id) is None


async def test_an_email_is_taken_in_every_company(database: Database) -> None:
    a = await tenant(database, "A")
    b = await tenant(database, "B")
    await refused(database, b, user(b.id, email=a.rep.email))
    await refused(database, b, user(b.id, email=a.rep.email.upper()))
    admin = user(None, role="SUPER_ADMIN", email="root@example.com")
    await store(database, Scope.system(), admin)
    await refused(database, a, user(a.id, email="ROOT@example.com"))


async def test_a_taken_email_surfaces_at_the_next_read(database: Database) -> None:
    t = await tenant(database)
    async with t.uow(database) as uow:
        await uow.users.add(user(t.id, email=t.manager.email))
        with pytest.raises(Conflict):
            await uow.contacts.list(ContactQuery())


async def test_a_sku_is_unique_among_a_companys_live_products(database: Database) -> None:
    a = await tenant(database, "A")
    b = await tenant(database, "B")
    first = product(a.id, sku="PCM-500")
    await store(database, a.scope, first)
    await refused(database, a, product(a.id, sku="PCM-500"))
    await store(database, b.scope, product(b.id, sku="PCM-500"))  # another company: free
    lower = product(a.id, sku="pcm-500")
    await store(database, a.scope, lower)  # SKUs are case-sensitive
    async with a.uow(database) as uow:
        gone = await uow.products.get(first.id)
        assert gone is not None
        gone.deleted_at = NOW
        await uow.products.save(gone)
        await uow.commit()
    again = product(a.id, sku="PCM-500")
    await store(database, a.scope, again)  # a deleted product's SKU is free again
    async with a.uow(database) as uow:
        live = await uow.products.list(ProductQuery(q="PCM-500"))
    assert {r["id"] for r in live} == {lower.id, again.id}


async def test_a_changed_or_revived_sku_must_be_free(database: Database) -> None:
    t = await tenant(database)
    kept, other = product(t.id, sku="A-1"), product(t.id, sku="B-2")
    await store(database, t.scope, kept, other)

    async def save_other(**changes: object) -> None:
        async with t.uow(database) as uow:
            found = await uow.products.get(other.id, include_deleted=True)
            assert found is not None
            found.apply(changes)
            await uow.products.save(found)
            await uow.commit()

    with pytest.raises(Conflict):
        await save_other(sku="A-1")
    await save_other(deleted_at=NOW)
    await store(database, t.scope, product(t.id, sku="B-2"))
    with pytest.raises(Conflict):
        await save_other(deleted_at=None)  # back to life, but its SKU is taken now
    async with t.uow(database) as uow:
        assert await uow.products.get(other.id) is None


async def test_two_units_of_work_adding_one_sku_at_once_keep_one(database: Database) -> None:
    t = await tenant(database)
    outcomes: list[str] = []

    async def add_one() -> None:
        try:
            async with t.uow(database) as uow:
                await uow.products.add(product(t.id, sku="RACE-1"))
                await asyncio.sleep(0.02)
                await uow.commit()
            outcomes.append("added")
        except Conflict:
            outcomes.append("conflict")

    await asyncio.gather(add_one(), add_one())
    assert sorted(outcomes) == ["added", "conflict"]
    async with t.uow(database) as uow:
        assert len(await uow.products.list(ProductQuery(q="RACE-1"))) == 1


async def test_a_token_hash_is_unique(database: Database) -> None:
    a = await tenant(database, "A")
    b = await tenant(database, "B")
    first, reset = refresh_token(a.rep), reset_token(a.rep)
    await store(database, a.scope, first, reset)
    await refused(database, b, refresh_token(b.rep, token_hash=first.token_hash))
    await refused(database, b, reset_token(b.rep, token_hash=reset.token_hash))


async def test_an_id_taken_in_another_company_is_a_conflict(database: Database) -> None:
    a = await tenant(database, "A")
    b = await tenant(database, "B")
    await refused(database, b, contact(b.id, id=a.contact.id))
    async with a.uow(database) as uow:
        kept = await uow.contacts.get(a.contact.id)
    assert kept is not None
    assert kept.name == a.contact.name
