"""Postgres through asyncpg, with SQLAlchemy Core for building statements only.

Each Core statement is compiled once (per statement object, see ``statements.py``) into
the text and positional parameters asyncpg prepares and caches, so a request pays for
what the ceiling app pays: a round trip per statement and the rows it reads.

Direct: an asyncpg pool (no pre-ping: a connection found dead when its transaction
begins is replaced and the ``BEGIN`` retried once, which is safe as nothing ran yet),
``statement_timeout`` as a server setting, ``command_timeout`` a little above it for a
network that hangs, and a pool reset that only rolls back a transaction somehow left
open (asyncpg's default reset would add a round trip to every request).

Pooled (a ``-pooler`` host, or ``?pgbouncer=true``): the pooler hands each transaction
to any server connection, so nothing may outlive a transaction: no client pool (a
connection per unit of work, closed after), no named prepared statements, and the
statement timeout set transaction-locally with the scope.

Every transaction starts with ``BEGIN`` and ``set_config(…, true)`` of the tenant (and
``app.system``) in one simple-protocol round trip: transaction-local, so a pooled
connection, PgBouncer in transaction mode included, can never carry one tenant's scope
into another's transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlsplit
from uuid import UUID

import asyncpg
import orjson

from fieldedge.errors import DependencyUnavailable
from fieldedge.ports.database import Scope
from fieldedge_adapters.sql.conn import Params
from fieldedge_adapters.sql.errors import translated

if TYPE_CHECKING:
    from sqlalchemy.engine import Dialect
    from sqlalchemy.sql.base import Executable
_CACHE_SIZE = 4096
# Seconds asyncpg waits beyond the server's statement timeout before giving up itself.
_CLIENT_GRACE_S = 2.0
_STALE = (asyncpg.ConnectionDoesNotExistError, asyncpg.InterfaceError, OSError)


@cache
def dialect() -> Dialect:
    """SQLAlchemy's asyncpg dialect, for compiling statements (loaded on first use: a
    health check never needs it)."""
    from sqlalchemy.dialects.postgresql import asyncpg as pg_asyncpg

    made: Dialect = pg_asyncpg.dialect()  # type: ignore[no-untyped-call]
    return made


def is_pooled(url: str) -> bool:
    parts = urlsplit(url)
    host = parts.hostname or ""
    flag = dict(parse_qsl(parts.query)).get("pgbouncer", "").lower()
    return "-pooler" in host.split(".")[0] or flag in ("1", "true", "yes")


def connect_kwargs(url: str) -> dict[str, Any]:
    """asyncpg's arguments from our ``postgresql+asyncpg://`` URL (libpq's TLS spellings
    read as asyncpg's)."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    kwargs: dict[str, Any] = {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": unquote(parts.username) if parts.username else "postgres",
        "password": unquote(parts.password) if parts.password else None,
        "database": unquote(parts.path.lstrip("/")) or "postgres",
    }
    ssl = query.get("ssl") or query.get("sslmode")
    if ssl:
        kwargs["ssl"] = ssl
    return kwargs


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


@dataclass(frozen=True, slots=True)
class Compiled:
    sql: str
    names: tuple[str, ...]  # positional parameter names, in order
    defaults: dict[str, Any]  # values of literal parameters (LIMIT 21, a constant)
    json_params: frozenset[str]
    keys: tuple[str, ...] | None  # result columns (None: as the server names them)
    json_columns: frozenset[str]

    def args(self, params: Params | None) -> list[Any]:
        given = params or {}
        out = []
        for name in self.names:
            value = given[name] if name in given else self.defaults.get(name)
            if name in self.json_params and value is not None:
                value = _dumps(value)
            out.append(value)
        return out

    def decode(self, records: list[asyncpg.Record]) -> list[dict[str, Any]]:
        keys, json_columns = self.keys, self.json_columns
        if keys is None:
            return [dict(record) for record in records]
        rows = [dict(zip(keys, record, strict=True)) for record in records]
        if json_columns:
            for row in rows:
                for key in json_columns:
                    value = row[key]
                    if isinstance(value, str):
                        row[key] = orjson.loads(value)
        return rows


_compiled: OrderedDict[int, tuple[Executable, Compiled]] = OrderedDict()


