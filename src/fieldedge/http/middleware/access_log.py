"""One structured line per request: id, method, route template, status, duration, tenant,
user and client address (the peer, or the forwarded client when a trusted proxy says so).

Only the route template is logged, never the raw path or query string, so ids and tokens
that a client puts in a URL stay out of the logs.
"""

from __future__ import annotations

import time

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = structlog.get_logger("fieldedge.access")


class AccessLogMiddleware:
    def __init__(self, app: ASGIApp, *, slow_request_ms: int) -> None:
        self.app = app
        self.slow_request_ms = slow_request_ms

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            duration_ms = round((time.perf_counter() - started) * 1000, 2)
            state = scope.get("state", {})
            route = scope.get("route")
            client = scope.get("client")
            fields = {
                "request_id": state.get("request_id"),
                "method": scope["method"],
                "route": getattr(route, "path", None) or "<unmatched>",
                "status": status,
                "duration_ms": duration_ms,
                "company_id": state.get("company_id"),
                "user_id": state.get("user_id"),
                "client_ip": client[0] if client else None,
            }
            if "api_key_id" in state:  # an integration's request: which key, never its secret
                fields["api_key_id"] = state["api_key_id"]
            for platform_id in ("aws_request_id", "apigw_request_id"):  # Lambda only
                if platform_id in state:
                    fields[platform_id] = state[platform_id]
            if duration_ms > self.slow_request_ms:
                log.warning("request.slow", threshold_ms=self.slow_request_ms, **fields)
            else:
                log.info("request", **fields)
