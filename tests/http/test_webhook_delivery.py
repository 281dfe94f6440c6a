"""Webhooks over real HTTP: a receiver on loopback (uvicorn, in the test) that takes
events, fails on purpose, hangs, redirects or answers a huge body, and the app's own
httpx sender delivering to it, on every backend; the routes an ADMIN uses; the guard
that refuses loopback unless the settings allow it; and on Postgres each event id
delivered exactly once by two dispatchers running at once."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from standardwebhooks.webhooks import Webhook

from fieldedge.domain.webhooks import MAX_ATTEMPTS
from fieldedge.ports.database import Database
from fieldedge.services.outbox.backoff import WEBHOOK_DELAYS_S
from fieldedge.services.outbox.dispatcher import dispatch_due
from fixtures.app import open_api
from fixtures.identity_api import Api, bearer

POSTGRES = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
HUGE = 100 * 1024 * 1024  # what /huge would send, were it read to the end


@dataclass
class Receiver:
    """What arrived at which path, and the app that answers (pure ASGI)."""

    got: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)
    port: int = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def ids(self, path: str) -> list[str]:
        return [headers["webhook-id"] for p, headers, _ in self.got if p == path]

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        path = scope["path"]
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        self.got.append((path, headers, body))
        if path == "/hang":
            await asyncio.sleep(2)  # past the sender's 1 s deadline
        status, extra = {"/fail": (500, []), "/redirect": (302, [(b"location", b"/ok")])}.get(
            path, (204 if path != "/huge" else 200, [])
        )
        await send({"type": "http.response.start", "status": status, "headers": extra})
        if path == "/huge":
            chunk = b"x" * 65536
            for _ in range(HUGE // len(chunk)):
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    app = Receiver()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="error", lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 (uvicorn offers a flag, not an event)
        await asyncio.sleep(0.01)
    app.port = server.servers[0].sockets[0].getsockname()[1]
    yield app
    server.should_exit = True  # after in-flight requests (a hang's 2 s) end
    await task


@pytest.fixture
async def api(db: Database, tmp_path: Path) -> AsyncIterator[Api]:
    async with open_api(
        db, tmp_path, webhook_allow_loopback=True, webhook_timeout_s=1.0, outbox_inline=False
    ) as opened:
        yield opened


async def admin_of(api: Api) -> dict[str, str]:
    return bearer((await api.register(company="Hooked Co"))["accessToken"])


async def subscribe(api: Api, admin: dict[str, str], url: str, *types: str) -> dict[str, Any]:
    body = {"url": url, "eventTypes": list(types) or ["contact.created"]}
    response = await api.client.post("/api/v1/webhooks", json=body, headers=admin)
    assert response.status_code == 201, response.text
    return dict(response.json()["data"])


async def contact(api: Api, admin: dict[str, str], name: str = "Dr. Rao") -> str:
    response = await api.client.post("/api/v1/contacts", json={"name": name}, headers=admin)
    assert response.status_code == 201, response.text
    return str(response.json()["data"]["id"])


async def log(api: Api, admin: dict[str, str], endpoint: dict[str, Any]) -> list[dict[str, Any]]:
    path = f"/api/v1/webhooks/{endpoint['id']}/deliveries"
    response = await api.client.get(path, headers=admin, params={"limit": 50})
    assert response.status_code == 200, response.text
    return list(response.json()["data"])


async def test_an_event_arrives_signed_once_and_is_logged(api: Api, receiver: Receiver) -> None:
    admin = await admin_of(api)
    endpoint = await subscribe(api, admin, receiver.url("/ok"))
    made = await contact(api, admin)
    await dispatch_due(api.deps)
    [(_, headers, body)] = receiver.got
    event = Webhook(endpoint["secret"]).verify(body, headers)  # the reference verifier
    assert event["type"] == "contact.created"
    assert event["data"]["id"] == made
    assert headers["webhook-id"] == event["id"]
    [row] = await log(api, admin, endpoint)
    assert (row["status"], row["responseStatus"], row["attempt"]) == ("DELIVERED", 204, 1)
    assert row["eventId"] == event["id"]


async def test_a_receiver_that_fails_is_retried_over_a_day_then_dead_and_disabled(
    api: Api, receiver: Receiver
) -> None:
    admin = await admin_of(api)
    endpoint = await subscribe(api, admin, receiver.url("/fail"))
    await contact(api, admin)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        await dispatch_due(api.deps)
        assert len(receiver.ids("/fail")) == attempt
        await dispatch_due(api.deps)  # not due again until its backoff has passed
        assert len(receiver.ids("/fail")) == attempt
        if attempt < MAX_ATTEMPTS:
            api.clock.advance(WEBHOOK_DELAYS_S[attempt - 1] * 1.21)
    assert len(set(receiver.ids("/fail"))) == 1  # one event id, every attempt
    assert len(receiver.ids("/fail")) == MAX_ATTEMPTS
    fresh = await admin_of_token(api, admin)
    rows = await log(api, fresh, endpoint)
    assert [r["status"] for r in rows] == ["DEAD"] + ["FAILED"] * (MAX_ATTEMPTS - 1)
    assert {r["responseStatus"] for r in rows} == {500}
    read = await api.client.get(f"/api/v1/webhooks/{endpoint['id']}", headers=fresh)
    assert read.json()["data"]["active"] is False
    mails = await api.sql("SELECT payload FROM outbox WHERE kind = 'email'")
    assert any("webhook_disabled" in str(row[0]) for row in mails)
    await contact(api, fresh, "After")
    await dispatch_due(api.deps)
    assert len(receiver.ids("/fail")) == MAX_ATTEMPTS  # a disabled endpoint gets nothing


async def admin_of_token(api: Api, admin: dict[str, str]) -> dict[str, str]:
    """A fresh token for the ADMIN after the clock ran past the first one's life."""
    rows = await api.sql("SELECT email FROM users WHERE role = 'ADMIN' ORDER BY created_at")
    return bearer((await api.tokens(rows[-1][0]))["accessToken"])


