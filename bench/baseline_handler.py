"""The yardstick: the least a Starlette + Mangum Lambda can do for a database health check.

One route, ``GET /api/health``, runs ``SELECT 1`` on ``DATABASE_URL`` with the same driver
the real handler uses (aiosqlite for SQLite, asyncpg for Postgres) and answers JSON; no
SQLAlchemy, no settings, no middleware. The connection is opened on the first request and
kept, as a pool would keep it across warm invocations.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

from mangum import Mangum
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

_URL = os.environ["DATABASE_URL"]
_connection: Any = None


async def _select_one() -> Any:
    global _connection
    parts = urlsplit(_URL)
    if parts.scheme == "sqlite+aiosqlite":
        import aiosqlite

        if _connection is None:
            _connection = await aiosqlite.connect(parts.path.removeprefix("/"))
        async with _connection.execute("SELECT 1") as cursor:
            row = await cursor.fetchone()
        return row[0] if row else None
    if parts.scheme == "postgresql+asyncpg":
        import asyncpg

        if _connection is None:
            _connection = await asyncpg.connect(_URL.replace("+asyncpg", "", 1), timeout=5)
        return await _connection.fetchval("SELECT 1")
    raise ValueError(f"unsupported DATABASE_URL scheme {parts.scheme!r}")


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"data": {"status": "healthy", "database": await _select_one()}})


handler = Mangum(Starlette(routes=[Route("/api/health", health)]), lifespan="off")
