"""The response envelope every route answers with, success or error."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from fieldedge import wire
from fieldedge.errors import FieldedgeError, InternalError

JSON = "application/json"


def request_id_of(scope: Scope) -> str:
    return str(scope.get("state", {}).get("request_id", "req_unknown"))


def rate_headers_of(scope: Scope) -> dict[str, str]:
    """``RateLimit-*`` of the limits this request was counted against (see ``guard``)."""
    return dict(scope.get("state", {}).get("rate_headers") or {})


def _timestamp() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def render(body: dict[str, Any]) -> bytes:
    return wire.dumps(body)


def meta(scope: Scope) -> dict[str, str]:
    return {"requestId": request_id_of(scope), "timestamp": _timestamp()}


def ok(
    request: Request,
    data: object,
    *,
    status: int = 200,
    pagination: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """A success envelope; ``data`` may be a pydantic model, a list of them, or plain JSON."""
    if isinstance(data, BaseModel):
        data = data.model_dump(mode="json", by_alias=True)
    body: dict[str, Any] = {"success": True, "data": data, "meta": meta(request.scope)}
    if pagination is not None:
        body["pagination"] = pagination
    headers = {**rate_headers_of(request.scope), **(headers or {})}
    return Response(render(body), status_code=status, headers=headers, media_type=JSON)


def error_body(scope: Scope, exc: FieldedgeError) -> bytes:
    error: dict[str, Any] = {
        "code": exc.code,
        "message": exc.message,
        "retryable": exc.retryable,
    }
    if exc.details is not None:
        error["details"] = exc.details
    return render({"success": False, "error": error, "meta": meta(scope)})


def error_response(scope: Scope, exc: FieldedgeError) -> Response:
    if exc.code == InternalError.code:
        # A bug: say only which request it was, never what went wrong inside.
        exc = InternalError(f"Internal error. Quote request id {request_id_of(scope)}.")
    headers = {**rate_headers_of(scope), **exc.headers}
    return Response(
        error_body(scope, exc), status_code=exc.status, headers=headers, media_type=JSON
    )
