"""What the real backends add to the contract: several API instances on one Redis share
one limit (the script reads the server's clock, not theirs), a Redis that lost its
script cache still answers, and Upstash's text-only values are refused up front."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from fieldedge.ports.kv import KeyValue
from fieldedge_adapters.kv import kv_from_url
from fixtures.upstash import UpstashServer


@pytest.fixture
async def instances(redis_url: str, upstash_server: UpstashServer) -> AsyncIterator[list[KeyValue]]:
    """Three "instances" on one Redis: two over the Redis protocol, one over Upstash REST."""
    stores = [
        kv_from_url(redis_url, timeout_s=2.0),
        kv_from_url(redis_url, timeout_s=2.0),
        kv_from_url(
            "upstash://",
            timeout_s=2.0,
            upstash_url=upstash_server.url,
            upstash_token=upstash_server.token,
        ),
    ]
    try:
        yield stores
    finally:
        for store in stores:
            await store.close()


async def test_instances_on_one_redis_share_one_limit(
    instances: list[KeyValue], redis_prefix: str
) -> None:
    key = f"{redis_prefix}limit"
    hits = await asyncio.gather(
        *(kv.hit_window(key, limit=10, window_s=60) for kv in instances for _ in range(20))
    )
    assert sum(hit.allowed for hit in hits) == 10


async def test_values_written_by_one_instance_are_read_by_another(
    instances: list[KeyValue], redis_prefix: str
) -> None:
    redis_kv, _, upstash_kv = instances
    await redis_kv.set(f"{redis_prefix}a", b'{"total": 1250}')
    assert await upstash_kv.get(f"{redis_prefix}a") == b'{"total": 1250}'
    assert await upstash_kv.incr(f"{redis_prefix}n") == 1
    assert await redis_kv.incr(f"{redis_prefix}n") == 2


async def test_window_works_after_the_script_cache_is_flushed(
    instances: list[KeyValue], redis_url: str, redis_prefix: str
) -> None:
    for n, kv in enumerate(instances):
        assert (await kv.hit_window(f"{redis_prefix}{n}", limit=1, window_s=60)).allowed
    admin = aioredis.Redis.from_url(redis_url)
    try:
        await admin.script_flush()  # as after a Redis restart or failover
    finally:
        await admin.aclose()
    for n, kv in enumerate(instances):
        assert not (await kv.hit_window(f"{redis_prefix}{n}", limit=1, window_s=60)).allowed


async def test_window_keys_expire_on_their_own(redis_url: str, redis_prefix: str) -> None:
    """Nothing is left behind in Redis once a window has passed."""
    kv = kv_from_url(redis_url, timeout_s=2.0)
    admin = aioredis.Redis.from_url(redis_url)
    try:
        await kv.hit_window(f"{redis_prefix}w", limit=3, window_s=60)
        ttl_ms = await admin.pttl(f"{redis_prefix}w")
        assert 0 < ttl_ms <= 60_000
    finally:
        await kv.close()
        await admin.aclose()


async def test_upstash_refuses_bytes_that_are_not_text(upstash_server: UpstashServer) -> None:
    kv = kv_from_url(
        "upstash://",
        timeout_s=2.0,
        upstash_url=upstash_server.url,
        upstash_token=upstash_server.token,
    )
    try:
        with pytest.raises(ValueError, match="UTF-8"):
            await kv.set("never-written", b"\xff\xfe\x00")
    finally:
        await kv.close()


async def test_redis_keeps_any_bytes(redis_url: str, redis_prefix: str) -> None:
    kv = kv_from_url(redis_url, timeout_s=2.0)
    try:
        await kv.set(f"{redis_prefix}bin", b"\xff\xfe\x00")
        assert await kv.get(f"{redis_prefix}bin") == b"\xff\xfe\x00"
    finally:
        await kv.close()
