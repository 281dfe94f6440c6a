"""Password reset and change: single-use, time-limited, and every old session ends."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from fixtures.identity_api import PASSWORD, Api, bearer

NEW = "an-entirely-new-passphrase"


def token_from(mail: dict[str, object]) -> str:
    link = str(mail["context"]["link"])  # type: ignore[index]
    return parse_qs(urlsplit(link).query)["token"][0]


async def request_reset(api: Api, email: str) -> int:
    response = await api.client.post("/api/v1/auth/password-reset/request", json={"email": email})
    return response.status_code


async def confirm(api: Api, token: str, password: str = NEW) -> tuple[int, dict[str, object]]:
    response = await api.client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "newPassword": password}
    )
    return response.status_code, response.json()


async def test_request_is_202_for_known_and_unknown_emails(api: Api) -> None:
    session = await api.register()
    assert await request_reset(api, session["email"]) == 202
    assert await request_reset(api, "nobody@example.com") == 202
    mails = await api.outbox("password_reset")
    assert [mail["to"] for mail in mails] == [[session["email"]]]


async def test_confirm_sets_the_password_and_ends_every_session(api: Api) -> None:
    session = await api.register()
    await request_reset(api, session["email"])
    token = token_from((await api.outbox("password_reset"))[0])
    api.clock.advance(2)
    assert (await confirm(api, token))[0] == 200
    assert (await api.me(session["accessToken"])).status_code == 401
    refresh = await api.client.post(
        "/api/v1/auth/refresh", json={"refreshToken": session["refreshToken"]}
    )
    assert refresh.status_code == 401
    assert (await api.login(session["email"])).status_code == 401
    assert (await api.login(session["email"], NEW)).status_code == 200


async def test_change_password_needs_the_current_one(api: Api) -> None:
    session = await api.register()
    headers = bearer(session["accessToken"])
    wrong = await api.client.post(
        "/api/v1/auth/change-password",
        json={"currentPassword": "not-my-password", "newPassword": NEW},
        headers=headers,
    )
    assert wrong.status_code == 422
    assert "currentPassword" in wrong.json()["error"]["details"]
    api.clock.advance(2)
    changed = await api.client.post(
        "/api/v1/auth/change-password",
        json={"currentPassword": PASSWORD, "newPassword": NEW},
        headers=headers,
    )
    assert changed.status_code == 200
    fresh = changed.json()["data"]
    assert (await api.me(fresh["accessToken"])).status_code == 200
    assert (await api.me(session["accessToken"])).status_code == 401
    old_refresh = await api.client.post(
        "/api/v1/auth/refresh", json={"refreshToken": session["refreshToken"]}
    )
    assert old_refresh.status_code == 401
