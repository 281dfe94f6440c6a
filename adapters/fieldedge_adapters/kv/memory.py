"""``memory://``: the KV inside this process.

It is the embedded default, the fake every core test uses, and the fallback limiter when
the real KV is down, so it keeps the exact rules of the Redis script (same trimming,
same "a refused hit is not counted") and it stays bounded: expired keys are swept, a
window holds at most ``limit`` hits, and past ``max_keys`` the oldest keys go first.
No call awaits anything, so each one is atomic on the event loop by construction.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Sequence
from typing import Final

from fieldedge.ports.kv import RateWindow

SWEEP_EVERY_S: Final = 1.0


class _Window:
    __slots__ = ("hits", "window_s")

    def __init__(self, window_s: float) -> None:
        self.hits: deque[float] = deque()
        self.window_s = window_s


def check_ttl(ttl_s: float | None) -> None:
    if ttl_s is not None and not (ttl_s > 0 and math.isfinite(ttl_s)):
        raise ValueError("ttl_s must be a positive number of seconds")


class MemoryKV:
    def __init__(
        self, *, max_keys: int = 100_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._values: dict[str, tuple[bytes, float | None]] = {}
        self._windows: dict[str, _Window] = {}
        self._max_keys = max_keys
        self._clock = clock
        self._next_sweep = clock() + SWEEP_EVERY_S

    @property
    def name(self) -> str:
        return "memory"

    def __len__(self) -> int:
        """Keys held right now, expired ones not yet swept included (for tests and health)."""
        return len(self._values) + len(self._windows)

    async def get(self, key: str) -> bytes | None:
        entry = self._values.get(key)
        if entry is None:
            return None
        value, expires_at = entry
        if expires_at is not None and expires_at <= self._clock():
            del self._values[key]
            return None
        return value

    async def set(
        self, key: str, value: bytes, *, ttl_s: float | None = None, nx: bool = False
    ) -> bool:
        check_ttl(ttl_s)
        if nx and await self.get(key) is not None:
            return False
        self._put(key, bytes(value), ttl_s)
        return True

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        return [await self.get(key) for key in keys]

    async def delete(self, key: str) -> None:
        self._values.pop(key, None)
        self._windows.pop(key, None)

    async def incr(self, key: str, *, ttl_s: float | None = None) -> int:
        check_ttl(ttl_s)
        current = await self.get(key)
        if current is None:
            self._put(key, b"1", ttl_s)
            return 1
        try:
            number = int(current) + 1
        except ValueError:
            raise ValueError(f"incr: the value at {key!r} is not an integer") from None
        # Like INCR, a new value keeps the key's expiry.
        self._values[key] = (str(number).encode(), self._values[key][1])
        return number

    async def hit_window(
        self, key: str, *, limit: int, window_s: float, read: Sequence[str] = ()
    ) -> RateWindow:
        if limit < 0 or window_s <= 0:
            raise ValueError("hit_window needs limit >= 0 and window_s > 0")
        now = self._clock()
        self._maybe_sweep(now)
        window = self._windows.get(key)
        if window is None:
            window = _Window(window_s)
        window.window_s = window_s
        hits = window.hits
        while hits and hits[0] <= now - window_s:
            hits.popleft()
        allowed = len(hits) < limit
        if allowed:
            hits.append(now)
        if hits:
            self._windows[key] = window
            self._evict(self._windows)
        else:
            self._windows.pop(key, None)
        reset_s = hits[0] + window_s - now if hits else window_s
        values = tuple([await self.get(k) for k in read])
        return RateWindow(allowed, limit, max(0, limit - len(hits)), max(0.0, reset_s), values)

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        self._values.clear()
        self._windows.clear()

    def _put(self, key: str, value: bytes, ttl_s: float | None) -> None:
        now = self._clock()
        self._maybe_sweep(now)
        self._values[key] = (value, None if ttl_s is None else now + ttl_s)
        self._evict(self._values)

    def _evict(self, store: dict[str, _Window] | dict[str, tuple[bytes, float | None]]) -> None:
        # Dicts keep insertion order, so the first key is the oldest one written.
        while len(store) > self._max_keys:
            del store[next(iter(store))]

    def _maybe_sweep(self, now: float) -> None:
        """Drop every expired key about once a second, so idle keys never pile up."""
        if now < self._next_sweep:
            return
        self._next_sweep = now + SWEEP_EVERY_S
        dead = [k for k, (_, exp) in self._values.items() if exp is not None and exp <= now]
        for key in dead:
            del self._values[key]
        gone = [k for k, w in self._windows.items() if w.hits[-1] + w.window_s <= now]
        for key in gone:
            del self._windows[key]
