"""``/api/v1/contacts``: a rep's assigned contacts; a MANAGER's and ADMIN's whole book."""

from __future__ import annotations

import re
from typing import Annotated, Any
from uuid import UUID

from pydantic import AfterValidator, Field, StringConstraints, ValidationInfo, field_validator
from starlette.requests import Request
from starlette.responses import Response

from fieldedge import errors as e
from fieldedge.domain.contacts import ContactType
from fieldedge.domain.geo import MAX_NEAR_RADIUS_KM
from fieldedge.http.body import read_json, read_query
from fieldedge.http.deps import deps_of
from fieldedge.http.envelope import ok
from fieldedge.http.guard import principal_of
from fieldedge.http.lists import ListQuery, page_response
from fieldedge.http.paths import path_id
from fieldedge.http.routes.fieldforce_schemas import (
    ContactOut,
    CreateContactBody,
    NearContactOut,
    UpdateContactBody,
)
from fieldedge.http.schemas import DeletedOut
from fieldedge.http.spec import Operation, Resource
from fieldedge.http.views import render
from fieldedge.services.contact_search import ContactFilter, list_contacts, near_contacts
from fieldedge.services.contacts import (
    CreateContact,
    create_contact,
    delete_contact,
    get_contact,
    update_contact,
)
from fieldedge.services.pagination import Page

TAGS = ("contacts",)
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


# ``lat,lng`` in decimal degrees within range, never (0, 0) (a phone without a fix): the
# document's pattern and the server's check are this one expression.
_LAT = r"[-+]?(?:90(?:\.0+)?|[1-8]?[0-9](?:\.[0-9]+)?)"
_LNG = r"[-+]?(?:180(?:\.0+)?|(?:1[0-7][0-9]|[1-9]?[0-9])(?:\.[0-9]+)?)"
_ZERO = r"[-+]?0+(?:\.0+)?"
NEAR_PATTERN = rf"^(?!{_ZERO},{_ZERO}$){_LAT},{_LNG}$"
_NEAR = re.compile(NEAR_PATTERN)


def _near(value: str) -> str:
    if not _NEAR.match(value):
        raise ValueError("Expected 'lat,lng' in decimal degrees, within range, not 0,0.")
    return value


class NearQuery(ListQuery):
    """A list that may be sorted by distance: ``?near=lat,lng&radiusKm=`` (contacts, sites)."""

    near: (
        Annotated[
            str,
            StringConstraints(max_length=60),
            AfterValidator(_near),
            Field(
                json_schema_extra={"pattern": NEAR_PATTERN},
                description=(
                    "lat,lng: the rows within radiusKm, nearest first, paged by the cursor "
                    "(contacts: a cursor only pages this same query; another's is a 422)."
                ),
            ),
        ]
        | None
    ) = None
    radius_km: float = Field(
        default=10.0, gt=0, le=MAX_NEAR_RADIUS_KM, description="Only with near (default 10)."
    )

    @field_validator("radius_km")
    @classmethod
    def _only_with_near(cls, radius_km: float, info: ValidationInfo) -> float:
        # Runs only when sent (defaults are not validated): a radius around nothing.
        if info.data.get("near") is None:
            raise ValueError("Only with near=lat,lng: a radius needs a centre.")
        return radius_km


class ContactQuery(NearQuery):
    q: Text | None = Field(
        default=None,
        description=(
            "Substring of name or city (case-insensitive; % and _ are literal), or the "
            "phone's digits in any format. At least 3 letters or digits (else 422)."
        ),
    )
    type: ContactType | None = None
    owner_id: UUID | None = None
    city: Text | None = None
    tag: Text | None = None
    territory_id: UUID | None = Field(
        default=None, description="In this territory or any territory below it."
    )


async def list_route(request: Request) -> Response:
    query = read_query(request, ContactQuery)
    filters = ContactFilter(
        q=query.q,
        type=query.type,
        owner_id=query.owner_id,
        city=query.city,
        tag=query.tag,
        territory_id=query.territory_id,
    )
    principal, deps = principal_of(request), deps_of(request)
    if query.near is None:
        page = await list_contacts(principal, filters, query.cursor, query.limit, deps)
        return page_response(request, page, ContactOut, query.fields)
    near = await near_contacts(
        principal, filters, query.near, query.radius_km, query.cursor, query.limit, deps
    )
    rows = [{**n.contact, "distance_m": n.distance_m} for n in near.items]
    sorted_page = Page(items=rows, limit=near.limit, next_cursor=near.next_cursor)
    return page_response(request, sorted_page, NearContactOut, query.fields)


async def create_route(request: Request) -> Response:
    body = await read_json(request, CreateContactBody)
    contact = await create_contact(
        principal_of(request), CreateContact(**body.model_dump()), deps_of(request)
    )
    return ok(request, render(ContactOut, contact), status=201)


async def get_route(request: Request) -> Response:
    contact = await get_contact(principal_of(request), path_id(request), deps_of(request))
    return ok(request, render(ContactOut, contact))


async def update_route(request: Request) -> Response:
    body = await read_json(request, UpdateContactBody)
    changes = body.model_dump(include=body.model_fields_set)
    contact = await update_contact(
        principal_of(request), path_id(request), changes, deps_of(request)
    )
    return ok(request, render(ContactOut, contact))


async def delete_route(request: Request) -> Response:
    contact = await delete_contact(principal_of(request), path_id(request), deps_of(request))
    return ok(request, render(DeletedOut, contact))


_READ: dict[str, Any] = {
    "tags": TAGS,
    "rate_class": "read",
    "errors": (e.Forbidden, e.ValidationFailed),
}
_WRITE: dict[str, Any] = {
    "tags": TAGS,
    "rate_class": "write",
    "errors": (e.Forbidden, e.NotFound, e.ValidationFailed),
}

routes = [
    Resource(
        "/api/v1/contacts",
        {
            "GET": Operation(
                list_route,
                "List contacts (a rep sees their own); ?near=lat,lng&radiusKm= sorts by distance",
                query=ContactQuery,
                response=ContactOut,
                many=True,
                **_READ,
            ),
            "POST": Operation(
                create_route,
                "Create a contact (a rep's own contact is assigned to them)",
                body=CreateContactBody,
                response=ContactOut,
                status=201,
                **_WRITE,
            ),
        },
    ),
    Resource(
        "/api/v1/contacts/{id}",
        {
            "GET": Operation(
                get_route,
                "Read a contact",
                response=ContactOut,
                **{**_READ, "errors": (e.Forbidden, e.NotFound)},
            ),
            "PATCH": Operation(
                update_route,
                "Edit a contact; changing ownerId needs MANAGER or ADMIN",
                body=UpdateContactBody,
                response=ContactOut,
                **_WRITE,
            ),
            "DELETE": Operation(
                delete_route,
                "Delete a contact without sites (else 409); a tombstone for sync",
                response=DeletedOut,
                **{**_WRITE, "errors": (e.Forbidden, e.NotFound, e.Conflict, e.ValidationFailed)},
            ),
        },
    ),
]
