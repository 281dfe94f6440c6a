"""Migration 0002 goes up, down to 0001 and up again on SQLite and Postgres, keeping the
companies it found, and on Postgres turns row-level security on (and off again)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from fieldedge.domain.audit import AuditEntry
from fieldedge.ports.database import Database, Scope
from fieldedge_adapters.sql import database_from_url, migrations
from fieldedge_adapters.sql.database import SqlDatabase
from fixtures.database import POOL, add_company, add_user

IDENTITY = {"users", "refresh_tokens", "password_reset_tokens", "audit_log", "outbox"}


def _shape(connection: Connection) -> dict[str, Any]:
    inspector = inspect(connection)
    shape: dict[str, Any] = {
        "tables": set(inspector.get_table_names()),
        "company_columns": {c["name"] for c in inspector.get_columns("companies")},
    }
    if connection.dialect.name == "postgresql":
        rows = connection.execute(
            text("SELECT relname FROM pg_class WHERE relrowsecurity AND relforcerowsecurity")
        )
        shape["rls"] = {r[0] for r in rows}
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


async def test_identity_up_down_up_keeps_companies(empty_database_url: str) -> None:
    url = empty_database_url
    postgres = url.startswith("postgresql")
    await migrations.upgrade(url)
    up = await shape_of(url)
    assert up["tables"] >= IDENTITY
    assert {"audit_seq", "audit_head"} <= up["company_columns"]
    if postgres:
        assert up["rls"] >= IDENTITY | {"companies"}  # later migrations add their tables
        assert up["policies"] >= IDENTITY | {"companies"}

    db: Database = database_from_url(url, **POOL)
    try:
        company = await add_company(db)
        await add_user(db, company.id, "kept@example.com")
    finally:
        await db.close()

    await migrations.downgrade(url, "0001")
    down = await shape_of(url)
    assert not IDENTITY & down["tables"]
    assert not {"audit_seq", "audit_head"} & down["company_columns"]
    if postgres:
        assert down["rls"] == set()
        assert down["policies"] == set()

    await migrations.upgrade(url)
    db = database_from_url(url, **POOL)
    try:
        entry = AuditEntry(
            id=uuid.uuid4(), company_id=company.id, at=company.created_at, action="company.migrated"
        )
        async with db.unit_of_work(Scope.tenant(company.id)) as uow:
            assert await uow.companies.get(company.id) == company
            await uow.audit.append(entry)
            await uow.commit()
        async with db.unit_of_work(Scope.tenant(company.id)) as uow:
            assert await uow.audit.link(limit=10) == 1
            await uow.commit()
        async with db.unit_of_work(Scope.tenant(company.id)) as uow:
            linked = await uow.audit.chain(after_seq=0, limit=10)
        assert [e.seq for e in linked] == [1]  # the chain starts afresh
    finally:
        await db.close()
