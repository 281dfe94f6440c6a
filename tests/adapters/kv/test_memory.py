"""What only the in-process KV must promise: it stays bounded, and its window arithmetic
is exact. A hand-turned clock stands in for time, so these tests never sleep."""

from __future__ import annotations

import pytest

from fieldedge_adapters.kv.memory import SWEEP_EVERY_S, MemoryKV


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


async def test_expired_keys_are_swept_without_being_read(clock: Clock) -> None:
    kv = MemoryKV(clock=clock)
    for n in range(1000):
        await kv.set(f"cache:{n}", b"x", ttl_s=5)
        await kv.hit_window(f"ip:{n}", limit=3, window_s=5)
    await kv.set("forever", b"x")
    assert len(kv) == 2001
    clock.now += 5 + SWEEP_EVERY_S
    await kv.set("trigger", b"x")  # any write sweeps, at most once a second
    assert len(kv) == 2
    assert await kv.get("forever") == b"x"


async def test_a_window_holds_at_most_limit_hits(clock: Clock) -> None:
    kv = MemoryKV(clock=clock)
    for _ in range(10_000):
        await kv.hit_window("hammer", limit=5, window_s=60)
    window = await kv.hit_window("hammer", limit=5, window_s=60)
    assert window.allowed is False
    assert len(kv) == 1


async def test_past_max_keys_the_oldest_keys_go_first() -> None:
    kv = MemoryKV(max_keys=3)
    for name in ("a", "b", "c", "d"):
        await kv.set(name, name.encode())
    assert [await kv.get(name) for name in ("a", "b", "c", "d")] == [None, b"b", b"c", b"d"]


async def test_window_reset_is_when_the_oldest_hit_leaves(clock: Clock) -> None:
    kv = MemoryKV(clock=clock)
    first = await kv.hit_window("k", limit=2, window_s=10)
    assert (first.allowed, first.remaining, first.reset_s) == (True, 1, 10)
    clock.now += 4
    second = await kv.hit_window("k", limit=2, window_s=10)
    assert (second.allowed, second.remaining, second.reset_s) == (True, 0, 6)
    clock.now += 1
    refused = await kv.hit_window("k", limit=2, window_s=10)
    assert (refused.allowed, refused.remaining, refused.reset_s) == (False, 0, 5)
    clock.now += 5  # the first hit leaves exactly now; the one at +4 is the oldest
    again = await kv.hit_window("k", limit=2, window_s=10)
    assert (again.allowed, again.remaining, again.reset_s) == (True, 0, 4)


async def test_a_zero_limit_refuses_and_stores_nothing(clock: Clock) -> None:
    kv = MemoryKV(clock=clock)
    window = await kv.hit_window("k", limit=0, window_s=30)
    assert (window.allowed, window.remaining, window.reset_s) == (False, 0, 30)
    assert len(kv) == 0


@pytest.mark.parametrize("ttl_s", [0, -1, float("nan"), float("inf")])
async def test_a_nonsense_ttl_is_a_caller_bug(ttl_s: float) -> None:
    kv = MemoryKV()
    with pytest.raises(ValueError, match="ttl_s"):
        await kv.set("k", b"v", ttl_s=ttl_s)
    with pytest.raises(ValueError, match="ttl_s"):
        await kv.incr("k", ttl_s=ttl_s)


async def test_close_drops_everything() -> None:
    kv = MemoryKV()
    await kv.set("k", b"v")
    await kv.hit_window("w", limit=1, window_s=1)
    await kv.close()
    assert len(kv) == 0
