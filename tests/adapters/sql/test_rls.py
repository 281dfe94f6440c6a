"""Row-level security on Postgres: the database itself keeps tenants apart.

Connections log in as the app role (owner of the tables, no superuser, so FORCE binds
it). A query that sets no scope sees nothing; a tenant scope sees that tenant alone; a
write of another tenant's row is refused by the policy, whatever the code asked for.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import pytest

from fieldedge.domain.identity import Role
from fieldedge.ports.database import Database, Scope
from fieldedge_adapters.sql import database_from_url
from fieldedge_adapters.sql.uow import SqlUnitOfWork
from fixtures.database import APP_ROLE, POOL, add_company, add_user, run_async, truncate_all
from fixtures.services import unavailable

TABLES = ("companies", "users", "refresh_tokens", "password_reset_tokens", "audit_log", "outbox")


@pytest.fixture
def app_url(migrated_postgres_url: str) -> str:
    run_async(lambda: truncate_all(migrated_postgres_url))
    return migrated_postgres_url


@pytest.fixture
async def raw(app_url: str) -> AsyncIterator[Any]:
    """A plain asyncpg connection as the app role, past every repository."""
    import asyncpg

    parts = urlsplit(app_url)
    conn = await asyncpg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username,
        database=parts.path.lstrip("/"),
        timeout=10,
    )
    try:
        yield conn
    finally:
        await conn.close()


async def test_the_suite_runs_as_a_role_that_rls_binds(raw: Any) -> None:
    role = await raw.fetchrow(
        "SELECT rolname, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
    )
    assert (role["rolname"], role["rolsuper"], role["rolbypassrls"]) == (APP_ROLE, False, False)
    flags = await raw.fetch(
        "SELECT relname, relrowsecurity, relforcerowsecurity, pg_get_userbyid(relowner) AS owner "
        "FROM pg_class WHERE relname = ANY($1::text[]) AND relkind = 'r'",
        list(TABLES),
    )
    assert {r["relname"]: (r["relrowsecurity"], r["relforcerowsecurity"]) for r in flags} == {
        t: (True, True) for t in TABLES
    }
    assert {r["owner"] for r in flags} == {APP_ROLE}


async def test_raw_queries_see_only_what_the_transaction_scope_allows(
    app_url: str, raw: Any
) -> None:
    db = database_from_url(app_url, **POOL)
    try:
        a, b = await add_company(db, "A"), await add_company(db, "B")
        for i in range(2):
            await add_user(db, a.id, f"a{i}@a.example")
        await add_user(db, b.id, "b0@b.example")
        await add_user(db, None, "root@platform.example", role=Role.SUPER_ADMIN)
    finally:
        await db.close()

    assert await raw.fetchval("SELECT count(*) FROM users") == 0  # no scope: nothing
    assert await raw.fetchval("SELECT count(*) FROM companies") == 0
    async with raw.transaction():
        await raw.execute("SELECT set_config('app.company_id', $1, true)", str(a.id))
        rows = await raw.fetch("SELECT company_id FROM users")
        assert [r["company_id"] for r in rows] == [a.id, a.id]
        assert await raw.fetchval("SELECT count(*) FROM companies") == 1
    async with raw.transaction():
        await raw.execute("SELECT set_config('app.system', 'on', true)")
        assert await raw.fetchval("SELECT count(*) FROM users") == 4  # the super admin too
    # SET LOCAL ended with its transaction: the connection is back to seeing nothing.
    assert await raw.fetchval("SELECT count(*) FROM users") == 0


async def test_a_write_for_another_tenant_is_refused_by_the_policy(app_url: str, raw: Any) -> None:
    import asyncpg

    db = database_from_url(app_url, **POOL)
    try:
        a, b = await add_company(db, "A"), await add_company(db, "B")
    finally:
        await db.close()
    insert = (
        "INSERT INTO users (id, company_id, email, name, role, active, version, created_at, "
        "updated_at) VALUES ($1, $2, 'x@b.example', 'X', 'ADMIN', true, 0, $3, $3)"
    )

    def refused() -> Any:
        return pytest.raises(asyncpg.InsufficientPrivilegeError, match="row-level security")

    with refused():
        await as_tenant(raw, a.id, insert, uuid.uuid4(), b.id, datetime.now(UTC))
    # Moving A's own row out of A fails the WITH CHECK as well.
    with refused():
        await as_tenant(raw, a.id, "UPDATE companies SET id = $1 WHERE id = $2", uuid.uuid4(), a.id)


async def as_tenant(raw: Any, company_id: uuid.UUID, sql: str, *args: object) -> None:
    async with raw.transaction():
        await raw.execute("SELECT set_config('app.company_id', $1, true)", str(company_id))
        await raw.execute(sql, *args)


async def test_the_unit_of_works_scope_is_what_rls_enforces(db: Database) -> None:
    """A query that forgets the tenant filter still sees one tenant (direct and pooled)."""
    if db.name != "postgresql":
        pytest.skip("SQLite has no row-level security; the repositories' filters guard it")
    async with db.unit_of_work(Scope.system()) as uow:
        assert isinstance(uow, SqlUnitOfWork)
        super_user = await uow.txn.tx.raw(
            "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
        )
        if super_user[0]["rolsuper"]:
            unavailable(
                f"the pooled URL cannot log in as {APP_ROLE} (list it in PgBouncer's auth file)"
            )
    a, b = await add_company(db, "A"), await add_company(db, "B")
    await add_user(db, a.id, "a@a.example")
    await add_user(db, b.id, "b@b.example")
    for _ in range(3):  # pooled: each transaction may land on another server connection
        for company in (a, b):
            async with db.unit_of_work(Scope.tenant(company.id)) as uow:
                assert isinstance(uow, SqlUnitOfWork)
                rows = await uow.txn.tx.raw("SELECT company_id FROM users")  # no filter
            assert [r["company_id"] for r in rows] == [company.id]
