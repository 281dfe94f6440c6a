"""``/api/v1/products``: the catalogue. ADMIN and MANAGER write; a rep sees active products.

Every successful write also moves the catalogue cache to a new version from a background
task, which Starlette runs after the response, so after an idempotent write's single
commit too (inside ``Idempotency-Key`` handling the service's own commit is only a
savepoint; a bump before the real commit could let a reader cache the old rows under the
new version).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import StringConstraints
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response

from fieldedge import errors as e
from fieldedge.http.body import read_json, read_query
from fieldedge.http.deps import deps_of
from fieldedge.http.envelope import ok
from fieldedge.http.guard import principal_of
from fieldedge.http.lists import ListQuery, page_response
from fieldedge.http.paths import path_id
from fieldedge.http.routes.fieldforce_schemas import (
    CreateProductBody,
    ProductOut,
    UpdateProductBody,
)
from fieldedge.http.schemas import DeletedOut
from fieldedge.http.spec import Operation, Resource
from fieldedge.http.views import render
from fieldedge.services import catalogue_cache
from fieldedge.services.products import (
    CreateProduct,
    create_product,
    delete_product,
    get_product,
    list_products,
    update_product,
)

TAGS = ("products",)


class ProductQuery(ListQuery):
    q: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
        | None
    ) = None
    active: bool | None = None


def _after_commit(request: Request, response: Response) -> Response:
    deps = deps_of(request)
    response.background = BackgroundTask(
        catalogue_cache.invalidate, deps.kv, principal_of(request).tenant
    )
    return response


async def list_route(request: Request) -> Response:
    query = read_query(request, ProductQuery)
    page = await list_products(
        principal_of(request), query.active, query.q, query.cursor, query.limit, deps_of(request)
    )
    return page_response(request, page, ProductOut, query.fields)


async def create_route(request: Request) -> Response:
    body = await read_json(request, CreateProductBody)
    product = await create_product(
        principal_of(request), CreateProduct(**body.model_dump()), deps_of(request)
    )
    return _after_commit(request, ok(request, render(ProductOut, product), status=201))


async def get_route(request: Request) -> Response:
    product = await get_product(principal_of(request), path_id(request), deps_of(request))
    return ok(request, render(ProductOut, product))


async def update_route(request: Request) -> Response:
    body = await read_json(request, UpdateProductBody)
    changes = body.model_dump(include=body.model_fields_set)
    product = await update_product(
        principal_of(request), path_id(request), changes, deps_of(request)
    )
    return _after_commit(request, ok(request, render(ProductOut, product)))


async def delete_route(request: Request) -> Response:
    product = await delete_product(principal_of(request), path_id(request), deps_of(request))
    return _after_commit(request, ok(request, render(DeletedOut, product)))


_READ: dict[str, Any] = {"tags": TAGS, "rate_class": "read", "errors": (e.Forbidden,)}
_WRITE: dict[str, Any] = {
    "tags": TAGS,
    "rate_class": "write",
    "errors": (e.Forbidden, e.NotFound, e.Conflict, e.ValidationFailed),
}

routes = [
    Resource(
        "/api/v1/products",
        {
            "GET": Operation(
                list_route,
                "List products (a rep sees active ones); served from the KV cache",
                query=ProductQuery,
                response=ProductOut,
                many=True,
                **_READ,
            ),
            "POST": Operation(
                create_route,
                "Create a product (sku unique in the company)",
                body=CreateProductBody,
                response=ProductOut,
                status=201,
                **_WRITE,
            ),
        },
    ),
    Resource(
        "/api/v1/products/{id}",
        {
            "GET": Operation(
                get_route,
                "Read a product",
                response=ProductOut,
                **{**_READ, "errors": (e.Forbidden, e.NotFound)},
            ),
            "PATCH": Operation(
                update_route,
                "Edit a product",
                body=UpdateProductBody,
                response=ProductOut,
                **_WRITE,
            ),
            "DELETE": Operation(
                delete_route,
                "Delete a product (a tombstone; old orders keep it)",
                response=DeletedOut,
                **_WRITE,
            ),
        },
    ),
]
