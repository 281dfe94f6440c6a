"""Best-effort work in the serving process right after a write (uvicorn, Cloud Run).

A write's response never waits for it: ``kick`` only schedules a task. One run at a
time per process and per job (single flight): a kick while a run is going asks it for
one more round instead of starting a second, so a burst of writes makes one or two
runs, not hundreds. Errors are logged, never raised into a request. Lambda freezes the
process after the response, so there the schedule runs the same jobs instead; nothing
is lost either way, a run that is missed here is done by the next kick or schedule.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import structlog

MAX_ROUNDS = 10  # kicks that keep arriving during a run extend it this far at most

log = structlog.get_logger("fieldedge.background")


class SingleFlight:
    def __init__(self, name: str, run: Callable[[Any], Awaitable[dict[str, int] | None]]) -> None:
        self.name = name
        self._run = run
        self._task: asyncio.Task[None] | None = None
        self._again = False

    def _running(self) -> asyncio.Task[None] | None:
        """The current run, if it belongs to this event loop and is not finished (a task
        left over from another loop, as in tests, never blocks new kicks)."""
        task = self._task
        if task is None or task.done() or task.get_loop() is not asyncio.get_running_loop():
            return None
        return task

    def kick(self, deps: Any) -> None:
        """Schedule a run now (call from inside the running loop)."""
        if self._running() is not None:
            self._again = True
            return
        self._again = False
        loop = asyncio.get_running_loop()
        self._task = loop.create_task(self._rounds(deps), name=f"fieldedge-{self.name}")

    async def _rounds(self, deps: Any) -> None:
        for _ in range(MAX_ROUNDS):
            self._again = False
            try:
                report = await self._run(deps)
                if report and any(report.values()):
                    log.info(f"{self.name}.inline", **report)
            except Exception:  # best effort: the schedule or the CLI picks up what is left
                log.exception(f"{self.name}.inline_failed")
                return
            if not self._again:
                return

    async def wait_idle(self) -> None:
        """Wait for the current run to finish (graceful shutdown, tests)."""
        while (task := self._running()) is not None:
            await asyncio.wait({task})
