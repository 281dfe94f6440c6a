"""Rate limits held in the real Redis: counted atomically under concurrency, with the
contract's headers on every limited response, and a refused write writes nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx

from fixtures.identity_api import Api, bearer
from guarantees.conftest import unique_email

RATE_HEADERS = ("ratelimit-limit", "ratelimit-remaining", "ratelimit-reset")


def assert_refused(response: httpx.Response) -> None:
    assert response.status_code == 429
    body = response.json()
    assert body["success"] is False
    assert body["error"]["code"] == "RATE_LIMITED"
    assert body["error"]["retryable"] is True
    assert int(response.headers["retry-after"]) >= 1


async def test_fifty_concurrent_reads_against_a_limit_of_ten_let_exactly_ten_through(
    redis_api: Callable[..., Api],
) -> None:
    api = redis_api(rate_read_per_min=10)
    token = (await api.register(unique_email("admin")))["accessToken"]

    responses = await asyncio.gather(
        *(api.client.get("/api/v1/company", headers=bearer(token)) for _ in range(50))
    )

    statuses = [response.status_code for response in responses]
    assert statuses.count(200) == 10
    assert statuses.count(429) == 40
    for response in responses:
        for header in RATE_HEADERS:
            assert header in response.headers, (response.status_code, header)
        assert response.headers["ratelimit-limit"] == "10"
        assert int(response.headers["ratelimit-reset"]) >= 1
    remaining = sorted(int(r.headers["ratelimit-remaining"]) for r in responses if r.is_success)
    assert remaining == list(range(10))  # each allowed hit saw its own count
    for response in responses:
        if response.status_code == 429:
            assert_refused(response)
            assert response.headers["ratelimit-remaining"] == "0"
    assert api.deps.limiter.degraded is False  # decided by Redis, not the fallback


async def test_the_61st_write_in_a_minute_is_refused_and_writes_nothing(
    redis_api: Callable[..., Api],
) -> None:
    api = redis_api()  # the contract's default: 60 writes a minute
    token = (await api.register(unique_email("admin")))["accessToken"]
    for n in range(60):
        response = await api.client.patch(
            "/api/v1/company", json={"name": f"Acme {n}"}, headers=bearer(token)
        )
        assert response.status_code == 200, response.text
        assert response.headers["ratelimit-remaining"] == str(59 - n)
    before = await api.sql("SELECT name, updated_at, change_counter FROM companies")
    audit_before = await api.sql("SELECT count(*) FROM audit_log")
    api.clock.advance(1)  # a write that got through would now stamp a new updated_at

    refused = await api.client.patch(
        "/api/v1/company",
        json={"name": "Refused Ltd"},
        headers={**bearer(token), "Idempotency-Key": "write-61"},
    )

    assert_refused(refused)
    assert refused.headers["ratelimit-limit"] == "60"
    assert await api.sql("SELECT name, updated_at, change_counter FROM companies") == before
    assert await api.sql("SELECT count(*) FROM audit_log") == audit_before
    assert before[0][0] == "Acme 59"
    # Reads have a window of their own: the refused writer can still look.
    read = await api.client.get("/api/v1/company", headers=bearer(token))
    assert read.status_code == 200
    assert read.json()["data"]["name"] == "Acme 59"
