"""A transaction's tenant scope never outlives it, on a pooled connection least of all.

The scope is set with ``set_config(…, true)`` in the ``BEGIN`` round trip, so it ends
with the transaction. Through PgBouncer in transaction mode (as Neon pools) server
connections pass from client to client between transactions: many units of work of
many tenants at once, each must see its own tenant and its own rows only, and a
transaction that sets nothing must inherit nothing.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import sqlalchemy as sa

from fieldedge.domain.contacts import Contact
from fieldedge.ports.database import Database, Scope
from fieldedge.ports.fieldforce import ContactQuery
from fixtures.database import add_company

TENANTS = 6
ROUNDS = 15
SETTING = sa.text("SELECT current_setting('app.company_id', true) AS cid")


async def test_concurrent_tenants_each_see_only_their_own_scope_and_rows(db: Database) -> None:
    now = datetime.now(UTC)
    companies = [await add_company(db, f"Tenant {i}") for i in range(TENANTS)]
    for company in companies:
        async with db.unit_of_work(Scope.tenant(company.id)) as uow:
            await uow.contacts.add(
                Contact(
                    id=uuid.uuid4(),
                    company_id=company.id,
                    name=f"Only of {company.name}",
                    created_at=now,
                    updated_at=now,
                )
            )
            await uow.commit()

    async def one(company_id: uuid.UUID) -> list[str]:
        problems = []
        for _ in range(ROUNDS):
            async with db.unit_of_work(Scope.tenant(company_id)) as uow:
                rows = await uow.contacts.list(ContactQuery(limit=50))
                names = {row["company_id"] for row in rows}
                if names != {company_id}:
                    problems.append(f"{company_id} saw rows of {names}")
                if db.name == "postgresql":
                    setting = await uow.txn.rows(SETTING)  # type: ignore[attr-defined]
                    if setting[0]["cid"] != str(company_id):
                        problems.append(f"{company_id} ran as {setting[0]['cid']!r}")
            await asyncio.sleep(0)
        return problems

    results = await asyncio.gather(*(one(c.id) for c in companies))
    assert [p for problems in results for p in problems] == []


async def test_a_transaction_inherits_no_scope_from_the_one_before(db: Database) -> None:
    if db.name != "postgresql":
        return  # SQLite has no session settings to leak
    company = await add_company(db)
    for _ in range(20):  # enough turns for a pooled server connection to come round again
        async with db.unit_of_work(Scope.tenant(company.id)) as uow:
            await uow.companies.get(company.id)
    # A plain connection's transaction, with no scope of its own, past the app's setup.
    engine = db.engine  # type: ignore[attr-defined]
    for _ in range(20):
        async with engine.begin() as connection:
            found = (await connection.execute(SETTING)).scalar()
            assert found in (None, ""), found
