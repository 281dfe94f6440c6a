"""The one place contract errors become responses (registered as Starlette exception handlers)."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from fieldedge.errors import (
    FieldedgeError,
    InternalError,
    MalformedRequest,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
)
from fieldedge.http.envelope import error_response

_BY_STATUS: dict[int, type[FieldedgeError]] = {
    400: MalformedRequest,
    404: NotFound,
    405: MethodNotAllowed,
    413: PayloadTooLarge,
    415: UnsupportedMediaType,
}


async def on_contract_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, FieldedgeError)
    return error_response(request.scope, exc)


async def on_http_exception(request: Request, exc: Exception) -> Response:
    """Starlette's own 404/405 (unknown route, wrong method) in our envelope."""
    assert isinstance(exc, HTTPException)
    fallback = MalformedRequest if exc.status_code < 500 else InternalError
    kind = _BY_STATUS.get(exc.status_code, fallback)
    error = NotFound("No such route.") if kind is NotFound else kind()
    error.headers.update(exc.headers or {})
    return error_response(request.scope, error)


EXCEPTION_HANDLERS = {FieldedgeError: on_contract_error, HTTPException: on_http_exception}
