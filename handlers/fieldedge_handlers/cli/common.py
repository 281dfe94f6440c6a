"""What every subcommand shares: settings with one readable line on error, clean exits."""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fieldedge.errors import ConfigError
from fieldedge.services.deps import Deps
from fieldedge.settings import Settings


class CliError(Exception):
    """Printed as one line on stderr; the process exits with ``exit_code``."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


# What `fieldedge serve` ran with in dev mode, for the operator commands run after it in
# the same directory (they would otherwise start in prod mode and ask for JWT_SECRET).
SERVE_SETTINGS_FILE = Path("var/serve.env")


def remember_serve_settings(values: dict[str, str]) -> None:
    SERVE_SETTINGS_FILE.parent.mkdir(parents=True, exist_ok=True)
    SERVE_SETTINGS_FILE.write_text("".join(f"{key}={value}\n" for key, value in values.items()))


def _settings_left_by_serve() -> None:
    """No mode chosen (environment or ``.env``) but ``serve`` ran here in dev mode: take
    the same settings, as defaults the environment still overrides."""
    from dotenv import dotenv_values

    if "FIELDEDGE_ENV" in os.environ or not SERVE_SETTINGS_FILE.exists():
        return
    if Path(".env").exists() and "FIELDEDGE_ENV" in dotenv_values(".env"):
        return
    for key, value in dotenv_values(SERVE_SETTINGS_FILE).items():
        if value is not None:
            os.environ.setdefault(key, value)
    print(
        f"fieldedge: dev mode, as `fieldedge serve` left in {SERVE_SETTINGS_FILE}", file=sys.stderr
    )


def settings_or_exit() -> Settings:
    from fieldedge_handlers.bootstrap import load_settings, setup_logging

    _settings_left_by_serve()
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
