"""Postgres through asyncpg, direct or behind a transaction pooler (Neon, PgBouncer).

Direct: a normal pool, ``statement_timeout`` as a server setting, and asyncpg's
client-side ``command_timeout`` a little above it, for a network that hangs.

Pooled (a ``-pooler`` host, or ``?pgbouncer=true``): the pooler hands each transaction
to any server connection, so nothing may outlive a transaction. Named prepared
statements would, hence no statement caches and a unique name per statement (asyncpg
numbers them per client connection, and two clients' ``__asyncpg_stmt_1__`` collide on
one server). A client pool would stack on the pooler's own, hence ``NullPool``. Startup
parameters such as ``statement_timeout`` are refused or dropped by poolers, so the
timeout is set with ``SET LOCAL`` at the start of each transaction instead.
"""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from fieldedge_adapters.sql.engine import EngineOptions, EngineSpec, TransactionSetup

# Seconds asyncpg waits beyond the server's statement timeout before giving up itself.
_CLIENT_GRACE_S = 2.0


def is_pooled(url: URL) -> bool:
    host = url.host or ""
    flag = str(url.query.get("pgbouncer", "")).lower()
    return "-pooler" in host.split(".")[0] or flag in ("1", "true", "yes")


def _driver_url(url: URL) -> URL:
    """Drop what asyncpg would refuse: our flag, and libpq's spelling of TLS options."""
    query = dict(url.query)
    query.pop("pgbouncer", None)
    query.pop("channel_binding", None)
    if "sslmode" in query:
        query.setdefault("ssl", query.pop("sslmode"))
    return url.set(query=query)


def _unique_statement_name() -> str:
    return f"__asyncpg_{uuid4()}__"


def postgres_engine(url: str, options: EngineOptions) -> EngineSpec:
    parsed = make_url(url)
    pooled = is_pooled(parsed)
    timeout_ms = 0 if options.for_migrations else options.statement_timeout_ms
    connect_args: dict[str, Any] = {"timeout": options.connect_timeout_s}
    if timeout_ms:
        connect_args["command_timeout"] = timeout_ms / 1000 + _CLIENT_GRACE_S
    kwargs: dict[str, Any] = {}
    setup: tuple[TransactionSetup, ...] = ()
    if pooled:
        connect_args.update(
            statement_cache_size=0,
            prepared_statement_cache_size=0,
            prepared_statement_name_func=_unique_statement_name,
        )
        kwargs["poolclass"] = NullPool
        if timeout_ms:
            setup = (_set_local_statement_timeout(timeout_ms),)
    else:
        server_settings = {"statement_timeout": str(timeout_ms)}
        if options.for_migrations:
            # An expand step must not queue behind long transactions holding the app up.
            server_settings["lock_timeout"] = "10000"
        connect_args["server_settings"] = server_settings
        kwargs.update(
            pool_size=options.pool_size,
            max_overflow=options.max_overflow,
            pool_timeout=options.pool_timeout_s,
            pool_pre_ping=True,  # a Lambda thawed after minutes holds dead connections
        )
    engine = create_async_engine(_driver_url(parsed), connect_args=connect_args, **kwargs)
    return EngineSpec(engine=engine, name="postgresql", transaction_setup=setup)


def _set_local_statement_timeout(timeout_ms: int) -> TransactionSetup:
    statement = f"SET LOCAL statement_timeout = {int(timeout_ms)}"

    def setup(connection: Connection) -> None:
        connection.exec_driver_sql(statement)

    return setup
