"""The world a benchmark child runs in: a migrated database and the production env vars.

SQLite gets a file in a temp dir; Postgres gets a fresh database created for the run and
dropped after it, so the bench never touches data it did not make.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"


async def _pg_admin(sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(PG_ADMIN, timeout=5)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def analyze(url: str) -> None:
    """What production's autovacuum would have done after a seed: tell the planner about
    the tables (a bench server may run with autovacuum off, as the shared one does)."""
    import asyncpg

    async def run() -> None:
        connection = await asyncpg.connect(url.replace("+asyncpg", ""), timeout=5)
        try:
            await connection.execute("ANALYZE")
        finally:
            await connection.close()

    asyncio.run(run())


def _migrate(url: str, python: str) -> None:
    """Migrate with the interpreter under test, so schema and code come from one install."""
    code = (
        "import asyncio, sys\n"
        "from fieldedge_adapters.sql.migrations import upgrade\n"
        "asyncio.run(upgrade(sys.argv[1]))"
    )
    subprocess.run([python, "-c", code, url], check=True, timeout=120)


@contextmanager
def database(kind: str, tmp: Path, python: str) -> Iterator[str]:
    """A migrated database URL for the run; a Postgres one is dropped on the way out."""
    if kind == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp / 'bench.db'}"
        _migrate(url, python)
        yield url
        return
    with scratch_database("fieldedge_bench") as name:
        url = PG_URL.format(name=name)
        _migrate(url, python)
        yield url


@contextmanager
def scratch_database(prefix: str) -> Iterator[str]:
    """A fresh, empty Postgres database ``<prefix>_<hex>`` (its name), dropped after."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield name
    finally:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextmanager
def bench_env(kind: str, python: str) -> Iterator[dict[str, str]]:
    """The environment of a production Lambda on embedded KV, storage and mail."""
    with tempfile.TemporaryDirectory(prefix="fieldedge-bench-") as tmp_name:
        tmp = Path(tmp_name)
        with database(kind, tmp, python) as url:
            inherited = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
            yield {
                **inherited,  # minus the no-bytecode flag: a deployed bundle ships its .pyc
                "FIELDEDGE_ENV": "prod",
                "JWT_SECRET": secrets.token_urlsafe(48),
                "DATABASE_URL": url,
                "KV_URL": "memory://",
                "STORAGE_URL": f"file://{tmp / 'storage'}",
                "MAIL_URL": "console://",
                "LOG_LEVEL": "WARNING",
                "BENCH_PYTHON": python,  # the interpreter (and install) under test
                "BENCH_TMP": str(tmp),  # the children's cwd: no stray ./var, no .env read
            }
