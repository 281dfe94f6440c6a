"""Concurrent writers of one tenant get distinct, consecutive versions: through a pool,
through PgBouncer in transaction mode (no prepared-statement clashes) and on SQLite."""

from __future__ import annotations

import asyncio

import pytest

from fieldedge.errors import DependencyUnavailable
from fieldedge.ports.database import Database, Scope
from fieldedge_adapters.sql import database_from_url
from fixtures.database import POOL, add_company

WRITERS = 20


async def test_concurrent_bumps_get_distinct_consecutive_values(db: Database) -> None:
    company = await add_company(db)

    async def write() -> int:
        async with db.unit_of_work(Scope.tenant(company.id)) as uow:
            # A read before the write, as real use cases do, so a writer that has not
            # taken its lock yet is mid-transaction while the others commit.
            assert await uow.companies.get(company.id) is not None
            version = await uow.companies.bump_change_counter(company.id)
            await uow.commit()
            return version

    for round_ in range(3):
        versions = await asyncio.gather(*(write() for _ in range(WRITERS)))
        start = round_ * WRITERS
        assert sorted(versions) == list(range(start + 1, start + WRITERS + 1))

    async with db.unit_of_work(Scope.tenant(company.id)) as uow:
        found = await uow.companies.get(company.id)
    assert found is not None
    assert found.change_counter == 3 * WRITERS


async def test_statement_timeout_holds_on_every_postgres_connection(database_url: str) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite has no statement timeout; its busy timeout bounds lock waits")
    db = database_from_url(database_url, **{**POOL, "statement_timeout_ms": 200})
    try:
        company = await add_company(db)
        async with db.unit_of_work(Scope.tenant(company.id)) as holder:
            # Hold the tenant's row lock; a second writer waits past its timeout.
            assert await holder.companies.bump_change_counter(company.id) == 1
            for _ in range(3):  # pooled: each try may land on another server connection
                with pytest.raises(DependencyUnavailable):
                    async with db.unit_of_work(Scope.tenant(company.id)) as waiter:
                        await waiter.companies.bump_change_counter(company.id)
        # The holder rolled back on leaving; the next writer gets the first version.
        async with db.unit_of_work(Scope.tenant(company.id)) as uow:
            assert await uow.companies.bump_change_counter(company.id) == 1
    finally:
        await db.close()
