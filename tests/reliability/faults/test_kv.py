"""The KV (Redis) unreachable: every route still serves, health says degraded, and
revocation fails closed to the database (a logged-out session's token stays refused)."""

from __future__ import annotations

import uuid

import httpx
import pytest

from fixtures.identity_api import Api, bearer

from .conftest import build_shop
from .proxy import FaultProxy

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.timeout(60)]


def ok(response: httpx.Response, status: int = 200) -> httpx.Response:
    assert response.status_code == status, response.text
    return response


async def test_kv_down_every_route_serves_and_health_is_degraded(
    kv_api: Api, redis_proxy: FaultProxy
) -> None:
    shop = await build_shop(kv_api)  # the KV is up: limits and caches were written there
    assert redis_proxy.connections > 0
    redis_proxy.cut()
    client, rep = kv_api.client, bearer(shop.rep)
    health = ok(await client.get("/api/health"))
    assert health.json()["data"]["status"] == "degraded"
    assert health.json()["data"]["services"]["kv"]["status"] != "up"
    ok(await kv_api.login(shop.rep_email))
    ok(await kv_api.me(shop.rep))
    ok(await client.get("/api/v1/contacts", headers=rep))
    ok(await client.get("/api/v1/products", headers=rep))
    ok(await client.get("/api/v1/orders", headers=rep))
    ok(await client.get("/api/v1/visits", headers=rep))
    ok(await client.post("/api/v1/contacts", json={"name": "Kiosk"}, headers=rep), 201)
    key = str(uuid.uuid4())
    first = ok(await shop.order(key), 201)
    replay = ok(await shop.order(key), 201)
    assert replay.json()["data"]["id"] == first.json()["data"]["id"]
    assert len(await kv_api.sql("SELECT id FROM orders")) == 1
    product = {"sku": "PAD", "name": "Notepad", "unitPrice": 4999}
    ok(await client.post("/api/v1/products", json=product, headers=bearer(shop.admin)), 201)
    listed = ok(await client.get("/api/v1/products", headers=rep)).json()["data"]
    assert sorted(p["sku"] for p in listed) == ["PAD", "PEN"]  # no stale cache while down

    redis_proxy.restore()
    ok(await client.get("/api/v1/contacts", headers=rep))


async def logout(api: Api, session: dict[str, str]) -> httpx.Response:
    return await api.client.post(
        "/api/v1/auth/logout",
        json={"refreshToken": session["refreshToken"]},
        headers=bearer(session["accessToken"]),
    )


async def test_kv_down_revocation_fails_closed(kv_api: Api, redis_proxy: FaultProxy) -> None:
    shop = await build_shop(kv_api)
    before = await kv_api.tokens(shop.rep_email)  # logged out while the KV is up
    ok(await logout(kv_api, before))
    during = await kv_api.tokens(shop.rep_email)
    redis_proxy.cut()
    # Logged out while the KV is down: the mark goes to the database only.
    ok(await logout(kv_api, during))
    for token in (before["accessToken"], during["accessToken"]):
        refused = await kv_api.me(token)
        assert refused.status_code == 401, refused.text
    ok(await kv_api.me(shop.rep))  # a live session still works
    redis_proxy.restore()
    for token in (before["accessToken"], during["accessToken"]):
        assert (await kv_api.me(token)).status_code == 401
