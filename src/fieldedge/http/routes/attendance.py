"""``/api/v1/attendance``: punching in and out of a working day, and who is in today."""

from __future__ import annotations

import datetime as dt
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
from fieldedge.http.lists import ListQuery, page_response
from fieldedge.http.paths import path_id
from fieldedge.http.routes.attendance_schemas import (
    AttendanceOut,
    PunchInBody,
    PunchOutBody,
    RollOut,
)
from fieldedge.http.spec import Operation, Resource
from fieldedge.http.views import render
from fieldedge.services.attendance import (
    DayFilter,
    PunchIn,
    PunchOut,
    get_day,
    list_days,
    punch_in,
    punch_out,
    roll_call,
)

TAGS = ("attendance",)


class AttendanceQuery(ListQuery):
    user_id: UUID | None = None
    day_from: dt.date | None = None
    day_to: dt.date | None = None
    open: bool | None = None


class TodayQuery(ListQuery):
    date: dt.date | None = Field(default=None, description="Defaults to the company's today.")


async def list_route(request: Request) -> Response:
    query = read_query(request, AttendanceQuery)
    filters = DayFilter(query.user_id, query.day_from, query.day_to, query.open)
    page = await list_days(
        principal_of(request), filters, query.cursor, query.limit, deps_of(request)
    )
    return page_response(request, page, AttendanceOut, query.fields)


async def get_route(request: Request) -> Response:
    day = await get_day(principal_of(request), path_id(request), deps_of(request))
    return ok(request, render(AttendanceOut, day))


async def punch_in_route(request: Request) -> Response:
    body = await read_json(request, PunchInBody)
    day = await punch_in(principal_of(request), PunchIn(**body.model_dump()), deps_of(request))
    return ok(request, render(AttendanceOut, day), status=201)


async def punch_out_route(request: Request) -> Response:
    body = await read_json(request, PunchOutBody)
    day = await punch_out(principal_of(request), PunchOut(**body.model_dump()), deps_of(request))
    return ok(request, render(AttendanceOut, day))


async def today_route(request: Request) -> Response:
    query = read_query(request, TodayQuery)
    _, page = await roll_call(
        principal_of(request), query.date, query.cursor, query.limit, deps_of(request)
    )
    return page_response(request, page, RollOut, query.fields)


_WRITE: dict[str, Any] = {
    "tags": TAGS,
    "rate_class": "write",
    "errors": (e.Forbidden, e.Conflict, e.ValidationFailed),
}
_READ: dict[str, Any] = {"tags": TAGS, "rate_class": "read"}

routes = [
    Resource(
        "/api/v1/attendance",
        {
            "GET": Operation(
                list_route,
                "List working days (own, the team's, or the company's)",
                query=AttendanceQuery,
                response=AttendanceOut,
                many=True,
                errors=(e.Forbidden, e.ValidationFailed),
                **_READ,
            ),
        },
    ),
    Resource(
        "/api/v1/attendance/today",
        {
            "GET": Operation(
                today_route,
                "Who is in, out or absent today (or ?date=), in the company's time zone",
                query=TodayQuery,
                response=RollOut,
                many=True,
                errors=(e.Forbidden, e.ValidationFailed),
                **_READ,
            ),
        },
    ),
    Resource(
        "/api/v1/attendance/punch-in",
        {
            "POST": Operation(
                punch_in_route,
                "Start one's working day (a second punch-in is a 409)",
                body=PunchInBody,
                response=AttendanceOut,
                status=201,
                **_WRITE,
            ),
        },
    ),
    Resource(
        "/api/v1/attendance/punch-out",
        {
            "POST": Operation(
                punch_out_route,
                "End one's working day (without a punch-in, a 409)",
                body=PunchOutBody,
                response=AttendanceOut,
                **_WRITE,
            ),
        },
    ),
    Resource(
        "/api/v1/attendance/{id}",
        {
            "GET": Operation(
                get_route,
                "Read a working day",
                response=AttendanceOut,
                errors=(e.Forbidden, e.NotFound),
                **_READ,
            ),
        },
    ),
]
