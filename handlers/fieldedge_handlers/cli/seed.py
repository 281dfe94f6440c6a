"""``fieldedge seed --demo``: the demo company, its logins printed.
``fieldedge seed --scale N``: the scale fixture (Postgres), scaled by N (1 = full size)."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from fieldedge.errors import ConfigError
from fieldedge_handlers.cli.common import CliError, deps_or_exit, settings_or_exit

SCALE_PASSWORD = "scale-fixture-passphrase"  # noqa: S105  (fixture logins, printed)


async def seed_and_print() -> None:
    from fieldedge.services.company.lookup import find_company
    from fieldedge.services.demo.seed import PASSWORD, seed_demo

    async with deps_or_exit() as deps:
        created, people = await seed_demo(deps)
        names = list(dict.fromkeys(person.company for person in people))
        companies = [await find_company(name, deps) for name in names]
    state = "created" if created else "already there"
    print(f"Every demo login uses the password: {PASSWORD}")
    for company in companies:
        print(f"Demo company {company.name!r} {state}.")
        print(f"  its id (for --company): {company.id}")
        for person in (p for p in people if p.company == company.name):
            print(f"  {person.role.value:<10} {person.email:<32} {person.name}")


def seed_scale(scale: float) -> None:
    from fieldedge.services.security.passwords import PasswordHasher
    from fieldedge_adapters.sql.scale_fixture import seed_scale as fill

    url = settings_or_exit().migrations_url  # the owner's connection: COPY bypasses RLS
    if not url.startswith("postgresql+asyncpg://"):
        raise CliError("seed --scale: needs Postgres (DATABASE_URL_DIRECT or DATABASE_URL)", 2)
    dsn = url.replace("postgresql+asyncpg://", "postgresql://", 1)

    async def run() -> Any:
        password_hash = await PasswordHasher().hash(SCALE_PASSWORD)
        return await fill(dsn, scale, password_hash=password_hash, progress=print)

    try:
        world = asyncio.run(run())
    except ConfigError as exc:
        raise CliError(f"seed --scale: {exc}", 1) from None
    big = world.big
    print(f"Seeded in {world.seconds:.0f} s: {big.name!r} ({big.id}) {big.counts}")
    print(f"  admin {big.admin_email}, reps rep0..rep{len(big.rep_ids) - 1}@scale.example.com")
    print(f"  and {len(world.small)} small tenants (admin@small00.example.com, ...)")
    print(f"Every login uses the password: {SCALE_PASSWORD}")


def run(args: argparse.Namespace) -> int:
    if args.scale is not None:
        if not 0 < args.scale <= 10:
            raise CliError("seed --scale: N must be above 0 and at most 10", 2)
        seed_scale(args.scale)
        return 0
    if not args.demo:
        raise CliError("say what to seed: --demo or --scale N", 2)
    asyncio.run(seed_and_print())
    return 0


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser("seed", help="seed data")
    parser.add_argument("--demo", action="store_true", help="the demo company and its logins")
    parser.add_argument(
        "--scale",
        type=float,
        metavar="N",
        help="the scale fixture on a migrated, empty Postgres (1: 100k contacts, 2M visits)",
    )
    parser.set_defaults(run=run)
