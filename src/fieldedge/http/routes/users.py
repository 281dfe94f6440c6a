"""``/api/v1/users``: ADMIN manages the company's users; a MANAGER reads their team."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from starlette.requests import Request
from starlette.responses import Response

from fieldedge import errors as e
from fieldedge.domain.identity import Role
from fieldedge.http.body import read_json, read_query
from fieldedge.http.deps import deps_of
from fieldedge.http.envelope import ok
from fieldedge.http.guard import principal_of
from fieldedge.http.lists import ListQuery, page_response
from fieldedge.http.paths import path_id
from fieldedge.http.routes.identity_schemas import CreateUserBody, UpdateUserBody, UserOut
from fieldedge.http.spec import Operation, Resource
from fieldedge.http.views import render
from fieldedge.services.users.manage import (
    UNSET,
    CreateUser,
    UpdateUser,
    UserFilter,
    create_user,
    deactivate_user,
    get_user,
    list_users,
    update_user,
)

TAGS = ("users",)


class UserQuery(ListQuery):
    role: Role | None = None
    manager_id: UUID | None = None
    active: bool | None = None
    q: str | None = None


async def list_route(request: Request) -> Response:
    query = read_query(request, UserQuery)
    filters = UserFilter(
        role=query.role, manager_id=query.manager_id, active=query.active, q=query.q
    )
    page = await list_users(
        principal_of(request), filters, query.cursor, query.limit, deps_of(request)
    )
    return page_response(request, page, UserOut, query.fields)


async def create_route(request: Request) -> Response:
    body = await read_json(request, CreateUserBody)
    user = await create_user(
        principal_of(request), CreateUser(**body.model_dump()), deps_of(request)
    )
    return ok(request, render(UserOut, user), status=201)


async def get_route(request: Request) -> Response:
    user = await get_user(principal_of(request), path_id(request), deps_of(request))
    return ok(request, render(UserOut, user))


async def update_route(request: Request) -> Response:
    body = await read_json(request, UpdateUserBody)
    manager = body.manager_id if "manager_id" in body.model_fields_set else UNSET
    cmd = UpdateUser(name=body.name, role=body.role, manager_id=manager, active=body.active)
    user = await update_user(principal_of(request), path_id(request), cmd, deps_of(request))
    return ok(request, render(UserOut, user))


async def delete_route(request: Request) -> Response:
    user = await deactivate_user(principal_of(request), path_id(request), deps_of(request))
    return ok(request, render(UserOut, user))


_READ: dict[str, Any] = {"tags": TAGS, "rate_class": "read", "errors": (e.Forbidden,)}
_WRITE: dict[str, Any] = {
    "tags": TAGS,
    "rate_class": "write",
    "errors": (e.Forbidden, e.NotFound, e.Conflict),
}

routes = [
    Resource(
        "/api/v1/users",
        {
            "GET": Operation(
                list_route,
                "List users (a MANAGER sees their team)",
                query=UserQuery,
                response=UserOut,
                many=True,
                **_READ,
            ),
            "POST": Operation(
                create_route,
                "Create a user, or invite one by email (no password)",
                body=CreateUserBody,
                response=UserOut,
                status=201,
                **_WRITE,
            ),
        },
    ),
    Resource(
        "/api/v1/users/{id}",
        {
            "GET": Operation(
                get_route,
                "Read a user",
                response=UserOut,
                **{**_READ, "errors": (e.Forbidden, e.NotFound)},
            ),
            "PATCH": Operation(
                update_route,
                "Edit a user (name, role, manager, active)",
                body=UpdateUserBody,
                response=UserOut,
                **_WRITE,
            ),
            "DELETE": Operation(
                delete_route,
                "Deactivate a user (their sessions end at once)",
                response=UserOut,
                **_WRITE,
            ),
        },
    ),
]
