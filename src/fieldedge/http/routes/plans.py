"""``/api/v1/plans``: beats put on dates; the rep's route for a day; compliance."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response

from fieldedge import errors as e
from fieldedge.domain.access import Action, require
from fieldedge.domain.beats import percent
from fieldedge.http.body import read_json, read_query
from fieldedge.http.deps import deps_of
from fieldedge.http.envelope import ok
from fieldedge.http.guard import principal_of
from fieldedge.http.lists import ListQuery, page_response
from fieldedge.http.paths import path_id
from fieldedge.http.routes.plan_schemas import (
    ComplianceOut,
    CreatePlanBody,
    DayRouteOut,
    PlanOut,
    ReorderBody,
    UpdatePlanBody,
    plan_changes,
)
from fieldedge.http.schemas import DeletedOut, RequestModel
from fieldedge.http.spec import Operation, Resource
from fieldedge.http.views import render
from fieldedge.services.beats import (
    CreatePlan,
    PlanFilter,
    create_plan,
    delete_plan,
    get_plan,
    list_plans,
    update_plan,
)
from fieldedge.services.plan_day import ComplianceDay, compliance, day_route, reorder_today

TAGS = ("plans",)


class PlanQuery(ListQuery):
    user_id: UUID | None = None
    beat_id: UUID | None = None
    day_from: dt.date | None = Field(default=None, description="Plans meeting this day or later.")
    day_to: dt.date | None = Field(default=None, description="Plans meeting this day or earlier.")


class TodayQuery(RequestModel):
    date: dt.date | None = Field(default=None, description="Defaults to the company's today.")
    user_id: UUID | None = Field(default=None, description="A rep you manage; default: you.")


class ComplianceQuery(RequestModel):
    day_from: dt.date = Field(alias="from", description="First local day, included.")
    day_to: dt.date = Field(alias="to", description="Last local day, included (≤ 92 days).")
    user_id: UUID | None = None


async def list_route(request: Request) -> Response:
    query = read_query(request, PlanQuery)
    filters = PlanFilter(query.user_id, query.beat_id, query.day_from, query.day_to)
    page = await list_plans(principal_of(request), filters, query.cursor, query.limit,
                            deps_of(request))  # fmt: skip
    return page_response(request, page, PlanOut, query.fields)


async def create_route(request: Request) -> Response:
    body = await read_json(request, CreatePlanBody)
    values = body.model_dump()
    values["weekdays"] = values["weekdays"] or []
    plan = await create_plan(principal_of(request), CreatePlan(**values), deps_of(request))
    return ok(request, render(PlanOut, plan), status=201)


async def get_route(request: Request) -> Response:
    plan = await get_plan(principal_of(request), path_id(request), deps_of(request))
    return ok(request, render(PlanOut, plan))


async def update_route(request: Request) -> Response:
    body = await read_json(request, UpdatePlanBody)
    plan = await update_plan(principal_of(request), path_id(request), plan_changes(body),
                             deps_of(request))  # fmt: skip
    return ok(request, render(PlanOut, plan))


async def delete_route(request: Request) -> Response:
    plan = await delete_plan(principal_of(request), path_id(request), deps_of(request))
    return ok(request, render(DeletedOut, plan))


async def today_route(request: Request) -> Response:
    query = read_query(request, TodayQuery)
    route = await day_route(principal_of(request), query.date, query.user_id, deps_of(request))
    return ok(request, render(DayRouteOut, route))


async def reorder_route(request: Request) -> Response:
    body = await read_json(request, ReorderBody)
    route = await reorder_today(principal_of(request), body.contact_ids, deps_of(request))
    return ok(request, render(DayRouteOut, route))


def _figures(day: ComplianceDay) -> dict[str, Any]:
    return {"user_id": day.user_id, "day": day.day, "planned": day.planned,
            "visited": day.visited, "productive": day.productive,
            "compliance": day.compliance, "strike_rate": day.strike_rate}  # fmt: skip


def _totals(days: list[ComplianceDay]) -> list[dict[str, Any]]:
    reps: dict[UUID, list[int]] = {}
    for d in days:
        sums = reps.setdefault(d.user_id, [0, 0, 0])
        sums[0], sums[1], sums[2] = sums[0] + d.planned, sums[1] + d.visited, sums[2] + d.productive
    return [{"user_id": user, "planned": p, "visited": v, "productive": s,
             "compliance": percent(v, p), "strike_rate": percent(s, v)}
            for user, (p, v, s) in reps.items()]  # fmt: skip


async def compliance_route(request: Request) -> Response:
    require(principal_of(request), Action.PLAN_COMPLIANCE)  # a rep's 403 before any 422
    query = read_query(request, ComplianceQuery)
    days = await compliance(principal_of(request), query.day_from, query.day_to, query.user_id,
                            deps_of(request))  # fmt: skip
    report = {"day_from": query.day_from, "day_to": query.day_to, "reps": _totals(days),
              "days": [_figures(d) for d in days]}  # fmt: skip
    return ok(request, render(ComplianceOut, report))


_READ: dict[str, Any] = {"tags": TAGS, "rate_class": "read"}
_WRITE: dict[str, Any] = {
    "tags": TAGS,
    "rate_class": "write",
    "errors": (e.Forbidden, e.NotFound, e.ValidationFailed),
}

routes = [
    Resource(
        "/api/v1/plans",
        {
            "GET": Operation(
                list_route,
                "List plans (own, the team's, or the company's)",
                query=PlanQuery,
                response=PlanOut,
                many=True,
                errors=(e.Forbidden, e.ValidationFailed),
                **_READ,
            ),
            "POST": Operation(
                create_route,
                "Put a beat on dates: one-off (date) or weekly (weekdays, startDate, endDate)",
                body=CreatePlanBody,
                response=PlanOut,
                status=201,
                **_WRITE,
            ),
        },
    ),
    Resource(
        "/api/v1/plans/today",
        {
            "GET": Operation(
                today_route,
                "A rep's planned outlets for today (or ?date=), in order, with each status",
                query=TodayQuery,
                response=DayRouteOut,
                errors=(e.Forbidden, e.ValidationFailed),
                **_READ,
            ),
        },
    ),
    Resource(
        "/api/v1/plans/today/order",
        {
            "PUT": Operation(
                reorder_route,
                "Reorder one's own route for today (today's planned contacts, every one)",
                body=ReorderBody,
                response=DayRouteOut,
                **{**_WRITE, "errors": (e.Forbidden, e.ValidationFailed)},
            ),
        },
    ),
    Resource(
        "/api/v1/plans/compliance",
        {
            "GET": Operation(
                compliance_route,
                "Planned, visited, productive per rep and day; compliance and strike rate",
                query=ComplianceQuery,
                response=ComplianceOut,
                errors=(e.Forbidden, e.ValidationFailed),
                **_READ,
            ),
        },
    ),
    Resource(
        "/api/v1/plans/{id}",
        {
            "GET": Operation(
                get_route,
                "Read a plan",
                response=PlanOut,
                errors=(e.Forbidden, e.NotFound),
                **_READ,
            ),
            "PATCH": Operation(
                update_route,
                "Change a plan's beat or dates (checked together)",
                body=UpdatePlanBody,
                response=PlanOut,
                **_WRITE,
            ),
            "DELETE": Operation(
                delete_route,
                "Delete a plan",
                response=DeletedOut,
                **{**_WRITE, "errors": (e.Forbidden, e.NotFound)},
            ),
        },
    ),
]
