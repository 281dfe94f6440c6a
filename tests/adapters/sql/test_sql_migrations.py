"""Migrations go up, down and up again on SQLite and Postgres, end at exactly the schema
the table classes declare, and ``schema_state`` tells a stale database from a current one."""

from __future__ import annotations

import shutil
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import fieldedge_adapters.sql.tables  # noqa: F401  (the metadata to compare with)
from fieldedge.ports.database import Database
from fieldedge_adapters.sql import database_from_url, migrations
from fieldedge_adapters.sql.database import SqlDatabase
from fieldedge_adapters.sql.tables_fieldforce import EXPRESSION_INDEX_SKIPPED
from fixtures.database import POOL, add_company, add_user, sqlite_url

T = TypeVar("T")


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def _drift(connection: Connection) -> list[object]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "compare_server_default": True}
    )
    with warnings.catch_warnings():  # SQLite: the Postgres-only indexes, skipped (0012)
        warnings.filterwarnings("ignore", EXPRESSION_INDEX_SKIPPED)
        return list(compare_metadata(context, SQLModel.metadata))


async def _inspect_with(db: Database, fn: Callable[[Connection], T]) -> T:
    assert isinstance(db, SqlDatabase)
    async with db.engine.connect() as connection:
        return await connection.run_sync(fn)


async def test_up_down_up(empty_database_url: str) -> None:
    head = migrations.script_head()
    await migrations.upgrade(empty_database_url)
    assert (await migrations.status(empty_database_url)).current == head

    await migrations.downgrade(empty_database_url, "base")
    state = await migrations.status(empty_database_url)
    assert state.current is None
    assert not state.up_to_date

    await migrations.upgrade(empty_database_url)
    db = database_from_url(empty_database_url, **POOL)
    try:
        assert "companies" in await _inspect_with(db, _tables)
        company = await add_company(db)  # the schema takes a real write
        user = await add_user(db, company.id, "first@example.com")
        assert user.version == 1  # stamped with the tenant's first version
    finally:
        await db.close()


async def test_migrated_schema_is_exactly_the_table_classes(empty_database_url: str) -> None:
    await migrations.upgrade(empty_database_url)
    db = database_from_url(empty_database_url, **POOL)
    try:
        assert await _inspect_with(db, _drift) == []
    finally:
        await db.close()


async def test_schema_state_behind_then_at_head(empty_database_url: str) -> None:
    db = database_from_url(empty_database_url, **POOL)
    try:
        behind = await db.schema_state()
        assert behind.current is None
        assert behind.head == migrations.script_head()
        assert not behind.up_to_date

        assert isinstance(db, SqlDatabase)
        await db.migrate()
        current = await db.schema_state()
        assert current.current == current.head
        assert current.up_to_date
    finally:
        await db.close()


async def test_new_revision_against_head_finds_no_drift(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "new.db")  # one backend is enough to check what is written
    location = tmp_path / "migrations"
    shutil.copytree(migrations.script_location(), location)
    await migrations.upgrade(url)

    path = await migrations.new(url, "nothing changed", location=location)

    assert path.parent == location / "versions"
    assert path.name.startswith(f"{int(migrations.script_head()) + 1:04d}_nothing_changed")
    source = path.read_text()
    assert f'down_revision: str | Sequence[str] | None = "{migrations.script_head()}"' in source
    assert "op." not in source  # the table classes and the migrations agree
    compile(source, str(path), "exec")


async def test_light_revision_reader_agrees_with_alembic(empty_database_url: str) -> None:
    # Startup reads head and current without importing Alembic; they must not differ.
    from alembic.script import ScriptDirectory

    alembic_head = ScriptDirectory.from_config(migrations.alembic_config()).get_current_head()
    assert migrations.script_head() == alembic_head

    def both(connection: Connection) -> tuple[str | None, str | None]:
        context = MigrationContext.configure(connection)
        return migrations.current_revision(connection), context.get_current_revision()

    db = database_from_url(empty_database_url, **POOL)
    try:
        assert await _inspect_with(db, both) == (None, None)
        await migrations.upgrade(empty_database_url)
        assert await _inspect_with(db, both) == (alembic_head, alembic_head)
    finally:
        await db.close()
