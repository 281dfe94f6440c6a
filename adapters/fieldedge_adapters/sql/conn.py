"""The connection a unit of work talks through, the same shape on Postgres and SQLite.

``Source.transaction(scope)`` begins a transaction lazily: nothing touches the database
until the first statement, and on Postgres the ``BEGIN`` and the transaction-local
settings (the tenant for row-level security, the lock wait bound, and behind a pooler
the statement timeout) go in one round trip. ``Tx.rows``/``Tx.run`` take Core statements
with named parameters; rows come back as plain dicts keyed by column name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from fieldedge.ports.database import Scope

if TYPE_CHECKING:
    from sqlalchemy.sql.base import Executable

Params = Mapping[str, Any]


class Tx(Protocol):
    @property
    def dialect(self) -> str: ...

    async def rows(self, stmt: Executable, params: Params | None = None) -> list[dict[str, Any]]:
        """Run ``stmt``; the rows it returns (a SELECT, or DML with RETURNING)."""
        ...

    async def run(self, stmt: Executable, params: Params | None = None) -> int:
        """Run ``stmt``; how many rows it touched."""
        ...

    async def raw(self, sql: str) -> list[dict[str, Any]]:
        """Run SQL text this adapter wrote itself, without parameters (the schema check)."""
        ...

    async def savepoint(self, name: str) -> None: ...

    async def release(self, name: str) -> None: ...

    async def rollback_to(self, name: str) -> None: ...

    async def commit(self) -> None: ...

    async def close(self) -> None:
        """Roll back unless committed, and give the connection back (always safe)."""
        ...


class Source(Protocol):
    # Called with each statement sent (diagnostics; the suite counts a request's).
    listeners: list[Callable[[str], None]]

    @property
    def dialect(self) -> str: ...

    def transaction(
        self, scope: Scope, *, lock_timeout_ms: int | None, read_only: bool = False
    ) -> Tx:
        """``read_only``: the caller will not write (SQLite then takes no write lock)."""
        ...

    async def ping(self) -> None: ...

    async def close(self) -> None: ...
