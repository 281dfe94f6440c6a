"""Kick the outbox after a successful write, without making the response wait.

Installed by ``create_app`` when ``OUTBOX_INLINE`` is on (uvicorn, Cloud Run). It runs
innermost: when the app returns, the response has been handed to the server, and the
commit that queued any event is done. Only non-GET 2xx answers kick: a read or a failed
write queued nothing.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fieldedge.services.deps import Deps
from fieldedge.services.outbox import inline

_READS = frozenset({"GET", "HEAD", "OPTIONS"})


class OutboxKickMiddleware:
    def __init__(self, app: ASGIApp, *, deps: Deps) -> None:
        self.app = app
        self.deps = deps

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in _READS:
            await self.app(scope, receive, send)
            return
        status = 0

        async def watched_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        await self.app(scope, receive, watched_send)
        if 200 <= status < 300:
            inline.kick(self.deps)
