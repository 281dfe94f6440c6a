"""Rate limits held in the KV so every instance shares them, with an in-process fallback.

When the shared KV is down or slower than its timeout, the same rules run on a local
store (per instance, so the effective limit is N x instances: brute force stays bounded,
the API keeps serving). A warning is logged at most once a minute and health reports it.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

import structlog

from fieldedge.errors import DependencyUnavailable, RateLimited
from fieldedge.ports.kv import KeyValue, RateWindow

log = structlog.get_logger("fieldedge.ratelimit")
WARN_EVERY_S = 60.0


@dataclass(frozen=True, slots=True)
class Limit:
    """``limit`` hits per ``window_s`` seconds."""

    name: str
    limit: int
    window_s: float


class RateLimiter:
    def __init__(self, primary: KeyValue, fallback: KeyValue) -> None:
        self._primary = primary
        self._fallback = fallback
        self._last_warning = -WARN_EVERY_S
        self.fallback_since: float | None = None

    @property
    def degraded(self) -> bool:
        """True while the last decision had to be made by the in-process fallback."""
        return self.fallback_since is not None

    async def hit(self, rule: Limit, subject: str, *, read: Sequence[str] = ()) -> RateWindow:
        """Count a hit, reading the ``read`` keys in the same round trip. When the shared
        KV is down the local store decides the limit, and ``values`` is None: what the
        keys hold is unknown (the caller must not take absence for an answer)."""
        key = f"fe:rl:{rule.name}:{subject}"
        try:
            window = await self._primary.hit_window(
                key, limit=rule.limit, window_s=rule.window_s, read=read
            )
        except DependencyUnavailable:
            now = time.monotonic()
            if self.fallback_since is None:
                self.fallback_since = now
            if now - self._last_warning >= WARN_EVERY_S:
                self._last_warning = now
                log.warning("ratelimit.fallback", kv=self._primary.name, rule=rule.name)
            local = await self._fallback.hit_window(key, limit=rule.limit, window_s=rule.window_s)
            return replace(local, values=None) if read else local
        self.fallback_since = None
        return window

    async def enforce(self, rule: Limit, subject: str) -> RateWindow:
        """Count a hit; over the limit raises ``RateLimited`` with ``Retry-After``."""
        window = await self.hit(rule, subject)
        if not window.allowed:
            raise RateLimited(headers=rate_headers(window, retry=True))
        return window


def rate_headers(window: RateWindow, *, retry: bool = False) -> dict[str, str]:
    reset = max(1, int(window.reset_s + 0.999))
    headers = {
        "RateLimit-Limit": str(window.limit),
        "RateLimit-Remaining": str(max(0, window.remaining)),
        "RateLimit-Reset": str(reset),
    }
    if retry:
        headers["Retry-After"] = str(reset)
    return headers
