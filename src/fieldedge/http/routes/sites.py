"""``/api/v1/sites``: customers' sites (a tree under each contact), read by every role,
written by MANAGERs and ADMINs; ``?near=`` sorts by distance as contacts' list does."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response

from fieldedge import errors as e
from fieldedge.http.body import read_json, read_query
from fieldedge.http.deps import deps_of
from fieldedge.http.envelope import ok
from fieldedge.http.guard import principal_of
from fieldedge.http.lists import page_response
from fieldedge.http.paths import path_id
from fieldedge.http.routes.contacts import NearQuery, Text
from fieldedge.http.routes.site_schemas import CreateSiteBody, NearSiteOut, SiteOut, UpdateSiteBody
from fieldedge.http.schemas import DeletedOut
from fieldedge.http.spec import Operation, Resource
from fieldedge.http.views import render
from fieldedge.services.sites import (
    CreateSite,
    SiteFilter,
    create_site,
    delete_site,
    get_site,
    list_sites,
    near_sites,
    update_site,
)

TAGS = ("sites",)


class SiteQuery(NearQuery):
    contact_id: UUID | None = Field(default=None, description="This contact's sites.")
    parent_id: UUID | None = Field(default=None, description="Direct children of this site.")
    root: bool | None = Field(default=None, description="true: top-level sites only.")
    q: Text | None = Field(default=None, description="In the name or address (any case).")


async def list_route(request: Request) -> Response:
    query = read_query(request, SiteQuery)
    filters = SiteFilter(query.contact_id, query.parent_id, query.root, query.q)
    principal, deps = principal_of(request), deps_of(request)
    if query.near is None:
        page = await list_sites(principal, filters, query.cursor, query.limit, deps)
        return page_response(request, page, SiteOut, query.fields)
    near = await near_sites(
        principal, filters, query.near, query.radius_km, query.cursor, query.limit, deps
    )
    return page_response(request, near, NearSiteOut, query.fields)


async def create_route(request: Request) -> Response:
    body = await read_json(request, CreateSiteBody)
    site = await create_site(
        principal_of(request), CreateSite(**body.model_dump()), deps_of(request)
    )
    return ok(request, render(SiteOut, site), status=201)


async def get_route(request: Request) -> Response:
    site = await get_site(principal_of(request), path_id(request), deps_of(request))
    return ok(request, render(SiteOut, site))


async def update_route(request: Request) -> Response:
    body = await read_json(request, UpdateSiteBody)
    changes = body.model_dump(include=body.model_fields_set)
    site = await update_site(principal_of(request), path_id(request), changes, deps_of(request))
    return ok(request, render(SiteOut, site))


async def delete_route(request: Request) -> Response:
    site = await delete_site(principal_of(request), path_id(request), deps_of(request))
    return ok(request, render(DeletedOut, site))


_READ: dict[str, Any] = {"tags": TAGS, "rate_class": "read"}
_WRITE: dict[str, Any] = {
    "tags": TAGS,
    "rate_class": "write",
    "errors": (e.Forbidden, e.NotFound, e.Conflict, e.ValidationFailed),
}

routes = [
    Resource(
        "/api/v1/sites",
        {
            "GET": Operation(
                list_route,
                "List sites (?contactId=, ?parentId=, ?root=, ?q=); ?near=lat,lng: by distance",
                query=SiteQuery,
                response=SiteOut,
                many=True,
                errors=(e.Forbidden, e.ValidationFailed),
                **_READ,
            ),
            "POST": Operation(
                create_route,
                "Create a site at a contact (MANAGER, ADMIN), under parentId or top level",
                body=CreateSiteBody,
                response=SiteOut,
                status=201,
                **_WRITE,
            ),
        },
    ),
    Resource(
        "/api/v1/sites/{id}",
        {
            "GET": Operation(
                get_route,
                "Read a site",
                response=SiteOut,
                errors=(e.Forbidden, e.NotFound),
                **_READ,
            ),
            "PATCH": Operation(
                update_route,
                "Rename, re-address, re-locate or move (parentId) a site",
                body=UpdateSiteBody,
                response=SiteOut,
                **_WRITE,
            ),
            "DELETE": Operation(
                delete_route,
                "Delete a site without child sites or equipment (else 409); a tombstone",
                response=DeletedOut,
                **_WRITE,
            ),
        },
    ),
]
