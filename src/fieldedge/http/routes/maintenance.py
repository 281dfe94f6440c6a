"""``/api/v1/maintenance-schedules``: preventive maintenance schedules, and what each
machine a schedule covers has due (``/{id}/due``)."""

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
from fieldedge.http.routes.maintenance_schemas import (
    CreateScheduleBody,
    MachineDueOut,
    ScheduleOut,
    UpdateScheduleBody,
)
from fieldedge.http.schemas import DeletedOut
from fieldedge.http.spec import Operation, Resource
from fieldedge.http.views import render
from fieldedge.services import maintenance as service
from fieldedge.services.maintenance import CreateSchedule, ScheduleFilter
from fieldedge.services.maintenance_run import due_for

TAGS = ("maintenance",)


class ScheduleQuery(ListQuery):
    equipment_id: UUID | None = None
    equipment_type_id: UUID | None = None
    active: bool | None = None


async def list_route(request: Request) -> Response:
    query = read_query(request, ScheduleQuery)
    filters = ScheduleFilter(query.equipment_id, query.equipment_type_id, query.active)
    page = await service.list_schedules(
        principal_of(request), filters, query.cursor, query.limit, deps_of(request)
    )
    return page_response(request, page, ScheduleOut, query.fields)


async def create_route(request: Request) -> Response:
    body = await read_json(request, CreateScheduleBody)
    schedule = await service.create_schedule(
        principal_of(request), CreateSchedule(**body.model_dump()), deps_of(request)
    )
    return ok(request, render(ScheduleOut, schedule), status=201)


async def get_route(request: Request) -> Response:
    schedule = await service.get_schedule(principal_of(request), path_id(request), deps_of(request))
    return ok(request, render(ScheduleOut, schedule))


async def update_route(request: Request) -> Response:
    body = await read_json(request, UpdateScheduleBody)
    changes = dict(body.model_dump(include=body.model_fields_set))
    schedule = await service.update_schedule(
        principal_of(request), path_id(request), changes, deps_of(request)
    )
    return ok(request, render(ScheduleOut, schedule))


async def delete_route(request: Request) -> Response:
    schedule = await service.delete_schedule(
        principal_of(request), path_id(request), deps_of(request)
    )
    return ok(request, render(DeletedOut, schedule))


async def due_route(request: Request) -> Response:
    query = read_query(request, ListQuery)
    page = await due_for(
        principal_of(request), path_id(request), query.cursor, query.limit, deps_of(request)
    )
    return page_response(request, page, MachineDueOut, query.fields)


_READ: dict[str, Any] = {"tags": TAGS, "rate_class": "read"}
_WRITE: dict[str, Any] = {
    "tags": TAGS,
    "rate_class": "write",
    "errors": (e.Forbidden, e.NotFound, e.Conflict, e.ValidationFailed),
}
_GET_ERRORS = (e.Forbidden, e.NotFound)

routes = [
    Resource(
        "/api/v1/maintenance-schedules",
        {
            "GET": Operation(
                list_route,
                "List maintenance schedules (?equipmentId=, ?equipmentTypeId=, ?active=)",
                query=ScheduleQuery,
                response=ScheduleOut,
                many=True,
                errors=(e.Forbidden, e.ValidationFailed),
                **_READ,
            ),
            "POST": Operation(
                create_route,
                "Create a preventive maintenance schedule for a machine or an equipment type "
                "(MANAGER, ADMIN); a zero or negative interval, or a meter the type lacks, is 422",
                body=CreateScheduleBody,
                response=ScheduleOut,
                status=201,
                **_WRITE,
            ),
        },
    ),
    Resource(
        "/api/v1/maintenance-schedules/{id}",
        {
            "GET": Operation(
                get_route,
                "Read a maintenance schedule",
                response=ScheduleOut,
                errors=_GET_ERRORS,
                **_READ,
            ),
            "PATCH": Operation(
                update_route,
                "Edit a schedule: occurrences not made yet follow; work orders made stay",
                body=UpdateScheduleBody,
                response=ScheduleOut,
                **_WRITE,
            ),
            "DELETE": Operation(
                delete_route,
                "Delete a schedule (a tombstone; its work orders stay)",
                response=DeletedOut,
                **_WRITE,
            ),
        },
    ),
    Resource(
        "/api/v1/maintenance-schedules/{id}/due",
        {
            "GET": Operation(
                due_route,
                "Per machine it covers (a page, by machine id): the last occurrence made, how "
                "many are due now, and the next one",
                query=ListQuery,
                response=MachineDueOut,
                many=True,
                errors=(*_GET_ERRORS, e.ValidationFailed),
                **_READ,
            )
        },
    ),
]
