"""The SQL adapter: SQLModel over SQLite (aiosqlite) or Postgres (asyncpg).

The URL scheme picks the engine builder, imported only in its branch; SQLAlchemy then
loads only that dialect's driver, so a Postgres deployment never imports aiosqlite.
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
    from fieldedge_adapters.sql.database import SqlDatabase
    from fieldedge_adapters.sql.engine import EngineOptions

    options = EngineOptions(
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout_s=pool_timeout_s,
        connect_timeout_s=connect_timeout_s,
        statement_timeout_ms=statement_timeout_ms,
    )
    return SqlDatabase(
        engine_spec(url, options),
        url=url,
        ping_timeout_s=min(connect_timeout_s, 2.0),
        migrations_url=migrations_url,
    )
