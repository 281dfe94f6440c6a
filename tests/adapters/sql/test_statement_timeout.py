"""The statement timeout holds on every Postgres connection: a server setting on a
direct pool, a transaction-local one behind a pooler (which drops startup settings)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from fieldedge.domain.contacts import Contact
from fieldedge.errors import DependencyUnavailable
from fieldedge.ports.database import Database, Scope
from fieldedge_adapters.sql import database_from_url
from fixtures.database import POOL, add_company


async def test_statement_timeout_holds_on_every_postgres_connection(database_url: str) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite has no statement timeout; its busy timeout bounds lock waits")
    db = database_from_url(database_url, **{**POOL, "statement_timeout_ms": 200})
    try:
        company = await add_company(db)
        contact = await add_contact(db, company.id)
        async with db.unit_of_work(Scope.tenant(company.id)) as holder:
            # Hold a row's lock; a second writer waits past its statement timeout.
            assert await holder.contacts.get(contact.id, lock=True) is not None
            for _ in range(3):  # pooled: each try may land on another server connection
                with pytest.raises(DependencyUnavailable):
                    async with db.unit_of_work(Scope.tenant(company.id)) as waiter:
                        await waiter.contacts.get(contact.id, lock=True)
        # The holder rolled back on leaving; the row is free again.
        async with db.unit_of_work(Scope.tenant(company.id)) as uow:
            assert await uow.contacts.get(contact.id, lock=True) is not None
    finally:
        await db.close()


async def add_contact(db: Database, company_id: uuid.UUID) -> Contact:
    now = datetime.now(UTC)
    contact = Contact(
        id=uuid.uuid4(), company_id=company_id, name="Dr. X", created_at=now, updated_at=now
    )
    async with db.unit_of_work(Scope.tenant(company_id)) as uow:
        await uow.contacts.add(contact)
        await uow.commit()
    return contact