@pytest.mark.parametrize(
    ("path", "error"),
    [("/hang", "timed out"), ("/redirect", "HTTP 302"), ("/huge", "response body over")],
)
async def test_a_bad_receiver_is_a_failed_attempt_bounded_in_time_and_memory(
    api: Api, receiver: Receiver, path: str, error: str
) -> None:
    admin = await admin_of(api)
    endpoint = await subscribe(api, admin, receiver.url(path))
    ping = await api.client.post(f"/api/v1/webhooks/{endpoint['id']}/test", headers=admin)
    assert ping.status_code == 200, ping.text
    row = ping.json()["data"]
    assert row["status"] == "FAILED"
    assert error in row["error"]
    assert row["latencyMs"] < 5_000  # the 1 s deadline, not the receiver's 30 s
    assert receiver.ids("/ok") == []  # a redirect is never followed


async def test_the_guard_refuses_loopback_by_default(
    db: Database, tmp_path: Path, receiver: Receiver
) -> None:
    async with open_api(db, tmp_path) as default:
        admin = await admin_of(default)
        for url in (receiver.url("/ok"), "http://169.254.169.254/latest", "http://10.0.0.1/x"):
            response = await default.client.post(
                "/api/v1/webhooks", json={"url": url, "eventTypes": ["order.created"]},
                headers=admin,
            )  # fmt: skip
            assert response.status_code == 422, url
            assert response.json()["error"]["details"]["url"]
    assert receiver.got == []


async def test_the_routes_an_admin_uses(api: Api, receiver: Receiver) -> None:
    admin = await admin_of(api)
    endpoint = await subscribe(api, admin, receiver.url("/ok"), "contact.created")
    assert endpoint["secret"].startswith("whsec_")
    listed = await api.client.get("/api/v1/webhooks", headers=admin)
    assert "secret" not in listed.json()["data"][0]
    rotated = await api.client.post(
        f"/api/v1/webhooks/{endpoint['id']}/rotate-secret", json={"overlapHours": 2},
        headers=admin,
    )  # fmt: skip
    new = rotated.json()["data"]["secret"]
    ping = await api.client.post(f"/api/v1/webhooks/{endpoint['id']}/test", headers=admin)
    assert ping.json()["data"]["status"] == "DELIVERED"
    _, headers, body = receiver.got[-1]
    Webhook(endpoint["secret"]).verify(body, headers)  # both sign during the overlap
    Webhook(new).verify(body, headers)
    redo = await api.client.post(
        f"/api/v1/webhooks/{endpoint['id']}/deliveries/{ping.json()['data']['id']}/redeliver",
        headers=admin,
    )
    assert redo.status_code == 202, redo.text
    await dispatch_due(api.deps)
    assert receiver.ids("/ok")[-1] == receiver.ids("/ok")[0]  # the same webhook-id again
    off = await api.client.patch(
        f"/api/v1/webhooks/{endpoint['id']}", json={"active": False}, headers=admin
    )
    assert off.json()["data"]["active"] is False
    await contact(api, admin)
    assert (await dispatch_due(api.deps)).claimed == 0
    gone = await api.client.delete(f"/api/v1/webhooks/{endpoint['id']}", headers=admin)
    assert gone.status_code == 200
    assert (
        await api.client.get(f"/api/v1/webhooks/{endpoint['id']}", headers=admin)
    ).status_code == 404


@POSTGRES
async def test_two_dispatchers_deliver_each_event_id_exactly_once(
    api: Api, receiver: Receiver
) -> None:
    admin = await admin_of(api)
    await subscribe(api, admin, receiver.url("/ok"))
    await subscribe(api, admin, receiver.url("/ok2"))
    for n in range(40):
        await contact(api, admin, f"Contact {n}")

    async def dispatcher() -> int:
        sent = 0
        while (report := await dispatch_due(api.deps, limit=7)).claimed:
            sent += report.sent
        return sent

    first, second = await asyncio.gather(dispatcher(), dispatcher())
    assert first > 0
    assert second > 0  # both took part
    for path in ("/ok", "/ok2"):
        counts = Counter(receiver.ids(path))
        assert len(counts) == 40
        assert set(counts.values()) == {1}
