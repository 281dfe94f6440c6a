"""The identity tests run on a real database (SQLite, Postgres, PgBouncer)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from fieldedge.ports.database import Database
from fixtures.app import open_api
from fixtures.identity_api import Api


@pytest.fixture
async def api(db: Database, tmp_path: Path) -> AsyncIterator[Api]:
    async with open_api(db, tmp_path) as opened:
        yield opened
