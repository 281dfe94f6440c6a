"""SQLite through aiosqlite: the embedded default, and the suite's fast backend.

Foreign keys are off and journalling is rollback-mode unless asked for, per connection,
so a connect hook turns on both (WAL lets readers run beside the one writer). sqlite3's
own transaction handling begins late and never for DDL, so the driver's is switched off
and SQLAlchemy emits ``BEGIN IMMEDIATE``: the write lock is taken at the start, two units
of work cannot deadlock upgrading read locks, and commit order is change-counter order.

The hook also installs two functions: ``lower()`` as ``domain.search.fold`` (SQLite's
own folds ASCII only; this folds as Postgres' does, so searches find the same rows) and
``distance_m()``, the core's haversine, which near search orders by.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import StaticPool

from fieldedge.domain.geo import haversine_m
from fieldedge.domain.search import fold
from fieldedge_adapters.sql.engine import EngineOptions, EngineSpec

# Execution option a caller sets for a read that must not wait for the write lock.
BEGIN_MODE = "fieldedge_sqlite_begin"


def sqlite_engine(url: str, options: EngineOptions) -> EngineSpec:
    parsed = make_url(url)
    database = parsed.database or ":memory:"
    memory = database == ":memory:" or "mode=memory" in database
    kwargs: dict[str, Any] = {}
    if memory:
        # One shared connection, or every checkout would see its own empty database.
        kwargs["poolclass"] = StaticPool
    else:
        if not parsed.query.get("uri"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        kwargs.update(
            pool_size=options.pool_size,
            max_overflow=options.max_overflow,
            pool_timeout=options.pool_timeout_s,
        )
    # sqlite3's ``timeout`` is the busy timeout: how long to wait for another writer.
    busy_s = options.statement_timeout_ms / 1000 or options.connect_timeout_s
    engine = create_async_engine(parsed, connect_args={"timeout": busy_s}, **kwargs)
    foreign_keys = "OFF" if options.for_migrations else "ON"

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
        dbapi_connection.create_function("lower", 1, _lower, deterministic=True)
        dbapi_connection.create_function("distance_m", 4, _distance_m, deterministic=True)
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA foreign_keys={foreign_keys}")
            if not memory:
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get(BEGIN_MODE, "IMMEDIATE")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return EngineSpec(engine=engine, name="sqlite")


def _lower(text: str | None) -> str | None:
    return fold(text) if isinstance(text, str) else text


def _distance_m(lat: float | None, lng: float | None, lat0: float, lng0: float) -> float | None:
    """From the contact at (``lat``, ``lng``) to the centre, as statements.distance_m."""
    if lat is None or lng is None:
        return None
    return haversine_m(lat0, lng0, lat, lng)
