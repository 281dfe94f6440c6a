"""Use cases on the memory fake: deps over ``MemoryDatabase``, a clock the test moves,
and ``world`` (one company, two teams; see ``world``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from fakes import FixedClock, MemoryDatabase
from fieldedge.services.deps import Deps
from fieldedge_adapters.kv import MemoryKV
from fixtures.app import make_deps

from .world import World, build_world

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(at=NOW)


@pytest.fixture
async def deps(tmp_path: Path, clock: FixedClock) -> AsyncIterator[Deps]:
    kv = MemoryKV(clock=clock.monotonic)  # keys expire as the test's clock moves
    built = make_deps(tmp_path, MemoryDatabase(), kv, clock=clock)
    try:
        yield built
    finally:
        await built.kv.close()
        await built.storage.close()
        await built.mailer.close()


@pytest.fixture
async def world(deps: Deps, clock: FixedClock) -> World:
    return await build_world(deps, clock)


@pytest.fixture
async def other(deps: Deps, clock: FixedClock) -> World:
    """A second company on the same database."""
    return await build_world(deps, clock, name="Other Pharma")
