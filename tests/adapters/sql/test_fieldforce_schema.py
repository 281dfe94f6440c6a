"""The field-force tables in the database itself: on Postgres row-level security keeps
each tenant's contacts, visits, photos, products, orders and payments from a query that
forgets the tenant; migration 0004 goes up, down to 0003 and up again on both backends."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import pytest
import uuid_utils
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from fieldedge.domain.contacts import Contact
from fieldedge.domain.orders import Order, order_number
from fieldedge.domain.payments import Payment, PaymentMethod
from fieldedge.domain.photos import VisitPhoto
from fieldedge.domain.products import Product
from fieldedge.domain.visits import Visit
from fieldedge.ports.database import Database, Scope
from fieldedge_adapters.sql import database_from_url, migrations
from fieldedge_adapters.sql.database import SqlDatabase
from fixtures.database import APP_ROLE, POOL, add_company, add_user, run_async, truncate_all

TABLES = ("contacts", "visits", "visit_photos", "products", "orders", "payments")
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def new_id() -> UUID:
    return UUID(bytes=uuid_utils.uuid7().bytes)


async def one_of_each(db: Database, company_id: UUID) -> None:
    """A row in every field-force table of the company, through the repositories."""
    rep = await add_user(db, company_id, f"rep-{new_id().hex}@example.com")
    stamps: dict[str, Any] = {"company_id": company_id, "created_at": NOW, "updated_at": NOW}
    contact = Contact(id=new_id(), name="C", **stamps)
    visit = Visit(
        id=new_id(), contact_id=contact.id, user_id=rep.id, latitude=1.5, longitude=2.5,
        accuracy_m=5, checked_in_at=NOW, **stamps,
    )  # fmt: skip
    order = Order(
        id=new_id(), contact_id=contact.id, user_id=rep.id, currency="INR", subtotal=100,
        total=100, **stamps,
    )  # fmt: skip
    async with db.unit_of_work(Scope.tenant(company_id)) as uow:
        await uow.contacts.add(contact)
        await uow.visits.add(visit)
        await uow.photos.add(
            VisitPhoto(
                id=new_id(),
                company_id=company_id,
                visit_id=visit.id,
                key=f"{visit.id}.jpg",
                content_type="image/jpeg",
                created_at=NOW,
                updated_at=NOW,
            )
        )
        await uow.products.add(Product(id=new_id(), sku="S", name="P", unit_price=1, **stamps))
        await uow.orders.add(order)
        await uow.payments.add(
            Payment(
                id=new_id(),
                order_id=order.id,
                user_id=rep.id,
                amount=100,
                method=PaymentMethod.CASH,
                received_at=NOW,
                **stamps,
            )
        )
        await uow.commit()
    assert order.number == order_number(1)


@pytest.fixture
async def raw(migrated_postgres_url: str) -> AsyncIterator[Any]:
    """A plain asyncpg connection as the app role, past every repository."""
    import asyncpg

    run_async(lambda: truncate_all(migrated_postgres_url))
    parts = urlsplit(migrated_postgres_url)
    conn = await asyncpg.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username,
        database=parts.path.lstrip("/"), timeout=10,
    )  # fmt: skip
    try:
        yield conn
    finally:
        await conn.close()


async def test_rls_is_forced_on_every_field_force_table(
    raw: Any, migrated_postgres_url: str
) -> None:
    flags = await raw.fetch(
        "SELECT relname, relrowsecurity, relforcerowsecurity, pg_get_userbyid(relowner) AS o "
        "FROM pg_class WHERE relname = ANY($1::text[]) AND relkind = 'r'",
        list(TABLES),
    )
    assert {
        r["relname"]: (r["relrowsecurity"], r["relforcerowsecurity"], r["o"]) for r in flags
    } == {t: (True, True, APP_ROLE) for t in TABLES}
    db = database_from_url(migrated_postgres_url, **POOL)
    try:
        a, b = await add_company(db, "A"), await add_company(db, "B")
        await one_of_each(db, a.id)
        await one_of_each(db, b.id)
    finally:
        await db.close()
    for table in TABLES:  # no scope set: nothing, whatever the query
        assert await raw.fetchval(f"SELECT count(*) FROM {table}") == 0, table
    async with raw.transaction():
        await raw.execute("SELECT set_config('app.company_id', $1, true)", str(a.id))
        for table in TABLES:
            rows = await raw.fetch(f"SELECT company_id FROM {table}")
            assert [r["company_id"] for r in rows] == [a.id], table
    async with raw.transaction():
        await raw.execute("SELECT set_config('app.system', 'on', true)")
        for table in TABLES:
            assert await raw.fetchval(f"SELECT count(*) FROM {table}") == 2, table


def _shape(connection: Connection) -> dict[str, Any]:
    inspector = inspect(connection)
    shape: dict[str, Any] = {
        "tables": set(inspector.get_table_names()),
        "company_columns": {c["name"] for c in inspector.get_columns("companies")},
    }
    if connection.dialect.name == "postgresql":
        policies = connection.execute(text("SELECT tablename FROM pg_policies"))
        shape["policies"] = {r[0] for r in policies}
    return shape


async def shape_of(url: str) -> dict[str, Any]:
    db = database_from_url(url, **POOL)
    try:
        assert isinstance(db, SqlDatabase)
        async with db.engine.connect() as connection:
            return await connection.run_sync(_shape)
    finally:
        await db.close()


async def test_field_force_up_down_up(empty_database_url: str) -> None:
    url = empty_database_url
    await migrations.upgrade(url)
    up = await shape_of(url)
    assert set(TABLES) <= up["tables"]
    assert "order_seq" in up["company_columns"]
    if "policies" in up:
        assert set(TABLES) <= up["policies"]
    db = database_from_url(url, **POOL)
    try:
        company = await add_company(db)
        await one_of_each(db, company.id)
    finally:
        await db.close()

    await migrations.downgrade(url, "0003")
    down = await shape_of(url)
    assert not set(TABLES) & down["tables"]
    assert "order_seq" not in down["company_columns"]
    if "policies" in down:
        assert not set(TABLES) & down["policies"]
        assert "users" in down["policies"]  # the identity tables keep theirs

    await migrations.upgrade(url)
    db = database_from_url(url, **POOL)
    try:
        async with db.unit_of_work(Scope.tenant(company.id)) as uow:
            assert await uow.companies.get(company.id) is not None  # the tenant survived
        await one_of_each(db, company.id)  # numbering starts afresh at 1, as asserted there
    finally:
        await db.close()
