"""``/api/v1/payments``: record money collected against an order, read and list it."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from fieldedge import errors as e
from fieldedge.http.body import read_json, read_query
from fieldedge.http.deps import deps_of
from fieldedge.http.envelope import ok
from fieldedge.http.guard import principal_of
from fieldedge.http.lists import page_response
from fieldedge.http.paths import path_id
from fieldedge.http.routes.order_schemas import (
    CreatePaymentBody,
    PaymentOut,
    PaymentQueryParams,
)
from fieldedge.http.spec import Operation, Resource
from fieldedge.http.views import render
from fieldedge.services.payments import (
    PaymentFilter,
    RecordPayment,
    get_payment,
    list_payments,
    record_payment,
)

TAGS = ("payments",)


async def list_route(request: Request) -> Response:
    query = read_query(request, PaymentQueryParams)
    filters = PaymentFilter(order_id=query.order_id, method=query.method, user_id=query.user_id)
    page = await list_payments(
        principal_of(request), filters, query.cursor, query.limit, deps_of(request)
    )
    return page_response(request, page, PaymentOut, query.fields)


async def create_route(request: Request) -> Response:
    body = await read_json(request, CreatePaymentBody)
    payment = await record_payment(
        principal_of(request), RecordPayment(**body.model_dump()), deps_of(request)
    )
    return ok(request, render(PaymentOut, payment), status=201)


async def get_route(request: Request) -> Response:
    payment = await get_payment(principal_of(request), path_id(request), deps_of(request))
    return ok(request, render(PaymentOut, payment))


routes = [
    Resource(
        "/api/v1/payments",
        {
            "GET": Operation(
                list_route,
                "List payments (a rep's own, a manager's team's, an ADMIN's company's)",
                tags=TAGS,
                query=PaymentQueryParams,
                response=PaymentOut,
                many=True,
                rate_class="read",
                errors=(e.Forbidden,),
            ),
            "POST": Operation(
                create_route,
                "Record a payment against an order (partial allowed; never more than is due)",
                tags=TAGS,
                body=CreatePaymentBody,
                response=PaymentOut,
                status=201,
                rate_class="write",
                errors=(e.Forbidden, e.NotFound, e.Conflict),
            ),
        },
    ),
    Resource(
        "/api/v1/payments/{id}",
        {
            "GET": Operation(
                get_route,
                "Read a payment",
                tags=TAGS,
                response=PaymentOut,
                rate_class="read",
                errors=(e.Forbidden, e.NotFound),
            ),
        },
    ),
]
