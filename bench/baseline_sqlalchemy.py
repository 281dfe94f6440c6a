"""A second yardstick: the bare handler plus SQLAlchemy's async engine, the stack's floor.

The same one route as ``baseline_handler`` (``SELECT 1``, JSON back), but through
``create_async_engine`` on ``DATABASE_URL``, as the real handler's SQL adapter does. The
gap between this and the bare handler is what choosing SQLAlchemy costs on its own; the
gap between the real handler and this is what fieldedge's own code costs.
"""

from __future__ import annotations

import os

from mangum import Mangum
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

_engine = create_async_engine(os.environ["DATABASE_URL"])


async def health(request: Request) -> JSONResponse:
    async with _engine.connect() as connection:
        value = (await connection.execute(text("SELECT 1"))).scalar()
    return JSONResponse({"data": {"status": "healthy", "database": value}})


handler = Mangum(Starlette(routes=[Route("/api/health", health)]), lifespan="off")
