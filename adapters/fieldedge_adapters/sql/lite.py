"""SQLite through SQLAlchemy Core over aiosqlite (the engine is built in ``sqlite.py``).

The transaction begins lazily with ``BEGIN IMMEDIATE``: the database's one write lock is
taken at the start, so units of work never deadlock upgrading read locks and commit
order is change-counter order. SQLite has no row-level security; the repositories'
tenant filters are the guard here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql.base import Executable

from fieldedge.ports.database import Scope
from fieldedge_adapters.sql.conn import Params
from fieldedge_adapters.sql.errors import translated
from fieldedge_adapters.sql.sqlite import BEGIN_MODE


class LiteSource:
    dialect = "sqlite"

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.listeners: list[Callable[[str], None]] = []

        @event.listens_for(engine.sync_engine, "before_cursor_execute")
        def _sent(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
            for listener in self.listeners:
                listener(statement)

    def transaction(
        self, scope: Scope, *, lock_timeout_ms: int | None, read_only: bool = False
    ) -> LiteTx:
        return LiteTx(self.engine, read_only=read_only)

    async def ping(self) -> None:
        with translated():
            async with self.engine.connect() as connection:
                # A health probe must not queue for the write lock behind a busy writer.
                await connection.execution_options(**{BEGIN_MODE: "DEFERRED"})
                await connection.execute(text("SELECT 1"))

    async def close(self) -> None:
        await self.engine.dispose()


class LiteTx:
    dialect = "sqlite"

    def __init__(self, engine: AsyncEngine, *, read_only: bool = False) -> None:
        self._engine = engine
        self._read_only = read_only  # DEFERRED: no write lock for a reader
        self._connection: AsyncConnection | None = None
        self._done = False

    async def _conn(self) -> AsyncConnection:
        if self._connection is None:
            if self._done:
                raise RuntimeError("this transaction has ended")
            with translated():
                connection = await self._engine.connect()
                try:
                    if self._read_only:
                        await connection.execution_options(**{BEGIN_MODE: "DEFERRED"})
                    await connection.begin()
                except BaseException:
                    await connection.close()
                    raise
            self._connection = connection
        return self._connection

    async def rows(self, stmt: Executable, params: Params | None = None) -> list[dict[str, Any]]:
        connection = await self._conn()
        with translated():
            result = await connection.execute(stmt, dict(params or {}))
            return [dict(row) for row in result.mappings()]

    async def run(self, stmt: Executable, params: Params | None = None) -> int:
        connection = await self._conn()
        with translated():
            result = await connection.execute(stmt, dict(params or {}))
        return int(result.rowcount or 0)

    async def raw(self, sql: str) -> list[dict[str, Any]]:
        connection = await self._conn()
        with translated():
            result = await connection.exec_driver_sql(sql)
            return [dict(row) for row in result.mappings()]

    async def _simple(self, sql: str) -> None:
        connection = await self._conn()
        with translated():
            await connection.exec_driver_sql(sql)

    async def savepoint(self, name: str) -> None:
        await self._simple(f"SAVEPOINT {name}")

    async def release(self, name: str) -> None:
        await self._simple(f"RELEASE SAVEPOINT {name}")

    async def rollback_to(self, name: str) -> None:
        await self._simple(f"ROLLBACK TO SAVEPOINT {name}")

    async def commit(self) -> None:
        connection, self._connection, self._done = self._connection, None, True
        if connection is None:
            return
        try:
            with translated():
                await connection.commit()
        finally:
            await connection.close()

    async def close(self) -> None:
        connection, self._connection, self._done = self._connection, None, True
        if connection is None:
            return
        try:
            with translated():
                await connection.rollback()
        finally:
            await connection.close()
