"""Apps and servers for the guarantee tests: rate limits on the real Redis, behind the
same breaker and timeout wrappers the composition root puts in front of every KV."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from fakes import FixedClock
from fieldedge.http import create_app
from fieldedge.ports.database import Database
from fieldedge.services.breaker import CircuitBreaker
from fieldedge_adapters.guarded import GuardedKV
from fieldedge_adapters.kv import kv_from_url
from fixtures.app import client_for, make_deps
from fixtures.identity_api import Api

# Generous: these tests prove atomic counting, not timeouts (tests/adapters/kv does those).
KV_TIMEOUT_S = 2.0
# The shared per-IP auth limit would otherwise count every test's sign-ins on one key.
ROOMY_AUTH_IP = 10_000


def unique_email(name: str = "user") -> str:
    """Emails of this test alone: the per-email auth window lives in the shared Redis."""
    return f"{name}-{uuid.uuid4().hex[:10]}@example.com"


def guarded_redis(redis_url: str, monotonic: Callable[[], float]) -> GuardedKV:
    kv = kv_from_url(redis_url, timeout_s=KV_TIMEOUT_S)
    return GuardedKV(kv, CircuitBreaker("kv", monotonic=monotonic), timeout_s=KV_TIMEOUT_S)


@pytest.fixture
async def redis_api(
    db: Database, tmp_path: Path, redis_url: str
) -> AsyncIterator[Callable[..., Api]]:
    """Build ``Api``s over the real database and Redis; settings overrides as keywords."""
    made: list[Api] = []

    def build(**overrides: Any) -> Api:
        clock = FixedClock(at=datetime.now(UTC).replace(microsecond=0))
        overrides.setdefault("rate_auth_ip_per_min", ROOMY_AUTH_IP)
        deps = make_deps(
            tmp_path, db, kv=guarded_redis(redis_url, clock.monotonic), clock=clock, **overrides
        )
        app = create_app(deps)
        api = Api(app, deps, client_for(app), clock)
        made.append(api)
        return api

    yield build
    for api in made:
        await api.client.aclose()
        await api.deps.kv.close()
        await api.deps.storage.close()
        await api.deps.mailer.close()
