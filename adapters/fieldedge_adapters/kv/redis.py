"""``redis://`` / ``rediss://``: the KV on Redis over one multiplexed connection
(``resp.RespClient``; hiredis parses the replies).

Imported only when that scheme is chosen. Every call runs under ``asyncio.timeout``: the
composition root wraps this adapter in ``GuardedKV``, whose timeout and breaker turn a slow
or absent Redis into a quick ``DependencyUnavailable``, which the rate limiter fails open
on; here a bounded wait covers the calls made outside it (health's ``ping``).
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Sequence
from typing import Any

from fieldedge.errors import DependencyUnavailable
from fieldedge.ports.kv import RateWindow
from fieldedge_adapters.kv.memory import check_ttl
from fieldedge_adapters.kv.resp import ReplyError, RespClient
from fieldedge_adapters.kv.scripts import (
    INCR_WITH_TTL,
    SHAS,
    SLIDING_WINDOW,
    window_args,
    window_from_reply,
)


class RedisKV:
    def __init__(self, client: RespClient, *, timeout_s: float) -> None:
        self._redis = client
        self._timeout_s = timeout_s

    @classmethod
    def from_url(cls, url: str, *, timeout_s: float) -> RedisKV:
        # A reply overdue for half the timeout means a dead socket, not a busy Redis.
        return cls(RespClient(url, stall_s=timeout_s / 2), timeout_s=timeout_s)

    @property
    def name(self) -> str:
        return "redis"

    async def _bounded(self, pending: Awaitable[Any]) -> Any:
        try:
            async with asyncio.timeout(self._timeout_s):
                return await pending
        except (ReplyError, OSError, TimeoutError) as exc:
            raise DependencyUnavailable("kv") from exc

    async def _call(self, *args: str | bytes | int) -> Any:
        return await self._bounded(self._redis.call(*args))

    async def _script(self, script: str, keys: Sequence[str], args: Sequence[str]) -> Any:
        return await self._bounded(self._evalsha(script, [len(keys), *keys, *args]))

    async def _evalsha(self, script: str, args: list[str | int]) -> Any:
        """EVALSHA, and EVAL once when this Redis has not seen the script yet."""
        try:
            return await self._redis.call("EVALSHA", SHAS[script], *args)
        except ReplyError as exc:
            if not str(exc).startswith("NOSCRIPT"):
                raise
        return await self._redis.call("EVAL", script, *args)

    async def get(self, key: str) -> bytes | None:
        value = await self._call("GET", key)
        return None if value is None else bytes(value)

    async def set(
        self, key: str, value: bytes, *, ttl_s: float | None = None, nx: bool = False
    ) -> bool:
        check_ttl(ttl_s)
        args: list[str | bytes | int] = ["SET", key, value]
        if ttl_s is not None:
            args += ["PX", max(1, math.ceil(ttl_s * 1000))]
        if nx:
            args.append("NX")
        return await self._call(*args) is not None

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        if not keys:
            return []
        values: list[Any] = await self._call("MGET", *keys)
        return [None if value is None else bytes(value) for value in values]

    async def delete(self, key: str) -> None:
        await self._call("DEL", key)

    async def incr(self, key: str, *, ttl_s: float | None = None) -> int:
        check_ttl(ttl_s)
        if ttl_s is None:
            return int(await self._call("INCR", key))
        # One script: the key is born with its TTL in the same atomic step, so a crash can
        # never leave a counter that lives forever.
        ttl_ms = str(max(1, math.ceil(ttl_s * 1000)))
        return int(await self._script(INCR_WITH_TTL, [key], [ttl_ms]))

    async def hit_window(
        self, key: str, *, limit: int, window_s: float, read: Sequence[str] = ()
    ) -> RateWindow:
        reply = await self._script(SLIDING_WINDOW, [key, *read], window_args(limit, window_s))
        return window_from_reply(reply, limit, len(read))

    async def ping(self) -> None:
        await self._call("PING")

    async def close(self) -> None:
        await self._redis.close()
