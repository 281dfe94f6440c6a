"""What every subcommand shares: loading settings with one readable line on error."""

from __future__ import annotations


class CliError(Exception):
    """Printed as one line on stderr; the process exits with ``exit_code``."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code
