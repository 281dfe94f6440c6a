"""``fieldedge serve``: uvicorn on embedded defaults for local work."""

from __future__ import annotations

import argparse
from typing import Any


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser("serve", help="serve the API")
    parser.set_defaults(run=lambda args: parser.print_help())
