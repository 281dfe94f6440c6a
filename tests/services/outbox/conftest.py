"""The outbox on a real database, a clock the test moves, and a mailer the test picks."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from fakes import FixedClock
from fieldedge.ports.database import Database
from fieldedge.ports.mail import Mailer
from fieldedge.services.deps import Deps
from fixtures.app import make_deps


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(at=datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
async def make_outbox_deps(
    db: Database, tmp_path: Path, clock: FixedClock
) -> AsyncIterator[Callable[..., Deps]]:
    """``build(mailer=None, **settings)``: deps on the test's database and clock; the
    console mailer unless the test passes its own."""
    built: list[Deps] = []

    def build(mailer: Mailer | None = None, **settings: Any) -> Deps:
        deps = make_deps(tmp_path, db, clock=clock, **settings)
        if mailer is not None:
            deps = dataclasses.replace(deps, mailer=mailer)
        built.append(deps)
        return deps

    yield build
    for deps in built:
        await deps.kv.close()
        await deps.storage.close()
        await deps.mailer.close()
