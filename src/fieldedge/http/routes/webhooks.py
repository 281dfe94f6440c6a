"""``/api/v1/webhooks``: an ADMIN's signed webhook endpoints, their delivery log, a test
ping, redelivery of one event and secret rotation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from fieldedge import errors as e
from fieldedge.domain.webhooks import WebhookEndpoint
from fieldedge.http.body import read_json, read_query
from fieldedge.http.deps import deps_of
from fieldedge.http.envelope import ok
from fieldedge.http.guard import principal_of
from fieldedge.http.lists import ListQuery, page_response
from fieldedge.http.paths import path_id
from fieldedge.http.routes.webhook_schemas import (
    DeliveryOut,
    RedeliveredOut,
    RotateSecretBody,
    SubscribeBody,
    UpdateWebhookBody,
    WebhookOut,
    WebhookSecretOut,
)
from fieldedge.http.schemas import DeletedOut
from fieldedge.http.spec import Operation, Resource
from fieldedge.http.views import render
from fieldedge.services.webhooks import endpoints

TAGS = ("webhooks",)


def _with_secret(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {**render(WebhookOut, endpoint), "secret": endpoint.secret}


async def list_route(request: Request) -> Response:
    query = read_query(request, ListQuery)
    page = await endpoints.list_endpoints(
        principal_of(request), query.cursor, query.limit, deps_of(request)
    )
    return page_response(request, page, WebhookOut, query.fields)


async def create_route(request: Request) -> Response:
    body = await read_json(request, SubscribeBody)
    cmd = endpoints.Subscribe(body.url, body.event_types, body.statuses, body.description)
    endpoint = await endpoints.subscribe(principal_of(request), cmd, deps_of(request))
    return ok(request, _with_secret(endpoint), status=201)


async def get_route(request: Request) -> Response:
    endpoint = await endpoints.get_endpoint(
        principal_of(request), path_id(request), deps_of(request)
    )
    return ok(request, render(WebhookOut, endpoint))


async def update_route(request: Request) -> Response:
    body = await read_json(request, UpdateWebhookBody)
    changes = body.model_dump(include=body.model_fields_set)
    endpoint = await endpoints.update_endpoint(
        principal_of(request), path_id(request), changes, deps_of(request)
    )
    return ok(request, render(WebhookOut, endpoint))


async def delete_route(request: Request) -> Response:
    endpoint = await endpoints.delete_endpoint(
        principal_of(request), path_id(request), deps_of(request)
    )
    return ok(request, render(DeletedOut, endpoint))


async def rotate_route(request: Request) -> Response:
    body = await read_json(request, RotateSecretBody)
    endpoint = await endpoints.rotate_secret(
        principal_of(request),
        path_id(request),
        timedelta(hours=body.overlap_hours),
        deps_of(request),
    )
    return ok(request, _with_secret(endpoint))


async def ping_route(request: Request) -> Response:
    delivery = await endpoints.ping(principal_of(request), path_id(request), deps_of(request))
    return ok(request, render(DeliveryOut, delivery))


async def deliveries_route(request: Request) -> Response:
    query = read_query(request, ListQuery)
    page = await endpoints.deliveries(
        principal_of(request), path_id(request), query.cursor, query.limit, deps_of(request)
    )
    return page_response(request, page, DeliveryOut, query.fields)


async def redeliver_route(request: Request) -> Response:
    event = await endpoints.redeliver(
        principal_of(request),
        path_id(request),
        path_id(request, "delivery_id"),
        deps_of(request),
    )
    return ok(request, event, status=202)


_READ: dict[str, Any] = {"tags": TAGS, "rate_class": "read", "errors": (e.Forbidden, e.NotFound)}
_WRITE: dict[str, Any] = {
    "tags": TAGS,
    "rate_class": "write",
    "errors": (e.Forbidden, e.NotFound, e.ValidationFailed),
}

routes = [
    Resource(
        "/api/v1/webhooks",
        {
            "GET": Operation(
                list_route,
                "List the company's webhook endpoints (ADMIN)",
                query=ListQuery,
                response=WebhookOut,
                many=True,
                tags=TAGS,
                rate_class="read",
                errors=(e.Forbidden, e.ValidationFailed),
            ),
            "POST": Operation(
                create_route,
                "Subscribe an endpoint to event types; its signing secret is in this answer",
                body=SubscribeBody,
                response=WebhookSecretOut,
                status=201,
                **_WRITE,
            ),
        },
    ),
    Resource(
        "/api/v1/webhooks/{id}",
        {
            "GET": Operation(get_route, "Read an endpoint", response=WebhookOut, **_READ),
            "PATCH": Operation(
                update_route,
                "Change an endpoint (url, eventTypes, statuses, description, active)",
                body=UpdateWebhookBody,
                response=WebhookOut,
                **_WRITE,
            ),
            "DELETE": Operation(
                delete_route,
                "Delete an endpoint: nothing more is sent to it (its log stays)",
                response=DeletedOut,
                **_WRITE,
            ),
        },
    ),
    Resource(
        "/api/v1/webhooks/{id}/rotate-secret",
        {
            "POST": Operation(
                rotate_route,
                "A new signing secret; the old one signs too for overlapHours",
                body=RotateSecretBody,
                response=WebhookSecretOut,
                **_WRITE,
            ),
        },
    ),
    Resource(
        "/api/v1/webhooks/{id}/test",
        {
            "POST": Operation(
                ping_route,
                "Send a signed webhook.ping now; the answer is the logged delivery",
                response=DeliveryOut,
                **_WRITE,
            ),
        },
    ),
    Resource(
        "/api/v1/webhooks/{id}/deliveries",
        {
            "GET": Operation(
                deliveries_route,
                "The endpoint's delivery log, newest first (one row per attempt)",
                query=ListQuery,
                response=DeliveryOut,
                many=True,
                tags=TAGS,
                rate_class="read",
                errors=(e.Forbidden, e.NotFound, e.ValidationFailed),
            ),
        },
    ),
    Resource(
        "/api/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver",
        {
            "POST": Operation(
                redeliver_route,
                "Queue one logged event again (same webhook-id), with its own retries",
                response=RedeliveredOut,
                status=202,
                **_WRITE,
            ),
        },
    ),
]
