"""The last line of defence: anything that escapes the routes leaves as the error envelope.

Contract errors are mapped inside the router by ``fieldedge.http.errors``; what reaches
this middleware is a bug, answered 500 ``INTERNAL_ERROR`` with the request id only.
"""

from __future__ import annotations

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fieldedge.errors import FieldedgeError, InternalError
from fieldedge.http.envelope import error_response, request_id_of

log = structlog.get_logger("fieldedge.http")


class ErrorMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            contract = isinstance(exc, FieldedgeError) and not isinstance(exc, InternalError)
            if not contract:
                log.exception("request.unhandled", request_id=request_id_of(scope))
            if started:
                return  # the client already has a status line; the server closes the stream
            error = exc if isinstance(exc, FieldedgeError) else InternalError()
            await error_response(scope, error)(scope, receive, send)
