"""``create_app(deps)``: the whole HTTP app from a container of ports, no I/O at build time."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute

from fieldedge.http.errors import EXCEPTION_HANDLERS
from fieldedge.http.middleware.access_log import AccessLogMiddleware
from fieldedge.http.middleware.body_limit import BodyLimitMiddleware
from fieldedge.http.middleware.client_address import ClientAddressMiddleware
from fieldedge.http.middleware.errors import ErrorMiddleware
from fieldedge.http.middleware.outbox import OutboxKickMiddleware
from fieldedge.http.middleware.request_id import RequestIdMiddleware
from fieldedge.http.middleware.schema_gate import SchemaGateMiddleware
from fieldedge.http.middleware.security import SecurityMiddleware
from fieldedge.http.router import IndexedRouter
from fieldedge.http.routes import analytics as analytics_routes
from fieldedge.http.routes import (
    api_keys,
    attendance,
    auth,
    beats,
    company,
    contacts,
    docs,
    expenses,
    files,
    health,
    held_photos,
    imports,
    orders,
    outbox,
    payments,
    photos,
    plans,
    products,
    pwa,
    sync,
    targets,
    territories,
    users,
    visits,
    webhooks,
    work_order_attachments,
)
from fieldedge.http.routes import equipment as equipment_routes
from fieldedge.http.routes import maintenance as maintenance_routes
from fieldedge.http.routes import reports as report_routes
from fieldedge.http.routes import sites as site_routes
from fieldedge.http.routes import work_orders as work_order_routes
from fieldedge.services.deps import Deps

Lifespan = Callable[[Starlette], AbstractAsyncContextManager[Any]]


def api_routes() -> list[BaseRoute]:
    return [
        *health.routes,
        *auth.routes,
        *users.routes,
        *company.routes,
        *files.routes,
        *outbox.routes,
        *contacts.routes,
        *products.routes,
        *visits.routes,
        *photos.routes,
        *orders.routes,
        *payments.routes,
        *attendance.routes,
        *expenses.routes,
        *held_photos.routes,
        *territories.routes,
        *targets.routes,
        *beats.routes,
        *plans.routes,
        *site_routes.routes,
        *equipment_routes.routes,
        *work_order_routes.routes,
        *maintenance_routes.routes,
        *sync.routes,
        *api_keys.routes,
        *webhooks.routes,
        *analytics_routes.routes,
        *work_order_attachments.routes,
        *imports.routes,
        *report_routes.routes,
    ]


def create_app(
    deps: Deps, *, lifespan: Lifespan | None = None, check_schema: bool = False
) -> Starlette:
    """Build the app. ``lifespan`` lets an entry adapter own opening and closing resources;
    ``check_schema`` makes the app itself refuse to serve a schema that is behind (for
    entries that cannot refuse to start, such as Lambda)."""
    settings = deps.settings
    routes = [*api_routes(), *docs.docs_routes(), *pwa.pwa_routes()]
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(ClientAddressMiddleware, trusted_proxies=settings.trusted_proxies),
            Middleware(RequestIdMiddleware),
            Middleware(AccessLogMiddleware, slow_request_ms=settings.slow_request_ms),
            Middleware(
                SecurityMiddleware, cors_origins=settings.cors_origins, docs_path=docs.DOCS_PATH
            ),
            Middleware(
                BodyLimitMiddleware,
                max_json_bytes=settings.max_json_bytes,
                max_upload_bytes=settings.max_upload_bytes,
            ),
            Middleware(ErrorMiddleware),
            *([Middleware(SchemaGateMiddleware, db=deps.db)] if check_schema else []),
            # Innermost: kicks the outbox once the response is out (OUTBOX_INLINE).
            *([Middleware(OutboxKickMiddleware, deps=deps)] if settings.outbox_inline else []),
        ],
        exception_handlers=EXCEPTION_HANDLERS,
    )
    # The same routes and lifespan, matched by path prefix (router.py): the middleware
    # stack is built on the first request, from whatever router the app then holds.
    app.router = IndexedRouter(routes, lifespan=lifespan)
    app.state.deps = deps
    app.state.started = time.monotonic()
    return app
