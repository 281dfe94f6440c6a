"""What every subcommand shares: settings with one readable line on error, clean exits."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fieldedge.errors import ConfigError
from fieldedge.services.deps import Deps
from fieldedge.settings import Settings


class CliError(Exception):
    """Printed as one line on stderr; the process exits with ``exit_code``."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def settings_or_exit() -> Settings:
    from fieldedge_handlers.bootstrap import load_settings, setup_logging

    try:
        settings = load_settings()
    except ConfigError as exc:
        raise CliError(f"configuration: {exc}", exit_code=2) from None
    setup_logging(settings)
    return settings


@asynccontextmanager
async def deps_or_exit() -> AsyncIterator[Deps]:
    """The app's container for a command, closed when it is done."""
    from fieldedge_handlers.bootstrap import build_deps, close_deps

    deps = build_deps(settings_or_exit())
    try:
        yield deps
    finally:
        await close_deps(deps)
