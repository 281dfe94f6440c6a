"""Accept a sane ``X-Request-ID`` or make one, and echo it on every response.

The platform's own ids for the same request (Lambda's ``aws_request_id``, API Gateway's
``requestContext.requestId``) are kept beside it, and all of them are bound to every log
line written while the request runs, so a line found in CloudWatch by one id leads to
the others.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import structlog
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_SANE = re.compile(r"[A-Za-z0-9._-]{1,128}")


def new_request_id() -> str:
    return f"req_{uuid.uuid4().hex}"


def platform_ids(scope: Scope) -> dict[str, str]:
    """Lambda's and API Gateway's ids of this invocation, when it is one (Mangum's scope)."""
    ids: dict[str, str] = {}
    context: Any = scope.get("aws.context")
    lambda_id = getattr(context, "aws_request_id", None)
    if lambda_id:
        ids["aws_request_id"] = str(lambda_id)
    event: Any = scope.get("aws.event")
    gateway_id = ((event or {}).get("requestContext") or {}).get("requestId")
    if isinstance(event, dict) and gateway_id:
        ids["apigw_request_id"] = str(gateway_id)
    return ids


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        offered = Headers(scope=scope).get("x-request-id", "")
        request_id = offered if _SANE.fullmatch(offered) else new_request_id()
        platform = platform_ids(scope)
        scope.setdefault("state", {}).update(request_id=request_id, **platform)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                # A replayed idempotent response keeps the id it was first sent with, so
                # it stays byte-for-byte the first response (its meta.requestId included).
                if "x-request-id" not in headers:
                    headers["X-Request-ID"] = request_id
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id, **platform):
            await self.app(scope, receive, send_with_id)
