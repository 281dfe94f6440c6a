"""Fault fixtures: a proxy in front of a real service, and an app whose adapters go through it.

Every await here is bounded; the proxy aborts its transports and cancels its tasks on stop.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from fieldedge.http import create_app
from fieldedge_adapters.sql import database_from_url
from fixtures.app import client_for, make_deps
from fixtures.database import run_async, truncate_all
from fixtures.identity_api import PASSWORD, Api, bearer

from .proxy import FaultProxy

TIMEOUT_S = 10.0
# A short pool wait and connect timeout: with the database cut, requests fail fast.
FAULT_POOL: dict[str, Any] = dict(
    pool_size=3,
    max_overflow=5,
    pool_timeout_s=2.0,
    connect_timeout_s=2.0,
    statement_timeout_ms=5_000,
)


def through(url: str, proxy: FaultProxy) -> str:
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)
    netloc = (host[0] + "@" if len(host) == 2 else "") + f"127.0.0.1:{proxy.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


async def open_proxy(url: str) -> FaultProxy:
    parts = urlsplit(url)
    proxy = FaultProxy(parts.hostname or "127.0.0.1", parts.port or 0)
    return await asyncio.wait_for(proxy.start(), TIMEOUT_S)


@asynccontextmanager
async def proxy_for(url: str) -> AsyncIterator[FaultProxy]:
    """A started proxy in front of ``url``, stopped (bounded) on exit."""
    proxy = await open_proxy(url)
    try:
        yield proxy
    finally:
        await proxy.stop()


@pytest.fixture
def clean_postgres_url(migrated_postgres_url: str) -> str:
    run_async(lambda: truncate_all(migrated_postgres_url))
    return migrated_postgres_url


@pytest.fixture
async def pg_proxy(clean_postgres_url: str) -> AsyncIterator[FaultProxy]:
    async with proxy_for(clean_postgres_url) as proxy:
        yield proxy


@dataclass
class Shop:
    """A company with an ADMIN and a rep, a contact of the rep's and a product."""

    api: Api
    admin: str = ""
    rep: str = ""
    rep_email: str = ""
    contact: str = ""
    product: str = ""
    orders: dict[str, Any] = field(default_factory=dict)

    async def order(self, key: str) -> httpx.Response:
        body = {"contactId": self.contact, "items": [{"productId": self.product, "quantity": 2}]}
        headers = bearer(self.rep) | {"Idempotency-Key": key}
        return await self.api.client.post("/api/v1/orders", json=body, headers=headers)


async def build_shop(api: Api) -> Shop:
    shop = Shop(api)
    shop.admin = (await api.register())["accessToken"]
    user = await api.create_user(shop.admin, "SALES_REP")
    shop.rep_email = user["email"]
    shop.rep = (await api.tokens(user["email"], PASSWORD))["accessToken"]
    product = await api.client.post(
        "/api/v1/products",
        json={"sku": "PEN", "name": "Gel pen", "unitPrice": 1250},
        headers=bearer(shop.admin),
    )
    assert product.status_code == 201, product.text
    shop.product = product.json()["data"]["id"]
    contact = await api.client.post(
        "/api/v1/contacts", json={"name": "Corner Shop"}, headers=bearer(shop.rep)
    )
    assert contact.status_code == 201, contact.text
    shop.contact = contact.json()["data"]["id"]
    return shop


@pytest.fixture
async def pg_api(
    clean_postgres_url: str, pg_proxy: FaultProxy, tmp_path: Path
) -> AsyncIterator[Api]:
    """An app whose database connections all go through ``pg_proxy``."""
    from fakes import FixedClock

    db = database_from_url(through(clean_postgres_url, pg_proxy), **FAULT_POOL)
    clock = FixedClock(at=datetime.now(UTC).replace(microsecond=0))
    deps = make_deps(tmp_path, db, clock=clock, outbox_inline=False)
    app = create_app(deps)
    try:
        async with client_for(app) as client:
            client.timeout = httpx.Timeout(TIMEOUT_S)
            yield Api(app, deps, client, clock)
    finally:
        pg_proxy.cut()  # nothing may wait on a half-open link while the pool closes
        await asyncio.wait_for(db.close(), TIMEOUT_S)
        await deps.kv.close()
        await deps.storage.close()
        await deps.mailer.close()


@pytest.fixture
async def redis_proxy(redis_url: str) -> AsyncIterator[FaultProxy]:
    async with proxy_for(redis_url) as proxy:
        yield proxy


@pytest.fixture
async def kv_api(
    clean_postgres_url: str, redis_url: str, redis_proxy: FaultProxy, tmp_path: Path
) -> AsyncIterator[Api]:
    """The app as the composition root builds it, on Postgres and on Redis through
    ``redis_proxy`` (its KV guarded by the breaker and timeout it runs with)."""
    from fakes import FixedClock
    from fieldedge_handlers.bootstrap import build_deps, close_deps
    from fixtures.app import test_settings

    settings = test_settings(
        database_url=clean_postgres_url,
        kv_url=through(redis_url, redis_proxy),
        storage_url=f"file://{tmp_path}/storage",
        outbox_inline=False,
        breaker_cooldown_s=1.0,
        # Tests on one Redis reuse emails and 127.0.0.1: limits are not under test here.
        rate_auth_email_per_min=10_000,
        rate_auth_ip_per_min=10_000,
    )
    deps = build_deps(settings)
    app = create_app(deps)
    clock = FixedClock(at=datetime.now(UTC).replace(microsecond=0))
    try:
        async with client_for(app) as client:
            client.timeout = httpx.Timeout(TIMEOUT_S)
            yield Api(app, deps, client, clock)
    finally:
        redis_proxy.cut()
        await asyncio.wait_for(close_deps(deps), TIMEOUT_S)
