"""The ``fieldedge`` command. Each subcommand lives in its own module with ``register()``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from fieldedge_handlers.cli import admin, export, importer, jobs, migrate, outbox, seed, serve
from fieldedge_handlers.cli.common import CliError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fieldedge", description="fieldedge: serve the API and operate it."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (serve, migrate, seed, admin, outbox, jobs, export, importer):
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except CliError as exc:
        print(f"fieldedge: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
