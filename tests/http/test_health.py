"""Health: every dependency probed; degraded without KV, storage or mail; 503 without the DB."""

from __future__ import annotations

from collections.abc import Callable

from starlette.applications import Starlette

from fakes import FakeDatabase
from fieldedge_adapters.kv import kv_from_url
from fixtures.app import client_for


async def test_all_up_is_healthy(fake_app: Callable[..., Starlette]) -> None:
    async with client_for(fake_app()) as client:
        response = await client.get("/api/health")
    data = response.json()["data"]
    assert response.status_code == 200
    assert data["status"] == "healthy"
    assert set(data["services"]) == {"database", "kv", "storage", "mail"}
    for service in data["services"].values():
        assert service["status"] == "up"
        assert service["latencyMs"] >= 0
    assert data["services"]["kv"]["adapter"] == "memory"
    assert data["uptimeS"] >= 0
    assert data["version"]


async def test_kv_down_is_degraded_but_200(fake_app: Callable[..., Starlette]) -> None:
    # A Redis URL on a port nothing listens on: the real adapter, really failing.
    app = fake_app(kv=kv_from_url("redis://127.0.0.1:9/0", timeout_s=0.2))
    async with client_for(app) as client:
        response = await client.get("/api/health")
    data = response.json()["data"]
    assert response.status_code == 200
    assert data["status"] == "degraded"
    assert data["services"]["kv"]["status"] == "down"
    assert data["services"]["database"]["status"] == "up"


async def test_database_down_is_unhealthy_503(fake_app: Callable[..., Starlette]) -> None:
    db = FakeDatabase()
    db.switch.down = True
    async with client_for(fake_app(db=db)) as client:
        response = await client.get("/api/health")
    body = response.json()
    assert response.status_code == 503
    assert body["success"] is False
    assert body["error"]["code"] == "SERVICE_UNAVAILABLE"
    assert body["error"]["retryable"] is True
    assert body["error"]["details"]["status"] == "unhealthy"
    assert body["error"]["details"]["services"]["database"]["status"] == "down"
    assert int(response.headers["retry-after"]) >= 1


async def test_live_touches_no_dependency(fake_app: Callable[..., Starlette]) -> None:
    db = FakeDatabase()
    db.switch.down = True
    async with client_for(fake_app(db=db)) as client:
        response = await client.get("/api/health/live")
    assert response.status_code == 200
