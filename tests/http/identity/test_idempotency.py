"""Idempotency-Key on writes: replay byte for byte, refuse reuse, never write twice."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fixtures.app import client_for
from fixtures.identity_api import PASSWORD, Api, bearer


def new_user(email: str) -> dict[str, Any]:
    return {"name": "Rep", "email": email, "role": "SALES_REP", "password": PASSWORD}


async def post_user(
    api: Api, token: str, body: dict[str, Any], key: str, header: str = "Idempotency-Key"
) -> httpx.Response:
    return await api.client.post("/api/v1/users", json=body, headers={**bearer(token), header: key})


async def count(api: Api, email: str) -> int:
    return int((await api.sql("SELECT count(*) FROM users WHERE email = :e", e=email))[0][0])


async def test_a_replay_returns_the_first_response_byte_for_byte(api: Api) -> None:
    admin = (await api.register())["accessToken"]
    first = await post_user(api, admin, new_user("once@example.com"), "key-1")
    again = await post_user(api, admin, new_user("once@example.com"), "key-1")
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert again.headers["x-request-id"] == first.json()["meta"]["requestId"]
    assert await count(api, "once@example.com") == 1


async def test_the_x_prefixed_header_works_too(api: Api) -> None:
    admin = (await api.register())["accessToken"]
    first = await post_user(api, admin, new_user("x@example.com"), "k", "X-Idempotency-Key")
    again = await post_user(api, admin, new_user("x@example.com"), "k", "X-Idempotency-Key")
    assert again.content == first.content
    assert await count(api, "x@example.com") == 1


async def test_the_same_key_with_another_body_is_refused(api: Api) -> None:
    admin = (await api.register())["accessToken"]
    await post_user(api, admin, new_user("a@example.com"), "key-2")
    other = await post_user(api, admin, new_user("b@example.com"), "key-2")
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert await count(api, "b@example.com") == 0


async def test_the_same_json_in_another_key_order_is_the_same_request(api: Api) -> None:
    admin = (await api.register())["accessToken"]
    body = new_user("order@example.com")
    await post_user(api, admin, body, "key-3")
    reordered = dict(reversed(list(body.items())))
    again = await post_user(api, admin, reordered, "key-3")
    assert again.headers.get("idempotent-replayed") == "true"


async def test_a_key_over_255_characters_is_422_and_writes_nothing(api: Api) -> None:
    admin = (await api.register())["accessToken"]
    response = await post_user(api, admin, new_user("long@example.com"), "k" * 256)
    assert response.status_code == 422
    assert "Idempotency-Key" in response.json()["error"]["details"]
    assert await count(api, "long@example.com") == 0


async def test_a_refused_request_is_not_recorded(api: Api) -> None:
    admin = (await api.register())["accessToken"]
    bad = await post_user(api, admin, {**new_user("fix@example.com"), "role": "KING"}, "key-4")
    assert bad.status_code == 422
    fixed = await post_user(api, admin, new_user("fix@example.com"), "key-4")
    assert fixed.status_code == 201
    assert "idempotent-replayed" not in fixed.headers


async def test_keys_belong_to_their_user(api: Api) -> None:
    a = (await api.register())["accessToken"]
    b = (await api.register())["accessToken"]
    first = await post_user(api, a, new_user("ua@example.com"), "shared-key")
    second = await post_user(api, b, new_user("ub@example.com"), "shared-key")
    assert first.status_code == second.status_code == 201
    assert "idempotent-replayed" not in second.headers


async def test_concurrent_duplicates_write_once(api: Api) -> None:
    admin = (await api.register())["accessToken"]
    responses = await asyncio.gather(
        *(post_user(api, admin, new_user("race@example.com"), "race-key") for _ in range(8))
    )
    statuses = sorted(r.status_code for r in responses)
    assert set(statuses) <= {201, 409}
    assert statuses.count(201) >= 1
    for response in responses:
        if response.status_code == 409:
            assert response.json()["error"]["code"] == "IDEMPOTENCY_IN_PROGRESS"
            assert response.json()["error"]["retryable"] is True
    originals = [r for r in responses if r.status_code == 201]
    assert len({r.json()["data"]["id"] for r in originals}) == 1
    assert await count(api, "race@example.com") == 1


class DropFirstResponse:
    """The server commits, then the connection dies before the response leaves: the first
    response's messages never reach the client, which sees a reset connection."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.dropped = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.dropped:
            await self.app(scope, receive, send)
            return
        self.dropped = True

        async def lost(message: Message) -> None:
            return None

        await self.app(scope, receive, lost)
        raise ConnectionResetError("the connection died before the response was sent")


async def test_a_crash_after_commit_then_a_retry_gives_one_write_and_the_response(
    api: Api,
) -> None:
    admin = (await api.register())["accessToken"]
    flaky = DropFirstResponse(api.app)
    async with client_for(flaky) as client:  # type: ignore[arg-type]
        with pytest.raises(ConnectionResetError):
            await client.post(
                "/api/v1/users",
                json=new_user("crash@example.com"),
                headers={**bearer(admin), "Idempotency-Key": "crash-key"},
            )
        retry = await client.post(
            "/api/v1/users",
            json=new_user("crash@example.com"),
            headers={**bearer(admin), "Idempotency-Key": "crash-key"},
        )
    assert retry.status_code == 201
    assert retry.headers["idempotent-replayed"] == "true"
    assert await count(api, "crash@example.com") == 1
    stored = await api.sql("SELECT id FROM users WHERE email = 'crash@example.com'")
    assert str(stored[0][0]).replace("-", "") == retry.json()["data"]["id"].replace("-", "")


async def test_records_expire_after_24_hours_and_the_sweep_removes_them(api: Api) -> None:
    from fieldedge.services.outbox.sweep import sweep

    admin = (await api.register())["accessToken"]
    await post_user(api, admin, new_user("old@example.com"), "old-key")
    api.clock.advance(23 * 3600)
    assert (await sweep(api.deps))["idempotency_records"] == 0
    api.clock.advance(2 * 3600)
    # Expired: the key starts afresh (another body is not a reuse any more).
    admin = (
        await api.tokens((await api.sql("SELECT email FROM users WHERE role = 'ADMIN'"))[0][0])
    )["accessToken"]
    fresh = await post_user(api, admin, new_user("new@example.com"), "old-key")
    assert fresh.status_code == 201
    assert "idempotent-replayed" not in fresh.headers
    api.clock.advance(25 * 3600)
    assert (await sweep(api.deps))["idempotency_records"] == 1
