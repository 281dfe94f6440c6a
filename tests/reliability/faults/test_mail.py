"""SES failing (moto's SES behind a cut link): the outbox keeps the mail, retries it, and
delivers it exactly once when SES is back; nothing is lost."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import pytest

from fakes import FixedClock
from fieldedge.http import create_app
from fieldedge.services.outbox.backoff import CAP_S
from fieldedge.services.outbox.dispatcher import dispatch_due
from fieldedge_adapters.mail import mailer_from_url
from fieldedge_adapters.sql import database_from_url
from fixtures.app import client_for, make_deps
from fixtures.identity_api import Api

from .conftest import FAULT_POOL, TIMEOUT_S, open_proxy

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(60)]


async def sent_by_moto(endpoint: str, to: str) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(timeout=TIMEOUT_S) as http:
        response = await http.get(f"{endpoint}/moto-api/data.json")
    response.raise_for_status()
    messages = response.json()["ses"]["Message"]
    return [m for m in messages if to in m["destinations"]["ToAddresses"]]


def ses_through(ses_url: str, port: int) -> str:
    parts = urlsplit(ses_url)
    query = dict(parse_qsl(parts.query)) | {"endpoint_url": f"http://127.0.0.1:{port}"}
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


async def test_ses_down_the_outbox_retries_and_delivers_once(
    clean_postgres_url: str, ses_url: str, moto_server: str, tmp_path: Path
) -> None:
    proxy = await open_proxy(moto_server)
    db = database_from_url(clean_postgres_url, **FAULT_POOL)
    clock = FixedClock(at=datetime.now(UTC).replace(microsecond=0))
    deps = make_deps(tmp_path, db, clock=clock, outbox_inline=False)
    await deps.mailer.close()
    mailer = mailer_from_url(ses_through(ses_url, proxy.port), sender="x@example.com", timeout_s=3)
    deps = replace(deps, mailer=mailer)
    try:
        app = create_app(deps)
        async with client_for(app) as client:
            api = Api(app, deps, client, clock)
            proxy.cut()
            admin = await api.register()  # queues the welcome mail while SES is down
            failed = await asyncio.wait_for(dispatch_due(deps), TIMEOUT_S)
            assert (failed.failed, failed.sent) == (1, 0)
            assert await sent_by_moto(moto_server, admin["email"]) == []
            clock.advance(CAP_S)
            again = await asyncio.wait_for(dispatch_due(deps), TIMEOUT_S)
            assert (again.failed, again.sent) == (1, 0)  # still down: retried, still kept

            proxy.restore()
            clock.advance(CAP_S)
            sent = await asyncio.wait_for(dispatch_due(deps), TIMEOUT_S)
            assert (sent.failed, sent.sent) == (0, 1)
            clock.advance(CAP_S)
            after = await asyncio.wait_for(dispatch_due(deps), TIMEOUT_S)
            assert (after.claimed, after.sent) == (0, 0)
            assert len(await sent_by_moto(moto_server, admin["email"])) == 1
            [status] = await api.sql("SELECT status FROM outbox")
            assert status[0] == "sent"
    finally:
        await proxy.stop()
        await asyncio.wait_for(db.close(), TIMEOUT_S)
        await deps.mailer.close()
        await deps.kv.close()
        await deps.storage.close()
