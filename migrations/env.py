"""Alembic environment: run by ``fieldedge migrate`` (``fieldedge_adapters.sql.migrations``).

The runner opens the connection itself (async engine, ``connection.run_sync``) and
passes it in ``config.attributes["connection"]``. Run any other way (``alembic -x
url=…``), this opens one through the adapter's engine builder the same way.
"""

from __future__ import annotations

import asyncio
import warnings

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import fieldedge_adapters.sql.tables  # noqa: F401  (registers the tables on the metadata)
from fieldedge_adapters.sql.tables_fieldforce import EXPRESSION_INDEX_SKIPPED

config = context.config
target_metadata = SQLModel.metadata


def run_on(connection: Connection) -> None:
    # SQLite lacks the Postgres-only indexes by design (0012); Alembic says so, each time.
    warnings.filterwarnings("ignore", EXPRESSION_INDEX_SKIPPED)
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        compare_server_default=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_on_url(url: str) -> None:
    from fieldedge_adapters.sql import engine_spec
    from fieldedge_adapters.sql.engine import EngineOptions

    spec = engine_spec(url, EngineOptions(pool_size=1, max_overflow=0, for_migrations=True))
    try:
        async with spec.engine.connect() as connection:  # Alembic begins (autocommit_block)
            await connection.run_sync(run_on)
            await connection.commit()
    finally:
        await spec.engine.dispose()


def main() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_on(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        raise SystemExit("migrations: pass a database URL (alembic -x url=…)")
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    asyncio.run(run_on_url(url))


main()
