"""The SQL ``Database``: a connection source, units of work, health ping, schema state."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import TYPE_CHECKING

from fieldedge.errors import DependencyUnavailable
from fieldedge.ports.database import SchemaState, Scope
from fieldedge_adapters.sql import request_tx
from fieldedge_adapters.sql.conn import Source
from fieldedge_adapters.sql.errors import translated
from fieldedge_adapters.sql.request_tx import Ambient

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from fieldedge_adapters.sql.txn import Txn
    from fieldedge_adapters.sql.uow import SqlUnitOfWork

# Every transaction's lock waits are bounded: a write queued behind another on the
# tenant's counter for longer than this (or a duplicate idempotent request waiting on
# the first one's record) gives up with a retryable 503.
LOCK_TIMEOUT_MS = 5000


class SqlDatabase:
    def __init__(
        self,
        source: Source,
        *,
        url: str,
        ping_timeout_s: float,
        migrations_url: str | None = None,
    ) -> None:
        self.source = source
        self._ping_timeout_s = ping_timeout_s
        self._url = url
        self._migrations_url = migrations_url or url
        self._head: str | None = None
        self._engine: AsyncEngine | None = None

    @property
    def engine(self) -> AsyncEngine:
        """An SQLAlchemy engine on the same database, for tools and tests that read what
        was written with plain SQL. Requests never use it (on Postgres it is made on
        first use, apart from the app's own connections)."""
        from fieldedge_adapters.sql.lite import LiteSource

        if isinstance(self.source, LiteSource):
            return self.source.engine
        if self._engine is None:
            from fieldedge_adapters.sql.engine import EngineOptions
            from fieldedge_adapters.sql.postgres import postgres_engine

            options = EngineOptions(pool_size=1, max_overflow=2)
            self._engine = postgres_engine(self._url, options).engine
        return self._engine

    @property
    def name(self) -> str:
        return self.source.dialect

    def _txn(self, scope: Scope) -> Txn:
        from fieldedge_adapters.sql.txn import Txn

        return Txn(self.source.transaction(scope, lock_timeout_ms=LOCK_TIMEOUT_MS), scope)

    def unit_of_work(self, scope: Scope) -> SqlUnitOfWork:
        # The repositories and tables load on the first unit of work, not at import:
        # a cold start whose first request is a health check never pays for them.
        from fieldedge_adapters.sql.uow import SqlUnitOfWork

        ambient = request_tx.joinable()
        if ambient is not None:
            if ambient.scope == scope:
                return SqlUnitOfWork(ambient.txn, joined=ambient.txn)
            if self.name == "sqlite":
                from fieldedge_adapters.sql.txn import Txn

                # One writer at a time: a second transaction would wait on the request's
                # own lock. SQLite has no row-level security to re-scope; the
                # repositories' filters follow this unit of work's own scope.
                return SqlUnitOfWork(Txn(ambient.txn.tx, scope), joined=ambient.txn)
        return SqlUnitOfWork(self._txn(scope))

    @asynccontextmanager
    async def request_transaction(self, scope: Scope) -> AsyncIterator[SqlUnitOfWork]:
        from fieldedge_adapters.sql.uow import SqlUnitOfWork

        async with SqlUnitOfWork(self._txn(scope)) as uow:
            ambient = Ambient(uow.txn)
            token = request_tx.current.set(ambient)
            try:
                yield uow
            finally:
                ambient.open = False  # a task spawned during the request must not join later
                request_tx.current.reset(token)

    @contextmanager
    def listening(self) -> Iterator[list[str]]:
        """Every statement sent while the block runs, in order (what a request costs)."""
        sent: list[str] = []
        self.source.listeners.append(sent.append)
        try:
            yield sent
        finally:
            self.source.listeners.remove(sent.append)

    async def ping(self) -> None:
        try:
            async with asyncio.timeout(self._ping_timeout_s):
                await self.source.ping()
        except TimeoutError as exc:
            raise DependencyUnavailable("database", "The database did not answer.") from exc

    async def schema_state(self) -> SchemaState:
        from fieldedge_adapters.sql.revisions import script_head

        if self._head is None:
            self._head = script_head()
        with translated():
            current = await self._current_revision()
        return SchemaState(current=current, head=self._head)

    async def _current_revision(self) -> str | None:
        from fieldedge_adapters.sql.revisions import current_revision_of

        return await current_revision_of(self.source)

    async def migrate(self, revision: str = "head") -> None:
        """Upgrade through the migrations URL (dev mode runs this on start)."""
        from fieldedge_adapters.sql.migrations import upgrade

        await upgrade(self._migrations_url, revision)

    async def close(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()
        await self.source.close()
