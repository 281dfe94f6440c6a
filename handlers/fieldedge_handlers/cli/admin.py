"""``fieldedge create-admin`` (a platform SUPER_ADMIN) and ``fieldedge audit verify``."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from typing import Any

from fieldedge.errors import FieldedgeError
from fieldedge_handlers.cli.common import CliError, deps_or_exit


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    if not sys.stdin.isatty():
        raise CliError("no terminal to ask for a password: use --password-stdin", 2)
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Again: "):
        raise CliError("the passwords differ", 2)
    return first


def create_admin(args: argparse.Namespace) -> int:
    from fieldedge.services.platform_admin import create_super_admin

    password = _password(args)

    async def run() -> None:
        async with deps_or_exit() as deps:
            await create_super_admin(args.email, args.name, password, deps)

    try:
        asyncio.run(run())
    except FieldedgeError as exc:
        details = "; ".join(f"{k}: {' '.join(v)}" for k, v in (exc.details or {}).items())
        raise CliError(f"{exc.message} {details}".strip()) from None
    print(f"created SUPER_ADMIN {args.email}")
    return 0


def verify(args: argparse.Namespace) -> int:
    from fieldedge.services.company.audit_log import verify_audit_chain
    from fieldedge.services.company.lookup import find_company

    async def run() -> tuple[int, list[str]]:
        async with deps_or_exit() as deps:
            company = await find_company(args.company, deps)
            return await verify_audit_chain(company.id, deps)

    try:
        checked, problems = asyncio.run(run())
    except FieldedgeError as exc:
        raise CliError(exc.message, 2) from None
    for problem in problems:
        print(f"BROKEN {problem}")
    print(f"{checked} entries checked, {len(problems)} problems")
    return 1 if problems else 0


def register(commands: Any) -> None:
    create: argparse.ArgumentParser = commands.add_parser(
        "create-admin", help="create a platform SUPER_ADMIN (password asked, or --password-stdin)"
    )
    create.add_argument("--email", required=True)
    create.add_argument("--name", default="Platform admin")
    create.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of stdin",
    )
    create.set_defaults(run=create_admin)

    audit: argparse.ArgumentParser = commands.add_parser("audit", help="the audit log")
    actions = audit.add_subparsers(dest="action", required=True, metavar="ACTION")
    check = actions.add_parser("verify", help="check a company's hash chain (exit 1 if broken)")
    check.add_argument("--company", required=True, help="the company's id or name")
    check.set_defaults(run=verify)
