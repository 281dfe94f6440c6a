"""Ending a session takes effect on the next request, not when the access token expires.

Logout, a reused refresh token, a password change, a role change, deactivation and
suspension each write a revocation mark to the KV; a request reads its token's marks in
the same KV round trip as its rate limit, and asks the database instead when the KV
cannot answer (fail closed).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from fakes import FixedClock
from fieldedge.errors import DependencyUnavailable
from fieldedge.http import create_app
from fieldedge.ports.database import Database
from fieldedge.ports.kv import RateWindow
from fieldedge.services.platform_admin import create_super_admin
from fieldedge_adapters.kv import MemoryKV
from fixtures.app import client_for, make_deps
from fixtures.identity_api import PASSWORD, Api, bearer


@dataclass
class CountingKV:
    """The in-memory KV, counting calls, and switchable off (a fake of the KV port)."""

    inner: MemoryKV = field(default_factory=MemoryKV)
    calls: list[str] = field(default_factory=list)
    down: bool = False

    @property
    def name(self) -> str:
        return "counting"

    def _call(self, what: str) -> None:
        self.calls.append(what)
        if self.down:
            raise DependencyUnavailable("kv")

    async def get(self, key: str) -> bytes | None:
        self._call("get")
        return await self.inner.get(key)

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        self._call("get_many")
        return await self.inner.get_many(keys)

    async def set(
        self, key: str, value: bytes, *, ttl_s: float | None = None, nx: bool = False
    ) -> bool:
        self._call("set")
        return await self.inner.set(key, value, ttl_s=ttl_s, nx=nx)

    async def delete(self, key: str) -> None:
        self._call("delete")
        await self.inner.delete(key)

    async def incr(self, key: str, *, ttl_s: float | None = None) -> int:
        self._call("incr")
        return await self.inner.incr(key, ttl_s=ttl_s)

    async def hit_window(
        self, key: str, *, limit: int, window_s: float, read: Sequence[str] = ()
    ) -> RateWindow:
        self._call("hit_window")
        return await self.inner.hit_window(key, limit=limit, window_s=window_s, read=read)

    async def ping(self) -> None:
        self._call("ping")

    async def close(self) -> None:
        await self.inner.close()


@dataclass
class World:
    api: Api
    kv: CountingKV


@pytest.fixture
async def world(db: Database, tmp_path: Path) -> AsyncIterator[World]:
    kv = CountingKV()
    clock = FixedClock(at=datetime.now(UTC).replace(microsecond=0))
    deps = make_deps(tmp_path, db, kv=kv, clock=clock, outbox_inline=False)
    app = create_app(deps)
    async with client_for(app) as client:
        yield World(Api(app, deps, client, clock), kv)
    await deps.kv.close()
    await deps.storage.close()
    await deps.mailer.close()


async def me(api: Api, token: str) -> tuple[int, str | None]:
    response = await api.me(token)
    error = response.json().get("error") or {}
    return response.status_code, error.get("code")


async def second_session(api: Api, email: str) -> dict[str, Any]:
    return await api.tokens(email)


async def test_an_authenticated_request_costs_one_kv_round_trip(world: World) -> None:
    session = await world.api.register()
    world.kv.calls.clear()
    assert (await me(world.api, session["accessToken"]))[0] == 200
    assert world.kv.calls == ["hit_window"]  # the rate limit and the marks, together


async def test_logout_ends_that_sessions_access_token_at_once(world: World) -> None:
    api = world.api
    session = await api.register()
    other = await second_session(api, session["email"])
    out = await api.client.post(
        "/api/v1/auth/logout",
        json={"refreshToken": session["refreshToken"]},
        headers=bearer(session["accessToken"]),
    )
    assert out.status_code == 200
    assert await me(api, session["accessToken"]) == (401, "INVALID_TOKEN")
    assert (await me(api, other["accessToken"]))[0] == 200  # another device: still in


async def test_a_reused_refresh_token_ends_the_session_it_belonged_to(world: World) -> None:
    api = world.api
    session = await api.register()
    first = await api.client.post(
        "/api/v1/auth/refresh", json={"refreshToken": session["refreshToken"]}
    )
    rotated = first.json()["data"]
    replay = await api.client.post(
        "/api/v1/auth/refresh", json={"refreshToken": session["refreshToken"]}
    )
    assert replay.status_code == 401
    assert await me(api, rotated["accessToken"]) == (401, "INVALID_TOKEN")


async def test_a_password_change_ends_every_other_session_even_in_the_same_second(
    world: World,
) -> None:
    api = world.api
    session = await api.register()
    other = await second_session(api, session["email"])  # minted in the same (fixed) second
    changed = await api.client.post(
        "/api/v1/auth/change-password",
        json={"currentPassword": PASSWORD, "newPassword": "another-long-passphrase"},
        headers=bearer(session["accessToken"]),
    )
    assert changed.status_code == 200, changed.text
    fresh = changed.json()["data"]
    assert await me(api, other["accessToken"]) == (401, "INVALID_TOKEN")
    assert await me(api, session["accessToken"]) == (401, "INVALID_TOKEN")
    assert (await me(api, fresh["accessToken"]))[0] == 200


async def test_a_role_change_refuses_the_old_role_until_the_session_refreshes(
    world: World,
) -> None:
    api = world.api
    admin = (await api.register())["accessToken"]
    rep = await api.create_user(admin, "SALES_REP")
    rep_session = await api.tokens(rep["email"])
    api.clock.advance(0.001)  # a millisecond later: the same second, a later instant
    promoted = await api.client.patch(
        f"/api/v1/users/{rep['id']}", json={"role": "MANAGER"}, headers=bearer(admin)
    )
    assert promoted.status_code == 200, promoted.text
    assert await me(api, rep_session["accessToken"]) == (401, "INVALID_TOKEN")
    refreshed = await api.client.post(
        "/api/v1/auth/refresh", json={"refreshToken": rep_session["refreshToken"]}
    )
    assert refreshed.status_code == 200
    status = await api.me(refreshed.json()["data"]["accessToken"])
    assert status.json()["data"]["user"]["role"] == "MANAGER"


async def test_a_suspended_company_is_refused_and_a_reactivated_one_served(world: World) -> None:
    api = world.api
    tenant = await api.register(company="Soon Suspended")
    company_id = (await api.me(tenant["accessToken"])).json()["data"]["company"]["id"]
    await create_super_admin("root@fieldedge.dev", "Root", PASSWORD, api.deps)
    root = (await api.tokens("root@fieldedge.dev"))["accessToken"]
    path = f"/api/v1/admin/companies/{company_id}"
    await api.client.patch(path, json={"status": "SUSPENDED"}, headers=bearer(root))
    assert await me(api, tenant["accessToken"]) == (403, "FORBIDDEN")
    await api.client.patch(path, json={"status": "ACTIVE"}, headers=bearer(root))
    assert (await me(api, tenant["accessToken"]))[0] == 200


async def test_with_the_kv_down_the_database_decides_and_still_refuses(world: World) -> None:
    api = world.api
    session = await api.register()
    other = await second_session(api, session["email"])
    await api.client.post(
        "/api/v1/auth/logout",
        json={"refreshToken": session["refreshToken"]},
        headers=bearer(session["accessToken"]),
    )
    world.kv.down = True
    assert await me(api, session["accessToken"]) == (401, "INVALID_TOKEN")
    assert (await me(api, other["accessToken"]))[0] == 200  # fail closed, not shut


async def test_a_mark_the_kv_missed_is_written_by_the_dispatcher(world: World) -> None:
    from fieldedge.services.outbox.dispatcher import drain

    api = world.api
    session = await api.register()
    world.kv.down = True  # the logout's own mark cannot be written
    out = await api.client.post(
        "/api/v1/auth/logout",
        json={"refreshToken": session["refreshToken"]},
        headers=bearer(session["accessToken"]),
    )
    assert out.status_code == 200
    world.kv.down = False
    # Back up, and the mark is missing: the queued revoke task is what writes it.
    assert await world.kv.inner.get_many([f"fe:rev:s:{_sid(session)}"]) == [None]
    report = await drain(api.deps)
    assert report.sent >= 1
    assert await me(api, session["accessToken"]) == (401, "INVALID_TOKEN")


def _sid(session: dict[str, Any]) -> str:
    import base64
    import json

    payload = session["accessToken"].split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return str(claims["sid"])
