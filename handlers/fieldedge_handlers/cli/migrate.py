"""``fieldedge migrate up|down REV|status|new MESSAGE`` (owned by the SQL adapter work)."""

from __future__ import annotations

import argparse
from typing import Any


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser("migrate", help="database migrations")
    parser.set_defaults(run=lambda args: parser.print_help())
