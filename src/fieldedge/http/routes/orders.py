"""``/api/v1/orders``: take an order (priced by the server), read, list, move its status."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from fieldedge import errors as e
from fieldedge.domain.pricing import ItemRequest
from fieldedge.http.body import read_json, read_query
from fieldedge.http.deps import deps_of
from fieldedge.http.envelope import ok
from fieldedge.http.guard import principal_of
from fieldedge.http.lists import page_response
from fieldedge.http.paths import path_id
from fieldedge.http.routes.order_schemas import (
    CreateOrderBody,
    OrderOut,
    OrderQueryParams,
    UpdateOrderBody,
)
from fieldedge.http.spec import Operation, Resource
from fieldedge.http.views import render
from fieldedge.services.orders import (
    UNSET,
    CreateOrder,
    OrderFilter,
    UpdateOrder,
    create_order,
    get_order,
    list_orders,
    update_order,
)

TAGS = ("orders",)


async def list_route(request: Request) -> Response:
    query = read_query(request, OrderQueryParams)
    filters = OrderFilter(
        status=query.status,
        contact_id=query.contact_id,
        user_id=query.user_id,
        with_balance=query.with_balance,
    )
    page = await list_orders(
        principal_of(request), filters, query.cursor, query.limit, deps_of(request)
    )
    return page_response(request, page, OrderOut, query.fields)


async def create_route(request: Request) -> Response:
    body = await read_json(request, CreateOrderBody)
    cmd = CreateOrder(
        id=body.id,
        contact_id=body.contact_id,
        items=[ItemRequest(item.product_id, item.quantity) for item in body.items],
        notes=body.notes,
        total=body.total,
    )
    order = await create_order(principal_of(request), cmd, deps_of(request))
    return ok(request, render(OrderOut, order), status=201)


async def get_route(request: Request) -> Response:
    order = await get_order(principal_of(request), path_id(request), deps_of(request))
    return ok(request, render(OrderOut, order))


async def update_route(request: Request) -> Response:
    body = await read_json(request, UpdateOrderBody)
    notes = body.notes if "notes" in body.model_fields_set else UNSET
    cmd = UpdateOrder(status=body.status, reason=body.reason, notes=notes)
    order = await update_order(principal_of(request), path_id(request), cmd, deps_of(request))
    return ok(request, render(OrderOut, order))


routes = [
    Resource(
        "/api/v1/orders",
        {
            "GET": Operation(
                list_route,
                "List orders (a rep's own, a manager's team's, an ADMIN's company's)",
                tags=TAGS,
                query=OrderQueryParams,
                response=OrderOut,
                many=True,
                rate_class="read",
                errors=(e.Forbidden,),
            ),
            "POST": Operation(
                create_route,
                "Take an order: the server prices it from the catalogue and numbers it",
                tags=TAGS,
                body=CreateOrderBody,
                response=OrderOut,
                status=201,
                rate_class="write",
                errors=(e.Forbidden,),
            ),
        },
    ),
    Resource(
        "/api/v1/orders/{id}",
        {
            "GET": Operation(
                get_route,
                "Read an order, with amountPaid and balanceDue",
                tags=TAGS,
                response=OrderOut,
                rate_class="read",
                errors=(e.Forbidden, e.NotFound),
            ),
            "PATCH": Operation(
                update_route,
                "Move an order's status (approve, reject, dispatch, deliver, cancel) or "
                "edit its notes while PENDING",
                tags=TAGS,
                body=UpdateOrderBody,
                response=OrderOut,
                rate_class="write",
                errors=(e.Forbidden, e.NotFound, e.InvalidStateTransition, e.Conflict),
            ),
        },
    ),
]