def compiled(stmt: Executable) -> Compiled:
    """``stmt`` compiled for asyncpg, cached by statement object (kept alive here)."""
    hit = _compiled.get(id(stmt))
    if hit is not None and hit[0] is stmt:
        return hit[1]
    import sqlalchemy as sa

    done = stmt.compile(dialect=dialect())  # type: ignore[attr-defined]
    names = tuple(done.positiontup or ())
    binds = done.binds
    defaults = {name: binds[name].value for name in names if name in binds}
    # Columns SQLAlchemy fills client-side (a Python default on an adapter-only column,
    # such as a new company's counters): their value, as SQLAlchemy would send it.
    for column in (*done.insert_prefetch, *done.update_prefetch):
        default = column.default
        if default is None or not default.is_scalar:
            raise TypeError(f"{column}: only scalar column defaults are supported")
        defaults[column.key] = default.arg
    json_params = frozenset(
        name for name in names if name in binds and isinstance(binds[name].type, sa.JSON)
    )
    columns = list(done._result_columns)  # the keys SQLAlchemy's own results use
    result = Compiled(
        sql=done.string,
        names=names,
        defaults=defaults,
        json_params=json_params,
        keys=tuple(entry.keyname for entry in columns) if columns else None,
        json_columns=frozenset(
            entry.keyname for entry in columns if isinstance(entry.type, sa.JSON)
        ),
    )
    _compiled[id(stmt)] = (stmt, result)
    if len(_compiled) > _CACHE_SIZE:
        _compiled.popitem(last=False)
    return result


def _literal_uuid(value: UUID | None) -> str:
    # Formatted from a UUID object: hex digits and dashes only, safe as a literal.
    return "" if value is None else str(UUID(str(value)))


def begin_sql(
    scope: Scope, *, lock_timeout_ms: int | None, statement_timeout_ms: int | None
) -> str:
    settings = [
        f"set_config('app.company_id', '{_literal_uuid(scope.company_id)}', true)",
        f"set_config('app.system', '{'on' if scope.is_system else 'off'}', true)",
    ]
    if lock_timeout_ms:
        settings.append(f"set_config('lock_timeout', '{int(lock_timeout_ms)}', true)")
    if statement_timeout_ms:
        settings.append(f"set_config('statement_timeout', '{int(statement_timeout_ms)}', true)")
    return "BEGIN; SELECT " + ", ".join(settings)


async def _reset(connection: asyncpg.Connection) -> None:
    """Instead of asyncpg's reset query: only a transaction left open is undone."""
    if connection.is_in_transaction():
        await connection.execute("ROLLBACK")


