"""``/api/v1/territories``: the company's territory tree, read by every role, written by
MANAGERs and ADMINs."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from pydantic import Field, StringConstraints
from starlette.requests import Request
from starlette.responses import Response

from fieldedge import errors as e
from fieldedge.http.body import read_json, read_query
from fieldedge.http.deps import deps_of
from fieldedge.http.envelope import ok
from fieldedge.http.guard import principal_of
from fieldedge.http.lists import ListQuery, page_response
from fieldedge.http.paths import path_id
from fieldedge.http.routes.territory_schemas import (
    CreateTerritoryBody,
    TerritoryOut,
    UpdateTerritoryBody,
)
from fieldedge.http.schemas import DeletedOut
from fieldedge.http.spec import Operation, Resource
from fieldedge.http.views import render
from fieldedge.services.territories import (
    CreateTerritory,
    TerritoryFilter,
    create_territory,
    delete_territory,
    get_territory,
    list_territories,
    update_territory,
)

TAGS = ("territories",)


class TerritoryQuery(ListQuery):
    parent_id: UUID | None = Field(default=None, description="Direct children of this one.")
    root: bool | None = Field(default=None, description="true: roots only; false: non-roots.")
    kind: Annotated[str, StringConstraints(min_length=1, max_length=40)] | None = None
    rep_id: UUID | None = Field(default=None, description="Territories this user is assigned.")


async def list_route(request: Request) -> Response:
    query = read_query(request, TerritoryQuery)
    filters = TerritoryFilter(query.parent_id, query.root, query.kind, query.rep_id)
    page = await list_territories(
        principal_of(request), filters, query.cursor, query.limit, deps_of(request)
    )
    return page_response(request, page, TerritoryOut, query.fields)


async def create_route(request: Request) -> Response:
    body = await read_json(request, CreateTerritoryBody)
    territory = await create_territory(
        principal_of(request), CreateTerritory(**body.model_dump()), deps_of(request)
    )
    return ok(request, render(TerritoryOut, territory), status=201)


async def get_route(request: Request) -> Response:
    territory = await get_territory(principal_of(request), path_id(request), deps_of(request))
    return ok(request, render(TerritoryOut, territory))


async def update_route(request: Request) -> Response:
    body = await read_json(request, UpdateTerritoryBody)
    changes = body.model_dump(include=body.model_fields_set)
    territory = await update_territory(
        principal_of(request), path_id(request), changes, deps_of(request)
    )
    return ok(request, render(TerritoryOut, territory))


async def delete_route(request: Request) -> Response:
    territory = await delete_territory(principal_of(request), path_id(request), deps_of(request))
    return ok(request, render(DeletedOut, territory))


_READ: dict[str, Any] = {"tags": TAGS, "rate_class": "read"}
_WRITE: dict[str, Any] = {
    "tags": TAGS,
    "rate_class": "write",
    "errors": (e.Forbidden, e.NotFound, e.Conflict, e.ValidationFailed),
}

routes = [
    Resource(
        "/api/v1/territories",
        {
            "GET": Operation(
                list_route,
                "List territories (?parentId= children, ?root=, ?kind=, ?repId=)",
                query=TerritoryQuery,
                response=TerritoryOut,
                many=True,
                errors=(e.Forbidden, e.ValidationFailed),
                **_READ,
            ),
            "POST": Operation(
                create_route,
                "Create a territory (MANAGER, ADMIN), under parentId or as a root",
                body=CreateTerritoryBody,
                response=TerritoryOut,
                status=201,
                **_WRITE,
            ),
        },
    ),
    Resource(
        "/api/v1/territories/{id}",
        {
            "GET": Operation(
                get_route,
                "Read a territory",
                response=TerritoryOut,
                errors=(e.Forbidden, e.NotFound),
                **_READ,
            ),
            "PATCH": Operation(
                update_route,
                "Rename, relabel, move (parentId) or assign reps (repIds, the whole list)",
                body=UpdateTerritoryBody,
                response=TerritoryOut,
                **_WRITE,
            ),
            "DELETE": Operation(
                delete_route,
                "Delete a territory without children or contacts (else 409); a tombstone",
                response=DeletedOut,
                **_WRITE,
            ),
        },
    ),
]
