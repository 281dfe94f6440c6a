"""Signed local-storage URLs, end to end through the app: what a PWA client does in dev."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from starlette.applications import Starlette

from fieldedge.http import create_app
from fieldedge.ports.storage import ObjectStore
from fieldedge.services.deps import Deps
from fieldedge_adapters.storage import storage_from_url
from fixtures.app import client_for

PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 256
KEY = "c0ffee/visits/v1/photo 1.png"

BuildApp = Callable[..., Starlette]


def _local(url: str) -> str:
    """The path and query of a signed URL: the app is reached in process, not by host."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def _storage(app: Starlette) -> ObjectStore:
    deps: Deps = app.state.deps
    return deps.storage


async def test_upload_then_download_through_signed_urls(fake_app: BuildApp) -> None:
    app = fake_app()
    storage = _storage(app)
    upload = await storage.presign_put(KEY, content_type="image/png", expires_s=300)

    async with client_for(app) as client:
        put = await client.put(_local(upload.url), content=PNG, headers=upload.headers)
        got = await client.get(_local(await storage.presign_get(KEY, expires_s=300)))

    assert put.status_code == 200
    assert put.json()["success"] is True
    assert put.json()["data"] is None
    assert got.status_code == 200
    assert got.content == PNG
    assert got.headers["content-type"] == "image/png"
    assert got.headers["cache-control"] == "private, no-store"
    assert (await storage.get(KEY)).data == PNG


async def _refused(app: Starlette, method: str, url: str, **kwargs: object) -> None:
    async with client_for(app) as client:
        response = await client.request(method, _local(url), **kwargs)  # type: ignore[arg-type]
    assert response.status_code == 401
    error = response.json()["error"]
    assert (error["code"], error["message"]) == ("INVALID_TOKEN", "signature invalid or expired")


async def test_upload_with_another_content_type_is_refused(fake_app: BuildApp) -> None:
    app = fake_app()
    upload = await _storage(app).presign_put(KEY, content_type="image/png", expires_s=300)

    await _refused(
        app, "PUT", upload.url, content=b"<script>", headers={"Content-Type": "text/html"}
    )
    assert await _storage(app).head(KEY) is None


async def test_expired_url_is_refused(fake_app: BuildApp) -> None:
    app = fake_app()
    await _storage(app).put(KEY, PNG, content_type="image/png")

    await _refused(app, "GET", await _storage(app).presign_get(KEY, expires_s=-1))


async def test_tampered_url_is_refused(fake_app: BuildApp) -> None:
    app = fake_app()
    await _storage(app).put(KEY, PNG, content_type="image/png")
    await _storage(app).put("c0ffee/other.png", b"secret", content_type="image/png")
    url = await _storage(app).presign_get(KEY, expires_s=300)

    await _refused(app, "GET", url.replace("photo%201.png", "../other.png"))
    await _refused(app, "GET", url.replace("photo%201.png", "other.png"))
    await _refused(app, "GET", url.split("&sig=")[0] + "&sig=" + "0" * 64)
    await _refused(app, "GET", url.split("?")[0])


async def test_a_download_url_cannot_upload(fake_app: BuildApp) -> None:
    app = fake_app()
    await _storage(app).put(KEY, PNG, content_type="image/png")
    url = await _storage(app).presign_get(KEY, expires_s=300)

    await _refused(app, "PUT", url, content=b"overwrite", headers={"Content-Type": "image/png"})
    assert (await _storage(app).get(KEY)).data == PNG


async def test_signed_url_for_a_missing_object_is_not_found(fake_app: BuildApp) -> None:
    app = fake_app()
    url = await _storage(app).presign_get("c0ffee/never-uploaded.png", expires_s=300)

    async with client_for(app) as client:
        response = await client.get(_local(url))

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"


async def test_upload_over_the_cap_is_too_large(fake_app: BuildApp) -> None:
    app = fake_app(max_upload_bytes=1024)
    upload = await _storage(app).presign_put(KEY, content_type="image/png", expires_s=300)

    async with client_for(app) as client:
        response = await client.put(_local(upload.url), content=b"x" * 2048, headers=upload.headers)

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"
    assert await _storage(app).head(KEY) is None


async def test_routes_answer_404_when_storage_is_s3(fake_app: BuildApp, s3_url: str) -> None:
    local = fake_app()
    signed = await _storage(local).presign_get(KEY, expires_s=300)
    s3 = storage_from_url(s3_url, timeout_s=5, signing_key=b"k", public_base_url="http://x")
    app = create_app(dataclasses.replace(local.state.deps, storage=s3))
    try:
        async with client_for(app) as client:
            response = await client.get(_local(signed))
    finally:
        await s3.close()

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize("method", ["POST", "DELETE"])
async def test_other_methods_are_not_allowed(fake_app: BuildApp, method: str) -> None:
    async with client_for(fake_app()) as client:
        response = await client.request(method, "/api/files/a/b.png")

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "METHOD_NOT_ALLOWED"
