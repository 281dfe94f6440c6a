"""The SQL adapter: SQLModel tables, SQLAlchemy Core statements, asyncpg or aiosqlite.

The URL scheme picks the driver, imported only in its branch, so a Postgres deployment
never imports aiosqlite (nor, to serve requests, SQLAlchemy's engine or ORM session).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from fieldedge.errors import ConfigError

if TYPE_CHECKING:
    from fieldedge.ports.database import Database
    from fieldedge_adapters.sql.engine import EngineOptions, EngineSpec

SQLITE = "sqlite+aiosqlite"
POSTGRES = "postgresql+asyncpg"


def engine_spec(url: str, options: EngineOptions) -> EngineSpec:
    scheme = urlsplit(url).scheme
    if scheme == SQLITE:
        from fieldedge_adapters.sql.sqlite import sqlite_engine

        return sqlite_engine(url, options)
    if scheme == POSTGRES:
        from fieldedge_adapters.sql.postgres import postgres_engine

        return postgres_engine(url, options)
    raise ConfigError(f"DATABASE_URL: unsupported scheme {scheme!r} (use {SQLITE} or {POSTGRES})")


def database_from_url(
    url: str,
    *,
    pool_size: int,
    max_overflow: int,
    pool_timeout_s: float,
    connect_timeout_s: float,
    statement_timeout_ms: int,
    migrations_url: str | None = None,
) -> Database:
    """The app's database: raw asyncpg on Postgres (SQLAlchemy Core builds the
    statements), SQLAlchemy over aiosqlite on SQLite. Migrations use an engine of their
    own (``engine_spec``)."""
    from fieldedge_adapters.sql.conn import Source
    from fieldedge_adapters.sql.database import SqlDatabase

    scheme = urlsplit(url).scheme
    source: Source
    if scheme == POSTGRES:
        from fieldedge_adapters.sql.pg import PgSource

        source = PgSource(
            url,
            pool_size=pool_size,
            max_overflow=max_overflow,
            pool_timeout_s=pool_timeout_s,
            connect_timeout_s=connect_timeout_s,
            statement_timeout_ms=statement_timeout_ms,
        )
    elif scheme == SQLITE:
        from fieldedge_adapters.sql.engine import EngineOptions
        from fieldedge_adapters.sql.lite import LiteSource
        from fieldedge_adapters.sql.sqlite import sqlite_engine

        options = EngineOptions(
            pool_size=pool_size,
            max_overflow=max_overflow,
            pool_timeout_s=pool_timeout_s,
            connect_timeout_s=connect_timeout_s,
            statement_timeout_ms=statement_timeout_ms,
        )
        source = LiteSource(sqlite_engine(url, options).engine)
    else:
        raise ConfigError(
            f"DATABASE_URL: unsupported scheme {scheme!r} (use {SQLITE} or {POSTGRES})"
        )
    return SqlDatabase(
        source,
        url=url,
        ping_timeout_s=min(connect_timeout_s, 2.0),
        migrations_url=migrations_url,
    )
