"""The fuzz phases' fixtures: the app over a fresh database, its schema, and a bearer
header of each role (``fuzzing.py`` holds what the phases share)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from schemathesis.python.asgi import _get_portal

from fieldedge.http import create_app
from fieldedge.services.outbox import inline
from fieldedge_adapters.sql import database_from_url
from fixtures.app import make_deps
from fixtures.database import POOL
from reliability.fuzzing import LIMITS, ROLES, token_of


@pytest.fixture(params=ROLES)
def role(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def fuzzed(database_url: str, tmp_path: Path, role: str) -> Iterator[Any]:
    """The app over a fresh database, its schema, and a bearer header of the test's role."""
    db = database_from_url(database_url, **POOL)
    deps = make_deps(tmp_path, db, **LIMITS)
    app = create_app(deps)
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    from schemathesis.python.asgi import get_client

    client = get_client(app)
    headers = {"Authorization": f"Bearer {token_of(client, role, app, deps)}"}
    yield schema, client, headers
    client.close()
    portal = _get_portal()
    # The last write's inline outbox and audit run may still hold a connection.
    portal.call(inline.wait_idle)
    closers = (deps.kv.close, deps.storage.close, deps.mailer.close, deps.webhooks.close)
    for close in (*closers, db.close):
        portal.call(close)
