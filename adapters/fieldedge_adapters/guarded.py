"""Wrappers that put a circuit breaker and a timeout around any KV, object store or mailer.

The composition root wraps every outbound adapter in one of these, so each call (a) runs
under ``asyncio.timeout`` of its dependency's setting, whatever the adapter does inside,
and (b) fails fast with ``DependencyUnavailable`` while the dependency's breaker is open.
Only a dependency failing counts against the breaker (``DependencyUnavailable``, a
timeout, a socket error); an answer such as ``NotFound`` proves it is up.

``ping`` bypasses the breaker both ways: health must see the dependency as it is (an
open breaker does not hide a recovery) and a load balancer polling health must not
trip a breaker nor close one that requests still find broken.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from fieldedge.errors import DependencyUnavailable, NotFound
from fieldedge.ports.kv import KeyValue, RateWindow
from fieldedge.ports.mail import EmailMessage, Mailer
from fieldedge.ports.storage import ObjectInfo, ObjectStore, PresignedUpload, StoredObject
from fieldedge.services.breaker import CircuitBreaker

T = TypeVar("T")


class _Guard:
    def __init__(self, breaker: CircuitBreaker, timeout_s: float) -> None:
        if timeout_s <= 0:
            raise ValueError("timeout must be positive")
        self.breaker = breaker
        self._timeout_s = timeout_s

    async def _call(self, make: Callable[[], Awaitable[T]]) -> T:
        self.breaker.acquire()
        try:
            async with asyncio.timeout(self._timeout_s):
                result = await make()
        except DependencyUnavailable:
            self.breaker.failed()
            raise
        except (TimeoutError, OSError) as exc:
            self.breaker.failed()
            raise DependencyUnavailable(self.breaker.dependency) from exc
        except NotFound:
            self.breaker.succeeded()  # the store answered: it is up
            raise
        except BaseException:
            # Cancelled, or refused before reaching the store (a bad key): no verdict.
            self.breaker.abandoned()
            raise
        self.breaker.succeeded()
        return result

    async def _bounded(self, make: Callable[[], Awaitable[T]]) -> T:
        """Under the timeout, outside the breaker (health probes, local signing)."""
        try:
            async with asyncio.timeout(self._timeout_s):
                return await make()
        except (TimeoutError, OSError) as exc:
            raise DependencyUnavailable(self.breaker.dependency) from exc


class GuardedKV(_Guard):
    def __init__(self, inner: KeyValue, breaker: CircuitBreaker, *, timeout_s: float) -> None:
        super().__init__(breaker, timeout_s)
        self.inner = inner

    @property
    def name(self) -> str:
        return self.inner.name

    async def get(self, key: str) -> bytes | None:
        return await self._call(lambda: self.inner.get(key))

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        return await self._call(lambda: self.inner.get_many(keys))

    async def set(
        self, key: str, value: bytes, *, ttl_s: float | None = None, nx: bool = False
    ) -> bool:
        return await self._call(lambda: self.inner.set(key, value, ttl_s=ttl_s, nx=nx))

    async def delete(self, key: str) -> None:
        await self._call(lambda: self.inner.delete(key))

    async def incr(self, key: str, *, ttl_s: float | None = None) -> int:
        return await self._call(lambda: self.inner.incr(key, ttl_s=ttl_s))

    async def hit_window(
        self, key: str, *, limit: int, window_s: float, read: Sequence[str] = ()
    ) -> RateWindow:
        return await self._call(
            lambda: self.inner.hit_window(key, limit=limit, window_s=window_s, read=read)
        )

    async def ping(self) -> None:
        await self._bounded(self.inner.ping)

    async def close(self) -> None:
        await self.inner.close()


class GuardedStore(_Guard):
    def __init__(self, inner: ObjectStore, breaker: CircuitBreaker, *, timeout_s: float) -> None:
        super().__init__(breaker, timeout_s)
        self.inner = inner

    @property
    def name(self) -> str:
        return self.inner.name

    async def put(self, key: str, data: bytes, *, content_type: str) -> ObjectInfo:
        return await self._call(lambda: self.inner.put(key, data, content_type=content_type))

    async def get(self, key: str) -> StoredObject:
        return await self._call(lambda: self.inner.get(key))

    async def head(self, key: str) -> ObjectInfo | None:
        return await self._call(lambda: self.inner.head(key))

    async def read_prefix(self, key: str, length: int) -> bytes:
        return await self._call(lambda: self.inner.read_prefix(key, length))

    async def read_range(self, key: str, start: int, length: int) -> bytes:
        return await self._call(lambda: self.inner.read_range(key, start, length))

    async def delete(self, key: str) -> None:
        await self._call(lambda: self.inner.delete(key))

    # Presigning is local computation (a signature), not a call to the store: it is
    # bounded but neither blocked by nor counted against the breaker.
    async def presign_put(self, key: str, *, content_type: str, expires_s: int) -> PresignedUpload:
        return await self._bounded(
            lambda: self.inner.presign_put(key, content_type=content_type, expires_s=expires_s)
        )

    async def presign_get(self, key: str, *, expires_s: int) -> str:
        return await self._bounded(lambda: self.inner.presign_get(key, expires_s=expires_s))

    async def ping(self) -> None:
        await self._bounded(self.inner.ping)

    async def close(self) -> None:
        await self.inner.close()


class GuardedMailer(_Guard):
    def __init__(self, inner: Mailer, breaker: CircuitBreaker, *, timeout_s: float) -> None:
        super().__init__(breaker, timeout_s)
        self.inner = inner

    @property
    def name(self) -> str:
        return self.inner.name

    async def send(self, message: EmailMessage) -> str:
        return await self._call(lambda: self.inner.send(message))

    async def ping(self) -> None:
        await self._bounded(self.inner.ping)

    async def close(self) -> None:
        await self.inner.close()
