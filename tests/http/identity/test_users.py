"""Users: ADMIN manages, MANAGER reads the team, reps do neither; deactivation is instant."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from fixtures.identity_api import PASSWORD, Api, bearer


async def company(api: Api) -> dict[str, str]:
    """An ADMIN, a MANAGER with one rep, and a rep without a manager."""
    admin = await api.register()
    token = admin["accessToken"]
    manager = await api.create_user(token, "MANAGER")
    rep = await api.create_user(token, "SALES_REP", managerId=manager["id"])
    loner = await api.create_user(token, "SALES_REP")
    return {
        "admin": token,
        "manager": (await api.tokens(manager["email"]))["accessToken"],
        "rep": (await api.tokens(rep["email"]))["accessToken"],
        "manager_id": manager["id"],
        "rep_id": rep["id"],
        "loner_id": loner["id"],
        "rep_email": rep["email"],
    }


async def test_admin_creates_users_who_can_log_in(api: Api) -> None:
    people = await company(api)
    me = (await api.me(people["rep"])).json()["data"]["user"]
    assert me["role"] == "SALES_REP"
    assert me["managerId"] == people["manager_id"]


async def test_a_rep_may_not_create_users_or_promote_itself(api: Api) -> None:
    people = await company(api)
    headers = bearer(people["rep"])
    create = await api.client.post(
        "/api/v1/users",
        headers=headers,
        json={"name": "X", "email": "x@example.com", "role": "ADMIN", "password": PASSWORD},
    )
    promote = await api.client.patch(
        f"/api/v1/users/{people['rep_id']}", json={"role": "ADMIN"}, headers=headers
    )
    listing = await api.client.get("/api/v1/users", headers=headers)
    assert [create.status_code, promote.status_code, listing.status_code] == [403, 403, 403]
    assert create.json()["error"]["code"] == "FORBIDDEN"
    assert await api.sql("SELECT count(*) FROM users WHERE email = 'x@example.com'") == [(0,)]
    me = (await api.me(people["rep"])).json()["data"]["user"]
    assert me["role"] == "SALES_REP"


async def test_deactivation_stops_tokens_at_once(api: Api) -> None:
    people = await company(api)
    assert (await api.me(people["rep"])).status_code == 200
    gone = await api.client.delete(
        f"/api/v1/users/{people['rep_id']}", headers=bearer(people["admin"])
    )
    assert gone.status_code == 200
    assert gone.json()["data"]["active"] is False
    assert (await api.me(people["rep"])).status_code == 401
    assert (await api.login(people["rep_email"])).status_code == 401
    actions = await api.sql("SELECT action FROM audit_log WHERE action = 'user.deactivated'")
    assert actions == [("user.deactivated",)]


async def test_invite_without_password_mails_a_set_password_link(api: Api) -> None:
    admin = await api.register()
    invited = await api.client.post(
        "/api/v1/users",
        headers=bearer(admin["accessToken"]),
        json={"name": "New Rep", "email": "new.rep@example.com", "role": "SALES_REP"},
    )
    assert invited.status_code == 201
    assert (await api.login("new.rep@example.com", PASSWORD)).status_code == 401
    mail = (await api.outbox("invite"))[0]
    token = parse_qs(urlsplit(mail["context"]["link"]).query)["token"][0]
    done = await api.client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "newPassword": PASSWORD}
    )
    assert done.status_code == 200
    assert (await api.login("new.rep@example.com", PASSWORD)).status_code == 200


async def test_lists_page_with_cursor_and_trim_fields(api: Api) -> None:
    admin = await api.register()
    for _ in range(3):
        await api.create_user(admin["accessToken"], "SALES_REP")
    headers = bearer(admin["accessToken"])
    first = (await api.client.get("/api/v1/users?limit=2&fields=id,email", headers=headers)).json()
    assert first["pagination"]["hasMore"] is True
    assert all(set(user) == {"id", "email"} for user in first["data"])
    second = (
        await api.client.get(
            f"/api/v1/users?limit=2&cursor={first['pagination']['nextCursor']}", headers=headers
        )
    ).json()
    assert second["pagination"] == {"limit": 2, "nextCursor": None, "hasMore": False}
    ids = [u["id"] for u in first["data"] + second["data"]]
    assert len(set(ids)) == 4
    bad = await api.client.get("/api/v1/users?cursor=not-a-cursor!", headers=headers)
    assert bad.status_code == 422
    unknown = await api.client.get("/api/v1/users?fields=password", headers=headers)
    assert unknown.status_code == 422
    wrong_filter = await api.client.get("/api/v1/users?colour=red", headers=headers)
    assert wrong_filter.status_code == 422
