"""The identity tests run on a real database (SQLite, Postgres, PgBouncer)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from fakes import FixedClock
from fieldedge.http import create_app
from fieldedge.ports.database import Database
from fixtures.app import client_for, make_deps
from fixtures.identity_api import Api


@pytest.fixture
async def api(db: Database, tmp_path: Path) -> AsyncIterator[Api]:
    clock = FixedClock(at=datetime.now(UTC).replace(microsecond=0))
    deps = make_deps(tmp_path, db, clock=clock)
    app = create_app(deps)
    async with client_for(app) as client:
        yield Api(app, deps, client, clock)
    await deps.kv.close()
    await deps.storage.close()
    await deps.mailer.close()
