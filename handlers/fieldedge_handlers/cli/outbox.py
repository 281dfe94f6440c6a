"""``fieldedge outbox run [--limit N] [--loop]`` and ``fieldedge outbox retry``.

``run`` sends what is due and exits; with ``--loop`` it keeps polling (a worker for
hosts without inline dispatch or a scheduler) until SIGINT or SIGTERM, finishing the
batch in hand first. Output is one plain line per batch that did something.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from typing import Any
from uuid import UUID

import structlog

from fieldedge.errors import FieldedgeError
from fieldedge.services.deps import Deps
from fieldedge.services.outbox.dispatcher import DispatchReport, drain
from fieldedge_handlers.cli.common import CliError, deps_or_exit

log = structlog.get_logger("fieldedge.cli")


def _line(report: DispatchReport) -> str:
    line = f"sent {report.sent}, failed {report.failed}, dead {report.dead}"
    return line + (f", errors {report.errors}" if report.errors else "")


async def _loop(deps: Deps, limit: int | None, interval_s: float) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    while not stop.is_set():
        try:
            report = await drain(deps, limit=limit)
            if report.claimed:
                print(_line(report), flush=True)
        except FieldedgeError as exc:  # the database is down: say so, try again later
            log.warning("outbox.run_failed", error=exc.message)
        with contextlib.suppress(TimeoutError):  # the interval ran out: poll again
            await asyncio.wait_for(stop.wait(), timeout=interval_s)


def run(args: argparse.Namespace) -> int:
    async def go() -> DispatchReport | None:
        async with deps_or_exit() as deps:
            if args.loop:
                await _loop(deps, args.limit, args.interval)
                return None
            return await drain(deps, limit=args.limit)

    try:
        report = asyncio.run(go())
    except FieldedgeError as exc:
        raise CliError(exc.message) from None
    if report is None:
        return 0
    print(_line(report))
    return 1 if report.errors else 0


def retry(args: argparse.Namespace) -> int:
    from fieldedge.services.outbox.admin import retry_dead

    async def go() -> int:
        async with deps_or_exit() as deps:
            return await retry_dead(deps, event_id=args.id)

    try:
        count = asyncio.run(go())
    except FieldedgeError as exc:
        raise CliError(exc.message) from None
    print(f"{count} dead event(s) back to pending")
    if args.id is not None and count == 0:
        raise CliError(f"no dead event {args.id}")
    return 0


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def _seconds(value: str) -> float:
    number = float(value)
    if not 0.1 <= number <= 3600:
        raise argparse.ArgumentTypeError("must be between 0.1 and 3600 seconds")
    return number


def register(commands: Any) -> None:
    outbox: argparse.ArgumentParser = commands.add_parser("outbox", help="the mail outbox")
    actions = outbox.add_subparsers(dest="action", required=True, metavar="ACTION")

    runner = actions.add_parser("run", help="send what is due (exit 1 if a mark failed)")
    runner.add_argument("--limit", type=_positive, help="events per batch (OUTBOX_BATCH)")
    runner.add_argument("--loop", action="store_true", help="keep polling until SIGINT/SIGTERM")
    runner.add_argument("--interval", type=_seconds, default=5.0, help="seconds between polls")
    runner.set_defaults(run=run)

    again = actions.add_parser("retry", help="dead events back to pending, attempts reset")
    which = again.add_mutually_exclusive_group(required=True)
    which.add_argument("--id", type=UUID, help="one event")
    which.add_argument("--all-dead", action="store_true", help="every dead event")
    again.set_defaults(run=retry)
