"""Sync as the field uses it: a push whose response never arrived, writers and pullers
racing on Postgres, and a whole day offline pushed in batches at night."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from fieldedge.ports.database import Database
from fieldforce.conftest import PUNE, Team, build_team
from fixtures.app import open_api
from fixtures.identity_api import bearer
from fixtures.images import image_bytes
from fixtures.replica import Replica

PUSH, PULL = "/api/v1/sync/push", "/api/v1/sync/pull"
POSTGRES = pytest.mark.parametrize("database_url", ["postgres", "pgbouncer"], indirect=True)


@pytest.fixture
async def busy(db: Database, tmp_path: Path) -> AsyncIterator[Team]:
    """A team whose limits a day's traffic in seconds does not reach."""
    async with open_api(db, tmp_path, rate_sync_per_min=10_000, rate_write_per_min=10_000) as api:
        yield await build_team(api)


def replica(team: Team, who: str) -> Replica:
    async def call(path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await team.post(who, path, body)
        assert response.status_code == 200, response.text
        return dict(response.json()["data"])

    def device_clock() -> str:  # the phone's clock is right
        return team.api.clock.now().isoformat().replace("+00:00", "Z")

    return Replica(lambda body: call(PUSH, body), lambda body: call(PULL, body), clock=device_clock)


async def server_rows(team: Team, who: str) -> dict[str, dict[str, dict[str, Any]]]:
    """What ``who`` may see now, read whole through a fresh replica."""
    fresh = replica(team, who)
    await fresh.sync()
    return fresh.rows


async def test_a_push_whose_response_was_lost_applies_once(team: Team) -> None:
    client, contact = str(uuid4()), str(uuid4())
    mutation = {"id": 1, "entity": "contact", "op": "create", "entityId": contact,
                "data": {"name": "Lift lobby stockist"}}  # fmt: skip
    body = json.dumps({"clientId": client, "mutations": [mutation]}).encode()
    token = team.tokens["rep_a1"]
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": PUSH, "raw_path": PUSH.encode(), "query_string": b"",
        "root_path": "", "client": ("127.0.0.1", 40000), "server": ("testserver", 80),
        "headers": [(b"host", b"testserver"), (b"content-type", b"application/json"),
                    (b"authorization", f"Bearer {token}".encode())],
    }  # fmt: skip

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def dropped(message: dict[str, Any]) -> None:
        raise ConnectionResetError("the lift doors closed")  # committed; the answer is lost

    with contextlib.suppress(ConnectionResetError):
        await team.api.app(scope, receive, dropped)
    assert await team.count("contacts") == 1
    retry = await team.post("rep_a1", PUSH, {"clientId": client, "mutations": [mutation]})
    assert retry.status_code == 200
    (result,) = retry.json()["data"]["results"]
    assert (result["status"], result["entityId"]) == ("duplicate", contact)
    assert result["version"] > 0
    assert await team.count("contacts") == 1


