"""The Redis adapter's own connection (``kv/resp.py``): the URL's database and password are
used, and a connection that stops answering is dropped so the next call reconnects."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import pytest

from fieldedge.errors import DependencyUnavailable
from fieldedge_adapters.kv import kv_from_url

pytestmark = pytest.mark.redis


def _with_db(url: str, db: int) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/{db}"


async def test_the_urls_database_number_is_the_one_used(redis_url: str, redis_prefix: str) -> None:
    five, six = (kv_from_url(_with_db(redis_url, db), timeout_s=2) for db in (5, 6))
    key = f"{redis_prefix}db"
    try:
        await five.set(key, b"in five", ttl_s=30)
        assert await five.get(key) == b"in five"
        assert await six.get(key) is None
    finally:
        await five.delete(key)
        await five.close()
        await six.close()


async def test_a_password_the_server_refuses_is_unavailable(redis_url: str) -> None:
    parts = urlsplit(redis_url)
    kv = kv_from_url(f"redis://:not-the-password@{parts.netloc}/0", timeout_s=2)
    try:
        with pytest.raises(DependencyUnavailable):
            await kv.get("anything")
    finally:
        await kv.close()


class Silent:
    """A server that accepts connections and never answers; counts what it accepted."""

    def __init__(self) -> None:
        self.accepted = 0
        self.closed_by_client = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        while await reader.read(65536):
            pass
        self.closed_by_client += 1
        writer.close()


@pytest.fixture
async def silent() -> AsyncIterator[tuple[Silent, int]]:
    server = Silent()
    listening = await asyncio.start_server(server.handle, "127.0.0.1", 0)
    port = listening.sockets[0].getsockname()[1]
    async with listening:
        yield server, port


async def test_a_connection_that_stops_answering_is_replaced(silent: tuple[Silent, int]) -> None:
    server, port = silent
    kv = kv_from_url(f"redis://127.0.0.1:{port}/0", timeout_s=0.2)
    try:
        for expected in (1, 2):
            with pytest.raises(DependencyUnavailable):
                await kv.get("k")
            assert server.accepted == expected  # a new connection for the second call
            for _ in range(50):  # the stalled one was closed, not left open
                if server.closed_by_client == expected:
                    break
                await asyncio.sleep(0.01)
            assert server.closed_by_client == expected
    finally:
        await kv.close()
