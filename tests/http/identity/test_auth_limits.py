"""The per-IP auth limit guards what can be guessed (login, register, refresh, password
reset); a signed-in user's own calls (``/auth/me``, logout, change-password) are counted
per user, so reps behind one carrier NAT never run into each other's budget."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from fieldedge.ports.database import Database
from fixtures.app import open_api
from fixtures.identity_api import PASSWORD, Api, bearer

PER_IP = 6


@pytest.fixture
async def tight(db: Database, tmp_path: Path) -> AsyncIterator[Api]:
    async with open_api(db, tmp_path, rate_auth_ip_per_min=PER_IP) as api:
        yield api


async def test_signed_in_calls_do_not_spend_the_ip_budget(tight: Api) -> None:
    admin = await tight.register()  # 1 of the IP's budget
    for _ in range(3 * PER_IP):
        me = await tight.me(admin["accessToken"])
        assert me.status_code == 200, me.text
    assert me.headers["ratelimit-limit"] == "300"  # the read class, per user
    guesses = [(await tight.login(f"nobody{i}@example.com")).status_code for i in range(PER_IP)]
    assert guesses == [401] * (PER_IP - 1) + [429]
    refresh = await tight.client.post(
        "/api/v1/auth/refresh", json={"refreshToken": admin["refreshToken"]}
    )
    reset = await tight.client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": "x", "newPassword": PASSWORD}
    )
    assert (refresh.status_code, reset.status_code) == (429, 429)
    # The IP is spent; the signed-in user still works, change-password on its own budget.
    assert (await tight.me(admin["accessToken"])).status_code == 200
    changed = await tight.client.post(
        "/api/v1/auth/change-password",
        json={"currentPassword": PASSWORD, "newPassword": "violet tractor umbrella 42"},
        headers=bearer(admin["accessToken"]),
    )
    assert changed.status_code == 200, changed.text
    assert changed.headers["ratelimit-limit"] == str(PER_IP)
    logout = await tight.client.post(
        "/api/v1/auth/logout",
        json={"refreshToken": changed.json()["data"]["refreshToken"]},
        headers=bearer(changed.json()["data"]["accessToken"]),
    )
    assert logout.status_code == 200, logout.text


async def test_change_password_guesses_are_limited_per_user(tight: Api) -> None:
    admin = await tight.register()
    statuses = []
    for _ in range(PER_IP + 1):
        response = await tight.client.post(
            "/api/v1/auth/change-password",
            json={"currentPassword": "not-the-password", "newPassword": "violet tractor 42"},
            headers=bearer(admin["accessToken"]),
        )
        statuses.append(response.status_code)
    assert statuses[-1] == 429
    assert 429 not in statuses[:PER_IP]
