"""Tenant isolation of every repository: in another tenant's scope a company's rows read
as None, are never listed, and cannot be written; the system scope sees every tenant."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from fieldedge.domain.audit import AuditEntry
from fieldedge.domain.base import Entity
from fieldedge.domain.identity import PasswordResetToken, RefreshToken
from fieldedge.domain.orders import Order
from fieldedge.domain.outbox import OutboxEvent, OutboxStatus
from fieldedge.domain.payments import Payment
from fieldedge.domain.photos import PhotoStatus, VisitPhoto
from fieldedge.domain.products import Product
from fieldedge.domain.visits import Visit
from fieldedge.ports.database import Database, Scope, UnitOfWork
from fieldedge.ports.fieldforce import (
    ContactQuery,
    OrderQuery,
    PaymentQuery,
    ProductQuery,
    VisitQuery,
)

from .world import (
    NOW,
    Tenant,
    add,
    audit_entry,
    contact,
    idempotency_record,
    new_id,
    outbox_event,
    payment,
    photo,
    product,
    refresh_token,
    reset_token,
    tenant,
)

LATER = NOW + timedelta(days=400)
SHA = "ab" * 32


@dataclass
class Rows:
    """One of everything, committed for one tenant."""

    t: Tenant
    visit: Visit
    photo: VisitPhoto
    product: Product
    order: Order
    payment: Payment
    refresh: RefreshToken
    reset: PasswordResetToken
    entry: AuditEntry
    event: OutboxEvent
    dead: OutboxEvent


async def everything(database: Database, name: str) -> Rows:
    t = await tenant(database, name)
    v = t.visit()
    o = t.order()
    rows = Rows(
        t=t,
        visit=v,
        photo=photo(t.id, v.id, status=PhotoStatus.READY, sha256=SHA, size=10),
        product=product(t.id),
        order=o,
        payment=payment(t.id, o.id, t.rep.id),
        refresh=refresh_token(t.rep),
        reset=reset_token(t.rep),
        entry=audit_entry(t.id, actor_id=t.manager.id),
        event=outbox_event(t.id),
        dead=outbox_event(t.id, status=OutboxStatus.DEAD),
    )
    async with t.uow(database) as uow:
        await add(uow, v, rows.photo, rows.product, o, rows.payment, rows.refresh, rows.reset)
        await add(uow, rows.entry, rows.event, rows.dead)
        assert await uow.idempotency.record(idempotency_record(t.rep, "key-1"))
        await uow.commit()
    return rows


async def test_another_tenants_rows_read_as_none(database: Database) -> None:
    a = await everything(database, "A")
    b = await tenant(database, "B")
    async with b.uow(database) as uow:
        assert await uow.companies.get(a.t.id) is None
        assert await uow.users.get(a.t.rep.id) is None
        assert await uow.users.by_email(a.t.rep.email) is None
        assert await uow.contacts.get(a.t.contact.id, include_deleted=True) is None
        assert await uow.contacts.get(a.t.contact.id, lock=True) is None
        assert await uow.contacts.find_duplicate(phone=a.t.contact.phone, email=None) is None
        assert await uow.visits.get(a.visit.id) is None
        assert await uow.visits.previous_for(a.t.rep.id, LATER) is None
        assert await uow.photos.get(a.visit.id, a.photo.id) is None
        assert await uow.photos.for_visit(a.visit.id) == []
        assert await uow.photos.used_elsewhere(SHA, b.visit().id) is False
        assert await uow.products.get(a.product.id, include_deleted=True) is None
        assert await uow.products.by_ids([a.product.id]) == []
        assert await uow.orders.get(a.order.id, lock=True) is None
        assert await uow.payments.get(a.payment.id) is None
        assert await uow.refresh_tokens.by_hash(a.refresh.token_hash) is None
        assert await uow.reset_tokens.by_hash(a.reset.token_hash) is None
        assert await uow.idempotency.find(a.t.rep.id, "key-1", now=NOW) is None
        assert await uow.users.team(a.t.manager.id) == {a.t.manager.id}


async def test_another_tenants_rows_are_never_listed(database: Database) -> None:
    a = await everything(database, "A")
    b = await everything(database, "B")
    for scope in (a.t.scope, b.t.scope):
        async with database.unit_of_work(scope) as uow:
            await uow.audit.link(limit=10)
            await uow.commit()
    async with b.t.uow(database) as uow:
        assert [c.id for c in await uow.companies.list(after=None, limit=10)] == [b.t.id]
        users = await uow.users.list(after=None, limit=10)
        assert {u.id for u in users} == {b.t.manager.id, b.t.rep.id}
        assert [r["id"] for r in await uow.contacts.list(ContactQuery())] == [b.t.contact.id]
        assert [r["id"] for r in await uow.visits.list(VisitQuery())] == [b.visit.id]
        assert [r["id"] for r in await uow.products.list(ProductQuery())] == [b.product.id]
        assert [r["id"] for r in await uow.orders.list(OrderQuery())] == [b.order.id]
        assert [r["id"] for r in await uow.payments.list(PaymentQuery())] == [b.payment.id]
        events = await uow.outbox.list(status=None, after=None, limit=10)
        assert {e.id for e in events} == {b.event.id, b.dead.id}
        assert [e.id for e in await uow.audit.list(before_seq=None, limit=10)] == [b.entry.id]
        assert [e.id for e in await uow.audit.chain(after_seq=0, limit=10)] == [b.entry.id]


Write = Callable[[UnitOfWork], Awaitable[Any]]


async def attempt(database: Database, scope: Scope, write: Write) -> Any:
    """Run ``write`` in a unit of work of ``scope`` and commit: its result, or None when
    it was refused (an error is a refusal too; what counts is what was stored)."""
    with contextlib.suppress(Exception):
        async with database.unit_of_work(scope) as uow:
            result = await write(uow)
            await uow.commit()
            return result
    return None


def saving(repository: str, entity: Entity) -> Write:
    return lambda uow: getattr(uow, repository).save(entity)


async def test_another_tenants_rows_cannot_be_saved_or_added(database: Database) -> None:
    a = await everything(database, "A")
    b = await tenant(database, "B")
    async with a.t.uow(database) as uow:
        firm = await uow.companies.get(a.t.id)
        rep = await uow.users.get(a.t.rep.id)
        buyer = await uow.contacts.get(a.t.contact.id)
        visit = await uow.visits.get(a.visit.id)
        pic = await uow.photos.get(a.visit.id, a.photo.id)
        item = await uow.products.get(a.product.id)
        order = await uow.orders.get(a.order.id)
    for loaded in (firm, rep, buyer, visit, pic, item, order):
        assert loaded is not None
    assert firm and rep and buyer and visit and pic and item and order  # noqa: PT018 - types
    firm.name = rep.name = buyer.name = item.name = "Taken over"
    visit.notes = order.notes = "Taken over"
    pic.status = PhotoStatus.PENDING
    for repository, entity in (("companies", firm), ("users", rep), ("contacts", buyer),
                               ("visits", visit), ("photos", pic), ("products", item),
                               ("orders", order)):  # fmt: skip
        await attempt(database, b.scope, saving(repository, entity))
    await attempt(database, b.scope, lambda uow: uow.contacts.add(contact(a.t.id)))
    await attempt(database, b.scope, lambda uow: uow.outbox.add(outbox_event(a.t.id)))
    await attempt(database, b.scope, lambda uow: uow.audit.append(audit_entry(a.t.id)))

    async with a.t.uow(database) as uow:
        stored = [
            await uow.companies.get(a.t.id),
            await uow.users.get(a.t.rep.id),
            await uow.contacts.get(a.t.contact.id),
            await uow.visits.get(a.visit.id),
            await uow.photos.get(a.visit.id, a.photo.id),
            await uow.products.get(a.product.id),
            await uow.orders.get(a.order.id),
        ]
        names = [a.t.company.name, a.t.rep.name, a.t.contact.name, None, None, a.product.name]
        assert [getattr(e, "name", None) for e in stored[:6]] == names
        assert [getattr(e, "notes", None) for e in stored] == [None] * 7
        assert stored[4] is not None
        assert stored[4].status == PhotoStatus.READY
        assert [r["id"] for r in await uow.contacts.list(ContactQuery())] == [a.t.contact.id]
        events = await uow.outbox.list(status=None, after=None, limit=10)
        assert {e.id for e in events} == {a.event.id, a.dead.id}
        assert await uow.audit.link(limit=10) == 1  # only A's own entry was waiting


async def test_another_tenants_rows_are_not_changed_by_conditional_writes(
    database: Database,
) -> None:
    a = await everything(database, "A")
    b = await tenant(database, "B")
    refused: list[tuple[Write, object]] = [
        (lambda u: u.refresh_tokens.mark_used(a.refresh.id, NOW), False),
        (lambda u: u.refresh_tokens.revoke_family(a.refresh.family_id, NOW), 0),
        (lambda u: u.refresh_tokens.revoke_user(a.t.rep.id, NOW), []),
        (lambda u: u.refresh_tokens.delete_expired(LATER), 0),
        (lambda u: u.reset_tokens.mark_used(a.reset.id, NOW), False),
        (lambda u: u.reset_tokens.invalidate_user(a.t.rep.id, NOW), 0),
        (lambda u: u.reset_tokens.delete_spent(LATER), 0),
        (lambda u: u.outbox.claim_due(now=LATER, lease_until=LATER, limit=10), []),
        (lambda u: u.outbox.revive_dead(event_id=None, now=NOW), 0),
        (lambda u: u.outbox.revive_dead(event_id=a.dead.id, now=NOW), 0),
        (lambda u: u.idempotency.sweep(LATER), 0),
        (lambda u: u.audit.link(limit=10), 0),
    ]
    for write, nothing in refused:
        assert await attempt(database, b.scope, write) in (nothing, None)

    async with a.t.uow(database) as uow:
        token = await uow.refresh_tokens.by_hash(a.refresh.token_hash)
        reset = await uow.reset_tokens.by_hash(a.reset.token_hash)
        events = await uow.outbox.list(status=None, after=None, limit=10)
        assert await uow.idempotency.find(a.t.rep.id, "key-1", now=NOW) is not None
        assert await uow.audit.link(limit=10) == 1
    assert token == a.refresh
    assert reset == a.reset
    assert {(e.id, e.status, e.lease_until) for e in events} == {
        (a.event.id, OutboxStatus.PENDING, None),
        (a.dead.id, OutboxStatus.DEAD, None),
    }


async def test_the_system_scope_sees_every_tenant(database: Database) -> None:
    a = await everything(database, "A")
    b = await everything(database, "B")
    async with database.unit_of_work(Scope.system()) as uow:
        companies = await uow.companies.list(after=None, limit=10)
        assert {c.id for c in companies} == {a.t.id, b.t.id}
        assert await uow.users.get(a.t.rep.id) is not None
        assert await uow.users.get(b.t.rep.id) is not None
        assert await uow.contacts.get(b.t.contact.id) is not None
        assert await uow.refresh_tokens.by_hash(a.refresh.token_hash) is not None
        events = await uow.outbox.list(status=OutboxStatus.PENDING, after=None, limit=10)
        assert {e.id for e in events} == {a.event.id, b.event.id}
        assert set(await uow.audit.unlinked_chains(limit=10)) == {a.t.id, b.t.id}


async def test_for_login_in_a_tenant_scope_finds_its_own_users_only(database: Database) -> None:
    a = await tenant(database, "A")
    b = await tenant(database, "B")
    async with b.uow(database) as uow:
        assert await uow.users.for_login(a.rep.email) is None
        mine = await uow.users.for_login(b.rep.email)
    assert mine is not None
    assert mine.user.id == b.rep.id


async def test_session_in_a_tenant_scope_reads_its_own_users_only(database: Database) -> None:
    a = await tenant(database, "A")
    b = await tenant(database, "B")
    async with b.uow(database) as uow:
        assert await uow.users.session(a.rep.id, a.rep.id) is None
        assert await uow.users.session(b.rep.id, b.rep.id) is not None


async def test_unlinked_chains_in_a_tenant_scope_name_its_own_only(database: Database) -> None:
    a = await tenant(database, "A")
    b = await tenant(database, "B")
    await store_entries(database, a, b)
    async with b.uow(database) as uow:
        assert list(await uow.audit.unlinked_chains(limit=10)) == [b.id]


async def store_entries(database: Database, *tenants: Tenant) -> None:
    for t in tenants:
        async with t.uow(database) as uow:
            await uow.audit.append(audit_entry(t.id))
            await uow.commit()


async def test_another_tenants_imports_and_skus_are_out_of_reach(database: Database) -> None:
    from fieldedge.domain.imports import Import, ImportKind

    a = await everything(database, "A")
    b = await tenant(database, "B")
    record = Import(id=new_id(), company_id=a.t.id, kind=ImportKind.PRODUCTS, file_name="a.csv",
                    file_key=f"{a.t.id}/imports/x/upload.csv", size_bytes=10,
                    created_by=a.t.manager.id, created_at=NOW, updated_at=NOW)  # fmt: skip
    async with a.t.uow(database) as uow:
        await uow.imports.add(record)
        await uow.commit()
    async with b.uow(database) as uow:
        assert await uow.imports.get(record.id, lock=True) is None
        assert await uow.products.by_skus([a.product.sku]) == []
    taken = record.model_copy(update={"file_name": "taken.csv"})
    await attempt(database, b.scope, saving("imports", taken))
    async with a.t.uow(database) as uow:
        stored = await uow.imports.get(record.id)
        assert [p.id for p in await uow.products.by_skus([a.product.sku])] == [a.product.id]
    assert stored is not None
    assert stored.file_name == "a.csv"
