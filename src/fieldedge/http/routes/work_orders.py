"""``/api/v1/checklist-templates`` and ``/api/v1/work-orders`` (with ``/mine``,
``/overdue``, comments), and a machine's ``/shutdown`` and ``/history``."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from starlette.requests import Request
from starlette.responses import Response

from fieldedge import errors as e
from fieldedge.domain.work_orders import Priority, WorkOrderKind, WorkOrderStatus
from fieldedge.http.body import read_json, read_query
from fieldedge.http.deps import deps_of
from fieldedge.http.envelope import ok
from fieldedge.http.fields import Limit
from fieldedge.http.guard import principal_of
from fieldedge.http.lists import ListQuery, page_response
from fieldedge.http.paths import path_id
from fieldedge.http.routes.work_order_schemas import (
    CommentBody,
    CreateTemplateBody,
    CreateWorkOrderBody,
    HistoryEventOut,
    ShutdownBody,
    ShutdownOut,
    TemplateOut,
    UpdateTemplateBody,
    UpdateWorkOrderBody,
    WorkOrderOut,
)
from fieldedge.http.schemas import RequestModel
from fieldedge.http.spec import Operation, Resource
from fieldedge.http.views import render, view_of
from fieldedge.services import equipment_history
from fieldedge.services import work_orders as service
from fieldedge.services.work_orders import CreateTemplate, CreateWorkOrder, WorkOrderFilter

TAGS = ("work orders",)


class WorkOrderQuery(ListQuery):
    status: WorkOrderStatus | None = None
    priority: Priority | None = None
    kind: WorkOrderKind | None = None
    site_id: UUID | None = None
    equipment_id: UUID | None = None
    assignee_id: UUID | None = None


class HistoryQuery(RequestModel):
    limit: Limit = 100


def _changes(body: Any) -> dict[str, Any]:
    return dict(body.model_dump(include=body.model_fields_set))


async def list_templates_route(request: Request) -> Response:
    query = read_query(request, ListQuery)
    page = await service.list_templates(
        principal_of(request), query.cursor, query.limit, deps_of(request)
    )
    return page_response(request, page, TemplateOut, query.fields)


async def create_template_route(request: Request) -> Response:
    body = await read_json(request, CreateTemplateBody)
    template = await service.create_template(
        principal_of(request), CreateTemplate(**body.model_dump()), deps_of(request)
    )
    return ok(request, render(TemplateOut, template), status=201)


async def get_template_route(request: Request) -> Response:
    template = await service.get_template(principal_of(request), path_id(request), deps_of(request))
    return ok(request, render(TemplateOut, template))


async def update_template_route(request: Request) -> Response:
    changes = _changes(await read_json(request, UpdateTemplateBody))
    template = await service.update_template(
        principal_of(request), path_id(request), changes, deps_of(request)
    )
    return ok(request, render(TemplateOut, template))


async def _list(request: Request, *, mine: bool = False, overdue: bool = False) -> Response:
    query = read_query(request, WorkOrderQuery)
    filters = WorkOrderFilter(
        query.status, query.priority, query.kind, query.site_id, query.equipment_id,
        query.assignee_id,
    )  # fmt: skip
    page = await service.list_work_orders(
        principal_of(request), filters, query.cursor, query.limit, deps_of(request),
        mine=mine, overdue=overdue,
    )  # fmt: skip
    return page_response(request, page, WorkOrderOut, query.fields)


async def list_route(request: Request) -> Response:
    return await _list(request)


async def mine_route(request: Request) -> Response:
    return await _list(request, mine=True)


async def overdue_route(request: Request) -> Response:
    return await _list(request, overdue=True)


async def create_route(request: Request) -> Response:
    body = await read_json(request, CreateWorkOrderBody)
    work_order = await service.create_work_order(
        principal_of(request), CreateWorkOrder(**body.model_dump()), deps_of(request)
    )
    return ok(request, render(WorkOrderOut, work_order), status=201)


async def get_route(request: Request) -> Response:
    work_order = await service.get_work_order(
        principal_of(request), path_id(request), deps_of(request)
    )
    return ok(request, render(WorkOrderOut, work_order))


async def update_route(request: Request) -> Response:
    changes = _changes(await read_json(request, UpdateWorkOrderBody))
    work_order = await service.update_work_order(
        principal_of(request), path_id(request), changes, deps_of(request)
    )
    return ok(request, render(WorkOrderOut, work_order))


async def comment_route(request: Request) -> Response:
    body = await read_json(request, CommentBody)
    work_order = await service.add_comment(
        principal_of(request), path_id(request), body.text, deps_of(request)
    )
    return ok(request, render(WorkOrderOut, work_order), status=201)


async def shutdown_route(request: Request) -> Response:
    body = await read_json(request, ShutdownBody)
    done = await equipment_history.shutdown(
        principal_of(request), path_id(request), body.reason, deps_of(request)
    )
    return ok(request, render(ShutdownOut, done), status=201)


async def history_route(request: Request) -> Response:
    query = read_query(request, HistoryQuery)
    events = await equipment_history.history(
        principal_of(request), path_id(request), query.limit, deps_of(request)
    )
    return ok(request, view_of(HistoryEventOut).many(events))


_READ: dict[str, Any] = {"tags": TAGS, "rate_class": "read"}
_WRITE: dict[str, Any] = {
    "tags": TAGS,
    "rate_class": "write",
    "errors": (e.Forbidden, e.NotFound, e.Conflict, e.ValidationFailed),
}
_LIST: dict[str, Any] = {
    **_READ, "query": WorkOrderQuery, "response": WorkOrderOut, "many": True,
    "errors": (e.Forbidden, e.ValidationFailed),
}  # fmt: skip
_GET_ERRORS = (e.Forbidden, e.NotFound)

routes = [
    Resource(
        "/api/v1/checklist-templates",
        {
            "GET": Operation(
                list_templates_route,
                "List checklist templates",
                query=ListQuery,
                response=TemplateOut,
                many=True,
                errors=(e.Forbidden, e.ValidationFailed),
                **_READ,
            ),
            "POST": Operation(
                create_template_route,
                "Create a checklist template (MANAGER, ADMIN)",
                body=CreateTemplateBody,
                response=TemplateOut,
                status=201,
                **_WRITE,
            ),
        },
    ),
    Resource(
        "/api/v1/checklist-templates/{id}",
        {
            "GET": Operation(
                get_template_route,
                "Read a checklist template",
                response=TemplateOut,
                errors=_GET_ERRORS,
                **_READ,
            ),
            "PATCH": Operation(
                update_template_route,
                "Rename a template or replace its items (work orders keep their copy)",
                body=UpdateTemplateBody,
                response=TemplateOut,
                **_WRITE,
            ),
        },
    ),
    Resource(
        "/api/v1/work-orders",
        {
            "GET": Operation(
                list_route,
                "List work orders (?status=, ?priority=, ?kind=, ?siteId=, "
                "?equipmentId=, ?assigneeId=)",
                **_LIST,
            ),
            "POST": Operation(
                create_route,
                "Create a work order for a site or equipment (MANAGER, ADMIN); the checklist "
                "is copied from templateId",
                body=CreateWorkOrderBody,
                response=WorkOrderOut,
                status=201,
                **_WRITE,
            ),
        },
    ),
    Resource(
        "/api/v1/work-orders/mine",
        {"GET": Operation(mine_route, "Work orders assigned to me", **_LIST)},
    ),
    Resource(
        "/api/v1/work-orders/overdue",
        {
            "GET": Operation(
                overdue_route,
                "Work orders past their due time, not COMPLETED nor CANCELLED",
                **_LIST,
            )
        },
    ),
    Resource(
        "/api/v1/work-orders/{id}",
        {
            "GET": Operation(
                get_route,
                "Read a work order",
                response=WorkOrderOut,
                errors=_GET_ERRORS,
                **_READ,
            ),
            "PATCH": Operation(
                update_route,
                "Edit, assign, fill in the checklist (answers), move the status; completing "
                "with a required item empty is 422",
                body=UpdateWorkOrderBody,
                response=WorkOrderOut,
                **_WRITE,
            ),
        },
    ),
    Resource(
        "/api/v1/work-orders/{id}/comments",
        {
            "POST": Operation(
                comment_route,
                "Add a comment (append-only)",
                body=CommentBody,
                response=WorkOrderOut,
                status=201,
                **_WRITE,
            )
        },
    ),
    Resource(
        "/api/v1/equipment/{id}/shutdown",
        {
            "POST": Operation(
                shutdown_route,
                "Mark equipment DOWN with a reason; opens an URGENT corrective work order",
                body=ShutdownBody,
                response=ShutdownOut,
                status=201,
                **_WRITE,
            )
        },
    ),
    Resource(
        "/api/v1/equipment/{id}/history",
        {
            "GET": Operation(
                history_route,
                "A machine's status changes, work orders and readings, newest first",
                query=HistoryQuery,
                response=HistoryEventOut,
                many=True,
                errors=_GET_ERRORS,
                **_READ,
            )
        },
    ),
]
