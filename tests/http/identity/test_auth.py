"""Register, login, refresh, logout, me: every route and refusal of the contract."""

from __future__ import annotations

from fixtures.identity_api import PASSWORD, Api, bearer


async def test_register_creates_company_and_admin_and_queues_welcome(api: Api) -> None:
    session = await api.register(company="Sahyadri Pharma")
    assert session["tokenType"] == "Bearer"
    assert session["expiresIn"] == 900
    me = (await api.me(session["accessToken"])).json()["data"]
    assert me["user"]["role"] == "ADMIN"
    assert me["user"]["email"] == session["email"]
    assert me["company"]["name"] == "Sahyadri Pharma"
    assert me["company"]["geofenceRadiusM"] == 200
    welcome = await api.outbox("welcome")
    assert [mail["to"] for mail in welcome] == [[session["email"]]]


async def test_taken_email_is_409_in_any_company_and_writes_nothing(api: Api) -> None:
    first = await api.register(email="taken@example.com")
    response = await api.client.post(
        "/api/v1/auth/register",
        json={
            "companyName": "Other",
            "name": "Z",
            "email": "TAKEN@example.com",
            "password": PASSWORD,
        },
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "CONFLICT"
    assert await api.sql("SELECT count(*) FROM companies") == [(1,)]
    assert first["email"] == "taken@example.com"


async def test_unknown_fields_and_bad_email_are_422(api: Api) -> None:
    response = await api.client.post(
        "/api/v1/auth/register",
        json={
            "companyName": "X",
            "name": "Y",
            "email": "not-an-email",
            "password": PASSWORD,
            "role": "SUPER_ADMIN",
        },
    )
    assert response.status_code == 422
    assert set(response.json()["error"]["details"]) == {"email", "role"}


async def test_wrong_password_and_unknown_email_get_the_same_401(api: Api) -> None:
    session = await api.register()
    wrong = await api.login(session["email"], "not-the-password")
    unknown = await api.login("nobody@example.com", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["error"] == unknown.json()["error"]
    assert wrong.json()["error"]["code"] == "INVALID_CREDENTIALS"
    # The same work for both: one audit entry each, in the company's chain for the known
    # email and in the platform's for the unknown one.
    failed = await api.sql(
        "SELECT company_id IS NULL FROM audit_log WHERE action = 'auth.login_failed' ORDER BY 1"
    )
    assert [bool(row[0]) for row in failed] == [False, True]


async def test_login_is_limited_to_five_a_minute_per_email(api: Api) -> None:
    session = await api.register()
    statuses = [
        (await api.login(session["email"], "wrong-password!")).status_code for _ in range(6)
    ]
    assert statuses == [401] * 5 + [429]
    blocked = await api.login(session["email"])
    assert blocked.status_code == 429
    assert blocked.json()["error"]["code"] == "RATE_LIMITED"
    assert int(blocked.headers["retry-after"]) >= 1
    assert blocked.headers["ratelimit-remaining"] == "0"
    other = await api.login("someone-else@example.com")  # another email: its own window
    assert other.status_code == 401


async def test_refresh_rotates_and_a_reused_token_revokes_the_family(api: Api) -> None:
    session = await api.register()
    first = await api.client.post(
        "/api/v1/auth/refresh", json={"refreshToken": session["refreshToken"]}
    )
    assert first.status_code == 200
    rotated = first.json()["data"]
    assert rotated["refreshToken"] != session["refreshToken"]
    reuse = await api.client.post(
        "/api/v1/auth/refresh", json={"refreshToken": session["refreshToken"]}
    )
    assert reuse.status_code == 401
    assert reuse.json()["error"]["code"] == "INVALID_TOKEN"
    after = await api.client.post(
        "/api/v1/auth/refresh", json={"refreshToken": rotated["refreshToken"]}
    )
    assert after.status_code == 401  # the whole family went with the replayed token
    events = await api.sql("SELECT count(*) FROM audit_log WHERE action = 'auth.refresh_reuse'")
    assert events == [(1,)]


async def test_refresh_with_garbage_or_expired_token_is_401(api: Api) -> None:
    session = await api.register()
    garbage = await api.client.post("/api/v1/auth/refresh", json={"refreshToken": "rt_nope"})
    assert garbage.status_code == 401
    api.clock.advance(31 * 86400)
    expired = await api.client.post(
        "/api/v1/auth/refresh", json={"refreshToken": session["refreshToken"]}
    )
    assert expired.status_code == 401


async def test_logout_revokes_the_session(api: Api) -> None:
    session = await api.register()
    response = await api.client.post(
        "/api/v1/auth/logout",
        json={"refreshToken": session["refreshToken"]},
        headers=bearer(session["accessToken"]),
    )
    assert response.status_code == 200
    assert response.json()["data"] is None
    again = await api.client.post(
        "/api/v1/auth/refresh", json={"refreshToken": session["refreshToken"]}
    )
    assert again.status_code == 401


async def test_me_needs_a_token(api: Api) -> None:
    response = await api.client.get("/api/v1/auth/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "AUTH_REQUIRED"


async def test_tokens_in_the_query_string_are_refused(api: Api) -> None:
    session = await api.register()
    response = await api.client.get(
        "/api/v1/auth/me",
        params={"access_token": session["accessToken"]},
        headers=bearer(session["accessToken"]),
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "INVALID_TOKEN"
