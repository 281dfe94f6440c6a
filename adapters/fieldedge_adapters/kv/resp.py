"""One multiplexed connection to Redis: commands written as they come, replies matched in
the order sent (Redis answers a connection's commands in order), parsed by hiredis.

Every request makes one KV call (its rate limit and its token's revocation marks, one
script), so that call's cost is paid per request. Through redis-py's client, pool and
retry layers it took about 0.12 ms of CPU; here it is a write and a future, about 0.03 ms,
and concurrent requests share one socket instead of checking connections in and out of a
pool. Nothing here needs a transaction on the connection (MULTI would capture other
callers' commands), so what must be atomic runs as a Lua script.

Failure handling is deliberately plain: when a call is cancelled (its caller's timeout)
while the oldest reply the connection owes is ``stall_s`` overdue, the connection is
closed, since a reply that never comes means a dead socket TCP has not noticed (a NAT that
dropped it, a thawed Lambda); a call cancelled for another reason (its client went away)
leaves a connection that answers alone. Every call waiting on a lost connection fails with
``ConnectionError``, and the next call connects again. A connection found closed before a
command is written is replaced without failing that command.
"""

from __future__ import annotations

import asyncio
import ssl
from collections import deque
from typing import Any, cast
from urllib.parse import unquote, urlsplit

import hiredis

from fieldedge.errors import ConfigError


class ReplyError(Exception):
    """An error reply from Redis (``NOSCRIPT``, ``WRONGTYPE``, …)."""


def pack(args: tuple[str | bytes | int, ...]) -> bytes:
    """A command as a RESP array of bulk strings."""
    out = [b"*%d\r\n" % len(args)]
    for arg in args:
        data = arg if isinstance(arg, bytes) else str(arg).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(out)


class _Connection(asyncio.Protocol):
    def __init__(self) -> None:
        self._reader = hiredis.Reader()
        # Each waiting caller's future, with when its command was written.
        self._waiting: deque[tuple[asyncio.Future[Any], float]] = deque()
        self._transport: asyncio.Transport | None = None
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A TCP transport (uvloop's is not a subclass of asyncio's, so no isinstance).
        self._transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self._reader.feed(data)
        try:
            while (reply := self._reader.gets()) is not False:
                waiter, _ = self._waiting.popleft()
                if waiter.done():  # its caller gave up; the reply is read and dropped
                    continue
                if isinstance(reply, hiredis.ReplyError):
                    waiter.set_exception(ReplyError(str(reply)))
                else:
                    waiter.set_result(reply)
        except (hiredis.ProtocolError, IndexError):
            self.abort()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        while self._waiting:
            waiter, _ = self._waiting.popleft()
            if not waiter.done():
                waiter.set_exception(ConnectionError("the Redis connection was lost"))

    def send(self, payload: bytes) -> asyncio.Future[Any]:
        assert self._transport is not None
        loop = asyncio.get_running_loop()
        waiter = loop.create_future()
        self._waiting.append((waiter, loop.time()))
        self._transport.write(payload)
        return waiter

    def stalled(self, stall_s: float) -> bool:
        """True when the oldest reply owed has been awaited for ``stall_s`` or longer."""
        return bool(self._waiting) and (
            asyncio.get_running_loop().time() - self._waiting[0][1] >= stall_s
        )

    def abort(self) -> None:
        self.closed = True
        if self._transport is not None:
            self._transport.abort()  # connection_lost fails whatever still waits


class RespClient:
    """Commands to the Redis of a ``redis://`` or ``rediss://`` URL (user, password and
    database number taken from it, as redis-py reads them)."""

    def __init__(self, url: str, *, stall_s: float) -> None:
        parts = urlsplit(url)
        self._stall_s = stall_s
        if parts.scheme not in ("redis", "rediss"):
            raise ConfigError(f"KV_URL: not a Redis URL: {parts.scheme!r}")
        self._host = parts.hostname or "localhost"
        self._port = parts.port or 6379
        self._ssl = ssl.create_default_context() if parts.scheme == "rediss" else None
        self._user = unquote(parts.username) if parts.username else None
        self._password = unquote(parts.password) if parts.password else None
        path = parts.path.strip("/")
        if path and not path.isdigit():
            raise ConfigError("KV_URL: the database must be a number (redis://host:6379/0)")
        self._db = int(path or 0)
        self._connection: _Connection | None = None
        self._connecting: asyncio.Lock | None = None

    async def call(self, *args: str | bytes | int) -> Any:
        connection = self._connection
        if connection is None or connection.closed:
            connection = await self._connect()
        waiter = connection.send(pack(args))
        try:
            return await waiter
        except asyncio.CancelledError:
            if connection.stalled(self._stall_s):
                connection.abort()
            raise

    async def _connect(self) -> _Connection:
        if self._connecting is None:
            self._connecting = asyncio.Lock()
        async with self._connecting:  # concurrent first calls open one connection
            if self._connection is not None and not self._connection.closed:
                return self._connection
            loop = asyncio.get_running_loop()
            _, connection = await loop.create_connection(
                _Connection, self._host, self._port, ssl=self._ssl
            )
            try:
                hello: list[asyncio.Future[Any]] = []
                if self._password is not None:
                    auth = (self._user, self._password) if self._user else (self._password,)
                    hello.append(connection.send(pack(("AUTH", *auth))))
                if self._db:
                    hello.append(connection.send(pack(("SELECT", self._db))))
                for waiter in hello:
                    await waiter
            except BaseException:
                connection.abort()
                raise
            self._connection = connection
            return connection

    async def close(self) -> None:
        if self._connection is not None:
            self._connection.abort()
            self._connection = None
