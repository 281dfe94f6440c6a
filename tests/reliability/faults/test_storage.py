"""Storage unreachable (moto's S3 behind a cut link): the photo routes that touch the
bucket answer 503 retryable, every other route serves, and photos work again once the
link is back, in the same app."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import pytest

from fieldedge.signing import storage_signing_key
from fieldedge_adapters.sql import database_from_url
from fieldedge_adapters.storage import storage_from_url
from fixtures.app import SECRET, open_api
from fixtures.identity_api import bearer
from fixtures.images import JPEG, PNG

from .conftest import FAULT_POOL, TIMEOUT_S, Shop, build_shop, proxy_for
from .proxy import FaultProxy

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(60)]


def s3_through(s3_url: str, port: int) -> str:
    parts = urlsplit(s3_url)
    query = dict(parse_qsl(parts.query)) | {"endpoint_url": f"http://127.0.0.1:{port}"}
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


@pytest.fixture
async def s3_proxy(moto_server: str) -> AsyncIterator[FaultProxy]:
    async with proxy_for(moto_server) as proxy:
        yield proxy


@pytest.fixture
async def team(
    clean_postgres_url: str, s3_url: str, s3_proxy: FaultProxy, tmp_path: Path
) -> AsyncIterator[Shop]:
    db = database_from_url(clean_postgres_url, **FAULT_POOL)
    storage = storage_from_url(
        s3_through(s3_url, s3_proxy.port),
        timeout_s=3,
        signing_key=storage_signing_key(SECRET),
        public_base_url="http://x",
    )
    try:
        async with open_api(db, tmp_path, storage=storage) as api:
            api.client.timeout = httpx.Timeout(TIMEOUT_S)
            yield await build_shop(api)
    finally:
        s3_proxy.cut()
        await asyncio.wait_for(db.close(), TIMEOUT_S)


def unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    error = response.json()["error"]
    assert error["retryable"] is True, error


async def upload(shop: Shop, visit_id: str, data: bytes) -> httpx.Response:
    return await shop.api.client.post(
        f"/api/v1/visits/{visit_id}/photos",
        files={"file": ("photo.jpg", data, "image/jpeg")},
        headers=bearer(shop.rep),
    )


async def call(shop: Shop, method: str, path: str, body: Any = None) -> httpx.Response:
    return await shop.api.client.request(method, path, json=body, headers=bearer(shop.rep))


async def test_storage_cut_photo_routes_503_the_rest_serve_and_it_recovers(
    team: Shop, s3_proxy: FaultProxy
) -> None:
    checked_in = await call(
        team,
        "POST",
        "/api/v1/visits",
        {"contactId": team.contact, "latitude": 18.52, "longitude": 73.85, "accuracyM": 12},
    )
    assert checked_in.status_code == 201, checked_in.text
    visit = checked_in.json()["data"]
    base = f"/api/v1/visits/{visit['id']}/photos"
    before = await upload(team, visit["id"], JPEG)
    assert before.status_code == 201, before.text
    stored: dict[str, Any] = before.json()["data"]
    ticket = await call(team, "POST", f"{base}/upload-url", {"contentType": "image/png"})
    assert ticket.status_code == 201, ticket.text
    pending = ticket.json()["data"]
    async with httpx.AsyncClient(timeout=TIMEOUT_S) as outside:
        put = await outside.put(pending["uploadUrl"], content=PNG, headers=pending["headers"])
    assert put.status_code == 200, put.text

    s3_proxy.cut()
    unavailable(await upload(team, visit["id"], JPEG))
    unavailable(await call(team, "POST", f"{base}/{pending['photoId']}/complete"))
    read = await team.api.client.get(f"{base}/{stored['id']}", headers=bearer(team.admin))
    # A read on S3 is a signed redirect made without a call to the bucket.
    assert read.status_code == 307, read.text
    # Everything that does not touch the bucket serves.
    assert (await call(team, "GET", f"/api/v1/visits/{visit['id']}")).status_code == 200
    assert (await call(team, "GET", "/api/v1/contacts")).status_code == 200
    assert (await call(team, "GET", "/api/v1/visits")).status_code == 200
    created = await call(team, "POST", "/api/v1/contacts", {"name": "Second Clinic"})
    assert created.status_code == 201, created.text
    assert (await team.order("during-the-cut")).status_code == 201
    rows = await team.api.sql("SELECT status FROM visit_photos ORDER BY id")
    assert sorted(r[0] for r in rows) == ["PENDING", "READY"]  # the cut upload left nothing

    s3_proxy.restore()
    after = await upload(team, visit["id"], JPEG)
    assert after.status_code == 201, after.text
    done = await call(team, "POST", f"{base}/{pending['photoId']}/complete")
    assert done.status_code == 200, done.text
    company = (await call(team, "GET", "/api/v1/auth/me")).json()["data"]["user"]["companyId"]
    fetched = await team.api.deps.storage.get(
        f"{company}/visits/{visit['id']}/{after.json()['data']['id']}.jpg"
    )
    assert fetched.data == JPEG
    rows = await team.api.sql("SELECT status FROM visit_photos")
    assert [r[0] for r in rows] == ["READY"] * 3
