"""``upstash://``: the KV on Upstash Redis over its REST API (upstash_redis.asyncio).

Imported only when that scheme is chosen. The SDK posts with ``httpx`` and no timeout
at all, and by default retries a failed call after sleeping 3 s, so retries are off and
every call runs under ``asyncio.timeout``: a slow or unreachable Upstash costs one
timeout, never a hung request.

Values travel as JSON strings, so this adapter stores UTF-8 text only (what the API
keeps in the KV: JSON and counters). Other bytes raise ``ValueError`` before any call.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import httpx
from upstash_redis.asyncio import Redis
from upstash_redis.errors import UpstashError

from fieldedge.errors import DependencyUnavailable
from fieldedge.ports.kv import RateWindow
from fieldedge_adapters.kv.memory import check_ttl
from fieldedge_adapters.kv.scripts import (
    SHAS,
    SLIDING_WINDOW,
    window_args,
    window_from_reply,
)

T = TypeVar("T")

# What can go wrong talking to Upstash: an error reply, a transport failure, a reply that
# is not the JSON we expect (a proxy's HTML error page), or our own deadline.
_FAILURES = (UpstashError, httpx.HTTPError, TimeoutError, ValueError, KeyError, TypeError)


class UpstashKV:
    def __init__(self, url: str, token: str, *, timeout_s: float) -> None:
        self._redis = Redis(url, token, rest_retries=0, allow_telemetry=False)
        self._timeout_s = timeout_s

    @property
    def name(self) -> str:
        return "upstash"

    async def _call(self, make: Callable[[], Awaitable[T]]) -> T:
        try:
            async with asyncio.timeout(self._timeout_s):
                return await make()
        except _FAILURES as exc:
            raise DependencyUnavailable("kv") from exc

    async def get(self, key: str) -> bytes | None:
        value: Any = await self._call(lambda: self._redis.get(key))
        return None if value is None else str(value).encode()

    async def set(
        self, key: str, value: bytes, *, ttl_s: float | None = None, nx: bool = False
    ) -> bool:
        check_ttl(ttl_s)
        text = _text(value)
        px = None if ttl_s is None else max(1, math.ceil(ttl_s * 1000))
        written = await self._call(lambda: self._redis.set(key, text, nx=nx, px=px))
        return bool(written)

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        if not keys:
            return []
        values: list[Any] = await self._call(lambda: self._redis.mget(*keys))
        return [None if value is None else str(value).encode() for value in values]

    async def delete(self, key: str) -> None:
        await self._call(lambda: self._redis.delete(key))

    async def incr(self, key: str, *, ttl_s: float | None = None) -> int:
        check_ttl(ttl_s)
        if ttl_s is None:
            return int(await self._call(lambda: self._redis.incr(key)))
        px = max(1, math.ceil(ttl_s * 1000))

        async def create_then_incr() -> list[Any]:
            # /multi-exec: the key is born with its TTL in the same atomic step.
            tx = self._redis.multi()
            tx.set(key, "0", nx=True, px=px)
            tx.incr(key)
            return await tx.exec()

        replies = await self._call(create_then_incr)
        return int(replies[1])

    async def hit_window(
        self, key: str, *, limit: int, window_s: float, read: Sequence[str] = ()
    ) -> RateWindow:
        args = window_args(limit, window_s)
        keys = [key, *read]

        async def run() -> Any:
            # EVALSHA first (a short request); only a server that lost the script gets
            # the full text, once, through EVAL, which also caches it again.
            try:
                return await self._redis.evalsha(SHAS[SLIDING_WINDOW], keys=keys, args=args)
            except UpstashError as exc:
                if not str(exc).startswith("NOSCRIPT"):
                    raise
            return await self._redis.eval(SLIDING_WINDOW, keys=keys, args=args)

        return window_from_reply(await self._call(run), limit, len(read))

    async def ping(self) -> None:
        await self._call(lambda: self._redis.ping())

    async def close(self) -> None:
        await self._redis.close()


def _text(value: bytes) -> str:
    try:
        return bytes(value).decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("the upstash KV stores UTF-8 text only") from None
