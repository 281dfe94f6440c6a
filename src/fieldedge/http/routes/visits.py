"""``/api/v1/visits``: GPS check-ins, kept even when flagged, and their check-outs."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from starlette.requests import Request
from starlette.responses import Response

from fieldedge import errors as e
from fieldedge.http.body import read_json, read_query
from fieldedge.http.deps import deps_of
from fieldedge.http.envelope import ok
from fieldedge.http.fields import Time
from fieldedge.http.guard import principal_of
from fieldedge.http.lists import ListQuery, page_response
from fieldedge.http.paths import path_id
from fieldedge.http.routes.fieldforce_schemas import (
    CheckInBody,
    CheckOutBody,
    VisitDetailOut,
    VisitOut,
)
from fieldedge.http.spec import Operation, Resource
from fieldedge.http.views import render
from fieldedge.services.visits import (
    CheckIn,
    CheckOut,
    VisitFilter,
    check_in,
    check_out,
    get_visit,
    list_visits,
)

TAGS = ("visits",)


class VisitQuery(ListQuery):
    user_id: UUID | None = None
    contact_id: UUID | None = None
    verified: bool | None = None
    since: Time | None = None
    until: Time | None = None


async def list_route(request: Request) -> Response:
    query = read_query(request, VisitQuery)
    filters = VisitFilter(
        user_id=query.user_id,
        contact_id=query.contact_id,
        verified=query.verified,
        since=query.since,
        until=query.until,
    )
    page = await list_visits(
        principal_of(request), filters, query.cursor, query.limit, deps_of(request)
    )
    return page_response(request, page, VisitOut, query.fields)


async def create_route(request: Request) -> Response:
    body = await read_json(request, CheckInBody)
    visit = await check_in(principal_of(request), CheckIn(**body.model_dump()), deps_of(request))
    return ok(request, render(VisitOut, visit), status=201)


async def get_route(request: Request) -> Response:
    principal, deps, visit_id = principal_of(request), deps_of(request), path_id(request)
    visit, photos = await get_visit(principal, visit_id, deps)
    return ok(request, render(VisitDetailOut, {**visit.values(), "photos": photos}))


async def check_out_route(request: Request) -> Response:
    body = await read_json(request, CheckOutBody)
    visit = await check_out(
        principal_of(request), path_id(request), CheckOut(**body.model_dump()), deps_of(request)
    )
    return ok(request, render(VisitOut, visit))


_WRITE: dict[str, Any] = {
    "tags": TAGS,
    "rate_class": "write",
    "errors": (e.Forbidden, e.NotFound, e.Conflict, e.ValidationFailed),
}

routes = [
    Resource(
        "/api/v1/visits",
        {
            "GET": Operation(
                list_route,
                "List visits (own, the team's, or the company's)",
                query=VisitQuery,
                response=VisitOut,
                many=True,
                tags=TAGS,
                rate_class="read",
                errors=(e.Forbidden, e.ValidationFailed),
            ),
            "POST": Operation(
                create_route,
                "Check in at a contact; flagged check-ins are kept, unverified",
                body=CheckInBody,
                response=VisitOut,
                status=201,
                **_WRITE,
            ),
        },
    ),
    Resource(
        "/api/v1/visits/{id}",
        {
            "GET": Operation(
                get_route,
                "Read a visit with its photos",
                response=VisitDetailOut,
                tags=TAGS,
                rate_class="read",
                errors=(e.Forbidden, e.NotFound),
            ),
        },
    ),
    Resource(
        "/api/v1/visits/{id}/check-out",
        {
            "POST": Operation(
                check_out_route,
                "Check out of one's own visit (twice is a 409)",
                body=CheckOutBody,
                response=VisitOut,
                **_WRITE,
            ),
        },
    ),
]
