"""The app for a long-lived server (uvicorn, Cloud Run), and uvicorn's factory for it.

Shutdown closes every pool, so SIGTERM ends with nothing left open.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette

from fieldedge.http import create_app
from fieldedge.services.deps import Deps
from fieldedge.services.outbox import inline
from fieldedge_handlers import heap
from fieldedge_handlers.bootstrap import build_deps, close_deps, load_settings, setup_logging

SHUTDOWN_DRAIN_S = 3.0


def create_from(deps: Deps) -> Starlette:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        heap.settle()
        try:
            yield
        finally:
            # Let an inline outbox run finish its sends (bounded: SIGTERM has 10 s in all);
            # whatever it leaves stays pending and goes out with the next run.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(inline.wait_idle(), SHUTDOWN_DRAIN_S)
            await close_deps(deps)

    return create_app(deps, lifespan=lifespan)


def create() -> Starlette:
    """uvicorn's factory (used by ``fieldedge serve --reload``)."""
    settings = load_settings()
    setup_logging(settings)
    return create_from(build_deps(settings))
