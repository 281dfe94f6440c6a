"""Refuse to serve while the database schema is behind the code (the Lambda entry's
check; a long-lived server checks once before it starts listening instead).

A Lambda container cannot refuse to start, and a bare 500 from API Gateway helps nobody:
until the schema is current every request gets 503 ``SERVICE_UNAVAILABLE`` in the
envelope, naming the command to run, and the check is repeated at most every
``RECHECK_S`` so the container recovers by itself once the migration has run.
"""

from __future__ import annotations

import time

import structlog
from starlette.types import ASGIApp, Receive, Scope, Send

from fieldedge.errors import DependencyUnavailable
from fieldedge.ports.database import Database

log = structlog.get_logger("fieldedge.schema")
RECHECK_S = 30.0


class SchemaGateMiddleware:
    def __init__(self, app: ASGIApp, *, db: Database) -> None:
        self.app = app
        self.db = db
        self.current = False
        self.checked_at = -RECHECK_S
        self.problem = ""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not self.current:
            await self._check()
            if not self.current:
                raise DependencyUnavailable("database", self.problem, retry_after=int(RECHECK_S))
        await self.app(scope, receive, send)

    async def _check(self) -> None:
        now = time.monotonic()
        if now - self.checked_at < RECHECK_S:
            return
        self.checked_at = now
        state = await self.db.schema_state()
        self.current = state.up_to_date
        if not self.current:
            self.problem = (
                f"The database schema is at {state.current or 'nothing'}, this release needs "
                f"{state.head}: run `fieldedge migrate up`."
            )
            log.error("schema.behind", current=state.current, head=state.head)
