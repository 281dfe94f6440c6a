"""The database cut mid-run, and every connection killed at once (Postgres restarted under
load): requests answer 503 retryable, never 500; the same app recovers once the database
is back; and nothing is half-written."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from fixtures.identity_api import Api, bearer

from .conftest import Shop, build_shop
from .proxy import FaultProxy

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(60)]
WAVE = 12
RECOVERY_TRIES = 50  # bounded: the pool's connect timeout bounds each try


def assert_retryable_503(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    error = response.json()["error"]
    assert (error["code"], error["retryable"]) == ("SERVICE_UNAVAILABLE", True)
    assert response.headers["Retry-After"].isdigit()


async def until_ok(shop: Shop) -> httpx.Response:
    for _ in range(RECOVERY_TRIES):
        response = await shop.api.client.get("/api/v1/orders", headers=bearer(shop.rep))
        if response.status_code == 200:
            return response
        assert_retryable_503(response)
        await asyncio.sleep(0.1)
    raise AssertionError("the app did not recover once the database was back")


async def consistent(api: Api, acknowledged: dict[str, dict[str, Any]]) -> None:
    """Every acknowledged order is stored whole (its line, its number); the numbers have
    no gap, so no cut-off write left its number drawn or half its rows behind."""
    import json

    rows = await api.sql("SELECT id::text, number, items FROM orders ORDER BY number")
    stored = {row[0]: row for row in rows}
    for order in acknowledged.values():
        assert stored[order["id"]][1] == order["number"]
    for row in rows:
        items = row[2] if isinstance(row[2], list) else json.loads(row[2])
        assert [item["quantity"] for item in items] == [2], items
    assert [row[1] for row in rows] == [f"ORD-{n:06d}" for n in range(1, len(rows) + 1)]


async def wave(shop: Shop, keys: list[str]) -> list[httpx.Response]:
    return list(await asyncio.gather(*(shop.order(key) for key in keys)))


async def wave_under_fault(
    shop: Shop, keys: list[str], fault: Callable[[], None], after_s: float
) -> dict[str, dict[str, Any]]:
    """Orders under ``keys`` at once, ``fault`` struck while they run; the acknowledged
    ones by key (every other answer must be a retryable 503)."""
    running = asyncio.ensure_future(wave(shop, keys))
    await asyncio.sleep(after_s)
    fault()
    responses = await asyncio.wait_for(running, 30)
    acknowledged = {}
    for key, response in zip(keys, responses, strict=True):
        if response.status_code == 201:
            acknowledged[key] = response.json()["data"]
        else:
            assert_retryable_503(response)
    return acknowledged


async def test_database_cut_mid_run_is_503_then_recovers_whole(
    pg_api: Api, pg_proxy: FaultProxy
) -> None:
    shop = await build_shop(pg_api)
    keys = [str(uuid.uuid4()) for _ in range(WAVE)]
    acknowledged = await wave_under_fault(shop, keys, pg_proxy.cut, 0.05)
    down = await shop.api.client.get("/api/v1/contacts", headers=bearer(shop.rep))
    assert_retryable_503(down)
    assert_retryable_503(await shop.order(str(uuid.uuid4())))

    pg_proxy.restore()
    await until_ok(shop)
    await consistent(pg_api, acknowledged)
    # Retrying every key of the wave applies each write once: acknowledged ones replay.
    retried = await wave(shop, keys)
    assert [r.status_code for r in retried] == [201] * WAVE, [r.text for r in retried]
    for key, response in zip(keys, retried, strict=True):
        if key in acknowledged:
            assert response.json()["data"]["id"] == acknowledged[key]["id"]
            assert response.headers.get("Idempotent-Replayed") == "true"
        acknowledged[key] = response.json()["data"]
    await consistent(pg_api, acknowledged)
    assert len(await pg_api.sql("SELECT id FROM orders")) == WAVE


async def test_every_connection_killed_at_once_the_pool_recovers(
    pg_api: Api, pg_proxy: FaultProxy
) -> None:
    shop = await build_shop(pg_api)
    acknowledged: dict[str, dict[str, Any]] = {}
    for round_ in range(3):
        keys = [str(uuid.uuid4()) for _ in range(WAVE)]
        # A restart: every open connection drops at once, new ones work.
        kill = pg_proxy.kill_connections
        acknowledged |= await wave_under_fault(shop, keys, kill, 0.02 * (round_ + 1))
    await until_ok(shop)
    # The same app instance serves again on fresh connections, and wrote nothing by halves.
    after = await shop.order(str(uuid.uuid4()))
    assert after.status_code == 201, after.text
    await consistent(pg_api, acknowledged)
