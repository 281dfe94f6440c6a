"""API keys over HTTP on every backend: made by an ADMIN and shown once, sent as a
bearer token or ``X-API-Key``, scoped (the 403 names the scope), refused on identity
routes, sync and key management, revoked and expired with their codes, rotated with a
grace, limited per key, and named in the audit log of what they wrote."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from fieldedge.ports.database import Database
from fixtures.app import open_api
from fixtures.identity_api import Api, bearer

from .conftest import Team, build_team

KEYS = "/api/v1/api-keys"


async def make_key(team: Team, *scopes: str, **body: Any) -> dict[str, Any]:
    response = await team.post(
        "admin", KEYS, {"name": "ERP", "scopes": list(scopes) or ["contacts:write"], **body}
    )
    assert response.status_code == 201, response.text
    return dict(response.json()["data"])


def with_key(secret: str, header: str = "authorization") -> dict[str, str]:
    return {header: f"Bearer {secret}" if header == "authorization" else secret}


async def test_an_admin_makes_a_key_whose_secret_is_shown_once(team: Team) -> None:
    key = await make_key(team, "orders:read", "contacts:write")
    assert key["secret"].startswith("fe_live_")
    assert key["scopes"] == ["contacts:write", "orders:read"]
    assert key["prefix"] == key["secret"][8:20]
    assert key["createdBy"] == team.ids["admin"]
    read = (await team.get("admin", f"{KEYS}/{key['id']}")).json()["data"]
    listed = (await team.get("admin", KEYS)).json()["data"]
    assert "secret" not in read
    assert [k["id"] for k in listed] == [key["id"]]
    assert key["secret"] not in json.dumps(listed)
    stored = await team.api.sql("SELECT secret_hash, prefix FROM api_keys")
    assert key["secret"] not in repr(stored)
    for who in ("mgr_a", "rep_a1"):
        response = await team.post(who, KEYS, {"name": "x", "scopes": ["contacts:read"]})
        assert response.status_code == 403


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x", "scopes": ["users:read"]},
        {"name": "x", "scopes": []},
        {"name": " ", "scopes": ["contacts:read"]},
        {"name": "x", "scopes": ["contacts:read"], "expiresAt": "2020-01-01T00:00:00Z"},
        {"name": "x", "scopes": ["contacts:read"], "expiresAt": "2999-01-01T00:00:00"},
    ],
)
async def test_a_bad_key_body_is_422(team: Team, body: dict[str, Any]) -> None:
    response = await team.post("admin", KEYS, body)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"


@pytest.mark.parametrize("header", ["authorization", "x-api-key"])
async def test_a_key_reads_and_writes_what_its_scopes_allow(team: Team, header: str) -> None:
    key = await make_key(team, "contacts:write", "orders:read")
    headers = with_key(key["secret"], header)
    client = team.client
    made = await client.post("/api/v1/contacts", json={"name": "From ERP"}, headers=headers)
    assert made.status_code == 201, made.text
    listed = await client.get("/api/v1/contacts", headers=headers)
    assert made.json()["data"]["id"] in listed.text  # company-wide: an ADMIN's view
    assert (await client.get("/api/v1/orders", headers=headers)).status_code == 200
    refused = await client.get("/api/v1/payments", headers=headers)
    assert refused.status_code == 403
    assert "payments:read" in refused.json()["error"]["message"]


async def test_a_keys_writes_are_audited_with_its_id(team: Team) -> None:
    key = await make_key(team, "contacts:write")
    made = await team.client.post(
        "/api/v1/contacts", json={"name": "Audited"}, headers=with_key(key["secret"])
    )
    rows = await team.api.sql(
        "SELECT actor_id, detail FROM audit_log WHERE action = 'contact.created'"
    )
    assert made.status_code == 201
    detail = rows[-1][1] if isinstance(rows[-1][1], dict) else json.loads(rows[-1][1])
    assert detail["apiKeyId"] == key["id"]
    assert UUID(str(rows[-1][0])) == UUID(team.ids["admin"])


# Identity (a user's own), sync (a device's replica), the company, users, the audit log
# and key management itself: never an integration's, whatever its scopes.
NOT_FOR_KEYS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/api/v1/auth/me", None),
    ("POST", "/api/v1/auth/change-password", {"currentPassword": "x", "newPassword": "y"}),
    ("POST", "/api/v1/auth/logout", {"refreshToken": "x" * 20}),
    ("GET", "/api/v1/users", None),
    ("GET", "/api/v1/company", None),
    ("POST", "/api/v1/sync/pull", {}),
    ("GET", KEYS, None),
    ("GET", "/api/v1/audit", None),
]


async def test_a_key_never_reaches_identity_sync_or_key_management(team: Team) -> None:
    every = [f"{f}:write" for f in ("contacts", "visits", "orders", "payments", "products")]
    key = await make_key(team, *every, "reports:write", "service:write")
    for method, path, body in NOT_FOR_KEYS:
        response = await team.client.request(
            method, path, json=body, headers=with_key(key["secret"])
        )
        assert response.status_code == 403, f"{path}: {response.text}"
        assert response.json()["error"]["code"] == "FORBIDDEN"


async def test_wrong_revoked_and_expired_keys_get_their_codes(team: Team) -> None:
    client = team.client
    key = await make_key(team)
    forged = key["secret"][:-2] + ("AA" if not key["secret"].endswith("AA") else "BB")
    for secret, code in [
        (forged, "INVALID_TOKEN"),
        ("fe_live_short", "INVALID_TOKEN"),
        ("fe_live_" + "x" * 43, "INVALID_TOKEN"),
    ]:
        response = await client.get("/api/v1/contacts", headers=with_key(secret))
        assert (response.status_code, response.json()["error"]["code"]) == (401, code)
    both = {**with_key(key["secret"]), **with_key(key["secret"], "x-api-key")}
    assert (await client.get("/api/v1/contacts", headers=both)).status_code == 401
    assert (await team.delete("admin", f"{KEYS}/{key['id']}")).json()["data"]["revokedAt"]
    revoked = await client.get("/api/v1/contacts", headers=with_key(key["secret"]))
    assert revoked.status_code == 401
    assert "revoked" in revoked.json()["error"]["message"]
    soon = (team.api.clock.now() + timedelta(minutes=5)).isoformat().replace("+00:00", "Z")
    expiring = await make_key(team, expiresAt=soon)
    ok = await client.get("/api/v1/contacts", headers=with_key(expiring["secret"]))
    assert ok.status_code == 200
    team.api.clock.advance(301)
    late = await client.get("/api/v1/contacts", headers=with_key(expiring["secret"]))
    assert (late.status_code, late.json()["error"]["code"]) == (401, "TOKEN_EXPIRED")


async def test_rotation_keeps_the_old_secret_for_its_grace(team: Team) -> None:
    old = await make_key(team)
    rotated = await team.post("admin", f"{KEYS}/{old['id']}/rotate", {"graceHours": 1})
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()["data"]
    assert new["secret"] != old["secret"]
    assert new["previousPrefix"] == old["prefix"]
    for secret in (old["secret"], new["secret"]):
        assert (await team.client.get("/api/v1/contacts", headers=with_key(secret))).is_success
    too_long = await team.post("admin", f"{KEYS}/{old['id']}/rotate", {"graceHours": 169})
    assert too_long.status_code == 422
    team.api.clock.advance(3600)  # the grace is over (and the ADMIN's access token too)
    stale = await team.client.get("/api/v1/contacts", headers=with_key(old["secret"]))
    assert stale.status_code == 401
    assert (await team.client.get("/api/v1/contacts", headers=with_key(new["secret"]))).is_success


async def test_last_used_at_shows_the_minute_a_key_was_used(team: Team) -> None:
    key = await make_key(team)
    assert key["lastUsedAt"] is None
    await team.client.get("/api/v1/contacts", headers=with_key(key["secret"]))
    read = (await team.get("admin", f"{KEYS}/{key['id']}")).json()["data"]
    assert read["lastUsedAt"] is not None


@pytest.fixture
async def tight(db: Database, tmp_path: Path) -> AsyncIterator[Api]:
    async with open_api(db, tmp_path, rate_read_per_min=3) as opened:
        yield opened


async def test_rate_limits_count_per_key(tight: Api) -> None:
    team = await build_team(tight)
    one, two = await make_key(team), await make_key(team)
    for _ in range(3):
        response = await team.client.get("/api/v1/contacts", headers=with_key(one["secret"]))
        assert response.status_code == 200
    over = await team.client.get("/api/v1/contacts", headers=with_key(one["secret"]))
    assert over.status_code == 429
    assert over.headers["Retry-After"]
    other = await team.client.get("/api/v1/contacts", headers=with_key(two["secret"], "x-api-key"))
    assert other.status_code == 200  # another key: its own budget
    assert (await team.get("admin", "/api/v1/contacts")).status_code == 200  # and the ADMIN's


async def test_a_keys_idempotency_keys_are_its_own_not_its_admins(team: Team) -> None:
    key = await make_key(team, "contacts:write")
    body, again = {"name": "Once"}, {"Idempotency-Key": "same-key-1"}
    mine = await team.client.post(
        "/api/v1/contacts", json=body, headers={**bearer(team.tokens["admin"]), **again}
    )
    theirs = await team.client.post(
        "/api/v1/contacts", json=body, headers={**with_key(key["secret"]), **again}
    )
    replay = await team.client.post(
        "/api/v1/contacts", json=body, headers={**with_key(key["secret"]), **again}
    )
    assert mine.status_code == theirs.status_code == 201
    assert "Idempotent-Replayed" not in theirs.headers  # not the ADMIN's answer
    assert theirs.json()["data"]["id"] != mine.json()["data"]["id"]
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json()["data"]["id"] == theirs.json()["data"]["id"]
