"""Two instances on one Postgres and one Redis behave as one.

Two processes of the Cloud Run entry (the container's command), each with its own pool,
KV client and memory, share a database and a Redis; every check sends its requests to
both. If any guarantee lived in one process's memory, the second instance would break it:
the login limit would double, a replayed write would run twice, a logged-out token would
still work on the other instance, order numbers would repeat, a cursor from one would not
resume on the other.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from fixtures.database import run_async, truncate_all
from fixtures.identity_api import bearer

from .processes import SECRET, TIMEOUT_S, company, data, start, stop

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow, pytest.mark.timeout(120)]

EMAIL_LIMIT = 4


@pytest.fixture(scope="module")
def bases(
    migrated_postgres_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[list[str]]:
    """Both instances, started once for the module: each test makes a company of its own."""
    run_async(lambda: truncate_all(migrated_postgres_url))
    tmp_path = tmp_path_factory.mktemp("two-instances")
    env = {
        "FIELDEDGE_ENV": "prod",
        "JWT_SECRET": SECRET,
        "DATABASE_URL": migrated_postgres_url,
        "KV_URL": redis_url,
        "STORAGE_URL": f"file://{tmp_path}/storage",
        # Each test speaks from an address of its own (below), so other tests sharing
        # this Redis and 127.0.0.1 never meet its counters.
        "TRUSTED_PROXIES": "127.0.0.1",
        "RATE_AUTH_EMAIL_PER_MIN": str(EMAIL_LIMIT),
    }
    started = [start(env) for _ in range(2)]
    try:
        yield [base for _, base in started]
    finally:
        for process, _ in started:
            stop(process)


@pytest.fixture
async def clients(bases: list[str]) -> AsyncIterator[list[httpx.AsyncClient]]:
    ip = f"198.51.100.{uuid.uuid4().int % 250 + 1}"
    headers = {"X-Forwarded-For": ip}
    a = httpx.AsyncClient(base_url=bases[0], headers=headers, timeout=TIMEOUT_S)
    b = httpx.AsyncClient(base_url=bases[1], headers=headers, timeout=TIMEOUT_S)
    async with a, b:
        yield [a, b]


async def test_the_login_limit_is_one_count_across_instances(
    clients: list[httpx.AsyncClient],
) -> None:
    a, b = clients
    # An address nobody has logged in with yet: every attempt below is one of the count.
    wrong = {"email": f"ghost-{uuid.uuid4().hex[:8]}@example.com", "password": "wrong-phrase"}
    codes = [
        (await (a if i % 2 else b).post("/api/v1/auth/login", json=wrong)).status_code
        for i in range(EMAIL_LIMIT + 2)
    ]
    # Alternating instances: with a counter per process each would allow EMAIL_LIMIT.
    assert codes == [401] * EMAIL_LIMIT + [429, 429]


async def test_a_write_sent_to_both_at_once_runs_once(clients: list[httpx.AsyncClient]) -> None:
    a, b = clients
    tenant = await company(a, b)
    headers = bearer(tenant["rep"]) | {"Idempotency-Key": f"order-{uuid.uuid4()}"}
    body = {
        "contactId": tenant["contact"],
        "items": [{"productId": tenant["product"], "quantity": 2}],
    }
    first, second = await asyncio.gather(
        a.post("/api/v1/orders", json=body, headers=headers),
        b.post("/api/v1/orders", json=body, headers=headers),
    )
    codes = sorted([first.status_code, second.status_code])
    # The second either waited and replayed the first's answer or was told to retry.
    assert codes in ([201, 201], [201, 409]), (first.text, second.text)
    done = first if first.status_code == 201 else second
    for client in (a, b):  # a retry on either instance replays the one order
        replay = await client.post("/api/v1/orders", json=body, headers=headers)
        assert data(replay, 201)["id"] == done.json()["data"]["id"]
    listed = data(await b.get("/api/v1/orders", headers=bearer(tenant["rep"])))
    assert [o["id"] for o in listed] == [done.json()["data"]["id"]]


async def test_a_logout_on_one_ends_the_token_on_the_other(
    clients: list[httpx.AsyncClient],
) -> None:
    a, b = clients
    tenant = await company(a, b)
    token = bearer(tenant["rep"])
    assert (await a.get("/api/v1/auth/me", headers=token)).status_code == 200
    out = await b.post(
        "/api/v1/auth/logout", json={"refreshToken": tenant["rep_refresh"]}, headers=token
    )
    assert out.status_code in (200, 204), out.text
    for client in (a, b):
        assert (await client.get("/api/v1/auth/me", headers=token)).status_code == 401


async def test_order_numbers_never_repeat_across_instances(
    clients: list[httpx.AsyncClient],
) -> None:
    a, b = clients
    tenant = await company(a, b)
    body = {
        "contactId": tenant["contact"],
        "items": [{"productId": tenant["product"], "quantity": 1}],
    }
    headers = bearer(tenant["rep"])
    made = await asyncio.gather(
        *(c.post("/api/v1/orders", json=body, headers=headers) for c in (a, b) * 6)
    )
    numbers = sorted(data(response, 201)["number"] for response in made)
    assert numbers == [f"ORD-{n:06d}" for n in range(1, 13)]


async def test_a_cursor_from_one_resumes_on_the_other(clients: list[httpx.AsyncClient]) -> None:
    a, b = clients
    tenant = await company(a, b)
    headers = bearer(tenant["rep"])
    snapshot = data(await a.post("/api/v1/sync/pull", json={"cursor": None}, headers=headers))
    while snapshot["hasMore"]:  # bounded by the few rows this company has
        snapshot = data(
            await a.post("/api/v1/sync/pull", json={"cursor": snapshot["cursor"]}, headers=headers)
        )
    contact = str(uuid.uuid4())
    push = {
        "clientId": str(uuid.uuid4()),
        "mutations": [
            {
                "id": 1,
                "entity": "contact",
                "op": "create",
                "entityId": contact,
                "data": {"name": "Shree Stores"},
            },
        ],
    }
    pushed = data(await b.post("/api/v1/sync/push", json=push, headers=headers))
    assert pushed["results"][0]["status"] == "applied", pushed
    # The cursor A issued resumes on B and hands out exactly the change B applied.
    after = data(
        await b.post("/api/v1/sync/pull", json={"cursor": snapshot["cursor"]}, headers=headers)
    )
    upserted = [row["id"] for row in after["changes"]["contacts"]["upserted"]]
    assert upserted == [contact]
    again = data(
        await a.post("/api/v1/sync/pull", json={"cursor": after["cursor"]}, headers=headers)
    )
    assert again["changes"]["contacts"]["upserted"] == []
