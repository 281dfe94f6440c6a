"""Best-effort dispatch in the serving process, right after a write (uvicorn, Cloud Run).

A write's response never waits for it: ``kick`` only schedules a task. One run at a
time per process (single flight): a kick while a run is going asks it for one more
round instead of starting a second, so a burst of writes makes one or two runs, not
hundreds. Errors are logged, never raised into a request. Lambda freezes the process
after the response, so there ``OUTBOX_INLINE`` is off and a schedule runs the outbox.
Nothing is lost either way: an event that inline dispatch misses waits for the next
kick, ``fieldedge outbox run`` or the schedule.
"""

from __future__ import annotations

import asyncio

import structlog

from fieldedge.services.deps import Deps
from fieldedge.services.outbox.dispatcher import drain

MAX_ROUNDS = 10  # kicks that keep arriving during a run extend it this far at most

log = structlog.get_logger("fieldedge.outbox")

_task: asyncio.Task[None] | None = None
_again = False


def _running() -> asyncio.Task[None] | None:
    """The current run, if it belongs to this event loop and is not finished (a task
    left over from another loop, as in tests, never blocks new kicks)."""
    if _task is None or _task.done() or _task.get_loop() is not asyncio.get_running_loop():
        return None
    return _task


def kick(deps: Deps) -> None:
    """Schedule a dispatch run now (call from inside the running loop)."""
    global _task, _again
    if _running() is not None:
        _again = True
        return
    _again = False
    _task = asyncio.get_running_loop().create_task(_run(deps), name="fieldedge-outbox-inline")


async def _run(deps: Deps) -> None:
    global _again
    for _ in range(MAX_ROUNDS):
        _again = False
        try:
            report = await drain(deps)
            if report.claimed:
                log.info("outbox.inline", **report.as_dict())
        except Exception:  # best effort: the schedule or the CLI picks up what is left
            log.exception("outbox.inline_failed")
            return
        if not _again:
            return


async def wait_idle() -> None:
    """Wait for the current run to finish (graceful shutdown, tests)."""
    while (task := _running()) is not None:
        await asyncio.wait({task})
