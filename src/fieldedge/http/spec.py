"""Routes that carry their own contract: one ``Operation`` per method, read by the router
(dispatch) and by the OpenAPI builder (documentation), so the two cannot drift."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fieldedge.errors import FieldedgeError
from fieldedge.http.guard import guard
from fieldedge.http.idempotency import idempotency_key, run_idempotent

Handler = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True, slots=True)
class Operation:
    handler: Handler
    summary: str
    tags: tuple[str, ...] = ()
    body: type[BaseModel] | None = None
    # A multipart/form-data body carrying one file in this field (photo uploads).
    file_field: str | None = None
    # The file part's kind, for the docs (``text/csv``: an import, also taken as the raw body).
    file_type: str = "application/octet-stream"
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    many: bool = False  # data is a list of ``response`` with pagination
    status: int = 200
    # Other success statuses answering the same body (an upsert: 201 created, 200 replaced).
    also: tuple[int, ...] = ()
    errors: tuple[type[FieldedgeError], ...] = ()
    auth: bool = True
    keys: bool = True  # False: an API key is refused (identity routes, a user's own)
    rate_class: str | None = None  # auth | read | write | upload | sync
    idempotent: bool | None = None  # None: every authenticated POST, PATCH, DELETE
    # A response that is not the JSON envelope (a file, a page): its media type.
    media_type: str | None = None
    # Other media types the same success may answer in (a report as CSV or PNG).
    also_media: tuple[str, ...] = ()
    in_schema: bool = True


_WRITES = frozenset({"POST", "PATCH", "DELETE"})


def _with_defaults(method: str, op: Operation) -> Operation:
    """Every authenticated write honours ``Idempotency-Key`` unless it says otherwise."""
    if op.idempotent is None:
        return replace(op, idempotent=method in _WRITES and op.auth)
    return op


class Resource(Route):
    """One path with one ``Operation`` per method; 405 answers list every method."""

    def __init__(self, path: str, operations: dict[str, Operation], *, name: str | None = None):
        self.operations = {
            method.upper(): _with_defaults(method.upper(), op) for method, op in operations.items()
        }

        async def dispatch(request: Request) -> Response:
            op = self.operations["GET" if request.method == "HEAD" else request.method]
            if op.auth or op.rate_class:
                await guard(request, auth=op.auth, rate_class=op.rate_class, keys=op.keys)
            if op.idempotent:
                key = idempotency_key(request)
                if key is not None:
                    return await run_idempotent(request, op.handler, key)
            return await op.handler(request)

        super().__init__(path, dispatch, methods=list(self.operations), name=name)
