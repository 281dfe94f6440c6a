"""``fieldedge jobs run NAME``: the scheduled jobs by hand (cron, a one-off, a test)."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from fieldedge.errors import FieldedgeError
from fieldedge_handlers.cli.common import CliError, deps_or_exit
from fieldedge_handlers.jobs import JOBS, JobError, run_job


def _lines(report: dict[str, Any], prefix: str = "") -> list[str]:
    lines = []
    for key, value in report.items():
        if isinstance(value, dict):
            lines += _lines(value, f"{prefix}{key} ")
        else:
            lines.append(f"{prefix}{key}: {value}")
    return lines


def run(args: argparse.Namespace) -> int:
    async def go() -> dict[str, Any]:
        async with deps_or_exit() as deps:
            return await run_job(args.name, deps)

    try:
        report = asyncio.run(go())
    except (JobError, FieldedgeError) as exc:
        raise CliError(str(exc)) from None
    for line in _lines(report):
        print(line)
    return 0


def register(commands: Any) -> None:
    jobs: argparse.ArgumentParser = commands.add_parser("jobs", help="the scheduled jobs")
    actions = jobs.add_subparsers(dest="action", required=True, metavar="ACTION")
    runner = actions.add_parser("run", help="run one job now")
    runner.add_argument("name", choices=list(JOBS), help="the job")
    runner.set_defaults(run=run)
