"""``/api/v1/targets``: set a rep's month's target; read months against target.

Setting is ``POST /targets`` on the target's natural key (``userId`` + ``month`` in the
body): it creates the month's target (201) or replaces its figures (200), so a client
never needs to know whether one exists, and a bad ``userId`` or ``month`` is a 422
naming that field like any other body field."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from fieldedge import errors as e
from fieldedge.http.body import read_json, read_query
from fieldedge.http.deps import deps_of
from fieldedge.http.envelope import ok
from fieldedge.http.guard import principal_of
from fieldedge.http.routes.targets_schemas import (
    MonthQuery,
    RepMonthOut,
    SetTargetBody,
    TargetOut,
    TeamMonthOut,
    TeamQuery,
    rep_month,
    team_month,
)
from fieldedge.http.spec import Operation, Resource
from fieldedge.http.views import render
from fieldedge.services import targets

TAGS = ("targets",)


async def set_route(request: Request) -> Response:
    body = await read_json(request, SetTargetBody)
    target, created = await targets.set_target(
        principal_of(request), targets.SetTarget(**body.model_dump()), deps_of(request)
    )
    return ok(request, render(TargetOut, target), status=201 if created else 200)


async def team_route(request: Request) -> Response:
    query = read_query(request, TeamQuery)
    team = await targets.team_month(
        principal_of(request), query.month, query.user_id, deps_of(request)
    )
    return ok(request, team_month(team))


async def me_route(request: Request) -> Response:
    query = read_query(request, MonthQuery)
    month = await targets.my_month(principal_of(request), query.month, deps_of(request))
    return ok(request, rep_month(month))


_READ: dict[str, Any] = {
    "tags": TAGS,
    "rate_class": "read",
    "errors": (e.Forbidden, e.ValidationFailed),
}

routes = [
    Resource(
        "/api/v1/targets",
        {
            "GET": Operation(
                team_route,
                "The month against target of a MANAGER's reps (ADMIN: everyone), with the "
                "team's roll-up",
                query=TeamQuery,
                response=TeamMonthOut,
                **_READ,
            ),
            "POST": Operation(
                set_route,
                "Set a rep's target for a month: 201 created, 200 replaced",
                body=SetTargetBody,
                response=TargetOut,
                status=201,
                also=(200,),
                tags=TAGS,
                rate_class="write",
                errors=(e.Forbidden, e.Conflict, e.ValidationFailed),
            ),
        },
    ),
    Resource(
        "/api/v1/targets/me",
        {
            "GET": Operation(
                me_route,
                "One's own month against target",
                query=MonthQuery,
                response=RepMonthOut,
                **_READ,
            ),
        },
    ),
]