@POSTGRES
async def test_pullers_racing_writers_see_every_change_once(busy: Team) -> None:
    team = busy
    seed = [(await team.contact("rep_a1", name=f"Seed {i}"))["id"] for i in range(4)]
    pullers = [replica(team, "rep_a1") for _ in range(3)]
    seen: list[list[tuple[str, int]]] = [[] for _ in pullers]
    done = asyncio.Event()

    async def rest_writer() -> None:
        for i in range(12):
            contact = seed[i % len(seed)]
            await team.patch("rep_a1", f"/api/v1/contacts/{contact}", {"notes": f"rest {i}"})
            await team.contact("rep_a1", name=f"Rest {i}")

    async def manager_writer() -> None:
        for i in range(12):
            await team.patch("mgr_a", f"/api/v1/contacts/{seed[i % 2]}", {"city": f"City {i}"})

    async def sync_writer() -> None:
        device = replica(team, "rep_a1")
        for i in range(6):
            for j in range(3):
                device.create("contact", {"name": f"Synced {i}.{j}"})
            await device.sync()

    async def puller(k: int) -> None:
        replica_ = pullers[k]
        original = replica_.pull

        async def recording(body: dict[str, Any]) -> dict[str, Any]:
            data = await original(body)
            for row in data["changes"]["contacts"]["upserted"]:
                seen[k].append((row["id"], row["version"]))
            return data

        replica_.pull = recording
        for _ in range(500):  # bounded: the writers finish long before
            if done.is_set():
                break
            await replica_.sync(page=3)
            await asyncio.sleep(0)
        await replica_.sync(page=3)

    async def writers() -> None:
        await asyncio.gather(rest_writer(), manager_writer(), sync_writer())
        done.set()

    await asyncio.gather(writers(), *(puller(k) for k in range(len(pullers))))
    final = (await server_rows(team, "rep_a1"))["contacts"]
    assert len(final) == 4 + 12 + 18
    for k, replica_ in enumerate(pullers):
        assert replica_.kind("contacts") == final, k
        assert len(seen[k]) == len(set(seen[k])), "a change was handed out twice"


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
async def test_a_day_offline_converges_with_exactly_the_expected_conflicts(busy: Team) -> None:
    team = busy
    products = [(await team.product(sku=f"SKU-{i}", unitPrice=1000 + i))["id"] for i in range(3)]
    book = [
        (await team.contact("rep_a1", name=f"Outlet {i}", city="Pune"))["id"] for i in range(10)
    ]
    line = [{"productId": products[0], "quantity": 1}]
    pending = await team.post("rep_a1", "/api/v1/orders", {"contactId": book[0], "items": line})
    morning_order = pending.json()["data"]["id"]
    device = replica(team, "rep_a1")
    await device.sync()  # the morning pull, then the signal goes
    # While the rep is offline: the manager edits two outlets and approves the order.
    for contact in book[:2]:
        edit = await team.patch("mgr_a", f"/api/v1/contacts/{contact}", {"city": "Mumbai"})
        assert edit.status_code == 200
    approve = await team.patch("mgr_a", f"/api/v1/orders/{morning_order}", {"status": "APPROVED"})
    assert approve.status_code == 200
    # The rep's day: 300 mutations.
    for contact in book:
        device.edit("contact", contact, {"city": "Nashik", "notes": "visited twice"})
    device.edit("order", morning_order, {"notes": "deliver before Friday"})
    shop = {"latitude": PUNE[0], "longitude": PUNE[1]}
    new_contacts = [device.create("contact", {"name": f"New shop {i}", **shop}) for i in range(39)]
    outlets = book + new_contacts
    start = team.api.clock.now() - timedelta(hours=10)

    def at(i: int) -> str:  # every five minutes through the day, hours before the push
        return (start + timedelta(minutes=5 * i)).isoformat().replace("+00:00", "Z")

    visits = [
        device.create("visit", {"contactId": outlets[i % len(outlets)], "accuracyM": 15,
                                "latitude": PUNE[0], "longitude": PUNE[1], "checkedInAt": at(i)})
        for i in range(90)
    ]  # fmt: skip
    orders = [
        device.create("order", {"contactId": outlets[i % len(outlets)],
                                "items": [{"productId": products[i % 3], "quantity": 1 + i % 4}]})
        for i in range(80)
    ]  # fmt: skip
    for order in orders:
        device.create("payment", {"orderId": order, "amount": 100, "method": "CASH"})
    assert len(device.queue) == 300
    await device.sync()
    outcomes: dict[str, list[tuple[str, str]]] = {}
    for result in device.results:
        outcomes.setdefault(result["status"], []).append(
            (result["entityId"], ",".join(c["field"] for c in result["conflicts"]))
        )
    assert sorted(outcomes) == ["applied", "conflict"], {k: len(v) for k, v in outcomes.items()}
    assert sorted(outcomes["conflict"]) == sorted(
        [(book[0], "city"), (book[1], "city"), (morning_order, "")]
    )
    assert len(outcomes["applied"]) == 297
    # Photos taken offline go up after their visits, through the photo route, one retried.
    for k, visit in enumerate(visits[:3]):
        photo = {"photoId": str(uuid4()), "capturedAt": "2026-01-03T09:00:00Z"}
        for _ in range(2 if k == 0 else 1):
            response = await team.client.post(
                f"/api/v1/visits/{visit}/photos",
                files={"file": ("p.png", image_bytes("PNG", color=k), "image/png")},
                data=photo,
                headers=bearer(team.tokens["rep_a1"]),
            )
            assert response.status_code == 201, response.text
    await device.sync()
    server = await server_rows(team, "rep_a1")
    for kind in ("contacts", "visits", "orders", "payments", "photos"):
        assert device.kind(kind) == server[kind], kind
    assert len(server["photos"]) == 3
    assert device.kind("contacts")[book[0]]["city"] == "Mumbai"  # the manager's kept
    assert device.kind("contacts")[book[0]]["notes"] == "visited twice"  # the rep's applied
    assert device.kind("orders")[morning_order]["status"] == "APPROVED"
    assert not any(v["flags"] for v in device.kind("visits").values() if v["id"] in visits[:10])


async def test_the_sweep_drops_results_past_retention_and_replays_stay_safe(team: Team) -> None:
    from fieldedge.services.outbox.sweep import sweep

    client, contact = str(uuid4()), str(uuid4())
    mutation = {"id": 1, "entity": "contact", "op": "create", "entityId": contact,
                "data": {"name": "Kept a month"}}  # fmt: skip
    assert (await team.post("rep_a1", PUSH, {"clientId": client, "mutations": [mutation]})).json()
    assert (await sweep(team.api.deps))["sync_records"] == 0  # still within retention
    me = (await team.api.me(team.tokens["rep_a1"])).json()["data"]["user"]
    team.api.clock.advance(timedelta(days=31).total_seconds())
    team.tokens["rep_a1"] = (await team.api.tokens(me["email"]))["accessToken"]
    assert (await sweep(team.api.deps))["sync_records"] == 1
    late = await team.post("rep_a1", PUSH, {"clientId": client, "mutations": [mutation]})
    (result,) = late.json()["data"]["results"]
    assert (result["status"], result["version"]) == ("duplicate", None)  # only the fact
    assert await team.count("contacts") == 1
