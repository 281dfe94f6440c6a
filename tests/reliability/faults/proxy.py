"""A TCP proxy the fault tests put between the app and a service, to cut it at will.

``cut()`` refuses new connections and aborts every open one (a crashed host or a
severed link); ``kill_connections()`` aborts the open ones but keeps accepting (a
server restarted under load); ``restore()`` accepts again. ``stop()`` aborts every
transport and cancels every task, bounded, so a fault test can never hang in teardown.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

STOP_TIMEOUT_S = 5.0
CONNECT_TIMEOUT_S = 5.0
MAX_CHUNKS = 10_000_000  # per direction of one connection: far above any test's traffic


class FaultProxy:
    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.port = 0
        self.accepting = True
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self.connections = 0  # accepted since start, for tests that check traffic went through

    async def start(self) -> FaultProxy:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = int(self._server.sockets[0].getsockname()[1])
        return self

    def cut(self) -> None:
        self.accepting = False
        self.kill_connections()

    def restore(self) -> None:
        self.accepting = True

    def kill_connections(self) -> None:
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def stop(self) -> None:
        self.accepting = False
        self.kill_connections()
        if self._server is not None:
            self._server.close()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=STOP_TIMEOUT_S)
        if self._server is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._server.wait_closed(), STOP_TIMEOUT_S)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self._writers.add(writer)
        upstream_writer: asyncio.StreamWriter | None = None
        try:
            if not self.accepting:
                return
            self.connections += 1
            upstream_reader, upstream_writer = await asyncio.wait_for(
                asyncio.open_connection(*self.upstream), CONNECT_TIMEOUT_S
            )
            self._writers.add(upstream_writer)
            if not self.accepting:
                return
            await asyncio.gather(
                self._pipe(reader, upstream_writer), self._pipe(upstream_reader, writer)
            )
        except (OSError, TimeoutError):
            pass
        finally:
            for each in (writer, upstream_writer):
                if each is not None:
                    each.transport.abort()
                    self._writers.discard(each)
            self._tasks.discard(task)

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            for _ in range(MAX_CHUNKS):  # until EOF or an abort
                data = await reader.read(65536)
                if not data:
                    break
                writer.write(data)
                await writer.drain()
        finally:
            writer.transport.abort()
