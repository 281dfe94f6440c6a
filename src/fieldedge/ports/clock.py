"""Time and identity, injected so tests can pin them."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back, for durations and timeouts."""
        ...


class Ids(Protocol):
    def new(self) -> UUID:
        """A new time-ordered id (UUIDv7)."""
        ...
