"""One ``Database`` per implementation, for the port's contract suite: the memory fake and
SQLite always, Postgres directly and through PgBouncer whenever
``FIELDEDGE_TEST_DATABASE_URL`` / ``FIELDEDGE_TEST_PGBOUNCER_URL`` are set (skipped
locally, failing in CI otherwise). SQL databases come migrated and empty, as the
``database_url`` fixture makes them.

``@gap("sqlite", …, reason=…)`` marks a test the named SQL backends are known to fail
because the adapter disagrees with the port: strict ``xfail`` there, a plain test on the
others, so the day the adapter is fixed the suite says so.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from fakes import MemoryDatabase
from fieldedge.ports.database import Database
from fieldedge_adapters.sql import database_from_url
from fixtures.database import BACKENDS, POOL, run_async, sqlite_url, truncate_all

IMPLEMENTATIONS = ("memory", *BACKENDS)
SQL = BACKENDS
POSTGRES = ("postgres", "pgbouncer")

gap = pytest.mark.adapter_gap


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "adapter_gap(*backends, reason): the SQL adapter is known to fail this there"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        callspec = getattr(item, "callspec", None)
        backend = callspec.params.get("database_target") if callspec is not None else None
        for mark in item.iter_markers("adapter_gap"):
            if backend in mark.args:
                item.add_marker(pytest.mark.xfail(strict=True, reason=mark.kwargs["reason"]))


@pytest.fixture(params=IMPLEMENTATIONS)
def database_target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """``memory``, or the URL of a migrated, empty SQL database (as ``database_url``).

    Synchronous: the session fixtures it builds on run ``asyncio.run`` themselves.
    """
    backend: str = request.param
    if backend == "memory":
        return backend
    if backend == "sqlite":
        path = tmp_path / "fieldedge.db"
        shutil.copyfile(request.getfixturevalue("migrated_sqlite_template"), path)
        return sqlite_url(path)
    direct: str = request.getfixturevalue("migrated_postgres_url")
    url: str = direct if backend == "postgres" else request.getfixturevalue("app_pgbouncer_url")
    run_async(lambda: truncate_all(direct))
    return url


@pytest.fixture
async def database(database_target: str) -> AsyncIterator[Database]:
    db: Database
    if database_target == "memory":
        db = MemoryDatabase()
    else:
        db = database_from_url(database_target, **POOL)
    try:
        yield db
    finally:
        await db.close()
