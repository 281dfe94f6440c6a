"""``GET /api/v1/outbox`` for an ADMIN, and the inline dispatch after writes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from fakes import FixedClock
from fieldedge.http import create_app
from fieldedge.ports.database import Database, Scope
from fieldedge.services.common import queue_email
from fieldedge.services.outbox import inline
from fieldedge.services.outbox.dispatcher import dispatch_due
from fixtures.app import client_for, make_deps
from fixtures.identity_api import Api, bearer

ITEM_KEYS = {
    "id",
    "kind",
    "template",
    "to",
    "status",
    "attempts",
    "lastError",
    "nextAttemptAt",
    "createdAt",
    "sentAt",
}


async def _api(db: Database, tmp_path: Path, **settings: Any) -> AsyncIterator[Api]:
    clock = FixedClock(at=datetime.now(UTC).replace(microsecond=0))
    deps = make_deps(tmp_path, db, clock=clock, **settings)
    app = create_app(deps)
    async with client_for(app) as client:
        yield Api(app, deps, client, clock)
    await inline.wait_idle()
    await deps.kv.close()
    await deps.storage.close()
    await deps.mailer.close()


@pytest.fixture
async def api(db: Database, tmp_path: Path) -> AsyncIterator[Api]:
    async for value in _api(db, tmp_path):
        yield value


async def _broken_event(api: Api, company_id: str) -> UUID:
    """A company event that cannot render: the dispatcher ends it dead."""
    # The register's inline run may still be going: were it to claim this event, the
    # dispatch below would find it leased and return before it is dead.
    await inline.wait_idle()
    async with api.deps.db.unit_of_work(Scope.tenant(UUID(company_id))) as uow:
        event = await queue_email(
            uow,
            api.deps,
            company_id=UUID(company_id),
            template="order_approved",
            to=["rep@example.com"],
            context={"name": "Ravi", "link": "https://app.example.com/reset?token=SECRET"},
        )
        await uow.commit()
    await dispatch_due(api.deps)
    await inline.wait_idle()
    return event.id


async def _company_id(api: Api, token: str) -> str:
    me = await api.me(token)
    return str(me.json()["data"]["company"]["id"])


async def test_admin_sees_dead_events_without_their_context(api: Api) -> None:
    admin = await api.register()
    token = admin["accessToken"]
    dead_id = await _broken_event(api, await _company_id(api, token))

    response = await api.client.get("/api/v1/outbox?status=dead", headers=bearer(token))

    assert response.status_code == 200, response.text
    [item] = response.json()["data"]
    assert set(item) == ITEM_KEYS
    assert item["id"] == str(dead_id)
    assert (item["status"], item["template"], item["to"]) == (
        "dead",
        "order_approved",
        ["rep@example.com"],
    )
    assert item["lastError"] == "order_approved: missing context key 'orderNumber'"
    assert "SECRET" not in response.text
    assert response.json()["pagination"]["hasMore"] is False


async def test_the_welcome_mail_goes_out_inline_after_the_write(api: Api) -> None:
    admin = await api.register()
    await inline.wait_idle()  # the kick ran in the background, after the response

    response = await api.client.get(
        "/api/v1/outbox?status=sent", headers=bearer(admin["accessToken"])
    )

    [item] = response.json()["data"]
    assert (item["template"], item["to"], item["attempts"]) == ("welcome", [admin["email"]], 0)
    assert item["sentAt"] is not None


async def test_without_inline_dispatch_the_mail_waits_pending(db: Database, tmp_path: Path) -> None:
    async for api in _api(db, tmp_path, outbox_inline=False):
        admin = await api.register()
        await inline.wait_idle()

        response = await api.client.get(
            "/api/v1/outbox?status=pending", headers=bearer(admin["accessToken"])
        )

        assert [i["template"] for i in response.json()["data"]] == ["welcome"]


async def test_a_rep_may_not_read_the_outbox(api: Api) -> None:
    admin = await api.register()
    rep = await api.create_user(admin["accessToken"], "SALES_REP")
    tokens = await api.tokens(rep["email"])

    response = await api.client.get("/api/v1/outbox", headers=bearer(tokens["accessToken"]))

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "FORBIDDEN"


async def test_each_company_sees_only_its_own_events(api: Api) -> None:
    first = await api.register(company="Acme Pharma")
    await _broken_event(api, await _company_id(api, first["accessToken"]))
    second = await api.register(company="Zen Retail")
    await inline.wait_idle()

    response = await api.client.get("/api/v1/outbox", headers=bearer(second["accessToken"]))

    assert [(i["template"], i["to"]) for i in response.json()["data"]] == [
        ("welcome", [second["email"]])
    ]
    dead = await api.client.get("/api/v1/outbox?status=dead", headers=bearer(second["accessToken"]))
    assert dead.json()["data"] == []


async def test_pages_follow_the_cursor(api: Api) -> None:
    admin = await api.register()
    company = await _company_id(api, admin["accessToken"])
    ids = {str(await _broken_event(api, company)) for _ in range(3)}
    seen: list[str] = []
    cursor = ""
    for _ in range(5):  # bounded: three pages are expected
        page = await api.client.get(
            f"/api/v1/outbox?status=dead&limit=1{cursor}", headers=bearer(admin["accessToken"])
        )
        body = page.json()
        seen += [item["id"] for item in body["data"]]
        if not body["pagination"]["hasMore"]:
            break
        cursor = f"&cursor={body['pagination']['nextCursor']}"

    assert sorted(seen) == sorted(ids)
    assert len(seen) == 3
