"""A company to take orders in: an ADMIN, two managers, three reps, contacts and a
catalogue. Contacts and products are written straight through the unit of work (set-up,
not the behaviour under test), so these tests stand on the order and payment routes only.

Import ``shop_fixture`` and ``shop_api_fixture`` into a test module to use ``shop``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest

from fakes import FixedClock
from fieldedge.domain.contacts import Contact, ContactType
from fieldedge.domain.products import Product
from fieldedge.http import create_app
from fieldedge.ports.database import Database, Scope
from fixtures.app import client_for, make_deps
from fixtures.identity_api import Api, bearer


@dataclass
class Shop:
    api: Api
    company_id: UUID
    tokens: dict[str, str] = field(default_factory=dict)  # admin, mgr_a, mgr_b, rep_a1, ...
    ids: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)
    contacts: dict[str, str] = field(default_factory=dict)  # rep name -> their contact id
    products: dict[str, str] = field(default_factory=dict)  # sku -> id

    @property
    def client(self) -> httpx.AsyncClient:
        return self.api.client

    async def post(self, who: str, path: str, body: dict[str, Any]) -> httpx.Response:
        return await self.client.post(path, json=body, headers=bearer(self.tokens[who]))

    async def patch(self, who: str, path: str, body: dict[str, Any]) -> httpx.Response:
        return await self.client.patch(path, json=body, headers=bearer(self.tokens[who]))

    async def get(self, who: str, path: str, **params: Any) -> httpx.Response:
        return await self.client.get(path, params=params, headers=bearer(self.tokens[who]))

    async def order(self, who: str = "rep_a1", **body: Any) -> dict[str, Any]:
        """A PENDING order by ``who`` for their contact: 2 x PEN (12.50 + 18%) + 1 x PAD."""
        payload = {
            "contactId": body.pop("contactId", None) or self.contacts[who],
            "items": [
                {"productId": self.products["PEN"], "quantity": 2},
                {"productId": self.products["PAD"], "quantity": 1},
            ],
            **body,
        }
        response = await self.post(who, "/api/v1/orders", payload)
        assert response.status_code == 201, response.text
        return dict(response.json()["data"])

    async def move(self, who: str, order_id: str, status: str, **body: Any) -> httpx.Response:
        return await self.patch(who, f"/api/v1/orders/{order_id}", {"status": status, **body})

    async def relogin(self) -> None:
        """Fresh access tokens for everyone, after the test moved the clock past them."""
        for who, email in self.emails.items():
            self.tokens[who] = (await self.api.tokens(email))["accessToken"]

    async def count(self, table: str) -> int:
        return int((await self.api.sql(f"SELECT count(*) FROM {table}"))[0][0])


PRODUCTS = (  # sku, name, unit price (paise), tax rate (bp), active
    ("PEN", "Gel pen", 1250, 1800, True),
    ("PAD", "Notepad A5", 4999, 1200, True),
    ("INK", "Ink refill", 333, 500, True),
    ("OLD", "Discontinued diary", 9900, 1800, False),
)


async def _login(api: Api, admin: str, key: str, shop: Shop, role: str, **extra: Any) -> None:
    user = await api.create_user(admin, role, name=key.replace("_", " ").title(), **extra)
    shop.ids[key], shop.names[key], shop.emails[key] = user["id"], user["name"], user["email"]
    shop.tokens[key] = (await api.tokens(user["email"]))["accessToken"]


async def _catalogue(db: Database, shop: Shop, now: datetime) -> None:
    async with db.unit_of_work(Scope.tenant(shop.company_id)) as uow:
        for rep in ("rep_a1", "rep_a2", "rep_b1"):
            contact = Contact(
                id=shop.api.deps.ids.new(),
                company_id=shop.company_id,
                type=ContactType.RETAILER,
                owner_id=UUID(shop.ids[rep]),
                name=f"Shop of {shop.names[rep]}",
                email="buyer@shop.example.com" if rep == "rep_a1" else None,
                city="Pune",
                created_at=now,
                updated_at=now,
            )
            await uow.contacts.add(contact)
            shop.contacts[rep] = str(contact.id)
        for sku, name, price, tax, active in PRODUCTS:
            product = Product(
                id=shop.api.deps.ids.new(),
                company_id=shop.company_id,
                sku=sku,
                name=name,
                unit_price=price,
                tax_rate_bp=tax,
                active=active,
                created_at=now,
                updated_at=now,
            )
            await uow.products.add(product)
            shop.products[sku] = str(product.id)
        await uow.commit()


async def build_shop(api: Api, company: str = "Acme Pharma") -> Shop:
    admin = await api.register(company=company)
    token = admin["accessToken"]
    me = (await api.me(token)).json()["data"]
    shop = Shop(api=api, company_id=UUID(me["user"]["companyId"]))
    shop.tokens["admin"], shop.ids["admin"] = token, me["user"]["id"]
    shop.emails["admin"] = admin["email"]
    await _login(api, token, "mgr_a", shop, "MANAGER")
    await _login(api, token, "mgr_b", shop, "MANAGER")
    await _login(api, token, "rep_a1", shop, "SALES_REP", managerId=shop.ids["mgr_a"])
    await _login(api, token, "rep_a2", shop, "SALES_REP", managerId=shop.ids["mgr_a"])
    await _login(api, token, "rep_b1", shop, "SALES_REP", managerId=shop.ids["mgr_b"])
    await _catalogue(api.deps.db, shop, api.clock.now())
    return shop


@pytest.fixture(name="shop_api")
async def shop_api_fixture(db: Database, tmp_path: Path) -> AsyncIterator[Api]:
    clock = FixedClock(at=datetime.now(UTC).replace(microsecond=0))
    # No inline outbox kick: its task would outlive the test and hold a connection while
    # the database closes. These tests read what was queued, not what was sent.
    deps = make_deps(tmp_path, db, clock=clock, outbox_inline=False)
    app = create_app(deps)
    async with client_for(app) as client:
        yield Api(app, deps, client, clock)
    await deps.kv.close()
    await deps.storage.close()
    await deps.mailer.close()


@pytest.fixture(name="shop")
async def shop_fixture(shop_api: Api) -> Shop:
    return await build_shop(shop_api)
