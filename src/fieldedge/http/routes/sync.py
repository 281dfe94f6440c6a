"""``/api/v1/sync``: push a device's queued mutations, pull its replica (``docs/sync.md``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import Field, StrictInt
from starlette.requests import Request
from starlette.responses import Response

from fieldedge import errors as e
from fieldedge.domain.sync import MAX_MUTATION_ID, MAX_MUTATIONS, MAX_VERSION, Mutation
from fieldedge.http.body import read_json
from fieldedge.http.deps import deps_of
from fieldedge.http.envelope import ok
from fieldedge.http.fields import INTEGRAL, Time
from fieldedge.http.guard import principal_of
from fieldedge.http.schemas import RequestModel, ResponseModel
from fieldedge.http.spec import Operation, Resource
from fieldedge.http.sync_entities import registry
from fieldedge.services.sync.pull import MAX_LIMIT, pull
from fieldedge.services.sync.push import push

TAGS = ("sync",)
Name = Annotated[str, Field(min_length=1, max_length=40)]


class MutationBody(RequestModel):
    id: Annotated[StrictInt, Field(ge=1, le=MAX_MUTATION_ID), INTEGRAL] = Field(
        description="Counts up by one per client, from 1."
    )
    entity: Name = Field(description="contact | visit | order | payment")
    op: Name = Field(description="create | update | delete")
    entity_id: UUID = Field(description="The row's id; a create's is made by the client.")
    base_version: Annotated[StrictInt, Field(ge=0, le=MAX_VERSION), INTEGRAL] | None = Field(
        default=None, description="An update's: the row's version the client last saw."
    )
    data: dict[str, Any] = Field(
        default_factory=dict, description="The entity's REST create or edit body."
    )
    client_time: Time | None = Field(
        default=None, description="The device's clock when it sent the push."
    )


class PushBody(RequestModel):
    client_id: UUID = Field(description="The device's replica: bound to its user on first push.")
    mutations: Annotated[list[MutationBody], Field(max_length=MAX_MUTATIONS)]


class ConflictOut(ResponseModel):
    field: str
    server_value: Any
    client_value: Any


class MutationErrorOut(ResponseModel):
    code: str
    message: str
    details: dict[str, Any] | None = None


class MutationResultOut(ResponseModel):
    id: int
    status: str = Field(description="applied | duplicate | conflict | rejected")
    entity_id: UUID
    version: int | None
    conflicts: list[ConflictOut]
    record: dict[str, Any] | None
    error: MutationErrorOut | None


class PushOut(ResponseModel):
    last_mutation_id: int
    results: list[MutationResultOut]


class PullBody(RequestModel):
    cursor: Annotated[str, Field(max_length=4000)] | None = Field(
        default=None, description="null: a full snapshot; else the last page's cursor."
    )
    limit: Annotated[StrictInt, Field(ge=1, le=MAX_LIMIT), INTEGRAL] = MAX_LIMIT


class KindChangesOut(ResponseModel):
    upserted: list[dict[str, Any]]
    deleted: list[UUID]


class ChangesOut(ResponseModel):
    users: KindChangesOut
    contacts: KindChangesOut
    visits: KindChangesOut
    photos: KindChangesOut
    products: KindChangesOut
    orders: KindChangesOut
    payments: KindChangesOut


class PullOut(ResponseModel):
    changes: ChangesOut
    cursor: str
    has_more: bool
    server_time: datetime


async def push_route(request: Request) -> Response:
    body = await read_json(request, PushBody)
    mutations = [
        Mutation(
            id=m.id,
            entity=m.entity,
            op=m.op,
            entity_id=m.entity_id,
            base_version=m.base_version,
            data=m.data,
            client_time=m.client_time,
        )
        for m in body.mutations
    ]
    pushed = await push(
        principal_of(request), body.client_id, mutations, registry(), deps_of(request)
    )
    return ok(request, {"lastMutationId": pushed.last_mutation_id, "results": pushed.results})


async def pull_route(request: Request) -> Response:
    body = await read_json(request, PullBody)
    pulled = await pull(
        principal_of(request), body.cursor, body.limit, registry(), deps_of(request)
    )
    return ok(
        request,
        {
            "changes": pulled.changes,
            "cursor": pulled.cursor,
            "hasMore": pulled.has_more,
            "serverTime": pulled.server_time,
        },
    )


routes = [
    Resource(
        "/api/v1/sync/push",
        {
            "POST": Operation(
                push_route,
                "Apply a device's queued mutations, in order, once each",
                body=PushBody,
                response=PushOut,
                tags=TAGS,
                rate_class="sync",
                errors=(e.Forbidden, e.OutOfOrder, e.ValidationFailed),
            )
        },
    ),
    Resource(
        "/api/v1/sync/pull",
        {
            "POST": Operation(
                pull_route,
                "The user's replica: a snapshot from a null cursor, then the changes after it",
                body=PullBody,
                response=PullOut,
                tags=TAGS,
                rate_class="sync",
                idempotent=False,  # a read: a repeated pull is simply served again
                errors=(e.Forbidden, e.ResetRequired, e.ValidationFailed),
            )
        },
    ),
]
