"""One KV per adapter, for the contract suite: memory always, Redis and the Upstash
protocol server whenever ``FIELDEDGE_TEST_REDIS_URL`` is set (skipped locally, failing
in CI otherwise)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from fieldedge.ports.kv import KeyValue
from fieldedge_adapters.kv import kv_from_url

TIMEOUT_S = 2.0


def build_kv(kind: str, request: pytest.FixtureRequest) -> KeyValue:
    if kind == "memory":
        return kv_from_url("memory://", timeout_s=TIMEOUT_S)
    if kind == "redis":
        return kv_from_url(request.getfixturevalue("redis_url"), timeout_s=TIMEOUT_S)
    server = request.getfixturevalue("upstash_server")
    return kv_from_url(
        "upstash://", timeout_s=TIMEOUT_S, upstash_url=server.url, upstash_token=server.token
    )


@pytest.fixture(params=["memory", "redis", "upstash"])
async def kv(request: pytest.FixtureRequest) -> AsyncIterator[KeyValue]:
    store = build_kv(request.param, request)
    try:
        yield store
    finally:
        await store.close()


@pytest.fixture
def key(redis_prefix: str) -> str:
    """A key of this test's own: tests share one Redis."""
    return f"{redis_prefix}k"
