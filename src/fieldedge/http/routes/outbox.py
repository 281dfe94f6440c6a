"""``/api/v1/outbox``: the company's mail outbox, so an ADMIN can see what did not go out."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from starlette.requests import Request
from starlette.responses import Response

from fieldedge import errors as e
from fieldedge.domain.outbox import OutboxStatus
from fieldedge.http.body import read_query
from fieldedge.http.deps import deps_of
from fieldedge.http.guard import principal_of
from fieldedge.http.lists import ListQuery, page_response
from fieldedge.http.schemas import ResponseModel
from fieldedge.http.spec import Operation, Resource
from fieldedge.services.outbox.admin import list_outbox


class OutboxQuery(ListQuery):
    status: OutboxStatus | None = None


class OutboxEventOut(ResponseModel):
    """No payload context: it may hold a password-reset link."""

    id: UUID
    kind: str
    template: str | None
    to: list[str]
    status: OutboxStatus
    attempts: int
    last_error: str | None
    next_attempt_at: datetime
    created_at: datetime
    sent_at: datetime | None


async def list_route(request: Request) -> Response:
    query = read_query(request, OutboxQuery)
    page = await list_outbox(
        principal_of(request), query.status, query.cursor, query.limit, deps_of(request)
    )
    return page_response(request, page, OutboxEventOut, query.fields)


routes = [
    Resource(
        "/api/v1/outbox",
        {
            "GET": Operation(
                list_route,
                "The company's outbox events, oldest first; ?status=dead for failures (ADMIN)",
                ("company",),
                query=OutboxQuery,
                response=OutboxEventOut,
                many=True,
                rate_class="read",
                errors=(e.Forbidden,),
            ),
        },
    ),
]
