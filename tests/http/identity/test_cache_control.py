"""Nothing a signed-in user gets, and no token, is kept by a browser or proxy cache."""

from __future__ import annotations

from fixtures.identity_api import PASSWORD, Api, bearer


async def test_every_token_response_is_no_store(api: Api) -> None:
    admin = await api.register()
    login = await api.login(admin["email"])
    refreshed = await api.client.post(
        "/api/v1/auth/refresh", json={"refreshToken": login.json()["data"]["refreshToken"]}
    )
    changed = await api.client.post(
        "/api/v1/auth/change-password",
        json={"currentPassword": PASSWORD, "newPassword": "violet tractor umbrella 42"},
        headers=bearer(refreshed.json()["data"]["accessToken"]),
    )
    register = await api.client.post(
        "/api/v1/auth/register",
        json={"companyName": "B", "name": "B", "email": api.email(), "password": PASSWORD},
    )
    for response in (register, login, refreshed, changed):
        assert response.status_code in (200, 201), response.text
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["pragma"] == "no-cache"


async def test_every_authenticated_response_is_no_store(api: Api) -> None:
    admin = await api.register()
    headers = bearer(admin["accessToken"])
    answers = [
        await api.me(admin["accessToken"]),
        await api.client.get("/api/v1/users", headers=headers),
        await api.client.get("/api/v1/company", headers=headers),
        await api.client.get(  # an error for a signed-in user is theirs too
            "/api/v1/users/00000000-0000-0000-0000-000000000000", headers=headers
        ),
        await api.client.patch(
            "/api/v1/company",
            json={"timezone": "Asia/Kolkata"},
            headers={**headers, "Idempotency-Key": "cc-1"},
        ),
    ]
    replay = await api.client.patch(
        "/api/v1/company",
        json={"timezone": "Asia/Kolkata"},
        headers={**headers, "Idempotency-Key": "cc-1"},
    )
    assert replay.headers["idempotent-replayed"] == "true"
    for response in [*answers, replay]:
        assert response.headers["cache-control"] == "no-store", response.request.url


async def test_public_answers_are_left_to_the_route(api: Api) -> None:
    health = await api.client.get("/api/health/live")
    assert "no-store" not in health.headers.get("cache-control", "")
