"""The KeyValue contract, run on every adapter: memory, Redis and Upstash (over its REST
protocol, backed by the same Redis). What passes here, the core may rely on."""

from __future__ import annotations

import asyncio

from fieldedge.ports.kv import KeyValue

POLL_S = 0.05
POLL_MAX = 100  # bounded waits: at most about 5 s


async def wait_until_gone(kv: KeyValue, key: str) -> bytes | None:
    """Poll (bounded) until ``key`` expires; returns what was last read."""
    value = await kv.get(key)
    for _ in range(POLL_MAX):
        if value is None:
            break
        await asyncio.sleep(POLL_S)
        value = await kv.get(key)
    return value


async def test_name_is_the_scheme(kv: KeyValue) -> None:
    assert kv.name in ("memory", "redis", "upstash")


async def test_ping_answers(kv: KeyValue) -> None:
    assert await kv.ping() is None


async def test_get_of_a_missing_key_is_none(kv: KeyValue, key: str) -> None:
    assert await kv.get(key) is None


async def test_set_then_get_round_trips_and_overwrites(kv: KeyValue, key: str) -> None:
    value = '{"sku": "A-1", "name": "Paracétamol 500 mg"}'.encode()
    assert await kv.set(key, value) is True
    assert await kv.get(key) == value
    assert await kv.set(key, b"second") is True
    assert await kv.get(key) == b"second"


async def test_a_value_with_a_ttl_expires(kv: KeyValue, key: str) -> None:
    assert await kv.set(key, b"short-lived", ttl_s=0.3) is True
    assert await kv.get(key) == b"short-lived"
    assert await wait_until_gone(kv, key) is None


async def test_a_value_without_ttl_stays(kv: KeyValue, key: str) -> None:
    await kv.set(key, b"kept")
    await kv.set(f"{key}:other", b"x", ttl_s=0.2)
    assert await wait_until_gone(kv, f"{key}:other") is None
    assert await kv.get(key) == b"kept"


async def test_nx_writes_only_when_absent(kv: KeyValue, key: str) -> None:
    assert await kv.set(key, b"first", nx=True) is True
    assert await kv.set(key, b"second", nx=True) is False
    assert await kv.get(key) == b"first"


async def test_nx_with_ttl_writes_again_once_expired(kv: KeyValue, key: str) -> None:
    assert await kv.set(key, b"lock-1", ttl_s=0.2, nx=True) is True
    assert await kv.set(key, b"lock-2", ttl_s=0.2, nx=True) is False
    assert await wait_until_gone(kv, key) is None
    assert await kv.set(key, b"lock-3", nx=True) is True
    assert await kv.get(key) == b"lock-3"


async def test_delete_removes_and_tolerates_a_missing_key(kv: KeyValue, key: str) -> None:
    await kv.set(key, b"value")
    await kv.delete(key)
    assert await kv.get(key) is None
    await kv.delete(key)
    assert await kv.get(key) is None


async def test_incr_counts_from_one(kv: KeyValue, key: str) -> None:
    assert [await kv.incr(key) for _ in range(3)] == [1, 2, 3]
    assert await kv.get(key) == b"3"


async def test_incr_ttl_is_set_on_create_only(kv: KeyValue, key: str) -> None:
    assert await kv.incr(key, ttl_s=0.3) == 1
    # A later, longer ttl must not extend the counter's life: it was set on create.
    assert await kv.incr(key, ttl_s=600) == 2
    assert await wait_until_gone(kv, key) is None
    assert await kv.incr(key, ttl_s=600) == 1


async def test_concurrent_incr_loses_no_count(kv: KeyValue, key: str) -> None:
    results = await asyncio.gather(*(kv.incr(key, ttl_s=60) for _ in range(30)))
    assert sorted(results) == list(range(1, 31))


async def test_window_allows_the_limit_then_refuses(kv: KeyValue, key: str) -> None:
    hits = [await kv.hit_window(key, limit=3, window_s=60) for _ in range(4)]
    assert [hit.allowed for hit in hits] == [True, True, True, False]
    assert [hit.remaining for hit in hits] == [2, 1, 0, 0]
    assert all(hit.limit == 3 for hit in hits)
    refused = hits[-1]
    assert 0 < refused.reset_s <= 60


async def test_windows_are_per_key(kv: KeyValue, key: str) -> None:
    assert (await kv.hit_window(f"{key}:a", limit=1, window_s=60)).allowed
    assert not (await kv.hit_window(f"{key}:a", limit=1, window_s=60)).allowed
    assert (await kv.hit_window(f"{key}:b", limit=1, window_s=60)).allowed


async def test_refused_hits_are_not_counted(kv: KeyValue, key: str) -> None:
    """A client that keeps hammering is let in again once its counted hits age out."""
    for _ in range(2):
        assert (await kv.hit_window(key, limit=2, window_s=0.3)).allowed
    outcomes = []
    for _ in range(POLL_MAX):
        hit = await kv.hit_window(key, limit=2, window_s=0.3)
        outcomes.append(hit.allowed)
        if hit.allowed:
            break
        assert hit.reset_s <= 0.3
        await asyncio.sleep(POLL_S)
    assert outcomes[0] is False
    assert outcomes[-1] is True


async def test_fifty_concurrent_hits_let_exactly_the_limit_through(kv: KeyValue, key: str) -> None:
    hits = await asyncio.gather(*(kv.hit_window(key, limit=10, window_s=60) for _ in range(50)))
    allowed = [hit for hit in hits if hit.allowed]
    assert len(allowed) == 10
    assert sorted(hit.remaining for hit in allowed) == list(range(10))
    assert all(hit.remaining == 0 and hit.reset_s > 0 for hit in hits if not hit.allowed)