class PgSource:
    dialect = "postgresql"

    def __init__(
        self,
        url: str,
        *,
        pool_size: int,
        max_overflow: int,
        pool_timeout_s: float,
        connect_timeout_s: float,
        statement_timeout_ms: int,
    ) -> None:
        self.pooled = is_pooled(url)
        self.connect_kwargs = connect_kwargs(url)
        self.connect_kwargs["timeout"] = connect_timeout_s
        if statement_timeout_ms:
            self.connect_kwargs["command_timeout"] = statement_timeout_ms / 1000 + _CLIENT_GRACE_S
        if self.pooled:
            self.connect_kwargs["statement_cache_size"] = 0
            self._local_timeout_ms: int | None = statement_timeout_ms or None
        else:
            self.connect_kwargs["server_settings"] = {
                "statement_timeout": str(statement_timeout_ms)
            }
            self._local_timeout_ms = None
        self.size = pool_size + max_overflow
        self._min = min(pool_size, 1)
        self._acquire_timeout_s = pool_timeout_s
        self._pool: asyncpg.Pool | None = None
        self._lock = asyncio.Lock()
        self.listeners: list[Callable[[str], None]] = []

    def sent(self, sql: str) -> None:
        for listener in self.listeners:
            listener(sql)

    async def _the_pool(self) -> asyncpg.Pool:
        if self._pool is None:
            async with self._lock:
                if self._pool is None:
                    with translated():
                        self._pool = await asyncpg.create_pool(
                            min_size=0, max_size=self.size, reset=_reset, **self.connect_kwargs
                        )
        return self._pool

    async def acquire(self) -> asyncpg.Connection:
        with translated():
            if self.pooled:
                return await asyncpg.connect(**self.connect_kwargs)
            pool = await self._the_pool()
            try:
                # Bounded here, not by acquire(timeout=): asyncpg wraps a timed acquire in
                # a task of its own (wait_for), a task per request for nothing.
                async with asyncio.timeout(self._acquire_timeout_s):
                    return await pool.acquire()
            except TimeoutError as exc:
                raise DependencyUnavailable("database", "No database connection free.") from exc

    async def release(self, connection: asyncpg.Connection, *, broken: bool = False) -> None:
        if broken:
            # asyncpg hands a pooled connection whose link died back to the pool on its
            # own; terminating its detached proxy then raises. Either way it is gone.
            with contextlib.suppress(asyncpg.InterfaceError):
                connection.terminate()
        if self.pooled or self._pool is None:
            if not connection.is_closed():
                await connection.close(timeout=2)
            return
        await self._pool.release(connection)

    def transaction(
        self, scope: Scope, *, lock_timeout_ms: int | None, read_only: bool = False
    ) -> PgTx:
        begin = begin_sql(
            scope, lock_timeout_ms=lock_timeout_ms, statement_timeout_ms=self._local_timeout_ms
        )
        return PgTx(self, begin)

    async def ping(self) -> None:
        connection = await self.acquire()
        broken = True
        try:
            with translated():
                await connection.execute("SELECT 1")
            broken = False
        finally:
            await self.release(connection, broken=broken)

    async def close(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.close()


class PgTx:
    dialect = "postgresql"

    def __init__(self, source: PgSource, begin: str) -> None:
        self._source = source
        self._begin = begin
        self._connection: asyncpg.Connection | None = None
        self._done = False

    async def _conn(self) -> asyncpg.Connection:
        if self._connection is not None:
            return self._connection
        if self._done:
            raise RuntimeError("this transaction has ended")
        for attempt in (1, 2):
            connection = await self._source.acquire()
            self._source.sent(self._begin)
            try:
                with translated():
                    await connection.execute(self._begin)
            except DependencyUnavailable as exc:
                await self._source.release(connection, broken=True)
                # A pooled connection that died while idle: nothing ran, try a fresh one.
                if attempt == 1 and isinstance(exc.__cause__, _STALE):
                    continue
                raise
            self._connection = connection
            return connection
        raise AssertionError("unreachable")

    async def rows(self, stmt: Executable, params: Params | None = None) -> list[dict[str, Any]]:
        done = compiled(stmt)
        connection = await self._conn()
        self._source.sent(done.sql)
        with translated():
            records = await connection.fetch(done.sql, *done.args(params))
        return done.decode(records)

    async def run(self, stmt: Executable, params: Params | None = None) -> int:
        done = compiled(stmt)
        connection = await self._conn()
        self._source.sent(done.sql)
        with translated():
            status = await connection.execute(done.sql, *done.args(params))
        return _rowcount(status)

    async def raw(self, sql: str, args: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        """SQL this adapter wrote itself, with positional ``$n`` arguments."""
        connection = await self._conn()
        self._source.sent(sql)
        with translated():
            records = await connection.fetch(sql, *args)
        return [dict(record) for record in records]

    async def _simple(self, sql: str) -> None:
        connection = await self._conn()
        self._source.sent(sql)
        with translated():
            await connection.execute(sql)

    async def savepoint(self, name: str) -> None:
        await self._simple(f"SAVEPOINT {name}")

    async def release(self, name: str) -> None:
        await self._simple(f"RELEASE SAVEPOINT {name}")

    async def rollback_to(self, name: str) -> None:
        await self._simple(f"ROLLBACK TO SAVEPOINT {name}")

    async def commit(self) -> None:
        if self._connection is None:
            self._done = True
            return
        await self._simple("COMMIT")
        await self._finish(broken=False)

    async def commit_after(self, sql: str) -> None:
        """``sql`` and the ``COMMIT`` in one round trip (one simple-protocol message; it
        takes no arguments, so ``sql`` is text this adapter made safe). When ``sql``
        fails, Postgres skips the ``COMMIT`` and the transaction waits, aborted, for
        ``close`` to roll it back."""
        await self._simple(f"{sql};\nCOMMIT")
        await self._finish(broken=False)

    async def close(self) -> None:
        if self._connection is None:
            self._done = True
            return
        broken = False
        self._source.sent("ROLLBACK")
        try:
            with translated():
                await self._connection.execute("ROLLBACK")
        except Exception:
            broken = True  # the connection is gone or confused: never reuse it
            raise
        finally:
            await self._finish(broken=broken)

    async def _finish(self, *, broken: bool) -> None:
        connection, self._connection, self._done = self._connection, None, True
        if connection is not None:
            await self._source.release(connection, broken=broken)


def _rowcount(status: str) -> int:
    """asyncpg's command tag (``UPDATE 3``, ``INSERT 0 1``): the last number."""
    tail = status.rsplit(" ", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def pg_json(value: Any) -> str:
    """A JSON parameter for SQL this adapter writes itself (the stamping statement)."""
    return _dumps(value)
