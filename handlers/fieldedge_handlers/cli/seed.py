"""``fieldedge seed --demo``: the demo company, its logins printed."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from fieldedge_handlers.cli.common import CliError, deps_or_exit


async def seed_and_print() -> None:
    from fieldedge.services.company.lookup import find_company
    from fieldedge.services.demo.seed import COMPANY, PASSWORD, seed_demo

    async with deps_or_exit() as deps:
        created, people = await seed_demo(deps)
        company = await find_company(COMPANY, deps)
    print(f"Demo company {company.name!r} " + ("created" if created else "already there") + ".")
    print(f"  its id (for --company): {company.id}")
    print(f"Every demo login uses the password: {PASSWORD}")
    for person in people:
        print(f"  {person.role.value:<10} {person.email:<32} {person.name}")


def run(args: argparse.Namespace) -> int:
    if not args.demo:
        raise CliError("say what to seed: --demo", 2)
    asyncio.run(seed_and_print())
    return 0


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser("seed", help="seed data")
    parser.add_argument("--demo", action="store_true", help="the demo company and its logins")
    parser.set_defaults(run=run)
