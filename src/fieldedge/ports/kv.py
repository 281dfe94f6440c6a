"""The key-value store: cache entries, counters and the shared rate-limit windows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class RateWindow:
    """One hit against a sliding window, as decided atomically by the store."""

    allowed: bool
    limit: int
    remaining: int
    reset_s: float  # seconds until the oldest counted hit leaves the window
    # The values of the keys asked for with the hit (``read``), in order (None: absent);
    # None as a whole when they could not be read (the limiter's local fallback).
    values: tuple[bytes | None, ...] | None = ()


class KeyValue(Protocol):
    """Every call has a timeout; a store that is down raises ``DependencyUnavailable``."""

    @property
    def name(self) -> str:
        """The adapter's scheme, for health and logs (``memory``, ``redis``, ``upstash``)."""
        ...

    async def get(self, key: str) -> bytes | None: ...

    async def set(
        self, key: str, value: bytes, *, ttl_s: float | None = None, nx: bool = False
    ) -> bool:
        """Store ``value``; with ``nx`` only when the key is absent. True when written."""
        ...

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        """The values of ``keys`` in one round trip, in order (None: absent)."""
        ...

    async def delete(self, key: str) -> None: ...

    async def incr(self, key: str, *, ttl_s: float | None = None) -> int:
        """Add one and return the new value; ``ttl_s`` is set when the key is created."""
        ...

    async def hit_window(
        self, key: str, *, limit: int, window_s: float, read: Sequence[str] = ()
    ) -> RateWindow:
        """Count one hit in a sliding window of ``window_s`` seconds, in one atomic step,
        and read the keys in ``read`` in the same round trip (a request's rate limit and
        its token's revocation marks cost one call).

        A refused hit is not counted, so a client that keeps hammering is not locked
        out longer than the window.
        """
        ...

    async def ping(self) -> None: ...

    async def close(self) -> None: ...
