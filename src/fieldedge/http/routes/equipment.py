"""``/api/v1/equipment-types`` and ``/api/v1/equipment``: the company's list of equipment
types (with their declared attributes) and its machines, read by every role, written by
MANAGERs and ADMINs. ``GET /api/v1/equipment?serial=`` is the QR-friendly lookup."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from pydantic import Field, StringConstraints
from starlette.requests import Request
from starlette.responses import Response

from fieldedge import errors as e
from fieldedge.domain.equipment import EquipmentStatus
from fieldedge.http.body import read_json, read_query
from fieldedge.http.deps import deps_of
from fieldedge.http.envelope import ok
from fieldedge.http.guard import principal_of
from fieldedge.http.lists import ListQuery, page_response
from fieldedge.http.paths import path_id
from fieldedge.http.routes.equipment_schemas import (
    CreateEquipmentBody,
    CreateTypeBody,
    EquipmentOut,
    TypeOut,
    UpdateEquipmentBody,
    UpdateTypeBody,
)
from fieldedge.http.schemas import DeletedOut
from fieldedge.http.spec import Operation, Resource
from fieldedge.http.views import render
from fieldedge.services import equipment as service
from fieldedge.services.equipment import CreateEquipment, CreateType, EquipmentFilter

TAGS = ("equipment",)


class EquipmentQuery(ListQuery):
    site_id: UUID | None = None
    type_id: UUID | None = None
    status: EquipmentStatus | None = None
    serial: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
        | None
    ) = Field(default=None, description="Exactly this serial number (what a QR code holds).")


def _changes(body: Any) -> dict[str, Any]:
    return dict(body.model_dump(include=body.model_fields_set))


async def list_types_route(request: Request) -> Response:
    query = read_query(request, ListQuery)
    page = await service.list_types(
        principal_of(request), query.cursor, query.limit, deps_of(request)
    )
    return page_response(request, page, TypeOut, query.fields)


async def create_type_route(request: Request) -> Response:
    body = await read_json(request, CreateTypeBody)
    kind = await service.create_type(
        principal_of(request), CreateType(**body.model_dump()), deps_of(request)
    )
    return ok(request, render(TypeOut, kind), status=201)


async def get_type_route(request: Request) -> Response:
    kind = await service.get_type(principal_of(request), path_id(request), deps_of(request))
    return ok(request, render(TypeOut, kind))


async def update_type_route(request: Request) -> Response:
    changes = _changes(await read_json(request, UpdateTypeBody))
    kind = await service.update_type(
        principal_of(request), path_id(request), changes, deps_of(request)
    )
    return ok(request, render(TypeOut, kind))


async def delete_type_route(request: Request) -> Response:
    kind = await service.delete_type(principal_of(request), path_id(request), deps_of(request))
    return ok(request, render(DeletedOut, kind))


async def list_route(request: Request) -> Response:
    query = read_query(request, EquipmentQuery)
    filters = EquipmentFilter(query.site_id, query.type_id, query.status, query.serial)
    page = await service.list_equipment(
        principal_of(request), filters, query.cursor, query.limit, deps_of(request)
    )
    return page_response(request, page, EquipmentOut, query.fields)


async def create_route(request: Request) -> Response:
    body = await read_json(request, CreateEquipmentBody)
    equipment = await service.create_equipment(
        principal_of(request), CreateEquipment(**body.model_dump()), deps_of(request)
    )
    return ok(request, render(EquipmentOut, equipment), status=201)


async def get_route(request: Request) -> Response:
    equipment = await service.get_equipment(
        principal_of(request), path_id(request), deps_of(request)
    )
    return ok(request, render(EquipmentOut, equipment))


async def update_route(request: Request) -> Response:
    changes = _changes(await read_json(request, UpdateEquipmentBody))
    equipment = await service.update_equipment(
        principal_of(request), path_id(request), changes, deps_of(request)
    )
    return ok(request, render(EquipmentOut, equipment))


async def delete_route(request: Request) -> Response:
    equipment = await service.delete_equipment(
        principal_of(request), path_id(request), deps_of(request)
    )
    return ok(request, render(DeletedOut, equipment))


_READ: dict[str, Any] = {"tags": TAGS, "rate_class": "read"}
_WRITE: dict[str, Any] = {
    "tags": TAGS,
    "rate_class": "write",
    "errors": (e.Forbidden, e.NotFound, e.Conflict, e.ValidationFailed),
}
_LIST_ERRORS = (e.Forbidden, e.ValidationFailed)
_GET_ERRORS = (e.Forbidden, e.NotFound)

routes = [
    Resource(
        "/api/v1/equipment-types",
        {
            "GET": Operation(
                list_types_route,
                "List the company's equipment types",
                query=ListQuery,
                response=TypeOut,
                many=True,
                errors=_LIST_ERRORS,
                **_READ,
            ),
            "POST": Operation(
                create_type_route,
                "Create an equipment type with its declared attributes (MANAGER, ADMIN)",
                body=CreateTypeBody,
                response=TypeOut,
                status=201,
                **_WRITE,
            ),
        },
    ),
    Resource(
        "/api/v1/equipment-types/{id}",
        {
            "GET": Operation(
                get_type_route,
                "Read an equipment type",
                response=TypeOut,
                errors=_GET_ERRORS,
                **_READ,
            ),
            "PATCH": Operation(
                update_type_route,
                "Rename a type or replace its declared attributes",
                body=UpdateTypeBody,
                response=TypeOut,
                **_WRITE,
            ),
            "DELETE": Operation(
                delete_type_route,
                "Delete a type no live equipment is of (else 409); a tombstone",
                response=DeletedOut,
                **_WRITE,
            ),
        },
    ),
    Resource(
        "/api/v1/equipment",
        {
            "GET": Operation(
                list_route,
                "List equipment (?siteId=, ?typeId=, ?status=; ?serial= looks one up)",
                query=EquipmentQuery,
                response=EquipmentOut,
                many=True,
                errors=_LIST_ERRORS,
                **_READ,
            ),
            "POST": Operation(
                create_route,
                "Install equipment at a site (MANAGER, ADMIN); attributes fit its type",
                body=CreateEquipmentBody,
                response=EquipmentOut,
                status=201,
                **_WRITE,
            ),
        },
    ),
    Resource(
        "/api/v1/equipment/{id}",
        {
            "GET": Operation(
                get_route,
                "Read a piece of equipment",
                response=EquipmentOut,
                errors=_GET_ERRORS,
                **_READ,
            ),
            "PATCH": Operation(
                update_route,
                "Edit equipment: details, site, type, status, attributes (the whole object)",
                body=UpdateEquipmentBody,
                response=EquipmentOut,
                **_WRITE,
            ),
            "DELETE": Operation(
                delete_route,
                "Delete equipment (a tombstone; its serial number is free again)",
                response=DeletedOut,
                **_WRITE,
            ),
        },
    ),
]
