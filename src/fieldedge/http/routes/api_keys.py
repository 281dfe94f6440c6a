"""``/api/v1/api-keys``: an ADMIN's integration keys (make, list, rotate, revoke)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from fieldedge import errors as e
from fieldedge.http.body import read_json, read_query
from fieldedge.http.deps import deps_of
from fieldedge.http.envelope import ok
from fieldedge.http.guard import principal_of
from fieldedge.http.lists import ListQuery, page_response
from fieldedge.http.paths import path_id
from fieldedge.http.routes.api_key_schemas import (
    ApiKeyOut,
    CreateKeyBody,
    IssuedKeyOut,
    RotateKeyBody,
)
from fieldedge.http.spec import Operation, Resource
from fieldedge.http.views import render
from fieldedge.services import api_keys

TAGS = ("api-keys",)


def _issued(issued: api_keys.IssuedKey) -> dict[str, Any]:
    return {**render(ApiKeyOut, issued.key), "secret": issued.secret}


async def list_route(request: Request) -> Response:
    query = read_query(request, ListQuery)
    page = await api_keys.list_keys(
        principal_of(request), query.cursor, query.limit, deps_of(request)
    )
    return page_response(request, page, ApiKeyOut, query.fields)


async def create_route(request: Request) -> Response:
    body = await read_json(request, CreateKeyBody)
    cmd = api_keys.CreateKey(body.name, body.scopes, body.expires_at)
    issued = await api_keys.create_key(principal_of(request), cmd, deps_of(request))
    return ok(request, _issued(issued), status=201)


async def get_route(request: Request) -> Response:
    key = await api_keys.get_key(principal_of(request), path_id(request), deps_of(request))
    return ok(request, render(ApiKeyOut, key))


async def rotate_route(request: Request) -> Response:
    body = await read_json(request, RotateKeyBody)
    grace = timedelta(hours=body.grace_hours)
    issued = await api_keys.rotate_key(
        principal_of(request), path_id(request), grace, deps_of(request)
    )
    return ok(request, _issued(issued))


async def revoke_route(request: Request) -> Response:
    key = await api_keys.revoke_key(principal_of(request), path_id(request), deps_of(request))
    return ok(request, render(ApiKeyOut, key))


_WRITE: dict[str, Any] = {
    "tags": TAGS,
    "rate_class": "write",
    "errors": (e.Forbidden, e.NotFound, e.ValidationFailed),
}

routes = [
    Resource(
        "/api/v1/api-keys",
        {
            "GET": Operation(
                list_route,
                "List the company's API keys, revoked ones included (ADMIN)",
                query=ListQuery,
                response=ApiKeyOut,
                many=True,
                tags=TAGS,
                rate_class="read",
                errors=(e.Forbidden, e.ValidationFailed),
            ),
            "POST": Operation(
                create_route,
                "Make an API key (ADMIN): the secret is in this answer only",
                body=CreateKeyBody,
                response=IssuedKeyOut,
                status=201,
                **_WRITE,
            ),
        },
    ),
    Resource(
        "/api/v1/api-keys/{id}",
        {
            "GET": Operation(
                get_route,
                "Read an API key (never its secret)",
                response=ApiKeyOut,
                tags=TAGS,
                rate_class="read",
                errors=(e.Forbidden, e.NotFound),
            ),
            "DELETE": Operation(
                revoke_route,
                "Revoke an API key: it stops working at once (its row stays, revokedAt set)",
                response=ApiKeyOut,
                **_WRITE,
            ),
        },
    ),
    Resource(
        "/api/v1/api-keys/{id}/rotate",
        {
            "POST": Operation(
                rotate_route,
                "A new secret (in this answer only); the old one works for graceHours more",
                body=RotateKeyBody,
                response=IssuedKeyOut,
                **_WRITE,
            ),
        },
    ),
]
