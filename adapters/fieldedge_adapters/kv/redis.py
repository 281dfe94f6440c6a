"""``redis://`` / ``rediss://``: the KV on Redis through redis.asyncio.

Imported only when that scheme is chosen. Every call runs under ``asyncio.timeout`` on
top of the socket timeouts, and redis-py's own retries are cut to one without backoff:
its default (three retries with up to 10 s of backoff) would turn "Redis is down" into a
hung request instead of the quick ``DependencyUnavailable`` the rate limiter fails open on.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar, cast

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from fieldedge.errors import DependencyUnavailable
from fieldedge.ports.kv import RateWindow
from fieldedge_adapters.kv.memory import check_ttl
from fieldedge_adapters.kv.scripts import SLIDING_WINDOW, window_args, window_from_reply

T = TypeVar("T")


class RedisKV:
    def __init__(self, client: aioredis.Redis, *, timeout_s: float) -> None:
        self._redis = client
        self._timeout_s = timeout_s
        # register_script runs EVALSHA and falls back to EVAL on NOSCRIPT by itself.
        self._window = client.register_script(SLIDING_WINDOW)

    @classmethod
    def from_url(cls, url: str, *, timeout_s: float, max_connections: int = 50) -> RedisKV:
        # A blocking pool: past max_connections a call waits (within its timeout) for a
        # free connection instead of failing at once with "Too many connections".
        pool = aioredis.BlockingConnectionPool.from_url(
            url,
            max_connections=max_connections,
            timeout=timeout_s,
            socket_timeout=timeout_s,
            socket_connect_timeout=timeout_s,
            # One immediate retry on a connection error: a pooled socket the server or a
            # NAT dropped while idle (or a thawed Lambda) is reopened once, not failed.
            retry=Retry(NoBackoff(), 1),
        )
        client = aioredis.Redis.from_pool(pool)
        return cls(client, timeout_s=timeout_s)

    @property
    def name(self) -> str:
        return "redis"

    async def _call(self, make: Callable[[], Awaitable[T]]) -> T:
        try:
            async with asyncio.timeout(self._timeout_s):
                return await make()
        except (RedisError, OSError, TimeoutError) as exc:
            raise DependencyUnavailable("kv") from exc

    async def get(self, key: str) -> bytes | None:
        value: Any = await self._call(lambda: self._redis.get(key))
        return None if value is None else bytes(value)

    async def set(
        self, key: str, value: bytes, *, ttl_s: float | None = None, nx: bool = False
    ) -> bool:
        check_ttl(ttl_s)
        px = None if ttl_s is None else max(1, math.ceil(ttl_s * 1000))
        written = await self._call(lambda: self._redis.set(key, value, px=px, nx=nx))
        return bool(written)

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        if not keys:
            return []
        values: list[Any] = await self._call(lambda: self._redis.mget(list(keys)))
        return [None if value is None else bytes(value) for value in values]

    async def delete(self, key: str) -> None:
        await self._call(lambda: self._redis.delete(key))

    async def incr(self, key: str, *, ttl_s: float | None = None) -> int:
        check_ttl(ttl_s)
        if ttl_s is None:
            return int(await self._call(lambda: self._redis.incr(key)))

        async def create_then_incr() -> list[Any]:
            # MULTI/EXEC: the key is born with its TTL in the same atomic step, so a
            # crash can never leave a counter that lives forever.
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.set(key, 0, px=max(1, math.ceil(ttl_s * 1000)), nx=True)
                pipe.incr(key)
                return list(await pipe.execute())

        replies = await self._call(create_then_incr)
        return int(replies[1])

    async def hit_window(
        self, key: str, *, limit: int, window_s: float, read: Sequence[str] = ()
    ) -> RateWindow:
        args = window_args(limit, window_s)
        keys = [key, *read]
        reply = await self._call(lambda: self._window(keys=keys, args=args))
        return window_from_reply(reply, limit, len(read))

    async def ping(self) -> None:
        # redis-py types ping as sync-or-async; on the asyncio client it is a coroutine.
        await self._call(lambda: cast(Awaitable[bool], self._redis.ping()))

    async def close(self) -> None:
        await self._redis.aclose()
