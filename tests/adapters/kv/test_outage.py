"""A KV that is down answers every call with ``DependencyUnavailable("kv")`` within its
timeout, whether nothing listens (refused) or something listens and never answers (hung):
that is what lets rate limits fail open and caches fall through to the database."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

import pytest

from fieldedge.errors import DependencyUnavailable
from fieldedge.ports.kv import KeyValue
from fieldedge_adapters.kv import kv_from_url
from fixtures.upstash import UpstashServer

TIMEOUT_S = 0.3
# Only keeps a broken adapter (one that hangs or sleeps between retries) from hanging
# the suite; the adapter's own timeout is what must answer first.
GUARD_S = 5.0

CALLS: dict[str, Callable[[KeyValue], Awaitable[object]]] = {
    "get": lambda kv: kv.get("k"),
    "set": lambda kv: kv.set("k", b"v", ttl_s=5),
    "set_nx": lambda kv: kv.set("k", b"v", nx=True),
    "delete": lambda kv: kv.delete("k"),
    "incr": lambda kv: kv.incr("k"),
    "incr_ttl": lambda kv: kv.incr("k", ttl_s=5),
    "hit_window": lambda kv: kv.hit_window("k", limit=5, window_s=60),
    "ping": lambda kv: kv.ping(),
}


def down_kv(kind: str, http_url: str) -> KeyValue:
    if kind == "redis":
        port = urlsplit(http_url).port
        return kv_from_url(f"redis://127.0.0.1:{port}/0", timeout_s=TIMEOUT_S)
    return kv_from_url(
        "upstash://", timeout_s=TIMEOUT_S, upstash_url=http_url, upstash_token="token"
    )


@pytest.mark.parametrize("call", CALLS)
@pytest.mark.parametrize("kind", ["redis", "upstash"])
@pytest.mark.parametrize("failure", ["closed_port_url", "silent_port_url"])
async def test_every_call_raises_dependency_unavailable(
    kind: str, failure: str, call: str, request: pytest.FixtureRequest
) -> None:
    kv = down_kv(kind, request.getfixturevalue(failure))
    try:
        async with asyncio.timeout(GUARD_S):
            with pytest.raises(DependencyUnavailable) as caught:
                await CALLS[call](kv)
    finally:
        await kv.close()
    assert caught.value.dependency == "kv"
    assert caught.value.status == 503
    assert caught.value.retryable is True
    assert caught.value.__cause__ is not None  # the driver's error is kept for the log


async def test_a_wrong_upstash_token_is_unavailable_not_a_crash(
    upstash_server: UpstashServer,
) -> None:
    kv = kv_from_url(
        "upstash://", timeout_s=2.0, upstash_url=upstash_server.url, upstash_token="wrong"
    )
    try:
        with pytest.raises(DependencyUnavailable):
            await kv.get("k")
    finally:
        await kv.close()


async def test_redis_recovers_after_an_error(redis_url: str, redis_prefix: str) -> None:
    """One failed call does not poison the pool: the next call just works."""
    kv = kv_from_url(redis_url, timeout_s=2.0)
    try:
        await kv.set(f"{redis_prefix}text", b"not a number")
        with pytest.raises(DependencyUnavailable):
            await kv.incr(f"{redis_prefix}text")
        assert await kv.incr(f"{redis_prefix}n") == 1
    finally:
        await kv.close()
