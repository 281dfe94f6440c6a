"""``fieldedge export --company ID|NAME``: one tenant's data zipped into object storage.

Prints the object key, a signed download link (valid ``--link-hours``) and the row count
of each table on stdout; progress goes to stderr, so ``fieldedge export … > out.txt``
keeps only the result. Exit 0, or 1 with one line when it could not be done.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from fieldedge.errors import FieldedgeError
from fieldedge_handlers.cli.common import CliError, deps_or_exit
from fieldedge_handlers.cli.progress import ProgressReporter


def run(args: argparse.Namespace) -> int:
    from fieldedge.services.company.lookup import find_company
    from fieldedge.services.export import ExportResult, export_company

    progress = ProgressReporter()

    async def go() -> ExportResult:
        async with deps_or_exit() as deps:
            company = await find_company(args.company, deps)
            return await export_company(
                company.id, deps, progress=progress, link_ttl_s=args.link_hours * 3600
            )

    try:
        result = asyncio.run(go())
    except FieldedgeError as exc:
        raise CliError(exc.message) from None
    finally:
        progress.finish()
    print(f"key   {result.key} ({result.size} bytes)")
    print(f"link  {result.url}")
    print(f"valid {args.link_hours} h")
    for table, count in result.counts.items():
        print(f"  {table:<14} {count}")
    return 0


def _hours(value: str) -> int:
    number = int(value)
    if not 1 <= number <= 168:  # S3 signatures last at most 7 days
        raise argparse.ArgumentTypeError("must be between 1 and 168 hours")
    return number


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "export", help="a company's data as JSON Lines, zipped into storage, with a link"
    )
    parser.add_argument("--company", required=True, help="the company's id or name")
    parser.add_argument(
        "--link-hours", type=_hours, default=1, help="how long the link works (default 1)"
    )
    parser.set_defaults(run=run)
