"""The SQL ``Database``: engine, units of work, health ping and schema state."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from fieldedge.errors import DependencyUnavailable
from fieldedge.ports.database import SchemaState, Scope
from fieldedge_adapters.sql import request_tx
from fieldedge_adapters.sql.engine import EngineSpec
from fieldedge_adapters.sql.errors import translated
from fieldedge_adapters.sql.request_tx import Ambient
from fieldedge_adapters.sql.scoping import rescope, scope_setup
from fieldedge_adapters.sql.sqlite import BEGIN_MODE
from fieldedge_adapters.sql.uow import SqlUnitOfWork, session_factory

REQUEST_LOCK_TIMEOUT = "5s"


class SqlDatabase:
    def __init__(
        self,
        spec: EngineSpec,
        *,
        url: str,
        ping_timeout_s: float,
        migrations_url: str | None = None,
    ) -> None:
        self._spec = spec
        self._sessions = session_factory(spec.engine)
        self._ping_timeout_s = ping_timeout_s
        self._migrations_url = migrations_url or url
        self._head: str | None = None

    @property
    def name(self) -> str:
        return self._spec.name

    @property
    def engine(self) -> AsyncEngine:
        """The SQLAlchemy ``AsyncEngine``, for tests and tools that inspect its config."""
        return self._spec.engine

    def unit_of_work(self, scope: Scope, *, join: bool = True) -> SqlUnitOfWork:
        setup = self._spec.transaction_setup
        again = None
        if self._spec.name == "postgresql":
            # Row-level security reads the scope from the transaction (SQLite has none;
            # there the repositories' own tenant filters are the guard). A request
            # transaction also bounds its lock waits: a duplicate idempotent request waits
            # on the first one's record at most that long, and so does any write on a
            # tenant row another request holds (then 503, retryable).
            lock_wait = None if join else REQUEST_LOCK_TIMEOUT
            setup = (*setup, scope_setup(scope, lock_timeout=lock_wait))
            again = rescope(scope)
        return SqlUnitOfWork(self._sessions, scope, setup, rescope=again, join=join)

    @asynccontextmanager
    async def request_transaction(self, scope: Scope) -> AsyncIterator[SqlUnitOfWork]:
        async with self.unit_of_work(scope, join=False) as uow:
            again = rescope(scope) if self.name == "postgresql" else None
            ambient = Ambient(uow.session, scope, again)
            token = request_tx.current.set(ambient)
            try:
                yield uow
            finally:
                ambient.open = False  # a task spawned during the request must not join later
                request_tx.current.reset(token)

    async def ping(self) -> None:
        try:
            async with asyncio.timeout(self._ping_timeout_s):
                with translated():
                    await self._scalar("SELECT 1")
        except TimeoutError as exc:
            raise DependencyUnavailable("database", "The database did not answer.") from exc

    async def schema_state(self) -> SchemaState:
        from fieldedge_adapters.sql.revisions import current_revision, script_head

        if self._head is None:
            self._head = script_head()
        with translated():
            async with self._spec.engine.connect() as connection:
                await connection.execution_options(**{BEGIN_MODE: "DEFERRED"})
                current = await connection.run_sync(current_revision)
        return SchemaState(current=current, head=self._head)

    async def migrate(self, revision: str = "head") -> None:
        """Upgrade through the migrations URL (dev mode runs this on start)."""
        from fieldedge_adapters.sql.migrations import upgrade

        await upgrade(self._migrations_url, revision)

    async def close(self) -> None:
        await self._spec.engine.dispose()

    async def _scalar(self, sql: str) -> object:
        async with self._spec.engine.connect() as connection:
            # On SQLite a read must not queue for the write lock behind a busy writer.
            await connection.execution_options(**{BEGIN_MODE: "DEFERRED"})
            return (await connection.execute(text(sql))).scalar()
