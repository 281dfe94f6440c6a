"""Two companies with a little of everything, written through the public API (so every
table holds rows the way users make them), for the export and import tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx

from fieldedge.ports.database import Database
from fieldedge.ports.storage import ObjectStore
from fieldedge_adapters.sql import database_from_url
from fixtures.app import open_api as shared_open_api
from fixtures.database import POOL
from fixtures.identity_api import Api, bearer

T = TypeVar("T")
PUNE = (18.5204, 73.8567)


@dataclass
class Tenant:
    api: Api
    company_id: str
    name: str
    tokens: dict[str, str] = field(default_factory=dict)  # admin, mgr, rep
    ids: dict[str, str] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)

    async def post(self, who: str, path: str, body: dict[str, Any]) -> httpx.Response:
        return await self.api.client.post(path, json=body, headers=bearer(self.tokens[who]))

    async def made(self, who: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.post(who, path, body)
        assert response.status_code == 201, response.text
        return dict(response.json()["data"])


async def build_tenant(api: Api, name: str, phone: str) -> Tenant:
    """An ADMIN, a MANAGER and a rep; a contact, a product, a visit, an approved order
    with a payment: at least one row in every table an export holds."""
    admin = await api.register(company=name)
    token = admin["accessToken"]
    me = (await api.me(token)).json()["data"]["user"]
    tenant = Tenant(api=api, company_id=me["companyId"], name=name)
    tenant.tokens["admin"], tenant.ids["admin"], tenant.emails["admin"] = (
        token,
        me["id"],
        admin["email"],
    )
    for key, role in (("mgr", "MANAGER"), ("rep", "SALES_REP")):
        extra = {"managerId": tenant.ids["mgr"]} if key == "rep" else {}
        user = await api.create_user(token, role, name=f"{name} {key}", **extra)
        tenant.ids[key], tenant.emails[key] = user["id"], user["email"]
        tenant.tokens[key] = (await api.tokens(user["email"]))["accessToken"]
    territory = await tenant.made("mgr", "/api/v1/territories", {"name": f"{name} west"})
    contact = await tenant.made(
        "rep",
        "/api/v1/contacts",
        {"name": f"{name} clinic", "type": "DOCTOR", "phone": phone, "latitude": PUNE[0],
         "longitude": PUNE[1], "territoryId": territory["id"]},
    )  # fmt: skip
    product = await tenant.made(
        "admin", "/api/v1/products", {"sku": "PEN", "name": "Pen", "unitPrice": 1000}
    )
    location = {"latitude": PUNE[0], "longitude": PUNE[1], "accuracyM": 10}
    await tenant.made("rep", "/api/v1/visits", {"contactId": contact["id"], **location})
    order = await tenant.made(
        "rep",
        "/api/v1/orders",
        {"contactId": contact["id"], "items": [{"productId": product["id"], "quantity": 2}]},
    )
    approve = await api.client.patch(
        f"/api/v1/orders/{order['id']}",
        json={"status": "APPROVED"},
        headers=bearer(tenant.tokens["admin"]),
    )
    assert approve.status_code == 200, approve.text
    await tenant.made(
        "rep", "/api/v1/payments", {"orderId": order["id"], "amount": 500, "method": "CASH"}
    )
    return tenant


@asynccontextmanager
async def open_api(
    db: Database, tmp_path: Path, storage: ObjectStore | None = None
) -> AsyncIterator[Api]:
    """An app over ``db`` with inline outbox dispatch off: the tests run the dispatcher
    themselves, so what it does is seen, not raced."""
    async with shared_open_api(db, tmp_path, storage=storage, outbox_inline=False) as api:
        yield api


async def with_api(database_url: str, tmp_path: Path, work: Callable[[Api], Awaitable[T]]) -> T:
    """``work`` on an app over a database of its own (for sync tests driving the CLI,
    which runs its own event loop: call it through ``run_async``)."""
    db = database_from_url(database_url, **POOL)
    try:
        async with open_api(db, tmp_path) as api:
            return await work(api)
    finally:
        await db.close()
