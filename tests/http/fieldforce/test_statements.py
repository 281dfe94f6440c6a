"""What a request costs the database, counted: these numbers may only go down.

Every statement the app sends is counted at the adapter (``SqlDatabase.listening``). On
Postgres a transaction opens with ``BEGIN`` and its tenant scope in one round trip; a
list is that, one ``SELECT`` and the ``ROLLBACK``; a write's reads come first and its
rows, audit entry and version go in one stamping statement just before ``COMMIT``.
Authentication reads nothing from the database (the token, and the KV's revocation
marks, decide).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from fieldedge.ports.database import Database
from fixtures.identity_api import bearer

from .conftest import Team, build_team, open_api


@pytest.fixture
async def quiet(db: Database, tmp_path: Path) -> AsyncIterator[Team]:
    """A team on an app that sends no mail inline (that work runs apart from requests)."""
    async with open_api(db, tmp_path, outbox_inline=False) as api:
        yield await build_team(api)


async def counted(db: Database, call: Callable[[], Awaitable[httpx.Response]]) -> list[str]:
    with db.listening() as sent:  # type: ignore[attr-defined]
        response = await call()
    assert response.status_code < 300, response.text
    return list(sent)


def kinds(sent: list[str]) -> list[str]:
    """Each statement by its first word (``BEGIN``, ``SELECT``, ``WITH`` …)."""
    return [re.split(r"[\s;]", statement, maxsplit=1)[0].upper() for statement in sent]


async def test_a_contact_list_is_one_select_in_one_transaction(quiet: Team, db: Database) -> None:
    await quiet.contact()
    sent = await counted(db, lambda: quiet.get("rep_a1", "/api/v1/contacts", limit=20))
    expected = ["BEGIN", "SELECT", "ROLLBACK"] if db.name == "postgresql" else ["BEGIN", "SELECT"]
    assert kinds(sent) == expected, sent


async def test_a_tag_list_is_planned_for_its_tag(quiet: Team, db: Database) -> None:
    await quiet.contact()
    sent = await counted(db, lambda: quiet.get("rep_a1", "/api/v1/contacts", tag="vip"))
    if db.name == "postgresql":
        # A generic plan cannot tell a rare tag from a common one (the repository says why).
        assert kinds(sent) == ["BEGIN", "SET", "SELECT", "ROLLBACK"], sent
        assert sent[1] == "SET LOCAL plan_cache_mode = force_custom_plan"
    else:
        assert kinds(sent) == ["BEGIN", "SELECT"], sent


async def test_a_check_in_reads_three_things_and_writes_once(quiet: Team, db: Database) -> None:
    contact = await quiet.contact()
    await quiet.check_in("rep_a1", contact["id"])
    body = {"contactId": contact["id"], "latitude": 18.5207, "longitude": 73.8567, "accuracyM": 9}
    sent = await counted(db, lambda: quiet.post("rep_a1", "/api/v1/visits", body))
    if db.name == "postgresql":
        # scope; the contact, the company (geofence), the previous check-in (no webhook
        # endpoints: the KV knows the company has none); the stamping statement (visit,
        # audit entry, outbox events, version); commit.
        assert kinds(sent) == ["BEGIN", "SELECT", "SELECT", "SELECT", "WITH", "COMMIT"], sent
    else:
        assert len(sent) <= 9, sent


async def test_an_order_reads_what_it_prices_and_writes_once(quiet: Team, db: Database) -> None:
    contact = await quiet.contact()
    pen = await quiet.product()
    body: dict[str, Any] = {
        "contactId": contact["id"],
        "items": [{"productId": pen["id"], "quantity": 3}],
    }
    sent = await counted(db, lambda: quiet.post("rep_a1", "/api/v1/orders", body))
    if db.name == "postgresql":
        # scope; the contact, the prices, the company (currency) (no webhook endpoints:
        # the KV knows); the stamping statement (order, its number, audit entry, version);
        # commit.
        assert kinds(sent) == ["BEGIN", "SELECT", "SELECT", "SELECT", "WITH", "COMMIT"], sent
    else:
        assert len(sent) <= 9, sent


async def test_an_idempotent_order_sends_its_record_with_the_commit(
    quiet: Team, db: Database
) -> None:
    contact = await quiet.contact()
    pen = await quiet.product()
    body: dict[str, Any] = {
        "contactId": contact["id"],
        "items": [{"productId": pen["id"], "quantity": 3}],
    }
    headers = {**bearer(quiet.tokens["rep_a1"]), "Idempotency-Key": "statements-1"}
    sent = await counted(
        db, lambda: quiet.client.post("/api/v1/orders", json=body, headers=headers)
    )
    if db.name == "postgresql":
        # scope; the key's record looked up first; the order's three reads; the stamping
        # statement; then the record and the COMMIT in one round trip (the company's
        # counter lock, taken by the stamp, is held one round trip less).
        assert kinds(sent) == ["BEGIN", "SELECT", "SELECT", "SELECT", "SELECT", "WITH", "WITH"]
        assert "idempotency_keys" in sent[-1]
        assert sent[-1].rstrip().endswith("COMMIT"), sent[-1]
    else:
        assert len(sent) <= 11, sent


async def test_a_days_route_is_three_reads_however_many_plans(quiet: Team, db: Database) -> None:
    today = datetime.now(UTC).date().isoformat()
    a, b = (await quiet.contact())["id"], (await quiet.contact())["id"]
    for contacts in ([a], [b, a]):
        made = await quiet.post("rep_a1", "/api/v1/beats", {"name": "R", "contactIds": contacts})
        plan = {"beatId": made.json()["data"]["id"], "date": today}
        assert (await quiet.post("rep_a1", "/api/v1/plans", plan)).status_code == 201
    await quiet.check_in("rep_a1", b)
    sent = await counted(db, lambda: quiet.get("rep_a1", "/api/v1/plans/today"))
    if db.name == "postgresql":
        # scope; the company (its day), the plans with their beats and chosen route, the
        # day's check-ins with the outlets; rollback.
        assert kinds(sent) == ["BEGIN", "SELECT", "SELECT", "SELECT", "ROLLBACK"], sent
    else:
        assert len(sent) <= 5, sent


def endpoint_reads(sent: list[str]) -> list[str]:
    return [statement for statement in sent if "webhook_endpoints" in statement]


async def test_a_write_in_a_company_without_endpoints_reads_none(quiet: Team, db: Database) -> None:
    first = await counted(db, lambda: quiet.post("rep_a1", "/api/v1/contacts", {"name": "A"}))
    assert len(endpoint_reads(first)) == 1, first  # no flag yet: read once, remembered
    again = await counted(db, lambda: quiet.post("rep_a1", "/api/v1/contacts", {"name": "B"}))
    assert endpoint_reads(again) == [], again


@pytest.fixture
async def hooked(db: Database, tmp_path: Path) -> AsyncIterator[Team]:
    """``quiet``, with endpoints allowed on loopback (nothing listens on port 9)."""
    async with open_api(db, tmp_path, outbox_inline=False, webhook_allow_loopback=True) as api:
        yield await build_team(api)


async def test_a_subscription_turns_the_endpoint_read_back_on(hooked: Team, db: Database) -> None:
    quiet = hooked
    await quiet.contact()  # the company is remembered as having no endpoint
    body = {"url": "http://127.0.0.1:9/hook", "eventTypes": ["contact.created"]}
    hook = await quiet.post("admin", "/api/v1/webhooks", body)
    assert hook.status_code == 201, hook.text
    sent = await counted(db, lambda: quiet.post("rep_a1", "/api/v1/contacts", {"name": "C"}))
    assert len(endpoint_reads(sent)) == 1, sent
    assert await quiet.count("outbox") >= 1
    deleted = await quiet.delete("admin", f"/api/v1/webhooks/{hook.json()['data']['id']}")
    assert deleted.status_code == 200
    await counted(db, lambda: quiet.post("rep_a1", "/api/v1/contacts", {"name": "D"}))
    sent = await counted(db, lambda: quiet.post("rep_a1", "/api/v1/contacts", {"name": "E"}))
    assert endpoint_reads(sent) == [], sent
