"""``/api/v1/beats``: a rep's named, ordered routes of contacts."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from starlette.requests import Request
from starlette.responses import Response

from fieldedge import errors as e
from fieldedge.http.body import read_json, read_query
from fieldedge.http.deps import deps_of
from fieldedge.http.envelope import ok
from fieldedge.http.guard import principal_of
from fieldedge.http.lists import ListQuery, page_response
from fieldedge.http.paths import path_id
from fieldedge.http.routes.plan_schemas import BeatOut, CreateBeatBody, UpdateBeatBody
from fieldedge.http.schemas import DeletedOut
from fieldedge.http.spec import Operation, Resource
from fieldedge.http.views import render
from fieldedge.services.beats import (
    CreateBeat,
    create_beat,
    delete_beat,
    get_beat,
    list_beats,
    update_beat,
)

TAGS = ("plans",)


class BeatQuery(ListQuery):
    user_id: UUID | None = None


async def list_route(request: Request) -> Response:
    query = read_query(request, BeatQuery)
    page = await list_beats(
        principal_of(request), query.user_id, query.cursor, query.limit, deps_of(request)
    )
    return page_response(request, page, BeatOut, query.fields)


async def create_route(request: Request) -> Response:
    body = await read_json(request, CreateBeatBody)
    beat = await create_beat(principal_of(request), CreateBeat(**body.model_dump()),
                             deps_of(request))  # fmt: skip
    return ok(request, render(BeatOut, beat), status=201)


async def get_route(request: Request) -> Response:
    beat = await get_beat(principal_of(request), path_id(request), deps_of(request))
    return ok(request, render(BeatOut, beat))


async def update_route(request: Request) -> Response:
    body = await read_json(request, UpdateBeatBody)
    changes = body.model_dump(include=body.model_fields_set)
    beat = await update_beat(principal_of(request), path_id(request), changes, deps_of(request))
    return ok(request, render(BeatOut, beat))


async def delete_route(request: Request) -> Response:
    beat = await delete_beat(principal_of(request), path_id(request), deps_of(request))
    return ok(request, render(DeletedOut, beat))


_READ: dict[str, Any] = {"tags": TAGS, "rate_class": "read"}
_WRITE: dict[str, Any] = {
    "tags": TAGS,
    "rate_class": "write",
    "errors": (e.Forbidden, e.NotFound, e.ValidationFailed),
}

routes = [
    Resource(
        "/api/v1/beats",
        {
            "GET": Operation(
                list_route,
                "List beats (own, the team's, or the company's)",
                query=BeatQuery,
                response=BeatOut,
                many=True,
                errors=(e.Forbidden, e.ValidationFailed),
                **_READ,
            ),
            "POST": Operation(
                create_route,
                "Create a beat: a rep's ordered contacts (only ones that rep may visit)",
                body=CreateBeatBody,
                response=BeatOut,
                status=201,
                **_WRITE,
            ),
        },
    ),
    Resource(
        "/api/v1/beats/{id}",
        {
            "GET": Operation(
                get_route,
                "Read a beat",
                response=BeatOut,
                errors=(e.Forbidden, e.NotFound),
                **_READ,
            ),
            "PATCH": Operation(
                update_route,
                "Rename a beat or change its contacts",
                body=UpdateBeatBody,
                response=BeatOut,
                **_WRITE,
            ),
            "DELETE": Operation(
                delete_route,
                "Delete a beat (409 while a plan uses it)",
                response=DeletedOut,
                **{**_WRITE, "errors": (e.Forbidden, e.NotFound, e.Conflict)},
            ),
        },
    ),
]
