"""The attack sweep runs on a real database (SQLite by default; Postgres and PgBouncer
when their URLs are set), with rate limits raised so the sweep itself is never a 429."""

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

from .world import World, build_world

LIMITS = {
    f"rate_{name}": 100_000
    for name in ("auth_email_per_min", "auth_ip_per_min", "read_per_min", "write_per_min")
} | {"rate_upload_per_day": 100_000}
# The world's webhook endpoint is on loopback (nothing listens: every send fails at once).
WEBHOOKS = {"webhook_allow_loopback": True, "webhook_timeout_s": 2.0}


@pytest.fixture
async def api(db: Database, tmp_path: Path) -> AsyncIterator[Api]:
    clock = FixedClock(at=datetime.now(UTC).replace(microsecond=0))
    deps = make_deps(tmp_path, db, clock=clock, **LIMITS, **WEBHOOKS)
    app = create_app(deps)
    async with client_for(app) as client:
        yield Api(app, deps, client, clock)
    await deps.kv.close()
    await deps.storage.close()
    await deps.mailer.close()
    await deps.webhooks.close()


@pytest.fixture
async def world(api: Api) -> World:
    return await build_world(api)
