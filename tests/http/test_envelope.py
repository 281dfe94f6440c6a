"""The envelope, error codes, limits and headers every route shares."""

from __future__ import annotations

import re
from collections.abc import Callable

from starlette.applications import Starlette

from fixtures.app import client_for

SECURITY = {
    "strict-transport-security",
    "x-content-type-options",
    "x-frame-options",
    "content-security-policy",
    "referrer-policy",
    "permissions-policy",
}


async def test_live_answers_in_the_envelope(fake_app: Callable[..., Starlette]) -> None:
    async with client_for(fake_app()) as client:
        response = await client.get("/api/health/live")
    body = response.json()
    assert response.status_code == 200
    assert body["success"] is True
    assert body["data"]["status"] == "alive"
    assert re.fullmatch(r"req_[0-9a-f]{32}", body["meta"]["requestId"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", body["meta"]["timestamp"])
    assert response.headers["x-request-id"] == body["meta"]["requestId"]
    assert set(response.headers) >= SECURITY
    assert response.headers["x-frame-options"] == "DENY"
    assert (
        response.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
    )


async def test_a_sane_request_id_is_kept_and_a_bad_one_replaced(
    fake_app: Callable[..., Starlette],
) -> None:
    async with client_for(fake_app()) as client:
        kept = await client.get("/api/health/live", headers={"X-Request-ID": "abc.DEF_1-2"})
        too_long = await client.get("/api/health/live", headers={"X-Request-ID": "a" * 129})
        evil = await client.get("/api/health/live", headers={"X-Request-ID": "a b<script>"})
    assert kept.headers["x-request-id"] == "abc.DEF_1-2"
    assert kept.json()["meta"]["requestId"] == "abc.DEF_1-2"
    for response in (too_long, evil):
        assert response.headers["x-request-id"].startswith("req_")


async def test_unknown_route_is_404_in_the_envelope(fake_app: Callable[..., Starlette]) -> None:
    async with client_for(fake_app()) as client:
        response = await client.get("/api/v1/nothing-here")
    body = response.json()
    assert response.status_code == 404
    assert body["success"] is False
    assert body["error"] == {"code": "NOT_FOUND", "message": "No such route.", "retryable": False}
    assert set(response.headers) >= SECURITY
    assert response.headers["x-request-id"] == body["meta"]["requestId"]


async def test_wrong_method_is_405_with_allow(fake_app: Callable[..., Starlette]) -> None:
    async with client_for(fake_app()) as client:
        response = await client.delete("/api/health")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "METHOD_NOT_ALLOWED"
    assert set(response.headers["allow"].split(", ")) == {"GET", "HEAD"}


async def test_body_over_the_json_cap_is_413_before_the_route(
    fake_app: Callable[..., Starlette],
) -> None:
    async with client_for(fake_app()) as client:
        response = await client.post(
            "/api/health",
            content=b"{" + b" " * (1024 * 1024 + 10) + b"}",
            headers={"content-type": "application/json"},
        )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"


async def test_a_bad_content_length_is_400(fake_app: Callable[..., Starlette]) -> None:
    async with client_for(fake_app()) as client:
        response = await client.post("/api/health", content=b"{}", headers={"content-length": "-5"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "MALFORMED_REQUEST"


async def test_cors_allows_listed_origins_only(fake_app: Callable[..., Starlette]) -> None:
    app = fake_app(cors_origins="https://app.example.com")
    preflight = {"Access-Control-Request-Method": "POST"}
    async with client_for(app) as client:
        good = await client.get("/api/health/live", headers={"Origin": "https://app.example.com"})
        bad = await client.get("/api/health/live", headers={"Origin": "https://evil.example"})
        good_pre = await client.options(
            "/api/v1/orders", headers={"Origin": "https://app.example.com", **preflight}
        )
        bad_pre = await client.options(
            "/api/v1/orders", headers={"Origin": "https://evil.example", **preflight}
        )
    assert good.headers["access-control-allow-origin"] == "https://app.example.com"
    assert "x-request-id" in good.headers["access-control-expose-headers"].lower()
    assert "access-control-allow-origin" not in bad.headers
    assert good_pre.status_code == 204
    assert "Idempotency-Key" in good_pre.headers["access-control-allow-headers"]
    assert bad_pre.status_code == 403
    assert bad_pre.json()["error"]["code"] == "FORBIDDEN"
    assert "access-control-allow-origin" not in bad_pre.headers
