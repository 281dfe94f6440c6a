"""Products over HTTP on every backend: who writes, what a rep sees, SKU clashes, integer
money, and the KV catalogue cache (served from the cache, invalidated by a write in this
process or another, and bypassed when the KV is down)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from fieldedge.ports.database import Database
from fieldedge_adapters.kv import kv_from_url
from fieldforce.conftest import Team, build_team, open_api
from fixtures.identity_api import Api, bearer
from fixtures.services import free_port

PRODUCTS = "/api/v1/products"


async def test_admin_and_manager_write_a_rep_may_not(team: Team) -> None:
    pen = await team.product("admin", sku="  PEN-1 ", description="Blue ink")
    assert (pen["sku"], pen["unitPrice"], pen["taxRateBp"], pen["active"]) == (
        "PEN-1",
        1250,
        1800,
        True,
    )
    pad = await team.product("mgr_a", sku="PAD-1", unitPrice=0)
    assert pad["unitPrice"] == 0
    refused = await team.post("rep_a1", PRODUCTS, {"sku": "X", "name": "X", "unitPrice": 1})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "FORBIDDEN"
    assert await team.count("products") == 2
    assert "product.created" in await team.audit_actions()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"unitPrice": -1}, "unitPrice"),
        ({"unitPrice": 12.5}, "unitPrice"),
        ({"unitPrice": "100"}, "unitPrice"),
        ({"taxRateBp": 10_001}, "taxRateBp"),
        ({"sku": "   "}, "sku"),
        ({"colour": "red"}, "colour"),
    ],
)
async def test_bad_product_input_is_refused_and_nothing_written(
    team: Team, body: dict[str, object], field: str
) -> None:
    payload = {"sku": "PEN-1", "name": "Gel pen", "unitPrice": 1250, **body}
    response = await team.post("admin", PRODUCTS, payload)
    assert response.status_code == 422, response.text
    assert field in response.json()["error"]["details"]
    assert await team.count("products") == 0


async def test_an_integral_number_is_the_integer(team: Team) -> None:
    # JSON Schema's integer, as the OpenAPI document says: 10.0 is 10, 10.5 is refused above.
    created = await team.post("admin", PRODUCTS, {"sku": "PEN-1", "name": "Pen", "unitPrice": 10.0})
    assert created.status_code == 201, created.text
    assert created.json()["data"]["unitPrice"] == 10


async def test_the_list_is_served_from_the_cache_until_a_write(team: Team) -> None:
    pen = await team.product()
    first = await team.get("rep_a1", PRODUCTS)
    assert first.json()["data"][0]["unitPrice"] == 1250
    # Behind the API's back: the cached page still answers, proving it is a cache hit.
    await team.execute("UPDATE products SET unit_price = 999")
    cached = await team.get("rep_a1", PRODUCTS)
    assert cached.json()["data"][0]["unitPrice"] == 1250
    # A write through the API moves the catalogue version: the next read is fresh.
    await team.patch("admin", f"{PRODUCTS}/{pen['id']}", {"name": "Gel pen, blue"})
    fresh = (await team.get("rep_a1", PRODUCTS)).json()["data"][0]
    assert (fresh["name"], fresh["unitPrice"]) == ("Gel pen, blue", 999)
    await team.product(sku="PAD-1")
    assert len((await team.get("rep_a1", PRODUCTS)).json()["data"]) == 2


@pytest.fixture
async def redis_apps(
    db: Database, tmp_path: Path, redis_url: str
) -> AsyncIterator[tuple[Api, Api]]:
    """Two apps (two processes' worth of state) over one database and one Redis."""
    async with (
        open_api(db, tmp_path / "a", kv=kv_from_url(redis_url, timeout_s=2)) as api_a,
        open_api(db, tmp_path / "b", kv=kv_from_url(redis_url, timeout_s=2)) as api_b,
    ):
        yield api_a, api_b


async def test_a_write_in_one_process_invalidates_the_other(redis_apps: tuple[Api, Api]) -> None:
    api_a, api_b = redis_apps
    team = await build_team(api_a)
    pen = await team.product()
    token = team.tokens["rep_a1"]
    seen = await api_b.client.get(PRODUCTS, headers=bearer(token))
    assert [p["unitPrice"] for p in seen.json()["data"]] == [1250]
    await team.patch("admin", f"{PRODUCTS}/{pen['id']}", {"unitPrice": 1400})
    again = await api_b.client.get(PRODUCTS, headers=bearer(token))
    assert [p["unitPrice"] for p in again.json()["data"]] == [1400]
    # The version the other process reads really is in the shared Redis.
    version = await api_b.deps.kv.get(f"fe:{team.company_id}:products:ver")
    assert version is not None
    assert await api_a.deps.kv.get(f"fe:{team.company_id}:products:ver") == version


@pytest.fixture
async def kv_down_api(db: Database, tmp_path: Path) -> AsyncIterator[Api]:
    """The app with its KV pointed at a port nothing listens on."""
    dead = kv_from_url(f"redis://127.0.0.1:{free_port()}/0", timeout_s=1)
    async with open_api(db, tmp_path, kv=dead) as opened:
        yield opened


async def test_the_catalogue_answers_while_the_kv_is_down(kv_down_api: Api) -> None:
    team = await build_team(kv_down_api)
    pen = await team.product()
    listed = await team.get("rep_a1", PRODUCTS)
    assert listed.status_code == 200, listed.text
    assert [p["id"] for p in listed.json()["data"]] == [pen["id"]]
    edited = await team.patch("admin", f"{PRODUCTS}/{pen['id']}", {"unitPrice": 1300})
    assert edited.status_code == 200
    again = await team.get("rep_a1", PRODUCTS)
    assert again.json()["data"][0]["unitPrice"] == 1300
