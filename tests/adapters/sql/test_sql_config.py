"""What the URL picks: the driver and its pool settings, and failures as core errors."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest

from fieldedge.errors import ConfigError, DependencyUnavailable
from fieldedge.ports.database import Scope
from fieldedge_adapters.sql import database_from_url
from fieldedge_adapters.sql.database import SqlDatabase
from fieldedge_adapters.sql.pg import PgSource
from fieldedge_adapters.sql.uow import SqlUnitOfWork
from fixtures.database import POOL
from fixtures.services import free_port

NEON_POOLED = (
    "postgresql+asyncpg://app:pw@ep-cool-darkness-123456-pooler.eu-central-1.aws.neon.tech/app"
)
NEON_DIRECT = "postgresql+asyncpg://app:pw@ep-cool-darkness-123456.eu-central-1.aws.neon.tech/app"


def _open(url: str) -> SqlDatabase:
    db = database_from_url(url, **POOL)
    assert isinstance(db, SqlDatabase)
    return db


@pytest.mark.parametrize(
    "url", ["mysql+aiomysql://u@h/db", "postgresql://u@h/db", "sqlite:///x.db", "memory://"]
)
def test_unsupported_scheme_is_a_config_error(url: str) -> None:
    with pytest.raises(ConfigError, match="unsupported scheme"):
        database_from_url(url, **POOL)


@pytest.mark.parametrize(
    "url",
    [
        NEON_POOLED + "?sslmode=require&channel_binding=require",
        "postgresql+asyncpg://postgres@127.0.0.1:6432/app?pgbouncer=true",
    ],
)
async def test_pooled_host_gets_no_client_pool_and_no_statement_cache(url: str) -> None:
    db = _open(url)
    try:
        source = db.source
        assert isinstance(source, PgSource)
        assert source.pooled  # a connection per unit of work: the pooler is the pool
        kwargs = source.connect_kwargs
        assert kwargs["statement_cache_size"] == 0  # no named statements to clash
        assert "server_settings" not in kwargs  # poolers drop them: set per transaction
        assert kwargs.get("ssl") in (None, "require")
        assert "pgbouncer" not in kwargs
        assert "channel_binding" not in kwargs
    finally:
        await db.close()


async def test_direct_host_gets_a_sized_pool_and_a_server_timeout() -> None:
    db = _open(NEON_DIRECT + "?sslmode=require")
    try:
        source = db.source
        assert isinstance(source, PgSource)
        assert not source.pooled
        assert source.size == POOL["pool_size"] + POOL["max_overflow"]
        kwargs = source.connect_kwargs
        assert kwargs["ssl"] == "require"
        assert kwargs["server_settings"] == {"statement_timeout": str(POOL["statement_timeout_ms"])}
        assert db.name == "postgresql"
    finally:
        await db.close()


async def test_sqlite_creates_its_directory_and_enforces_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "dir" / "fieldedge.db"
    db = _open(f"sqlite+aiosqlite:///{path}")
    try:
        await db.ping()
        assert path.is_file()
        assert db.name == "sqlite"
        async with db.unit_of_work(Scope.system()) as uow:
            assert isinstance(uow, SqlUnitOfWork)
            assert (await uow.txn.tx.raw("PRAGMA foreign_keys"))[0]["foreign_keys"] == 1
            assert (await uow.txn.tx.raw("PRAGMA journal_mode"))[0]["journal_mode"] == "wal"
    finally:
        await db.close()


@pytest.mark.parametrize("scheme", ["postgresql+asyncpg", "postgresql+asyncpg-pooled"])
async def test_unreachable_database_is_dependency_unavailable(scheme: str) -> None:
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/nowhere"
    if scheme.endswith("pooled"):
        url += "?pgbouncer=true"
    db = _open(url)
    try:
        with pytest.raises(DependencyUnavailable) as ping:
            await db.ping()
        assert ping.value.code == "SERVICE_UNAVAILABLE"
        assert ping.value.retryable
        assert ping.value.dependency == "database"
        with pytest.raises(DependencyUnavailable):
            async with db.unit_of_work(Scope.system()) as uow:
                await uow.companies.get(uuid.uuid4())
        with pytest.raises(DependencyUnavailable):
            await db.schema_state()
    finally:
        await db.close()


async def test_unopenable_sqlite_file_is_dependency_unavailable(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    db = _open(f"sqlite+aiosqlite:///{blocker / 'x.db'}?mode=ro&uri=true")
    try:
        with pytest.raises(DependencyUnavailable):
            await db.ping()
    finally:
        await db.close()
        # aiosqlite stops the worker thread of a failed connect by queueing a stop whose
        # result it posts back to this loop; let it land before the test's loop closes,
        # or the thread raises "Event loop is closed" in whichever test runs next.
        for _ in range(200):  # bounded: 2 s
            if not any("_connection_worker_thread" in t.name for t in threading.enumerate()):
                break
            await asyncio.sleep(0.01)


def test_postgres_never_loads_sqlite_driver_nor_alembic_to_check_the_schema() -> None:
    # What a Lambda on Postgres pays for at cold start: one driver, no migration tooling,
    # and (until a statement must be compiled) not even SQLAlchemy.
    probe = """
import asyncio, sys
from fieldedge_adapters.sql import database_from_url
db = database_from_url("postgresql+asyncpg://u@127.0.0.1:1/x", pool_size=1, max_overflow=0,
    pool_timeout_s=1, connect_timeout_s=1, statement_timeout_ms=1000)
from fieldedge_adapters.sql.revisions import script_head
script_head()
asyncio.run(db.close())
print(sorted(m for m in ("aiosqlite", "sqlite3", "alembic", "mako", "asyncpg", "sqlalchemy")
             if m in sys.modules))
"""
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "['asyncpg']"


async def test_a_full_pool_answers_no_connection_free_then_serves_again(postgres_url: str) -> None:
    db = database_from_url(
        postgres_url,
        pool_size=1,
        max_overflow=0,
        pool_timeout_s=0.2,
        connect_timeout_s=5,
        statement_timeout_ms=5000,
    )
    assert isinstance(db, SqlDatabase)
    assert isinstance(db.source, PgSource)
    source = db.source
    try:
        held = await source.acquire()
        with pytest.raises(DependencyUnavailable, match="No database connection free"):
            await source.acquire()
        await source.release(held)
        # The timed-out wait took nothing from the pool: its one connection serves again.
        again = await source.acquire()
        assert await again.fetchval("SELECT 1") == 1
        await source.release(again)
    finally:
        await db.close()
