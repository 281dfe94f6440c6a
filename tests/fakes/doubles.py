"""Test-only fakes of our ports, for tests that need a dependency to fail on demand.

Where a real runtime adapter works as a fake (``memory://``, ``file://``, ``console://``,
SQLite) tests use it instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from fieldedge.errors import DependencyUnavailable
from fieldedge.ports.database import SchemaState


@dataclass
class Switch:
    """A dependency that can be turned off: every call then raises ``DependencyUnavailable``."""

    dependency: str
    down: bool = False

    def check(self) -> None:
        if self.down:
            raise DependencyUnavailable(self.dependency)


@dataclass
class FakeDatabase:
    """Answers health and schema questions; holds no data (``MemoryDatabase`` does)."""

    name: str = "fake"
    current: str | None = "head"
    head: str = "head"
    switch: Switch = field(default_factory=lambda: Switch("database"))
    closed: bool = False

    def unit_of_work(self) -> object:
        raise AssertionError("FakeDatabase has no unit of work; use MemoryDatabase")

    async def ping(self) -> None:
        self.switch.check()

    async def schema_state(self) -> SchemaState:
        self.switch.check()
        return SchemaState(current=self.current, head=self.head)

    async def close(self) -> None:
        self.closed = True


@dataclass
class FixedClock:
    at: datetime = field(default_factory=lambda: datetime(2026, 1, 3, 10, 0, tzinfo=UTC))
    ticks: float = 0.0

    def now(self) -> datetime:
        return self.at

    def monotonic(self) -> float:
        return self.ticks

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)
        self.ticks += seconds
